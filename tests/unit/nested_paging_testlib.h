/*
 * nested_paging_testlib.h - shared pieces of the nested-paging host tests
 * and benchmark: a counting allocator with failure injection, the formats
 * every case runs through, and a CHECK that reports and counts failures.
 */
#ifndef SKIFF_NESTED_PAGING_TESTLIB_H
#define SKIFF_NESTED_PAGING_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nested_paging/nested_paging.h"

/*
 * A table-page allocator on the host heap: aligned_alloc'd pages whose
 * pointer value stands in for the hpa. fail_after counts successful
 * allocations still allowed; the next one after that fails (negative:
 * never fail).
 */
struct test_alloc {
	struct np_allocator ops;
	size_t live;          /* allocated and not yet freed */
	size_t allocations;   /* successful allocations, ever */
	size_t frees;
	size_t bad_frees;     /* free_table given a pointer/hpa that disagree */
	long fail_after;
};

/* test_alloc_init: ready to use, never failing, counts at zero. */
void test_alloc_init(struct test_alloc *ta);

/* The formats every shared case runs through (EPT and NPT). */
extern const struct np_format *const test_formats[];
extern const size_t test_format_count;

/* Failures so far, and what the current case is (printed with failures). */
extern unsigned test_failures;
extern const char *test_context;

/* test_fail: print where and what failed, count it. */
void test_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			test_fail(__FILE__, __LINE__, #cond);           \
	} while (0)

/*
 * mapping_is: true when np_lookup(t, gpa) succeeds with exactly hpa, perms
 * and page_size; else prints what it found and returns false.
 */
bool mapping_is(const struct np_table *t, uint64_t gpa, uint64_t hpa,
		unsigned perms, uint64_t page_size);

/* unmapped: true when np_lookup(t, gpa) is -ENOENT; else prints and false. */
bool unmapped(const struct np_table *t, uint64_t gpa);

#endif
