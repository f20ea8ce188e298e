/*
 * nested_paging_test.c - one table of cases for the nested-paging engine,
 * each run through both entry formats (EPT and NPT), plus checks of how
 * each format encodes its entries and root pointer.
 */
#include <stdio.h>
#include <string.h>

#include "ept/ept.h"
#include "lib/errno.h"
#include "nested_paging/nested_paging.h"
#include "nested_paging_testlib.h"
#include "npt/npt.h"

#define K4 NP_PAGE_4K
#define M2 NP_PAGE_2M
#define G1 NP_PAGE_1G
#define G512 (UINT64_C(512) * G1)
#define GPA_LIMIT (UINT64_C(1) << 48)

/* A table with its own counting allocator. */
struct fixture {
	struct test_alloc alloc;
	struct np_table t;
};

static void fixture_init(struct fixture *fx, const struct np_format *f)
{
	test_alloc_init(&fx->alloc);
	CHECK(np_init(&fx->t, f, &fx->alloc.ops) == 0);
	CHECK(fx->t.table_pages == 1);
}

/* fixture_finish: destroy, and check every table page came back once. */
static void fixture_finish(struct fixture *fx)
{
	CHECK(fx->t.table_pages == fx->alloc.live);
	np_destroy(&fx->t);
	CHECK(fx->alloc.live == 0);
	CHECK(fx->alloc.frees == fx->alloc.allocations);
	CHECK(fx->alloc.bad_frees == 0);
	CHECK(fx->t.root == NULL);
}

/* ---- raw entries, read without the engine's help ---- */

#define RAW_ADDRESS UINT64_C(0x000ffffffffff000)

static unsigned raw_index(uint64_t gpa, unsigned level)
{
	return (unsigned)(gpa >> (12 + 9 * (level - 1))) & 511;
}

/* raw_entry: the entry for gpa at level, following table entries down. */
static uint64_t raw_entry(const struct np_table *t, uint64_t gpa,
			  unsigned level)
{
	const uint64_t *table = t->root;

	for (unsigned l = 4; l > level; l--) {
		uint64_t e = table[raw_index(gpa, l)];
		table = (const uint64_t *)(uintptr_t)(e & RAW_ADDRESS);
	}
	return table[raw_index(gpa, level)];
}

/* ---- the shared cases ---- */

static void case_map_lookup_4k(const struct np_format *f)
{
	struct fixture fx;
	uint64_t hpa = 0;
	unsigned perms = 0;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x1000, 0x200000, K4, NP_READ | NP_WRITE) == 0);
	CHECK(mapping_is(&fx.t, 0x1000, 0x200000, NP_READ | NP_WRITE, K4));
	CHECK(mapping_is(&fx.t, 0x1123, 0x200123, NP_READ | NP_WRITE, K4));
	CHECK(mapping_is(&fx.t, 0x1fff, 0x200fff, NP_READ | NP_WRITE, K4));
	CHECK(np_lookup(&fx.t, 0x1008, &hpa, &perms, NULL) == 0 &&
	      hpa == 0x200008);
	CHECK(np_lookup(&fx.t, 0x1008, NULL, NULL, NULL) == 0);
	CHECK(unmapped(&fx.t, 0x0));
	CHECK(unmapped(&fx.t, 0x2000));
	CHECK(fx.t.table_pages == 4);
	CHECK(!fx.t.stale);
	fixture_finish(&fx);
}

static void case_map_lookup_2m(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 4 * M2, 10 * M2, M2, NP_READ | NP_EXEC) == 0);
	CHECK(mapping_is(&fx.t, 4 * M2, 10 * M2, NP_READ | NP_EXEC, M2));
	CHECK(mapping_is(&fx.t, 5 * M2 - 1, 11 * M2 - 1, NP_READ | NP_EXEC, M2));
	CHECK(unmapped(&fx.t, 5 * M2));
	CHECK(unmapped(&fx.t, 4 * M2 - 1));
	CHECK(fx.t.table_pages == 3);  /* root, 1 GiB table, 2 MiB table */
	fixture_finish(&fx);
}

