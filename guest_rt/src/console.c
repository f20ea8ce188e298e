/*
 * console.c - console output through the PUTS hypercall.
 */
#include "runtime.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/kstring.h"

void skiff_write(const char *buf, size_t len)
{
	struct skiff_hc_puts call = {
		.data = (uint64_t)(uintptr_t)buf,
		.len = len,
	};

	if (len)
		skiff_hypercall(SKIFF_HC_PUTS, &call);
}

void skiff_puts(const char *s)
{
	if (!s)
		s = "(null)";
	skiff_write(s, strlen(s));
}

int skiff_printf(const char *fmt, ...)
{
	/* Static rather than on the stack: guests are single-threaded and a
	 * kilobyte of stack per call is a lot for small appliances. */
	static char buf[SKIFF_PRINTF_MAX];
	va_list ap;
	int full;
	size_t len;

	va_start(ap, fmt);
	full = format_v(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (full < 0)
		return full;
	len = (size_t)full < sizeof(buf) ? (size_t)full : sizeof(buf) - 1;
	skiff_write(buf, len);
	return (int)len;
}
