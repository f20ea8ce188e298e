/*
 * guest_test.h - the few checking helpers the loader's host tests share.
 * A failed check prints where and why and is counted; main() returns
 * guest_test_result() so CTest sees the failure.
 */
#ifndef SKIFF_GUEST_TEST_H
#define SKIFF_GUEST_TEST_H

#include <stdio.h>
#include <string.h>

static int guest_test_failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, #cond);                \
			guest_test_failures++;                             \
		}                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		unsigned long long a_ = (unsigned long long)(a);           \
		unsigned long long b_ = (unsigned long long)(b);           \
		if (a_ != b_) {                                            \
			fprintf(stderr, "%s:%d: %s == 0x%llx, want 0x%llx\n", \
				__FILE__, __LINE__, #a, a_, b_);           \
			guest_test_failures++;                             \
		}                                                          \
	} while (0)

/* CHECK_MSG: err must contain fragment. */
#define CHECK_MSG(err, fragment)                                           \
	do {                                                               \
		if (strstr((err), (fragment)) == NULL) {                   \
			fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", \
				__FILE__, __LINE__, (err), (fragment));    \
			guest_test_failures++;                             \
		}                                                          \
	} while (0)

static inline int guest_test_result(const char *name)
{
	if (guest_test_failures > 0) {
		fprintf(stderr, "%s: %d check(s) failed\n", name,
			guest_test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