static void case_map_lookup_1g(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 3 * G1, 7 * G1, G1, NP_RWX) == 0);
	CHECK(mapping_is(&fx.t, 3 * G1, 7 * G1, NP_RWX, G1));
	CHECK(mapping_is(&fx.t, 4 * G1 - 8, 8 * G1 - 8, NP_RWX, G1));
	CHECK(unmapped(&fx.t, 4 * G1));
	CHECK(fx.t.table_pages == 2);
	/* A high gpa, needing its own 512 GiB slot. */
	CHECK(np_map(&fx.t, GPA_LIMIT - G1, G1, G1, NP_READ) == 0);
	CHECK(mapping_is(&fx.t, GPA_LIMIT - 1, 2 * G1 - 1, NP_READ, G1));
	fixture_finish(&fx);
}

static void case_map_picks_largest_pages(const struct np_format *f)
{
	struct fixture fx;
	const unsigned rw = NP_READ | NP_WRITE;
	uint64_t gpa = G1 - 2 * K4;
	uint64_t hpa = 5 * G1 - 2 * K4;  /* same offset in its 1 GiB */

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, gpa, hpa, 2 * K4 + G1 + M2 + K4, rw) == 0);
	CHECK(mapping_is(&fx.t, G1 - 2 * K4, 5 * G1 - 2 * K4, rw, K4));
	CHECK(mapping_is(&fx.t, G1 - K4, 5 * G1 - K4, rw, K4));
	CHECK(mapping_is(&fx.t, G1, 5 * G1, rw, G1));
	CHECK(mapping_is(&fx.t, 2 * G1, 6 * G1, rw, M2));
	CHECK(mapping_is(&fx.t, 2 * G1 + M2, 6 * G1 + M2, rw, K4));
	CHECK(unmapped(&fx.t, 2 * G1 + M2 + K4));
	/* root, L3, L2+L1 below 1 GiB, L2+L1 above 2 GiB */
	CHECK(fx.t.table_pages == 6);

	/* hpa not aligned like gpa: only 4 KiB pages fit. */
	CHECK(np_map(&fx.t, 4 * G1, 6 * G1 + K4, 2 * M2, rw) == 0);
	for (uint64_t off = 0; off < 2 * M2; off += K4)
		CHECK(mapping_is(&fx.t, 4 * G1 + off, 6 * G1 + K4 + off, rw, K4));
	fixture_finish(&fx);
}

static void case_largest_leaf_level_is_respected(const struct np_format *f)
{
	struct np_format only_2m = *f, only_4k = *f;
	struct fixture fx;

	only_2m.largest_leaf_level = 2;
	only_4k.largest_leaf_level = 1;
	fixture_init(&fx, &only_2m);
	CHECK(np_map(&fx.t, G1, G1, G1, NP_READ) == 0);
	CHECK(mapping_is(&fx.t, G1, G1, NP_READ, M2));
	CHECK(mapping_is(&fx.t, 2 * G1 - K4, 2 * G1 - K4, NP_READ, M2));
	fixture_finish(&fx);

	fixture_init(&fx, &only_4k);
	CHECK(np_map(&fx.t, M2, M2, M2, NP_READ) == 0);
	CHECK(mapping_is(&fx.t, M2, M2, NP_READ, K4));
	fixture_finish(&fx);
}

