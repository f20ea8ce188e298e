/*
 * unsupported.c - the common end of calls a unikernel cannot provide.
 */
#include "glue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"

int glue_refuse(const char *call, int error, bool *warned)
{
	if (!*warned && getenv("SKIFF_DEBUG")) {
		*warned = true;
		/* Straight to the console: stdio may be what is failing. */
		skiff_puts("skiff libc: ");
		skiff_puts(call);
		skiff_puts("() failed: ");
		skiff_puts(strerror(error));
		skiff_puts("\n");
	}
	errno = error;
	return -1;
}
