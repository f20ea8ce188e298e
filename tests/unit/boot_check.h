/*
 * boot_check.h - a minimal check macro for the boot and lib host tests:
 * a failed check prints where and what, and the test exits non-zero at the
 * end (checks keep running so one run shows every failure).
 */
#ifndef SKIFF_TESTS_BOOT_CHECK_H
#define SKIFF_TESTS_BOOT_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failures++; \
		} \
	} while (0)

/* check_report: print a summary and return the process exit status. */
static inline int check_report(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
