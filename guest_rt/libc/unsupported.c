/*
 * unsupported.c - the common end of calls a unikernel cannot provide.
 */
#include "glue.h"

#include <errno.h>

#include "skiff.h"

int glue_unsupported(const char *call, bool *warned)
{
	if (!*warned) {
		*warned = true;
		/* Straight to the console: stdio may be what is failing. */
		skiff_puts("skiff libc: ");
		skiff_puts(call);
		skiff_puts("() is not supported (ENOSYS)\n");
	}
	errno = ENOSYS;
	return -1;
}
