/*
 * sys/features.h - Skiff's overlay on newlib's header of the same name.
 *
 * newlib decides from this header which POSIX options the platform offers.
 * For a bare x86_64-elf target it announces neither timers nor a monotonic
 * clock, so <time.h> hides clock_gettime, nanosleep and CLOCK_MONOTONIC,
 * although Skiff's libc glue (guest_rt/libc) provides them. This directory
 * comes before newlib's on the guest include path (target skiff_newlib):
 * the real header is included unchanged, then the options Skiff implements
 * are added. Every newlib header reaches this one through <sys/cdefs.h> or
 * <_ansi.h>, so the options are set wherever <time.h> or <unistd.h> look.
 * See guest_rt/libc/README.md.
 */
#ifndef SKIFF_SYS_FEATURES_H
#define SKIFF_SYS_FEATURES_H

#include_next <sys/features.h>

/* clock_gettime, clock_getres, clock_settime (EPERM), nanosleep. */
#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 200809L
#endif

/* CLOCK_MONOTONIC: the TSC, scaled by the boot information's rate. */
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200809L
#endif

#endif
