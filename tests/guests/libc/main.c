/*
 * libc - newlib conformance on Skiff.
 *
 * Expects the command line "GREETING=hello last" (an environment word,
 * then one argument). Runs every check group (check.h) in turn, whatever
 * the earlier ones found, prints SUCCESS only when none failed, and exits 1 otherwise.
 * Exits through exit() (main's return), so stdio is flushed on Skiff.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

int main(int argc, char **argv)
{
	int (*const groups[])(void) = {
		check_formats, check_heap, check_sorting, check_jumps,
		check_strto, check_errno, check_math, check_clocks, check_posix,
	};
	int failures = check_runtime(argc, argv);

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		failures += groups[i]();
	if (failures) {
		printf("libc: %d checks failed\n", failures);
		return EXIT_FAILURE;
	}
	printf("SUCCESS\n");
	return EXIT_SUCCESS;
}
