/*
 * time.h - Skiff's clock: the TSC, calibrated at boot against the PIT, plus
 * the wall-clock time read from the CMOS RTC at boot.
 */
#ifndef SKIFF_TIME_H
#define SKIFF_TIME_H

#include <stdint.h>

/* time_init: calibrate the TSC and read the RTC. Call once after console_init. */
void time_init(void);

/* tsc_read: the time-stamp counter. */
uint64_t tsc_read(void);

/* tsc_hz: TSC ticks per second, as calibrated. */
uint64_t tsc_hz(void);

/* walltime_ns: nanoseconds since the Unix epoch, now. */
uint64_t walltime_ns(void);

/* tsc_to_ns: a TSC interval in nanoseconds (no overflow for < 100 years). */
uint64_t tsc_to_ns(uint64_t ticks);

/* ns_to_tsc: a nanosecond interval in TSC ticks, saturating. */
uint64_t ns_to_tsc(uint64_t ns);

/*
 * time_selftest_clock: count TSC ticks between two RTC second edges and log
 * "clock check: tsc/rtc deviation N ppm" (signed), so a boot test can check
 * the calibration against an independent clock. Each edge is bracketed by
 * TSC readings, and the figure is logged only when the brackets leave it
 * uncertain by at most 5,000 ppm, so a host that stalls the emulator
 * cannot skew it; after ten seconds without such a pair it logs "clock
 * check: no two RTC edges read undisturbed ..." instead. Usually takes one
 * to three seconds.
 */
void time_selftest_clock(void);

#endif
