/*
 * time_math.c - clock arithmetic (time_math.h). Portable.
 */
#include "hypervisor/time/time_math.h"

#define NS_PER_SECOND 1000000000ull
#define SECONDS_PER_DAY 86400ull

/* bcd_to_binary: false on a nibble above 9. */
static bool bcd_to_binary(uint8_t bcd, unsigned *out)
{
	if ((bcd & 0x0f) > 9 || (bcd >> 4) > 9)
		return false;
	*out = (unsigned)(bcd >> 4) * 10 + (bcd & 0x0f);
	return true;
}

static bool field(uint8_t raw, bool binary, unsigned *out)
{
	if (binary) {
		*out = raw;
		return true;
	}
	return bcd_to_binary(raw, out);
}

static bool is_leap(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[month - 1] + (month == 2 && is_leap(year));
}

/* decode_hour: 12-hour mode keeps PM in bit 7; 12 AM is hour 0. */
static bool decode_hour(uint8_t raw, bool binary, bool mode_24h, unsigned *out)
{
	bool pm = !mode_24h && (raw & 0x80);
	unsigned h;

	if (!field(mode_24h ? raw : (uint8_t)(raw & 0x7f), binary, &h))
		return false;
	if (mode_24h) {
		*out = h;
		return h < 24;
	}
	if (h < 1 || h > 12)
		return false;
	*out = (h % 12) + (pm ? 12 : 0);
	return true;
}

bool rtc_decode(const struct rtc_raw *raw, struct rtc_time *out)
{
	bool binary = raw->status_b & 0x04;
	bool mode_24h = raw->status_b & 0x02;
	unsigned year;

	if (!field(raw->second, binary, &out->second) || out->second > 59 ||
	    !field(raw->minute, binary, &out->minute) || out->minute > 59 ||
	    !decode_hour(raw->hour, binary, mode_24h, &out->hour) ||
	    !field(raw->month, binary, &out->month) || out->month < 1 || out->month > 12 ||
	    !field(raw->year, binary, &year) || year > 99 ||
	    !field(raw->day, binary, &out->day))
		return false;
	out->year = year < 70 ? 2000 + year : 1900 + year;
	return out->day >= 1 && out->day <= days_in_month(out->year, out->month);
}

uint64_t unix_seconds(const struct rtc_time *t)
{
	uint64_t days = 0;

	for (unsigned y = 1970; y < t->year; y++)
		days += is_leap(y) ? 366 : 365;
	for (unsigned m = 1; m < t->month; m++)
		days += days_in_month(t->year, m);
	days += t->day - 1;
	return days * SECONDS_PER_DAY + t->hour * 3600ull + t->minute * 60ull + t->second;
}

uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	/* Whole seconds and the remainder separately: rem * 1e9 < 2^34 * 2^30. */
	uint64_t seconds = ticks / hz, rem = ticks % hz;

	return seconds * NS_PER_SECOND + rem * NS_PER_SECOND / hz;
}

uint64_t ns_to_ticks(uint64_t ns, uint64_t hz)
{
	uint64_t seconds = ns / NS_PER_SECOND, rem = ns % NS_PER_SECOND;
	uint64_t whole, part;

	if (seconds > UINT64_MAX / hz)
		return UINT64_MAX;
	whole = seconds * hz;
	part = rem * hz / NS_PER_SECOND;      /* rem < 2^30, hz < 2^34 */
	return part > UINT64_MAX - whole ? UINT64_MAX : whole + part;
}

uint64_t pit_calibrated_hz(uint64_t ticks, uint32_t pit_counts)
{
	/* ticks stays far below 2^43 for a ~55 ms window at any real rate. */
	return pit_counts ? ticks * PIT_HZ / pit_counts : 0;
}

uint64_t median_of(uint64_t *values, unsigned count)
{
	/* Insertion sort: count is a handful of calibration runs. */
	for (unsigned i = 1; i < count; i++) {
		uint64_t v = values[i];
		unsigned j = i;

		for (; j > 0 && values[j - 1] > v; j--)
			values[j] = values[j - 1];
		values[j] = v;
	}
	return values[count / 2];
}

static bool agree(uint64_t a, uint64_t b, uint64_t tolerance_divisor)
{
	uint64_t larger = a > b ? a : b, diff = a > b ? a - b : b - a;

	return diff <= larger / tolerance_divisor;
}

uint64_t consensus_of(const uint64_t *values, unsigned count,
		      uint64_t tolerance_divisor, unsigned *support)
{
	uint64_t best = values[0];
	unsigned best_support = 0;

	for (unsigned i = 0; i < count; i++) {
		unsigned n = 0;

		for (unsigned j = 0; j < count; j++)
			n += agree(values[i], values[j], tolerance_divisor);
		if (n > best_support || (n == best_support && values[i] < best)) {
			best = values[i];
			best_support = n;
		}
	}
	*support = best_support;
	return best;
}

int64_t deviation_ppm(uint64_t measured, uint64_t expected)
{
	bool slow = measured < expected;
	uint64_t diff = slow ? expected - measured : measured - expected;
	uint64_t ppm;

	/* Multiply first when it cannot overflow, for precision. */
	if (diff <= UINT64_MAX / 1000000u)
		ppm = diff * 1000000u / expected;
	else
		ppm = diff / expected * 1000000u;
	if (ppm > (uint64_t)INT64_MAX)
		ppm = (uint64_t)INT64_MAX;
	return slow ? -(int64_t)ppm : (int64_t)ppm;
}
