/*
 * numbers.c - strtod and strtol at their edges, errno values, libm.
 *
 * Inputs to libm go through volatile objects so gcc cannot evaluate the
 * calls at compile time: the checks must run newlib's libm.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void check_strtod(void)
{
	char *end;
	double d;

	expect(strtod("2.5e3", NULL) == 2500.0, "strtod 2.5e3");
	expect(strtod("0x1p-2", NULL) == 0.25, "strtod hexadecimal 0x1p-2");
	d = strtod("  -12.5xyz", &end);
	expect(d == -12.5 && strcmp(end, "xyz") == 0, "strtod skips spaces, stops at 'x'");
	errno = 0;
	d = strtod("1e400", NULL);
	expect(d == HUGE_VAL && errno == ERANGE, "strtod overflow: HUGE_VAL and ERANGE");
	errno = 0;
	d = strtod("-1e400", NULL);
	expect(d == -HUGE_VAL && errno == ERANGE, "strtod negative overflow");
	errno = 0;
	d = strtod("1e-400", NULL);
	expect(d == 0.0 && errno == ERANGE, "strtod underflow: 0 and ERANGE");
	expect(isinf(strtod("inf", NULL)) && isnan(strtod("nan", NULL)), "strtod inf, nan");
	d = strtod("abc", &end);
	expect(d == 0.0 && strcmp(end, "abc") == 0, "strtod with no number leaves end at the start");
}

static void check_strtol(void)
{
	char *end;
	long l;

	errno = 0;
	expect(strtol("-9223372036854775808", NULL, 10) == LONG_MIN && errno == 0,
	       "strtol LONG_MIN exactly, no errno");
	l = strtol("9223372036854775808", NULL, 10);
	expect(l == LONG_MAX && errno == ERANGE, "strtol overflow: LONG_MAX and ERANGE");
	errno = 0;
	l = strtol("-9223372036854775809", NULL, 10);
	expect(l == LONG_MIN && errno == ERANGE, "strtol underflow: LONG_MIN and ERANGE");
	expect(strtol("0x1F", NULL, 0) == 31, "strtol base 0 hexadecimal");
	expect(strtol("077", NULL, 0) == 63, "strtol base 0 octal");
	expect(strtol("z", NULL, 36) == 35, "strtol base 36");
	l = strtol("12abc", &end, 10);
	expect(l == 12 && strcmp(end, "abc") == 0, "strtol stops at the first non-digit");
	expect(strtoul("-1", NULL, 10) == ULONG_MAX, "strtoul negates: -1 is ULONG_MAX");
	errno = 0;
	expect(strtoll("123456789012", NULL, 10) == 123456789012LL && errno == 0, "strtoll");
}

int check_strto(void)
{
	group_begin("strto");
	check_strtod();
	check_strtol();
	return group_end();
}

/* volatile: gcc refuses to compile a visibly oversized malloc. */
static volatile size_t v_too_much = SIZE_MAX - 4096;

int check_errno(void)
{
	group_begin("errno");
	errno = 0;
	expect(write(7, "x", 1) == -1 && errno == EBADF, "write to an unopened fd: EBADF");
	errno = 0;
	expect(lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE, "lseek on the console: ESPIPE");
	errno = 0;
	expect(malloc(v_too_much) == NULL && errno == ENOMEM, "malloc too much: ENOMEM");
	errno = 0;
	expect(strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE,
	       "strtol: ERANGE");
	expect(strlen(strerror(ENOMEM)) > 0 && strcmp(strerror(ENOMEM), strerror(EINVAL)) != 0,
	       "strerror names errors apart");
	expect(EDOM != ERANGE && EDOM != 0 && ERANGE != 0, "EDOM and ERANGE are distinct");
	return group_end();
}

static volatile double v_two = 2.0, v_half_pi_third, v_minus = -2.5, v_ten = 10.0;

/* near: |a - b| within a few units of the last place of b. */
static int near(double a, double b)
{
	return fabs(a - b) <= 4 * 2.220446049250313e-16 * fabs(b);
}

int check_math(void)
{
	group_begin("math");
	v_half_pi_third = M_PI / 6;
	expect(near(sqrt(v_two), 1.4142135623730951), "sqrt(2)");
	expect(sqrt(v_two * 8) == 4.0, "sqrt(16) is exact");
	expect(near(sin(v_half_pi_third), 0.5), "sin(pi/6)");
	expect(near(cos(v_half_pi_third * 2), 0.5), "cos(pi/3)");
	expect(pow(v_two, 10) == 1024.0, "pow(2, 10) is exact");
	expect(near(pow(v_two, 0.5), sqrt(v_two)), "pow(2, 0.5)");
	expect(floor(v_minus) == -3.0 && ceil(v_minus) == -2.0, "floor and ceil of -2.5");
	expect(near(exp(log(v_ten)), 10.0), "exp(log(10))");
	expect(near(atan2(v_two, v_two), M_PI / 4), "atan2(2, 2)");
	expect(fmod(v_ten, 3.0) == 1.0, "fmod(10, 3)");
	expect(isnan(sqrt(v_minus)), "sqrt(-2.5) is NaN");
	return group_end();
}
