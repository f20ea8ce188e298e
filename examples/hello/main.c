/*
 * hello - the smallest Skiff appliance, written against the C library.
 *
 * Prints a greeting, its command line exactly as received, one line per
 * space-separated argument, then SUCCESS, and exits 0. Boot tests and the
 * skiff-run tests compare these lines byte for byte, so the format is a
 * contract: change it only together with ci/boot_tests.json and
 * ci/skiff_run_tests.json.
 *
 * Output goes through newlib's stdio (line-buffered: the glue reports the
 * console as a terminal); returning from main runs exit(), which flushes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "skiff.h"

int main(int argc, char **argv)
{
	printf("Hello from Skiff!\n");
	printf("Command line: '%s'\n", skiff_cmdline());
	for (int i = 1; i < argc; i++)
		printf("arg[%d]: %s\n", i, argv[i]);
	printf("SUCCESS\n");
	return EXIT_SUCCESS;
}