static void case_bad_arguments_are_einval(const struct np_format *f)
{
	struct fixture fx;
	struct np_table blank;
	const unsigned rw = NP_READ | NP_WRITE;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x1001, 0x2000, K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2001, K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, 0x800, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, K4 + 1, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, 0, rw) == -EINVAL);
	CHECK(np_map(&fx.t, GPA_LIMIT - K4, 0, 2 * K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, GPA_LIMIT, 0, K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0, UINT64_MAX - 0xfff, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, UINT64_MAX - 0xfff, K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, UINT64_C(1) << 52, K4, rw) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, K4, 0) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, K4, NP_WRITE) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, K4, NP_EXEC) == -EINVAL);
	CHECK(np_map(&fx.t, 0x1000, 0x2000, K4, NP_RWX | 8) == -EINVAL);
	CHECK(np_unmap(&fx.t, 0x1800, K4) == -EINVAL);
	CHECK(np_unmap(&fx.t, 0x1000, 0) == -EINVAL);
	CHECK(np_unmap(&fx.t, GPA_LIMIT - K4, 2 * K4) == -EINVAL);
	CHECK(np_protect(&fx.t, 0x1000, 0x10, NP_READ) == -EINVAL);
	CHECK(np_protect(&fx.t, 0x1000, K4, NP_WRITE) == -EINVAL);
	CHECK(np_protect(&fx.t, UINT64_MAX - 0xfff, K4, NP_READ) == -EINVAL);
	/* Nothing was touched. */
	CHECK(fx.t.table_pages == 1 && fx.alloc.allocations == 1);
	CHECK(unmapped(&fx.t, 0x1000));
	CHECK(!fx.t.stale);

	CHECK(np_init(NULL, f, &fx.alloc.ops) == -EINVAL);
	CHECK(np_init(&blank, NULL, &fx.alloc.ops) == -EINVAL);
	CHECK(np_init(&blank, f, NULL) == -EINVAL);
	fixture_finish(&fx);
	/* A destroyed table refuses edits instead of touching freed pages. */
	CHECK(np_map(&fx.t, 0, 0, K4, NP_READ) == -EINVAL);
	CHECK(np_unmap(&fx.t, 0, K4) == -EINVAL);
	CHECK(np_protect(&fx.t, 0, K4, NP_READ) == -EINVAL);
	CHECK(np_lookup(&fx.t, 0, NULL, NULL, NULL) == -ENOENT);
	np_destroy(&fx.t);
	CHECK(fx.alloc.frees == fx.alloc.allocations);
}

static void case_lookup_unmapped_is_enoent(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(unmapped(&fx.t, 0));
	CHECK(unmapped(&fx.t, G1));
	CHECK(unmapped(&fx.t, GPA_LIMIT - 1));
	CHECK(unmapped(&fx.t, GPA_LIMIT));
	CHECK(unmapped(&fx.t, UINT64_MAX));
	CHECK(np_map(&fx.t, 5 * M2, 0, K4, NP_READ) == 0);
	CHECK(unmapped(&fx.t, 5 * M2 - K4));
	CHECK(unmapped(&fx.t, 5 * M2 + K4));
	/* The same low bits above 2^48 must not alias the mapping. */
	CHECK(unmapped(&fx.t, GPA_LIMIT + 5 * M2));
	CHECK(np_unmap(&fx.t, 5 * M2, K4) == 0);
	CHECK(unmapped(&fx.t, 5 * M2));
	fixture_finish(&fx);
}

static void case_unmap_part_of_2m_splits(const struct np_format *f)
{
	struct fixture fx;
	const unsigned rx = NP_READ | NP_EXEC;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, M2, 3 * M2, M2, rx) == 0);
	CHECK(!fx.t.stale);
	CHECK(np_unmap(&fx.t, M2 + 3 * K4, K4) == 0);
	CHECK(fx.t.stale);
	for (uint64_t i = 0; i < 512; i++) {
		if (i == 3)
			CHECK(unmapped(&fx.t, M2 + i * K4));
		else
			CHECK(mapping_is(&fx.t, M2 + i * K4, 3 * M2 + i * K4,
					 rx, K4));
	}
	CHECK(fx.t.table_pages == 4);
	/* Unmapping the rest gives every table but the root back. */
	CHECK(np_unmap(&fx.t, M2, M2) == 0);
	CHECK(unmapped(&fx.t, M2));
	CHECK(fx.t.table_pages == 1 && fx.alloc.live == 1);
	fixture_finish(&fx);
}

