/*
 * formats.c - printf-family conversions against exact strings.
 *
 * The values are read through volatile objects so gcc cannot format them
 * at compile time: the checks must exercise newlib's own vfprintf.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"

static volatile int v_int_min = INT_MIN;
static volatile unsigned v_uint_max = UINT_MAX;
static volatile unsigned v_hex = 0xdeadbeefu;
static volatile size_t v_size_max = SIZE_MAX;
static volatile intmax_t v_intmax_min = INTMAX_MIN;
static volatile long long v_llong_max = LLONG_MAX;
static volatile double v_pi = 3.14159265358979;
static volatile double v_third = 1.0 / 3.0;
static volatile double v_big = 123456789.0;
static volatile int v_six_digits = 123456;

/* fmt: snprintf into a static buffer (the checks use the text at once). */
#define FMT(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

static void check_integers(void)
{
	char buf[96];

	expect_str(FMT("%d", v_int_min), "-2147483648", "%d INT_MIN");
	expect_str(FMT("%u", v_uint_max), "4294967295", "%u UINT_MAX");
	expect_str(FMT("%x", v_hex), "deadbeef", "%x");
	expect_str(FMT("%#X", v_hex), "0XDEADBEEF", "%#X");
	expect_str(FMT("%zu", v_size_max), "18446744073709551615", "%zu SIZE_MAX");
	expect_str(FMT("%jd", v_intmax_min), "-9223372036854775808", "%jd INTMAX_MIN");
	expect_str(FMT("%lld", v_llong_max), "9223372036854775807", "%lld LLONG_MAX");
	expect_str(FMT("[%5d|%-5d|%05d]", 42, 42, -42), "[   42|42   |-0042]",
		   "width, '-' and '0' flags");
	expect_str(FMT("%+d %+d", 7, -7), "+7 -7", "%+d");
}

static void check_floats(void)
{
	char buf[96];

	expect_str(FMT("%f", v_pi), "3.141593", "%f");
	expect_str(FMT("%.3f", v_third * 2), "0.667", "%.3f rounds");
	expect_str(FMT("%.3f", -v_pi), "-3.142", "%.3f negative");
	expect_str(FMT("%e", v_big), "1.234568e+08", "%e");
	expect_str(FMT("%g", v_big), "1.23457e+08", "%g large");
	expect_str(FMT("%g", v_third / 1000), "0.000333333", "%g small");
	expect_str(FMT("%g", 1e-5 + v_third * 0), "1e-05", "%g exponent");
	expect_str(FMT("%8.2f|", v_pi), "    3.14|", "%8.2f width");
	expect_str(FMT("%f %f", (double)INFINITY, -(double)INFINITY), "inf -inf", "%f infinities");
	expect_str(FMT("%.0f", 2.5 + v_third * 0), "2", "%.0f rounds half to even");
	expect_str(FMT("%a", 1.0 + v_third * 0), "0x1p+0", "%a");
}

static void check_lengths(void)
{
	char small[5];
	int n = snprintf(small, sizeof(small), "%d", v_six_digits);

	expect(n == 6 && small[4] == '\0' && small[0] == '1' && small[3] == '4',
	       "snprintf truncates and returns the full length");
	expect(snprintf(NULL, 0, "%s-%d", "abc", 10) == 6, "snprintf(NULL, 0) measures");
}

int check_formats(void)
{
	group_begin("formats");
	check_integers();
	check_floats();
	check_lengths();
	return group_end();
}
