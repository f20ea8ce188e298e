/*
 * err.h - BSD's error reporters, which newlib lacks; guest_rt/libc/err.c
 * implements them. Each prints "NAME: " (argv[0]), the formatted message
 * (if fmt is not NULL) and, for err, verr, warn and vwarn, ": " and
 * strerror(errno), then a newline, on standard error; err, errx, verr and
 * verrx then exit(status).
 */
#ifndef SKIFF_ERR_H
#define SKIFF_ERR_H

#include <stdarg.h>

_Noreturn void err(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void errx(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void verr(int status, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
_Noreturn void verrx(int status, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void vwarnx(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
