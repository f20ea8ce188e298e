/*
 * console.c - the guest console (COM1) and Skiff's log (COM2), both polled
 * 16550 UARTs (console.h, docs/log-protocol.md).
 */
#include "hypervisor/console.h"

#include <stdarg.h>

#include "hypervisor/cpu.h"
#include "hypervisor/smp/spinlock.h"
#include "lib/format.h"

#define COM1_BASE 0x3f8
#define COM2_BASE 0x2f8
#define COM3_BASE 0x3e8

/* 16550 registers, as offsets from the base port. */
#define UART_DATA 0          /* transmit holding / divisor low with DLAB */
#define UART_IER 1           /* interrupt enable / divisor high with DLAB */
#define UART_FCR 2           /* FIFO control */
#define UART_LCR 3           /* line control */
#define UART_MCR 4           /* modem control */
#define UART_LSR 5           /* line status */

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR 0x07    /* enable FIFOs, clear both */
#define MCR_DTR_RTS 0x03         /* OUT2 stays 0: no UART interrupts */
#define LSR_TX_EMPTY 0x20         /* holding register (or FIFO) empty */
#define LSR_ALL_SENT 0x40         /* shift register empty too */
#define FLUSH_POLLS 1000000       /* ~100 bytes' time at 115200 even in fast emulators */
#define DIVISOR_115200 1         /* 115200 = 1843200 / 16 / 1 */

#define LOG_LINE_MAX 512

/* One lock per channel (docs/smp.md): a call's bytes go out together, so a
 * log line built whole in a buffer never interleaves with another CPU's. */
static struct spinlock log_lock, console_lock, debug_lock;

static void uart_init(uint16_t base)
{
	outb(base + UART_IER, 0);               /* polled: no interrupts */
	outb(base + UART_LCR, LCR_DLAB);        /* expose the divisor latch */
	outb(base + UART_DATA, DIVISOR_115200);
	outb(base + UART_IER, 0);               /* divisor high byte */
	outb(base + UART_LCR, LCR_8N1);         /* 8N1, divisor latch hidden */
	outb(base + UART_FCR, FCR_ENABLE_CLEAR);
	outb(base + UART_MCR, MCR_DTR_RTS);
}

/*
 * uart_write: send bytes, waiting for an empty transmitter before each one
 * (Bochs in file mode garbles bytes written without the wait).
 */
static void uart_write(uint16_t base, const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		while (!(inb(base + UART_LSR) & LSR_TX_EMPTY))
			__asm__ volatile("pause");
		outb(base + UART_DATA, (uint8_t)bytes[i]);
	}
}

void console_init(void)
{
	uart_init(COM1_BASE);
	uart_init(COM2_BASE);
	uart_init(COM3_BASE);
}

/* wait_all_sent: bounded, so a missing UART cannot hang power-off. */
static void wait_all_sent(uint16_t base)
{
	for (int i = 0; i < FLUSH_POLLS; i++) {
		if (inb(base + UART_LSR) & LSR_ALL_SENT)
			return;
		__asm__ volatile("pause");
	}
}

void console_flush(void)
{
	wait_all_sent(COM1_BASE);
	wait_all_sent(COM2_BASE);
	wait_all_sent(COM3_BASE);
}

void log_raw(const char *bytes, size_t len)
{
	spin_lock(&log_lock);
	uart_write(COM2_BASE, bytes, len);
	spin_unlock(&log_lock);
}

void guest_console_raw(const char *bytes, size_t len)
{
	spin_lock(&console_lock);
	uart_write(COM1_BASE, bytes, len);
	spin_unlock(&console_lock);
}

void guest_console_pair(const char *first, size_t first_len, const char *bytes, size_t len)
{
	spin_lock(&console_lock);
	uart_write(COM1_BASE, first, first_len);
	uart_write(COM1_BASE, bytes, len);
	spin_unlock(&console_lock);
}

void debug_channel_raw(const char *bytes, size_t len)
{
	spin_lock(&debug_lock);
	uart_write(COM3_BASE, bytes, len);
	spin_unlock(&debug_lock);
}

void log_printf(const char *fmt, ...)
{
	static const char prefix[] = "skiff: ";
	char line[LOG_LINE_MAX];
	size_t room = sizeof line - (sizeof prefix - 1) - 1;   /* keep one for '\n' */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_v(line + sizeof prefix - 1, room + 1, fmt, ap);
	va_end(ap);
	/* A line longer than the buffer is cut, but still ends the line. */
	size_t body = n < 0 ? 0 : (size_t)n < room ? (size_t)n : room;
	for (size_t i = 0; i < sizeof prefix - 1; i++)
		line[i] = prefix[i];
	line[sizeof prefix - 1 + body] = '\n';
	log_raw(line, sizeof prefix - 1 + body + 1);
}

void console_mark_start(void)
{
	static const char console_marker[] = CONSOLE_START_MARKER;
	static const char log_marker[] = LOG_START_MARKER;

	guest_console_raw(console_marker, sizeof console_marker - 1);
	log_raw(log_marker, sizeof log_marker - 1);
}
