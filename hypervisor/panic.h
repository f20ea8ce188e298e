/*
 * panic.h - the end of the hypervisor, for broken invariants of Skiff itself
 * (never for anything a guest can cause: that ends the guest).
 */
#ifndef SKIFF_PANIC_H
#define SKIFF_PANIC_H

/*
 * panic: print "skiff: PANIC: <message>" on the log channel and power off
 * without a final status line (so tools/skiff-run reports 125).
 */
__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

/*
 * PANIC_POWER_CODE: the power-off code after a panic (QEMU exits with
 * 2 * 125 + 1 = 251). Log readers go by the missing final status line.
 */
#define PANIC_POWER_CODE 125

/*
 * panic_stop: power off after the caller has logged a "skiff: PANIC: ..."
 * line of its own (the exception handler prints a decoded frame first).
 */
__attribute__((noreturn)) void panic_stop(void);

/* ASSERT: panic with file and line when cond is false. */
#define ASSERT(cond) \
	do { if (!(cond)) panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__); } while (0)

#endif
