/*
 * nested_paging_testlib.c - the counting test allocator and small helpers
 * shared by the nested-paging host tests and np_bench.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ept/ept.h"
#include "lib/errno.h"
#include "nested_paging_testlib.h"
#include "npt/npt.h"

const struct np_format *const test_formats[] = { &ept_format, &npt_format };
const size_t test_format_count = sizeof(test_formats) / sizeof(test_formats[0]);

unsigned test_failures;
const char *test_context = "";

void test_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "FAIL %s:%d [%s]: %s\n", file, line, test_context, what);
	test_failures++;
}

static void *test_alloc_table(void *ctx, uint64_t *hpa)
{
	struct test_alloc *ta = ctx;
	void *page;

	if (ta->fail_after == 0)
		return NULL;
	if (ta->fail_after > 0)
		ta->fail_after--;
	page = aligned_alloc(NP_PAGE_4K, NP_PAGE_4K);
	if (page == NULL)
		return NULL;
	memset(page, 0, NP_PAGE_4K);
	*hpa = (uint64_t)(uintptr_t)page;
	ta->live++;
	ta->allocations++;
	return page;
}

static void test_free_table(void *ctx, void *table, uint64_t hpa)
{
	struct test_alloc *ta = ctx;

	if ((uint64_t)(uintptr_t)table != hpa)
		ta->bad_frees++;
	/* Poison, so a use after free reads garbage that the tests notice. */
	memset(table, 0xa5, NP_PAGE_4K);
	free(table);
	ta->live--;
	ta->frees++;
}

static void *test_to_virt(void *ctx, uint64_t hpa)
{
	return (void *)(uintptr_t)hpa;
}

void test_alloc_init(struct test_alloc *ta)
{
	memset(ta, 0, sizeof(*ta));
	ta->ops.alloc_table = test_alloc_table;
	ta->ops.free_table = test_free_table;
	ta->ops.to_virt = test_to_virt;
	ta->ops.ctx = ta;
	ta->fail_after = -1;
}

bool mapping_is(const struct np_table *t, uint64_t gpa, uint64_t hpa,
		unsigned perms, uint64_t page_size)
{
	uint64_t got_hpa = 0, got_size = 0;
	unsigned got_perms = 0;
	int rc = np_lookup(t, gpa, &got_hpa, &got_perms, &got_size);

	if (rc == 0 && got_hpa == hpa && got_perms == perms &&
	    got_size == page_size)
		return true;
	fprintf(stderr, "  gpa %#" PRIx64 ": rc %d hpa %#" PRIx64 " perms %u "
		"size %#" PRIx64 "; wanted hpa %#" PRIx64 " perms %u size %#"
		PRIx64 "\n", gpa, rc, got_hpa, got_perms, got_size, hpa, perms,
		page_size);
	return false;
}

bool unmapped(const struct np_table *t, uint64_t gpa)
{
	uint64_t got_hpa = 0;
	int rc = np_lookup(t, gpa, &got_hpa, NULL, NULL);

	if (rc == -ENOENT)
		return true;
	fprintf(stderr, "  gpa %#" PRIx64 ": rc %d hpa %#" PRIx64
		"; wanted -ENOENT\n", gpa, rc, got_hpa);
	return false;
}