static void case_unmap_part_of_1g_splits(const struct np_format *f)
{
	struct fixture fx;
	const unsigned rw = NP_READ | NP_WRITE;
	const uint64_t hole = G1 + 5 * M2 + 7 * K4;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, G1, 3 * G1, G1, rw) == 0);
	CHECK(np_unmap(&fx.t, hole, K4) == 0);
	CHECK(fx.t.stale);
	CHECK(unmapped(&fx.t, hole));
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t gpa = G1 + i * M2, hpa = 3 * G1 + i * M2;
		if (i == 5)
			continue;
		CHECK(mapping_is(&fx.t, gpa, hpa, rw, M2));
		CHECK(mapping_is(&fx.t, gpa + M2 - 1, hpa + M2 - 1, rw, M2));
	}
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t gpa = G1 + 5 * M2 + i * K4;
		if (gpa != hole)
			CHECK(mapping_is(&fx.t, gpa, gpa + 2 * G1, rw, K4));
	}
	/* A whole 2 MiB piece: its neighbours stay 2 MiB pages. */
	CHECK(np_unmap(&fx.t, G1 + 9 * M2, M2) == 0);
	CHECK(unmapped(&fx.t, G1 + 9 * M2));
	CHECK(unmapped(&fx.t, G1 + 10 * M2 - 1));
	CHECK(mapping_is(&fx.t, G1 + 8 * M2, 3 * G1 + 8 * M2, rw, M2));
	CHECK(mapping_is(&fx.t, G1 + 10 * M2, 3 * G1 + 10 * M2, rw, M2));
	fixture_finish(&fx);
}

/* np_split: a 1 GiB leaf down to the 4 KiB page asked for, translating as
 * before (A/D bits included), nothing stale, the rest left as large as it can. */
static void case_split_keeps_translation(const struct np_format *f)
{
	struct fixture fx;
	const unsigned rw = NP_READ | NP_WRITE;
	const uint64_t page = G1 + 5 * M2 + 7 * K4;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, G1, 3 * G1, G1, rw) == 0);
	fx.t.stale = false;
	CHECK(np_split(&fx.t, page) == 0);
	CHECK(!fx.t.stale);
	CHECK(mapping_is(&fx.t, page, page + 2 * G1, rw, K4));
	CHECK(mapping_is(&fx.t, G1 + 5 * M2, 3 * G1 + 5 * M2, rw, K4));
	CHECK(mapping_is(&fx.t, G1 + 6 * M2, 3 * G1 + 6 * M2, rw, M2));
	CHECK(mapping_is(&fx.t, 2 * G1 - K4, 4 * G1 - K4, rw, M2));
	CHECK(fx.t.table_pages == 4);   /* root, level 3, the new 2 MiB and 4 KiB tables */
	CHECK(np_split(&fx.t, page) == 0);
	CHECK(fx.t.table_pages == 4);
	CHECK(np_split(&fx.t, 5 * G1) == -ENOENT);
	/* The accessed bit of the large leaf goes to every small one. */
	if (f->accessed) {
		CHECK(np_map(&fx.t, 8 * M2, 8 * M2, M2, rw) == 0);
		uint64_t *leaf = (uint64_t *)(uintptr_t)(raw_entry(&fx.t, 0, 3) & RAW_ADDRESS) + 8;
		*leaf |= f->accessed;
		CHECK(np_split(&fx.t, 8 * M2 + 3 * K4) == 0);
		CHECK(np_take_accessed(&fx.t, 8 * M2 + 3 * K4) == 1);
		CHECK(np_take_accessed(&fx.t, 8 * M2 + 3 * K4) == 0);
		CHECK(np_take_accessed(&fx.t, 9 * M2 - K4) == 1);
	}
	fixture_finish(&fx);
}

