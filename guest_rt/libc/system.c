/*
 * system.c - what a program asks about the system it runs on: sysconf,
 * gethostname, and the POSIX names of newlib's line readers.
 */
#include "glue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"

#define GLUE_PAGE_SIZE 4096
/* Descriptors the glue serves: 0, 1 and 2 (files.c, console.c). */
#define GLUE_OPEN_MAX 3
/* POSIX's smallest allowed HOST_NAME_MAX. */
#define GLUE_HOST_NAME_MAX 255

/*
 * sysconf: the values that hold in a Skiff guest: 4 KiB pages, one CPU,
 * RAM from the boot information, times() in CLOCKS_PER_SEC units. A name
 * without a value here is EINVAL, as POSIX says for an unknown name.
 */
long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return GLUE_PAGE_SIZE;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	case _SC_PHYS_PAGES:
		return (long)(skiff_mem_size() / GLUE_PAGE_SIZE);
	case _SC_AVPHYS_PAGES:
		return (long)((skiff_heap_end() - skiff_heap_start()) / GLUE_PAGE_SIZE);
	case _SC_CLK_TCK:
		return CLOCKS_PER_SEC;
	case _SC_OPEN_MAX:
		return GLUE_OPEN_MAX;
	case _SC_ARG_MAX:
		return SKIFF_CMDLINE_MAX;
	case _SC_HOST_NAME_MAX:
		return GLUE_HOST_NAME_MAX;
	default:
		errno = EINVAL;
		return -1;
	}
}

/*
 * gethostname: $HOSTNAME when the command line's environment sets it,
 * else the appliance's name. ENAMETOOLONG when it does not fit in len
 * bytes with its NUL (POSIX leaves truncation open; failing is clearer).
 */
int gethostname(char *name, size_t len)
{
	const char *host = getenv("HOSTNAME");
	char **argv;
	size_t n;

	if (!host || !*host) {
		skiff_args(&argv);
		host = argv[0];
	}
	n = strlen(host);
	if (n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, host, n + 1);
	return 0;
}

/* getdelim, getline: newlib implements them as __getdelim and __getline. */
ssize_t getdelim(char **line, size_t *size, int delimiter, FILE *stream)
{
	return __getdelim(line, size, delimiter, stream);
}

ssize_t getline(char **line, size_t *size, FILE *stream)
{
	return __getline(line, size, stream);
}
