/*
 * exitcode - halts with the status named by its first argument (decimal,
 * 0..255), after printing it. With no or a bad argument it aborts (255).
 */
#include "skiff.h"

static int parse_status(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 255)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 255 ? -1 : v;
}

int main(int argc, char **argv)
{
	int status = argc > 1 ? parse_status(argv[1]) : -1;

	if (status < 0) {
		skiff_puts("exitcode: expected a status 0..255 as the first argument\n");
		return 255;
	}
	skiff_printf("exitcode: halting with status %d\n", status);
	return status;
}
