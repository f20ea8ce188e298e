/*
 * panic.c - the end of the hypervisor for its own broken invariants.
 */
#include "hypervisor/panic.h"

#include <stdarg.h>

#include "hypervisor/console.h"
#include "hypervisor/power.h"
#include "lib/format.h"

void panic_stop(void)
{
	power_off(PANIC_POWER_CODE);
}

void panic(const char *fmt, ...)
{
	char message[400];
	va_list ap;

	va_start(ap, fmt);
	format_v(message, sizeof message, fmt, ap);
	va_end(ap);
	log_printf("PANIC: %s", message);
	panic_stop();
}
