/*
 * string.c - the C memory and string functions for freestanding code.
 * Host builds (SKIFF_HOSTED) use the host's libc instead, so this file is
 * compiled only into the hypervisor (and guests). memcpy and memset use the
 * string instructions, eight bytes at a time: they zero and fill whole guest
 * RAM blocks, and a byte loop there costs millions of instructions per guest
 * (SSE is not an option: the hypervisor must not touch XMM registers).
 */
#include <stdint.h>

#include "lib/kstring.h"

#ifndef SKIFF_HOSTED

/* memcpy: copy n bytes; the ranges must not overlap. Returns dst. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t quads = n / 8, rest = n % 8;

	/* RCX quadwords from [RSI] to [RDI], then the remaining bytes. */
	__asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(quads)
			 : "r"(rest)
			 : "memory");
	return dst;
}

/* memmove: copy n bytes; the ranges may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		/* Copy backwards so an overlapping tail is read before written. */
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

/* memset: fill n bytes with (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t quads = n / 8, rest = n % 8;
	/* The byte replicated into all eight bytes of RAX. */
	uint64_t pattern = (uint64_t)(unsigned char)c * 0x0101010101010101ull;

	__asm__ volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"
			 : "+D"(d), "+c"(quads)
			 : "a"(pattern), "r"(rest)
			 : "memory");
	return dst;
}

/* memcmp: <0, 0 or >0 as the first differing byte (unsigned) compares. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

/* strlen: the length of the NUL-terminated string s. */
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* strnlen: strlen, but never reads more than max bytes. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* strcmp: compare two NUL-terminated strings as unsigned bytes. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

/* strncmp: strcmp over at most n bytes. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
		if (!x[i])
			break;
	}
	return 0;
}

/*
 * strchr: the first c in s, or NULL. As in C, searching for '\0' finds the
 * terminator.
 */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

#endif
