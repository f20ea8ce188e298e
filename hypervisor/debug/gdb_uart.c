/*
 * gdb_uart.c - COM4, polled, for the GDB stub (gdb_uart.h).
 */
#include "hypervisor/debug/gdb_uart.h"

#include "hypervisor/cpu.h"

#define COM4_BASE 0x2e8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCRATCH 7

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY 0x20
#define DIVISOR_115200 1
#define SCRATCH_PROBE 0x5a

bool gdb_uart_init(void)
{
	/* A missing UART floats: the scratch register reads 0xff, not the probe. */
	outb(COM4_BASE + UART_SCRATCH, SCRATCH_PROBE);
	if (inb(COM4_BASE + UART_SCRATCH) != SCRATCH_PROBE)
		return false;
	outb(COM4_BASE + UART_IER, 0);
	outb(COM4_BASE + UART_LCR, LCR_DLAB);
	outb(COM4_BASE + UART_DATA, DIVISOR_115200);
	outb(COM4_BASE + UART_IER, 0);
	outb(COM4_BASE + UART_LCR, LCR_8N1);
	outb(COM4_BASE + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM4_BASE + UART_MCR, MCR_DTR_RTS);
	return true;
}

void gdb_uart_write(const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		while (!(inb(COM4_BASE + UART_LSR) & LSR_TX_EMPTY))
			__asm__ volatile("pause");
		outb(COM4_BASE + UART_DATA, (uint8_t)bytes[i]);
	}
}

bool gdb_uart_ready(void)
{
	return (inb(COM4_BASE + UART_LSR) & LSR_DATA_READY) != 0;
}

uint8_t gdb_uart_read(void)
{
	while (!gdb_uart_ready())
		__asm__ volatile("pause");
	return inb(COM4_BASE + UART_DATA);
}