static void case_protect_narrowing_sets_stale(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x7000, 0x9000, K4, NP_RWX) == 0);
	CHECK(!fx.t.stale);
	CHECK(np_protect(&fx.t, 0x7000, K4, NP_READ | NP_EXEC) == 0);
	CHECK(fx.t.stale);
	CHECK(mapping_is(&fx.t, 0x7000, 0x9000, NP_READ | NP_EXEC, K4));

	fx.t.stale = false;
	CHECK(np_protect(&fx.t, 0x7000, K4, NP_RWX) == 0);  /* widening */
	CHECK(!fx.t.stale);
	CHECK(mapping_is(&fx.t, 0x7000, 0x9000, NP_RWX, K4));
	CHECK(np_protect(&fx.t, 0x7000, K4, NP_RWX) == 0);  /* no change */
	CHECK(!fx.t.stale);
	CHECK(np_protect(&fx.t, 0x7000, K4, NP_READ | NP_WRITE) == 0);
	CHECK(fx.t.stale);
	CHECK(mapping_is(&fx.t, 0x7000, 0x9000, NP_READ | NP_WRITE, K4));
	fixture_finish(&fx);
}

static void case_protect_part_of_2m_splits(const struct np_format *f)
{
	struct fixture fx;
	const unsigned rw = NP_READ | NP_WRITE;
	size_t pages;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 6 * M2, 8 * M2, M2, rw) == 0);
	pages = fx.t.table_pages;
	/* Same permissions over part of it: nothing to split. */
	CHECK(np_protect(&fx.t, 6 * M2 + K4, K4, rw) == 0);
	CHECK(fx.t.table_pages == pages && !fx.t.stale);
	CHECK(mapping_is(&fx.t, 6 * M2, 8 * M2, rw, M2));

	CHECK(np_protect(&fx.t, 6 * M2 + 10 * K4, 2 * K4, NP_READ) == 0);
	CHECK(fx.t.stale);
	CHECK(fx.t.table_pages == pages + 1);
	for (uint64_t i = 0; i < 512; i++) {
		unsigned want = (i == 10 || i == 11) ? NP_READ : rw;
		CHECK(mapping_is(&fx.t, 6 * M2 + i * K4, 8 * M2 + i * K4,
				 want, K4));
	}
	fixture_finish(&fx);
}

static void case_protect_skips_holes(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0, 0x40000, K4, NP_RWX) == 0);
	CHECK(np_map(&fx.t, 2 * K4, 0x50000, K4, NP_RWX) == 0);
	CHECK(np_protect(&fx.t, 0, 4 * K4, NP_READ) == 0);
	CHECK(np_protect(&fx.t, G1, G1, NP_READ) == 0);  /* nothing there */
	CHECK(mapping_is(&fx.t, 0, 0x40000, NP_READ, K4));
	CHECK(mapping_is(&fx.t, 2 * K4, 0x50000, NP_READ, K4));
	CHECK(unmapped(&fx.t, K4));
	CHECK(unmapped(&fx.t, 3 * K4));
	CHECK(unmapped(&fx.t, G1));
	CHECK(fx.t.table_pages == 4);
	fixture_finish(&fx);
}

static void case_map_replaces_existing(const struct np_format *f)
{
	struct fixture fx;
	size_t pages;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, M2 + K4, 0x10000, K4, NP_READ | NP_WRITE) == 0);
	CHECK(np_map(&fx.t, M2 + K4, 0x10000, K4, NP_READ | NP_WRITE) == 0);
	CHECK(!fx.t.stale);  /* the same translation again */
	CHECK(np_map(&fx.t, M2 + K4, 0x20000, K4, NP_READ) == 0);
	CHECK(fx.t.stale);
	CHECK(mapping_is(&fx.t, M2 + K4, 0x20000, NP_READ, K4));

	/* A 2 MiB page over the 4 KiB one frees the table below it. */
	fx.t.stale = false;
	pages = fx.t.table_pages;
	CHECK(np_map(&fx.t, M2, 4 * M2, M2, NP_RWX) == 0);
	CHECK(fx.t.stale);
	CHECK(fx.t.table_pages == pages - 1 && fx.alloc.live == pages - 1);
	CHECK(mapping_is(&fx.t, M2 + K4, 4 * M2 + K4, NP_RWX, M2));

	/* A 4 KiB page inside the 2 MiB one splits it. */
	CHECK(np_map(&fx.t, M2 + 2 * K4, 0x30000, K4, NP_READ) == 0);
	CHECK(mapping_is(&fx.t, M2 + 2 * K4, 0x30000, NP_READ, K4));
	CHECK(mapping_is(&fx.t, M2 + 3 * K4, 4 * M2 + 3 * K4, NP_RWX, K4));
	fixture_finish(&fx);
}

