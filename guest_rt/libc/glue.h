/*
 * glue.h - what the files of Skiff's libc glue share.
 *
 * The glue is the bottom of newlib: the "system calls" newlib's portable
 * code calls (write, sbrk, gettimeofday, ...) implemented on Skiff's
 * hypercalls. newlib configured for x86_64-elf calls them by their POSIX
 * names, without the leading underscore of libgloss ports (it is built
 * with MISSING_SYSCALL_NAMES), so those are the names defined here.
 */
#ifndef SKIFF_LIBC_GLUE_H
#define SKIFF_LIBC_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#define GLUE_NSEC_PER_SEC 1000000000ull

/*
 * glue_unsupported: the common body of a call Skiff cannot provide (no
 * files, no processes). Sets errno to ENOSYS and returns -1; the first
 * call for each *warned flag also prints "skiff libc: CALL() is not
 * supported" on the console, so a program that ignores the error still
 * leaves a trace, without flooding the console from a loop.
 */
int glue_unsupported(const char *call, bool *warned);

/*
 * glue_monotonic_ns: nanoseconds on the monotonic clock: the TSC scaled by
 * the boot information's cpu_cycle_freq. Its origin is arbitrary (the
 * TSC's). Returns 0 when Skiff announced no TSC rate (see glue_has_tsc).
 */
uint64_t glue_monotonic_ns(void);

/* glue_has_tsc: whether the monotonic clock works (a TSC rate is known). */
bool glue_has_tsc(void);

/*
 * glue_ticks_to_ns: ticks of a clock running at hz, in nanoseconds,
 * without overflowing for any 64-bit tick count. hz must not be 0.
 */
uint64_t glue_ticks_to_ns(uint64_t ticks, uint64_t hz);

#endif
