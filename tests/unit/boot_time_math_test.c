/*
 * boot_time_math_test.c - host tests for hypervisor/time/time_math.c: RTC
 * decoding (BCD, binary, 12/24-hour, bad values), the calendar, TSC and
 * nanosecond conversions at their limits, calibration and ppm.
 */
#include <stdint.h>

#include "boot_check.h"
#include "hypervisor/time/time_math.h"

#define B_BINARY 0x04
#define B_24H 0x02

static int decodes(struct rtc_raw raw, unsigned y, unsigned mo, unsigned d,
		   unsigned h, unsigned mi, unsigned s)
{
	struct rtc_time t;

	return rtc_decode(&raw, &t) && t.year == y && t.month == mo && t.day == d &&
	       t.hour == h && t.minute == mi && t.second == s;
}

static int refused(struct rtc_raw raw)
{
	struct rtc_time t;

	return !rtc_decode(&raw, &t);
}

static void test_rtc_decode(void)
{
	/* BCD, 24-hour: 2023-11-14 22:13:20 */
	CHECK(decodes((struct rtc_raw){ 0x20, 0x13, 0x22, 0x14, 0x11, 0x23, B_24H },
		      2023, 11, 14, 22, 13, 20));
	/* binary, 24-hour */
	CHECK(decodes((struct rtc_raw){ 20, 13, 22, 14, 11, 23, B_24H | B_BINARY },
		      2023, 11, 14, 22, 13, 20));
	/* BCD, 12-hour: 10 PM, 12 AM = 0, 12 PM = 12, 1 AM = 1 */
	CHECK(decodes((struct rtc_raw){ 0, 0, 0x80 | 0x10, 1, 1, 0x24, 0 }, 2024, 1, 1, 22, 0, 0));
	CHECK(decodes((struct rtc_raw){ 0, 0, 0x12, 1, 1, 0x24, 0 }, 2024, 1, 1, 0, 0, 0));
	CHECK(decodes((struct rtc_raw){ 0, 0, 0x80 | 0x12, 1, 1, 0x24, 0 }, 2024, 1, 1, 12, 0, 0));
	CHECK(decodes((struct rtc_raw){ 0, 0, 0x01, 1, 1, 0x24, 0 }, 2024, 1, 1, 1, 0, 0));
	/* binary, 12-hour: 11 PM */
	CHECK(decodes((struct rtc_raw){ 0, 0, 0x80 | 11, 1, 1, 24, B_BINARY }, 2024, 1, 1, 23, 0, 0));
	/* year windows and leap days */
	CHECK(decodes((struct rtc_raw){ 0, 0, 0, 1, 1, 0x70, B_24H }, 1970, 1, 1, 0, 0, 0));
	CHECK(decodes((struct rtc_raw){ 0, 0, 0, 0x29, 2, 0x00, B_24H }, 2000, 2, 29, 0, 0, 0));
	CHECK(refused((struct rtc_raw){ 0, 0, 0, 0x29, 2, 0x23, B_24H }));   /* 2023 */
	CHECK(refused((struct rtc_raw){ 0, 0, 0, 0x31, 4, 0x23, B_24H }));   /* April 31 */
	/* bad fields */
	CHECK(refused((struct rtc_raw){ 0x60, 0, 0, 1, 1, 0x23, B_24H }));
	CHECK(refused((struct rtc_raw){ 0x1a, 0, 0, 1, 1, 0x23, B_24H }));   /* bad BCD */
	CHECK(refused((struct rtc_raw){ 0, 0, 0x24, 1, 1, 0x23, B_24H }));
	CHECK(refused((struct rtc_raw){ 0, 0, 0x13, 1, 1, 0x23, 0 }));       /* 13 in 12h */
	CHECK(refused((struct rtc_raw){ 0, 0, 0x00, 1, 1, 0x23, 0 }));       /* 0 in 12h */
	CHECK(refused((struct rtc_raw){ 0, 0, 0, 0, 1, 0x23, B_24H }));      /* day 0 */
	CHECK(refused((struct rtc_raw){ 0, 0, 0, 1, 0x13, 0x23, B_24H }));   /* month 13 */
	CHECK(refused((struct rtc_raw){ 0, 0, 0, 1, 1, 100, B_24H | B_BINARY }));
	CHECK(refused((struct rtc_raw){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }));
}

static void test_calendar(void)
{
	struct rtc_time epoch = { 1970, 1, 1, 0, 0, 0 };
	struct rtc_time bochs_time0 = { 2023, 11, 14, 22, 13, 20 };
	struct rtc_time leap = { 2000, 3, 1, 0, 0, 0 };
	struct rtc_time late = { 2069, 12, 31, 23, 59, 59 };

	CHECK(unix_seconds(&epoch) == 0);
	CHECK(unix_seconds(&bochs_time0) == 1700000000ull);
	CHECK(unix_seconds(&leap) == 951868800ull);
	CHECK(unix_seconds(&late) == 3155759999ull);
}

