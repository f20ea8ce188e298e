/*
 * lib_format_test.c - host tests for lib/format.c: every conversion, the
 * flags and modifiers, truncation and the vsnprintf-style return value,
 * compared with expected strings (and with the host's snprintf where the
 * two must agree).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "boot_check.h"
#include "lib/format.h"

/* expect: format gives exactly want (and returns its length). */
#define EXPECT(want, ...) \
	do { \
		char out_[128]; \
		int n_ = format(out_, sizeof out_, __VA_ARGS__); \
		CHECK(strcmp(out_, want) == 0); \
		CHECK(n_ == (int)strlen(want)); \
		if (strcmp(out_, want) != 0) \
			fprintf(stderr, "  got '%s' want '%s'\n", out_, want); \
	} while (0)

/* same_as_libc: format and the host's snprintf agree. */
#define SAME_AS_LIBC(...) \
	do { \
		char a_[128], b_[128]; \
		int na_ = format(a_, sizeof a_, __VA_ARGS__); \
		int nb_ = snprintf(b_, sizeof b_, __VA_ARGS__); \
		CHECK(na_ == nb_); \
		CHECK(strcmp(a_, b_) == 0); \
		if (strcmp(a_, b_) != 0) \
			fprintf(stderr, "  got '%s' libc '%s'\n", a_, b_); \
	} while (0)

static void test_conversions(void)
{
	EXPECT("42 -42 0", "%d %i %d", 42, -42, 0);
	EXPECT("4294967295", "%u", 4294967295u);
	EXPECT("ff FF 17", "%x %X %o", 255u, 255u, 15u);
	EXPECT("a|hello|%", "%c|%s|%%", 'a', "hello");
	const char *volatile null_string = NULL;   /* hidden from -Wformat */
	EXPECT("(null)", "%s", null_string);
	EXPECT("0x1000", "%p", (void *)0x1000);
	EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	EXPECT("123456789012", "%zu", (size_t)123456789012ull);
	EXPECT("65535 -1", "%hu %hd", 0xffffffffu, 0xffff);
}

static void test_flags(void)
{
	EXPECT("   42", "%5d", 42);
	EXPECT("42   |", "%-5d|", 42);
	EXPECT("00042", "%05d", 42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("    0x10|", "%8p|", (void *)0x10);
}

static void test_against_libc(void)
{
	SAME_AS_LIBC("%08x|%-8x|%8X", 0xbeefu, 0xbeefu, 0xbeefu);
	SAME_AS_LIBC("%.3s|%-6.2s|%6s", "abcdef", "xyz", "ab");
	SAME_AS_LIBC("%5c|%-3c|", 'q', 'r');
	SAME_AS_LIBC("%016llx %lu %ld", 0x1234ull, 99ul, -99l);
	SAME_AS_LIBC("%3d|%-3d|%03d", 12345, 7, -7);
	SAME_AS_LIBC("%o %5o", 8u, 64u);
	SAME_AS_LIBC("%.*s|%*d|%-*d|", 3, "abcdef", 5, 42, 4, 7);
	SAME_AS_LIBC("%*d|%.*s|", -4, 9, -1, "whole");
}

static void test_truncation(void)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	CHECK(format(buf, 4, "%s", "abcdef") == 6);
	CHECK(strcmp(buf, "abc") == 0);
	CHECK(buf[4] == 'x');   /* nothing written past size */

	buf[0] = 'z';
	CHECK(format(buf, 0, "%d", 12345) == 5);
	CHECK(buf[0] == 'z');   /* size 0 writes nothing */

	CHECK(format(buf, 1, "abc") == 3);
	CHECK(buf[0] == '\0');
	CHECK(format(NULL, 0, "%u", 100u) == 3);
}

/* The compiler rightly objects to these formats; they test the fallback. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_unknown(void)
{
	EXPECT("%q 5", "%q %d", 5);
	EXPECT("end%", "end%");
	EXPECT("%-4y!", "%-4y!");
}
#pragma GCC diagnostic pop

int main(void)
{
	test_conversions();
	test_flags();
	test_against_libc();
	test_truncation();
	test_unknown();
	return check_report("lib_format_test");
}
