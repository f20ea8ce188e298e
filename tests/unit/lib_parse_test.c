/*
 * lib_parse_test.c - host tests for lib/parse.c: decimal and hex numbers,
 * size suffixes, and every way a number can be malformed or overflow.
 * Inputs are passed with explicit lengths and without a NUL where the
 * word ends, as the command-line parsers pass them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot_check.h"
#include "lib/parse.h"

/*
 * exact_copy: s in a heap block of exactly strlen(s) bytes, so ASan flags
 * any read past the length the parser was given.
 */
static char *exact_copy(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

static int u64_ok(const char *s, uint64_t want)
{
	char *p = exact_copy(s);
	uint64_t v = 12345;
	int ok = parse_u64(p, strlen(s), &v) && v == want;

	free(p);
	return ok;
}

static int u64_bad(const char *s)
{
	char *p = exact_copy(s);
	uint64_t v = 12345;
	int bad = !parse_u64(p, strlen(s), &v) && v == 12345;

	free(p);
	return bad;
}

static int size_ok(const char *s, uint64_t want)
{
	char *p = exact_copy(s);
	uint64_t v = 12345;
	int ok = parse_size(p, strlen(s), &v) && v == want;

	free(p);
	return ok;
}

static int size_bad(const char *s)
{
	char *p = exact_copy(s);
	uint64_t v = 12345;
	int bad = !parse_size(p, strlen(s), &v) && v == 12345;

	free(p);
	return bad;
}

static void test_u64(void)
{
	CHECK(u64_ok("0", 0));
	CHECK(u64_ok("42", 42));
	CHECK(u64_ok("0x2a", 42));
	CHECK(u64_ok("0XFF", 255));
	CHECK(u64_ok("18446744073709551615", UINT64_MAX));
	CHECK(u64_ok("0xffffffffffffffff", UINT64_MAX));
	CHECK(u64_ok("007", 7));
	CHECK(u64_bad(""));
	CHECK(u64_bad("0x"));
	CHECK(u64_bad("12a"));
	CHECK(u64_bad("-1"));
	CHECK(u64_bad(" 1"));
	CHECK(u64_bad("0x1g"));
	CHECK(u64_bad("18446744073709551616"));
	CHECK(u64_bad("0x10000000000000000"));
	CHECK(u64_bad("99999999999999999999"));
}

static void test_partial_length(void)
{
	uint64_t v = 0;

	/* Only the given length counts: "12" out of "123". */
	CHECK(parse_u64("123", 2, &v) && v == 12);
	CHECK(parse_size("64M,", 3, &v) && v == 64ull << 20);
}

static void test_size(void)
{
	CHECK(size_ok("4096", 4096));
	CHECK(size_ok("4k", 4096));
	CHECK(size_ok("4K", 4096));
	CHECK(size_ok("64M", 64ull << 20));
	CHECK(size_ok("2g", 2ull << 30));
	CHECK(size_ok("0x10M", 16ull << 20));
	CHECK(size_ok("17179869183G", 17179869183ull << 30));
	CHECK(size_bad(""));
	CHECK(size_bad("M"));
	CHECK(size_bad("4T"));
	CHECK(size_bad("4MB"));
	CHECK(size_bad("4 M"));
	CHECK(size_bad("17179869184G"));   /* 2^34 GiB = 2^64 */
	CHECK(size_bad("18446744073709551615K"));
}

int main(void)
{
	test_u64();
	test_partial_length();
	test_size();
	return check_report("lib_parse_test");
}