static void test_conversions(void)
{
	CHECK(ticks_to_ns(2000000000ull, 2000000000ull) == 1000000000ull);
	CHECK(ticks_to_ns(3, 3000000000ull) == 1);
	CHECK(ticks_to_ns(4000000, 4000000) == 1000000000ull);
	/* a century at 5 GHz: exact, no overflow */
	uint64_t century = 100ull * 365 * 86400;
	CHECK(ticks_to_ns(century * 5000000000ull, 5000000000ull) == century * 1000000000ull);
	CHECK(ticks_to_ns(UINT64_MAX, 4000000) == UINT64_MAX / 4000000 * 1000000000ull +
	      (UINT64_MAX % 4000000) * 1000000000ull / 4000000);

	CHECK(ns_to_ticks(1000000000ull, 2218615030ull) == 2218615030ull);
	CHECK(ns_to_ticks(1, 4000000) == 0);
	CHECK(ns_to_ticks(250, 4000000) == 1);
	CHECK(ns_to_ticks(UINT64_MAX, 5000000000ull) == UINT64_MAX);   /* saturates */
	CHECK(ns_to_ticks(3689348814000000000ull, 5000000000ull) == 18446744070000000000ull);
	CHECK(ns_to_ticks(3689348815000000000ull, 5000000000ull) == UINT64_MAX);
	/* round trip within one tick */
	uint64_t hz = 2249851359ull, ns = 123456789012ull;
	uint64_t back = ticks_to_ns(ns_to_ticks(ns, hz), hz);
	CHECK(back <= ns && ns - back <= 1);
}

static void test_calibration(void)
{
	CHECK(pit_calibrated_hz(0, 11932) == 0);
	CHECK(pit_calibrated_hz(11932, 11932) == PIT_HZ);
	CHECK(pit_calibrated_hz(40000, 11932) == 40000ull * PIT_HZ / 11932);
	CHECK(pit_calibrated_hz(1, 0) == 0);
}

static void test_median(void)
{
	uint64_t one[1] = { 5 };
	uint64_t odd[7] = { 22, 10, 22, 30, 21, 11, 22 };
	uint64_t even[4] = { 4, 1, 3, 2 };

	CHECK(median_of(one, 1) == 5);
	CHECK(median_of(odd, 7) == 22);
	CHECK(odd[0] == 10 && odd[6] == 30);   /* sorted in place */
	CHECK(median_of(even, 4) == 3);
}

static void test_consensus(void)
{
	/* the calibration runs seen under a loaded QEMU */
	uint64_t loaded[7] = { 3893580, 7642373, 8752590, 22406175, 22500788, 22500427, 31695188 };
	uint64_t spread[4] = { 100, 200, 300, 400 };
	uint64_t pair[5] = { 5000, 9000, 9004, 1000, 9008 };
	unsigned support = 0;

	/* 22406175 is 0.4% off: only the two 22.50M runs agree */
	CHECK(consensus_of(loaded, 7, 1000, &support) == 22500427 && support == 2);
	CHECK(consensus_of(loaded, 7, 200, &support) == 22406175 && support == 3);
	/* nothing agrees: support 1, the lowest value */
	CHECK(consensus_of(spread, 4, 1000, &support) == 100 && support == 1);
	/* 9004 agrees with both neighbours within 1/1000 */
	CHECK(consensus_of(pair, 5, 1000, &support) == 9000 && support == 3);
	/* at 1/2000 only the middle one agrees with both */
	CHECK(consensus_of(pair, 5, 2000, &support) == 9004 && support == 3);
	CHECK(consensus_of(pair, 5, 5000, &support) == 1000 && support == 1);
	CHECK(consensus_of(pair, 1, 1000, &support) == 5000 && support == 1);
}

static void test_ppm(void)
{
	CHECK(deviation_ppm(1000000, 1000000) == 0);
	CHECK(deviation_ppm(1000041, 1000000) == 41);
	CHECK(deviation_ppm(999969, 1000000) == -31);
	CHECK(deviation_ppm(2000000000ull, 1000000000ull) == 1000000);
	CHECK(deviation_ppm(0, 1000) == -1000000);
	CHECK(deviation_ppm(UINT64_MAX, 1) == INT64_MAX);
	CHECK(deviation_ppm(UINT64_MAX, 1000000000ull) > 0);
}

int main(void)
{
	test_rtc_decode();
	test_calendar();
	test_conversions();
	test_calibration();
	test_median();
	test_consensus();
	test_ppm();
	return check_report("boot_time_math_test");
}
