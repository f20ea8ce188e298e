/*
 * console.h - Skiff's two output channels.
 *
 * The guest console (COM1, 0x3f8) carries the bytes guests write with PUTS,
 * unchanged. The log (COM2, 0x2f8) carries Skiff's own messages, and a copy
 * of each guest's output line by line behind "[name] ", so a log reader can
 * tell whose output it is. Guests never reach either UART directly (all port
 * I/O is intercepted), so no guest can forge a log line. Both UARTs are
 * polled 16550s: each byte waits for the transmitter to be empty.
 * The line protocol of the log is documented in docs/log-protocol.md.
 */
#ifndef SKIFF_CONSOLE_H
#define SKIFF_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* console_init: program both UARTs (115200 8N1, FIFOs on). Call once, first. */
void console_init(void);

/* log_printf: one log line: "skiff: " + formatted text + "\n". */
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_raw: bytes to the log channel as they are (no prefix, no newline). */
void log_raw(const char *bytes, size_t len);

/* guest_console_raw: bytes to the guest console channel as they are. */
void guest_console_raw(const char *bytes, size_t len);

/*
 * guest_console_pair: first[0..first_len) then bytes[0..len) to the guest
 * console channel with no other CPU's bytes between them (a frame header
 * and its body). first_len may be 0.
 */
void guest_console_pair(const char *first, size_t first_len, const char *bytes, size_t len);

/*
 * Start markers. Under UEFI the firmware (OVMF: on every serial port it
 * finds) and GRUB write to COM1 and COM2 before Skiff runs. Skiff then
 * writes CONSOLE_START_MARKER to COM1 and LOG_START_MARKER to COM2 before
 * its first log line and before any guest runs; a reader drops everything
 * up to the end of the first occurrence on each port. Guests write only
 * after the markers, so none can move them. (The reset of text attributes
 * in front undoes the firmware's colours on a terminal; the line break
 * ends whatever line the firmware left open.)
 */
#define CONSOLE_START_MARKER "\x1b[0m\r\n\x02SKIFF-CONSOLE\x03\r\n"
#define LOG_START_MARKER "\x1b[0m\r\n\x02SKIFF-LOG\x03\r\n"

/* console_mark_start: write both start markers (call before anything else is written). */
void console_mark_start(void);

/*
 * debug_channel_raw: bytes to the debug channel (COM3, 0x3e8), as they are:
 * crashed guests' core records (hypervisor/debug/core_dump.h). A machine
 * without COM3 reads its status port as all ones, so nothing waits.
 */
void debug_channel_raw(const char *bytes, size_t len);

/*
 * console_flush: wait until both UARTs have sent every byte (transmitter
 * and shift register empty). power_off calls it: an emulator that exits
 * right away would otherwise lose the last bytes of the log.
 */
void console_flush(void);

#endif
