/*
 * gdb_uart.h - the debugger's serial line: COM4 (0x2e8), a polled 16550
 * that no guest can reach (every port access of a guest is intercepted).
 * The emulator connects it to a TCP port (tools/skiff-run --gdb).
 */
#ifndef SKIFF_GDB_UART_H
#define SKIFF_GDB_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * gdb_uart_init: program COM4 (115200 8N1, FIFOs on, no interrupts).
 * Returns false when the machine has no UART there (its scratch register
 * does not keep a value), and then nothing else may be called.
 */
bool gdb_uart_init(void);

/* gdb_uart_write: send bytes, each after the transmitter has room. */
void gdb_uart_write(const char *bytes, size_t len);

/* gdb_uart_read: the next received byte, waiting for it (for ever). */
uint8_t gdb_uart_read(void);

/* gdb_uart_ready: a received byte waits to be read. */
bool gdb_uart_ready(void);

#endif
