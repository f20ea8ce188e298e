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
 * glue_refuse: the common body of a call Skiff cannot provide (no files,
 * no processes). Sets errno to error (the one POSIX gives for the case, say
 * ENOENT for a path that does not exist) and returns -1. The console stays
 * quiet unless the environment has SKIFF_DEBUG: then the first call for
 * each *warned flag prints "skiff libc: CALL() failed: NAME", so a program
 * that ignores the error can be traced, without flooding the console.
 */
int glue_refuse(const char *call, int error, bool *warned);

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