static void case_destroy_frees_every_table(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0, 0, 3 * M2 + 5 * K4, NP_READ) == 0);
	CHECK(np_map(&fx.t, 7 * G512 + G1 + K4, 0x1000, 9 * K4, NP_RWX) == 0);
	CHECK(np_map(&fx.t, 300 * G512, G1, G1, NP_RWX) == 0);
	CHECK(np_unmap(&fx.t, M2 + K4, K4) == 0);
	CHECK(fx.alloc.live > 5 && fx.t.table_pages == fx.alloc.live);
	fixture_finish(&fx);
}

/* A range needing four new tables: L3, L2 and two L1s. */
#define OOM_GPA (5 * G512 + M2 - 2 * K4)
#define OOM_SIZE (2 * K4 + M2 + 2 * K4)
#define OOM_HPA (G1 + M2 - 2 * K4)

/* oom_range_consistent: each page of the range is unmapped or correct. */
static bool oom_range_consistent(const struct np_table *t)
{
	bool ok = true;

	for (uint64_t off = 0; off < OOM_SIZE; off += K4) {
		uint64_t hpa, size;
		unsigned perms;
		int rc = np_lookup(t, OOM_GPA + off, &hpa, &perms, &size);
		if (rc == -ENOENT)
			continue;
		ok = ok && rc == 0 && hpa == OOM_HPA + off && perms == NP_RWX;
	}
	return ok;
}

/*
 * oom_map_attempt: on a fresh table holding one sentinel page, map the OOM
 * range with only `allowed` table pages to be had. Checks the table stays
 * consistent, and that a retry with memory back completes the mapping.
 */
static int oom_map_attempt(const struct np_format *f, long allowed)
{
	struct fixture fx;
	int rc;

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x5000, 0x77000, K4, NP_READ) == 0);
	fx.alloc.fail_after = allowed;
	rc = np_map(&fx.t, OOM_GPA, OOM_HPA, OOM_SIZE, NP_RWX);
	CHECK(rc == 0 || rc == -ENOMEM);
	CHECK(fx.t.table_pages == fx.alloc.live);
	CHECK(oom_range_consistent(&fx.t));
	CHECK(mapping_is(&fx.t, 0x5000, 0x77000, NP_READ, K4));

	fx.alloc.fail_after = -1;
	CHECK(np_map(&fx.t, OOM_GPA, OOM_HPA, OOM_SIZE, NP_RWX) == 0);
	CHECK(mapping_is(&fx.t, OOM_GPA, OOM_HPA, NP_RWX, K4));
	CHECK(mapping_is(&fx.t, OOM_GPA + 2 * K4, OOM_HPA + 2 * K4, NP_RWX, M2));
	CHECK(mapping_is(&fx.t, OOM_GPA + OOM_SIZE - K4,
			 OOM_HPA + OOM_SIZE - K4, NP_RWX, K4));
	fixture_finish(&fx);
	return rc;
}

