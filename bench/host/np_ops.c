/*
 * np_ops - one phase of the nested-paging engine, for callgrind.
 *
 * Usage: np_ops FORMAT OP N   (FORMAT ept|npt; OP map_4k|unmap_4k|map_2m|unmap_2m)
 *
 * Maps N pages of the size OP names (and, for unmap_*, unmaps them again).
 * Only measure_phase() does the operation being measured, so
 * `valgrind --tool=callgrind --toggle-collect=measure_phase` counts just
 * those N calls. The harness runs two values of N and divides the
 * difference in instructions by the difference in N, so the fixed cost of
 * the phase (the call, the first table allocations) cancels out.
 * Exit status 0 when every call succeeded, 1 otherwise, 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nested_paging/nested_paging.h"
#include "nested_paging_testlib.h"

/* Host-physical addresses are never dereferenced: any aligned value does. */
#define HPA_BASE (UINT64_C(1) << 40)

static unsigned failures;

static void map_pages(struct np_table *t, unsigned long n, uint64_t page)
{
	for (unsigned long i = 0; i < n; i++)
		if (np_map(t, i * page, HPA_BASE + i * page, page, NP_READ | NP_WRITE) != 0)
			failures++;
}

static void unmap_pages(struct np_table *t, unsigned long n, uint64_t page)
{
	for (unsigned long i = 0; i < n; i++)
		if (np_unmap(t, i * page, page) != 0)
			failures++;
}

/* The measured phase: noinline so callgrind can collect exactly it. */
__attribute__((noinline)) void measure_phase(struct np_table *t, bool unmap,
					     unsigned long n, uint64_t page);
__attribute__((noinline)) void measure_phase(struct np_table *t, bool unmap,
					     unsigned long n, uint64_t page)
{
	if (unmap)
		unmap_pages(t, n, page);
	else
		map_pages(t, n, page);
}

static const struct np_format *format_named(const char *name)
{
	for (size_t i = 0; i < test_format_count; i++)
		if (strcmp(test_formats[i]->name, name) == 0)
			return test_formats[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct np_format *f = argc == 4 ? format_named(argv[1]) : NULL;
	struct test_alloc alloc;
	struct np_table t;
	unsigned long n;
	uint64_t page;
	bool unmap;

	if (!f) {
		fprintf(stderr, "usage: np_ops ept|npt map_4k|unmap_4k|map_2m|unmap_2m N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 0);
	unmap = strncmp(argv[2], "unmap_", 6) == 0;
	page = strstr(argv[2], "_2m") ? NP_PAGE_2M : NP_PAGE_4K;
	test_alloc_init(&alloc);
	alloc.ops.to_virt = NULL;  /* identity, as in the hypervisor */
	if (np_init(&t, f, &alloc.ops) != 0)
		return 1;
	if (unmap)
		map_pages(&t, n, page);  /* set-up, not measured */
	measure_phase(&t, unmap, n, page);
	np_destroy(&t);
	if (failures)
		fprintf(stderr, "np_ops: %u operations failed\n", failures);
	return failures ? 1 : 0;
}
