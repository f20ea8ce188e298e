/*
 * format.h - a small printf-style formatter for freestanding code.
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with the l, ll, z and h
 * length modifiers, a field width, '-' and '0' flags and a precision for %s.
 */
#ifndef SKIFF_LIB_FORMAT_H
#define SKIFF_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * format_v: format into buf (size bytes, always NUL-terminated when size > 0).
 * Returns the length the full output would have, like vsnprintf. An unknown
 * conversion is copied out literally. A NULL %s prints "(null)".
 */
int format_v(char *buf, size_t size, const char *fmt, va_list ap);

/* format: format_v with variadic arguments. */
int format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * format_error: the message of a refused input into err (errlen bytes;
 * nothing written when errlen is 0), for parsers that return an error code
 * and say why. Returns rc (a negative errno).
 */
int format_error(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