static void case_out_of_memory_mid_map(const struct np_format *f)
{
	struct fixture fx;
	struct np_table t2;

	/* Each of the four table pages the range needs can be the one missing. */
	for (long allowed = 0; allowed < 4; allowed++)
		CHECK(oom_map_attempt(f, allowed) == -ENOMEM);
	CHECK(oom_map_attempt(f, 4) == 0);

	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x5000, 0x77000, K4, NP_READ) == 0);
	/* A split that cannot get its page leaves the large page whole. */
	CHECK(np_map(&fx.t, 2 * G1, 4 * G1, G1, NP_READ | NP_WRITE) == 0);
	fx.t.stale = false;
	fx.alloc.fail_after = 0;
	CHECK(np_unmap(&fx.t, 2 * G1 + M2 + K4, K4) == -ENOMEM);
	CHECK(mapping_is(&fx.t, 2 * G1 + M2 + K4, 4 * G1 + M2 + K4,
			 NP_READ | NP_WRITE, G1));
	/* One split (1 GiB into 2 MiB) works, the next does not. */
	fx.alloc.fail_after = 1;
	CHECK(np_protect(&fx.t, 2 * G1 + M2 + K4, K4, NP_READ) == -ENOMEM);
	CHECK(mapping_is(&fx.t, 2 * G1 + M2 + K4, 4 * G1 + M2 + K4,
			 NP_READ | NP_WRITE, M2));
	CHECK(mapping_is(&fx.t, 3 * G1 - 1, 5 * G1 - 1, NP_READ | NP_WRITE, M2));
	CHECK(!fx.t.stale);  /* no translation changed */
	CHECK(fx.t.table_pages == fx.alloc.live);
	fixture_finish(&fx);

	test_alloc_init(&fx.alloc);
	fx.alloc.fail_after = 0;
	CHECK(np_init(&t2, f, &fx.alloc.ops) == -ENOMEM);
	CHECK(fx.alloc.live == 0);
	CHECK(np_map(&t2, 0, 0, K4, NP_READ) == -EINVAL);
}

/* ---- encodings, one checker per format ---- */

#define BIT(n) (UINT64_C(1) << (n))

static void check_npt_entries(const struct np_table *t, uint64_t gpa,
			      unsigned leaf_level, unsigned perms)
{
	const uint64_t p = BIT(0), w = BIT(1), u = BIT(2), ps = BIT(7);
	const uint64_t nx = BIT(63);

	for (unsigned level = 4; level > leaf_level; level--) {
		uint64_t e = raw_entry(t, gpa, level);
		CHECK((e & ~RAW_ADDRESS) == (p | w | u));
	}
	uint64_t leaf = raw_entry(t, gpa, leaf_level);
	CHECK((leaf & p) && (leaf & u));
	CHECK(((leaf & w) != 0) == ((perms & NP_WRITE) != 0));
	CHECK(((leaf & nx) != 0) == ((perms & NP_EXEC) == 0));
	CHECK(((leaf & ps) != 0) == (leaf_level > 1));
}

static void check_ept_entries(const struct np_table *t, uint64_t gpa,
			      unsigned leaf_level, unsigned perms)
{
	const uint64_t rwx = 7, memtype = UINT64_C(7) << 3, wb = UINT64_C(6) << 3;

	for (unsigned level = 4; level > leaf_level; level--) {
		uint64_t e = raw_entry(t, gpa, level);
		CHECK((e & ~RAW_ADDRESS) == rwx);
	}
	uint64_t leaf = raw_entry(t, gpa, leaf_level);
	CHECK((leaf & memtype) == wb);
	CHECK((leaf & rwx) == perms);  /* EPT's R/W/X bits are NP_* */
	CHECK(((leaf & BIT(7)) != 0) == (leaf_level > 1));
	CHECK((leaf & BIT(63)) == 0);
}

static void case_entry_encoding(const struct np_format *f)
{
	bool npt = strcmp(f->name, "npt") == 0;
	void (*check)(const struct np_table *, uint64_t, unsigned, unsigned) =
		npt ? check_npt_entries : check_ept_entries;
	struct fixture fx;

	CHECK(npt || strcmp(f->name, "ept") == 0);
	fixture_init(&fx, f);
	CHECK(np_map(&fx.t, 0x3000, 0x8000, K4, NP_READ | NP_WRITE) == 0);
	CHECK(np_map(&fx.t, 0x4000, 0x9000, K4, NP_RWX) == 0);
	CHECK(np_map(&fx.t, 2 * M2, 2 * M2, M2, NP_READ | NP_EXEC) == 0);
	CHECK(np_map(&fx.t, G512 + G1, G1, G1, NP_READ) == 0);
	check(&fx.t, 0x3000, 1, NP_READ | NP_WRITE);
	check(&fx.t, 0x4000, 1, NP_RWX);
	check(&fx.t, 2 * M2, 2, NP_READ | NP_EXEC);
	check(&fx.t, G512 + G1, 3, NP_READ);
	CHECK((raw_entry(&fx.t, 0x3000, 1) & RAW_ADDRESS) == 0x8000);
	CHECK((raw_entry(&fx.t, G512 + G1, 3) & RAW_ADDRESS) == G1);

	/* Splitting keeps the encoding: now a 4 KiB leaf of the 2 MiB page. */
	CHECK(np_unmap(&fx.t, 2 * M2, K4) == 0);
	check(&fx.t, 2 * M2 + K4, 1, NP_READ | NP_EXEC);
	CHECK(np_protect(&fx.t, 2 * M2 + K4, K4, NP_READ | NP_WRITE) == 0);
	check(&fx.t, 2 * M2 + K4, 1, NP_READ | NP_WRITE);
	fixture_finish(&fx);
}

