/*
 * err.c - BSD's <err.h>: "NAME: message: strerror(errno)" on standard
 * error, and for err/errx an exit with the given status. NAME is argv[0],
 * the appliance's name.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"

/* report: the common body; with_errno adds ": strerror(error)". */
static void report(bool with_errno, int error, const char *fmt, va_list ap)
{
	char **argv;

	skiff_args(&argv);
	fprintf(stderr, "%s: ", argv[0]);
	if (fmt) {
		vfprintf(stderr, fmt, ap);
		if (with_errno)
			fputs(": ", stderr);
	}
	if (with_errno)
		fputs(strerror(error), stderr);
	fputc('\n', stderr);
}

void vwarn(const char *fmt, va_list ap)
{
	report(true, errno, fmt, ap);
}

void vwarnx(const char *fmt, va_list ap)
{
	report(false, 0, fmt, ap);
}

void verr(int status, const char *fmt, va_list ap)
{
	report(true, errno, fmt, ap);
	exit(status);
}

void verrx(int status, const char *fmt, va_list ap)
{
	report(false, 0, fmt, ap);
	exit(status);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

void err(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(status, fmt, ap);
}

void errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrx(status, fmt, ap);
}
