/*
 * np_bench.c - a plain host program (not a test) that exercises the
 * nested-paging engine in a loop, for instruction counts under
 * `valgrind --tool=callgrind ./np_bench [N]`: for each format it maps and
 * unmaps N 4 KiB pages and N 2 MiB pages, one call per page. Each phase is
 * its own function so callgrind reports it separately; divide its
 * inclusive cost by N for a per-operation figure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "nested_paging/nested_paging.h"
#include "nested_paging_testlib.h"

/* Host-physical addresses are never dereferenced: any aligned value does. */
#define BENCH_HPA_BASE (UINT64_C(1) << 40)

static unsigned failures;

__attribute__((noinline)) static void map_pages(struct np_table *t,
						unsigned long n,
						uint64_t page)
{
	for (unsigned long i = 0; i < n; i++)
		if (np_map(t, i * page, BENCH_HPA_BASE + i * page, page,
			   NP_READ | NP_WRITE) != 0)
			failures++;
}

__attribute__((noinline)) static void unmap_pages(struct np_table *t,
						  unsigned long n,
						  uint64_t page)
{
	for (unsigned long i = 0; i < n; i++)
		if (np_unmap(t, i * page, page) != 0)
			failures++;
}

static void bench_format(const struct np_format *f, unsigned long n)
{
	struct test_alloc alloc;
	struct np_table t;

	test_alloc_init(&alloc);
	if (np_init(&t, f, &alloc.ops) != 0) {
		failures++;
		return;
	}
	map_pages(&t, n, NP_PAGE_4K);
	unmap_pages(&t, n, NP_PAGE_4K);
	map_pages(&t, n, NP_PAGE_2M);
	unmap_pages(&t, n, NP_PAGE_2M);
	np_destroy(&t);
	printf("%s: %lu x 4K and %lu x 2M mapped and unmapped, %zu tables "
	       "allocated\n", f->name, n, n, alloc.allocations);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;

	for (size_t i = 0; i < test_format_count; i++)
		bench_format(test_formats[i], n);
	if (failures)
		printf("np_bench: %u operations failed\n", failures);
	return failures ? 1 : 0;
}
