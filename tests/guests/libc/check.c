/* check.c - group counters and the shared random stream (see check.h). */
#include <stdio.h>
#include <string.h>

#include "check.h"

static const char *group_name;
static int group_checks, group_failures;
static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

void group_begin(const char *name)
{
	group_name = name;
	group_checks = 0;
	group_failures = 0;
}

void expect(int ok, const char *what)
{
	group_checks++;
	if (!ok) {
		group_failures++;
		printf("  FAIL %s: %s\n", group_name, what);
	}
}

void expect_str(const char *got, const char *want, const char *what)
{
	group_checks++;
	if (strcmp(got, want) != 0) {
		group_failures++;
		printf("  FAIL %s: %s: got \"%s\", want \"%s\"\n", group_name, what,
		       got, want);
	}
}

int group_end(void)
{
	if (group_failures == 0)
		printf("%s: ok\n", group_name);
	else
		printf("%s: FAILED (%d of %d)\n", group_name, group_failures,
		       group_checks);
	return group_failures;
}

unsigned long long rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