static void case_root_pointer(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f);
	CHECK(fx.t.root_hpa != 0 && (fx.t.root_hpa & 0xfff) == 0);
	if (strcmp(f->name, "ept") == 0) {
		/* WB (6) in bits 2:0, walk length 4-1 in bits 5:3, A/D off. */
		CHECK(ept_pointer(&fx.t) == (fx.t.root_hpa | 6 | (3 << 3)));
		CHECK(ept_format_2m.largest_leaf_level == 2);
		/* Guest RAM is write-back whatever the guest's PAT says (ignore-PAT). */
		CHECK((ept_format.leaf_bits & 0x78) == 0x70 && (ept_format_2m.leaf_bits & 0x78) == 0x70);
	} else {
		CHECK(npt_ncr3(&fx.t) == fx.t.root_hpa);
		CHECK(npt_flush_tlb_control(true) == 3);
		CHECK(npt_flush_tlb_control(false) == 1);
		CHECK(npt_format_2m.largest_leaf_level == 2);
	}
	CHECK(f->largest_leaf_level == 3);
	fixture_finish(&fx);
}

struct test_case {
	const char *name;
	void (*run)(const struct np_format *f);
};

static const struct test_case cases[] = {
	{ "map_lookup_4k", case_map_lookup_4k },
	{ "map_lookup_2m", case_map_lookup_2m },
	{ "map_lookup_1g", case_map_lookup_1g },
	{ "map_picks_largest_pages", case_map_picks_largest_pages },
	{ "largest_leaf_level_is_respected", case_largest_leaf_level_is_respected },
	{ "bad_arguments_are_einval", case_bad_arguments_are_einval },
	{ "lookup_unmapped_is_enoent", case_lookup_unmapped_is_enoent },
	{ "unmap_part_of_2m_splits", case_unmap_part_of_2m_splits },
	{ "unmap_part_of_1g_splits", case_unmap_part_of_1g_splits },
	{ "split_keeps_translation", case_split_keeps_translation },
	{ "protect_narrowing_sets_stale", case_protect_narrowing_sets_stale },
	{ "protect_part_of_2m_splits", case_protect_part_of_2m_splits },
	{ "protect_skips_holes", case_protect_skips_holes },
	{ "map_replaces_existing", case_map_replaces_existing },
	{ "destroy_frees_every_table", case_destroy_frees_every_table },
	{ "out_of_memory_mid_map", case_out_of_memory_mid_map },
	{ "entry_encoding", case_entry_encoding },
	{ "root_pointer", case_root_pointer },
};

int main(void)
{
	static char context[96];
	unsigned passed = 0, run = 0;

	for (size_t fi = 0; fi < test_format_count; fi++) {
		const struct np_format *f = test_formats[fi];
		for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
			unsigned before = test_failures;
			snprintf(context, sizeof(context), "%s %s", f->name,
				 cases[ci].name);
			test_context = context;
			cases[ci].run(f);
			run++;
			if (test_failures == before)
				passed++;
			else
				printf("FAILED %s\n", context);
		}
	}
	printf("nested_paging_test: %u/%u cases passed\n", passed, run);
	return passed == run ? 0 : 1;
}
