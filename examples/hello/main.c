/*
 * hello - the smallest Skiff appliance.
 *
 * Prints a greeting, its command line exactly as received, one line per
 * space-separated argument, then SUCCESS, and exits 0. A boot test reads these lines to check that the image was
 * loaded, entered, got its command line, and halted cleanly.
 */
#include "skiff.h"

int main(int argc, char **argv)
{
	skiff_puts("Hello from Skiff!\n");
	skiff_printf("Command line: '%s'\n", skiff_cmdline());
	for (int i = 1; i < argc; i++)
		skiff_printf("arg[%d]: %s\n", i, argv[i]);
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}
