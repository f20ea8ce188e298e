/*
 * time_math.h - the arithmetic behind Skiff's clock, kept apart from the
 * port I/O so host tests can check it: TSC/nanosecond conversion, the PIT
 * calibration result, RTC register decoding and the calendar.
 */
#ifndef SKIFF_TIME_MATH_H
#define SKIFF_TIME_MATH_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u          /* the PIT's input clock */

/* The CMOS RTC registers as read, before decoding. */
struct rtc_raw {
	uint8_t second, minute, hour, day, month, year;
	uint8_t status_b;        /* bit 2: binary (else BCD); bit 1: 24-hour */
};

/* A decoded wall-clock time (UTC). */
struct rtc_time {
	unsigned year, month, day, hour, minute, second;
};

/*
 * rtc_decode: raw registers to a calendar time, handling BCD or binary and
 * 12- or 24-hour mode (in 12-hour mode bit 7 of the hour means PM). Years
 * 00-69 are 2000-2069, 70-99 are 1970-1999. Returns false when a field is
 * out of range (a bad BCD digit included).
 */
bool rtc_decode(const struct rtc_raw *raw, struct rtc_time *out);

/* unix_seconds: seconds since 1970-01-01 00:00 UTC of a decoded time. */
uint64_t unix_seconds(const struct rtc_time *t);

/*
 * ticks_to_ns / ns_to_ticks: convert between TSC ticks and nanoseconds at
 * hz (> 0, below 2^34) without 128-bit arithmetic. ticks_to_ns is exact
 * for any tick count a hz below 2^34 produces in a century; ns_to_ticks
 * saturates at UINT64_MAX.
 */
uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz);
uint64_t ns_to_ticks(uint64_t ns, uint64_t hz);

/* pit_calibrated_hz: TSC ticks per second, given ticks over pit_counts PIT counts. */
uint64_t pit_calibrated_hz(uint64_t ticks, uint32_t pit_counts);

/*
 * median_of: the median of values[0..count) (count >= 1; for an even count
 * the upper middle one). Sorts values in place.
 */
uint64_t median_of(uint64_t *values, unsigned count);

/*
 * consensus_of: the value of values[0..count) (count >= 1) that the most
 * values agree with, where two values agree when they differ by at most
 * 1/tolerance_divisor of the larger. *support receives how many agree
 * (the value itself included); ties go to the lower value. Calibration
 * runs disturbed by the host disagree with each other; undisturbed ones
 * agree closely.
 */
uint64_t consensus_of(const uint64_t *values, unsigned count,
		      uint64_t tolerance_divisor, unsigned *support);

/*
 * deviation_ppm: (measured - expected) / expected in parts per million,
 * signed and rounded towards zero. expected must be > 0.
 */
int64_t deviation_ppm(uint64_t measured, uint64_t expected);

#endif
