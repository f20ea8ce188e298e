/*
 * parse.c - number parsing for the command-line parsers (lib/parse.h).
 * Every input is a (pointer, length) pair: command-line words are not
 * NUL-terminated where they end.
 */
#include "lib/parse.h"

/* digit_value: the value of c in base 16, or 16 when c is no hex digit. */
static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 16;
}

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t value = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = digit_value(s[i]);

		if (d >= base)
			return false;
		if (value > (UINT64_MAX - d) / base)
			return false;
		value = value * base + d;
	}
	*out = value;
	return true;
}

/* suffix_shift: the power of two a K/M/G suffix stands for, or -1. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	default: return -1;
	}
}

bool parse_size(const char *s, size_t len, uint64_t *out)
{
	int shift = 0;
	uint64_t value;

	/* A trailing K/M/G is a suffix; none of them is a hex digit. */
	if (len > 0 && suffix_shift(s[len - 1]) >= 0) {
		shift = suffix_shift(s[len - 1]);
		len--;
	}
	if (!parse_u64(s, len, &value))
		return false;
	if (shift > 0 && value > (UINT64_MAX >> shift))
		return false;
	*out = value << shift;
	return true;
}

bool parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	if (len != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		unsigned hi = digit_value(s[3 * i]), lo = digit_value(s[3 * i + 1]);

		if (hi > 15 || lo > 15 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}
