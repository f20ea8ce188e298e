/*
 * mem_invalidate_test.c - the one invalidation path (hypervisor/mem/
 * mem_invalidate.c) against a model of tagged TLBs (tlb_model.c): a frame
 * is handed back only when no CPU can still reach it, with either
 * backend's mechanism (INVEPT at once; SVM's flush at the next VMRUN), on
 * every CPU of the space's set. The model itself is shown to catch the
 * wrong orders, so these tests can fail.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hypervisor/mem/mem_invalidate.h"
#include "lib/errno.h"
#include "nested_paging_testlib.h"
#include "tlb_model.h"

#define K4 NP_PAGE_4K
#define M2 NP_PAGE_2M
#define HPA (UINT64_C(1) << 32)

enum mechanism { AT_ONCE, AT_ENTRY, BROKEN_NONE, BROKEN_CPU0_ONLY };

struct backend {
	struct tlb_model *model;
	uint32_t tag;
	enum mechanism how;
};

static void model_invalidate(void *ctx, const struct mem_cpu_set *cpus)
{
	struct backend *b = ctx;

	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++) {
		if (!(cpus->bits & (UINT64_C(1) << cpu)))
			continue;
		if (b->how == AT_ONCE)
			tlb_flush_now(b->model, cpu, b->tag);
		else if (b->how == AT_ENTRY)
			tlb_flush_at_entry(b->model, cpu, b->tag);
		else if (b->how == BROKEN_CPU0_ONLY && cpu == 0)
			tlb_flush_now(b->model, cpu, b->tag);
	}
}

/* The release callback: the frame goes to someone else right now. */
struct releaser {
	struct tlb_model *model;
	unsigned released;
	uint64_t last_hpa;
};

static void release(void *ctx, uint64_t hpa, uint64_t size)
{
	struct releaser *r = ctx;

	r->released++;
	r->last_hpa = hpa;
	if (size)
		tlb_check_reusable(r->model, hpa, size);
}

struct fixture {
	struct test_alloc alloc;
	struct np_table table;
	struct tlb_model model;
	struct backend backend;
	struct mem_space space;
	struct releaser rel;
};

static void fixture_init(struct fixture *fx, const struct np_format *f,
			 enum mechanism how, uint64_t cpus)
{
	test_alloc_init(&fx->alloc);
	CHECK(np_init(&fx->table, f, &fx->alloc.ops) == 0);
	tlb_model_init(&fx->model);
	fx->backend = (struct backend){ &fx->model, 3, how };
	fx->space = (struct mem_space){
		.table = &fx->table,
		.invalidator = { model_invalidate, &fx->backend },
		.cpus = { cpus },
	};
	fx->rel = (struct releaser){ .model = &fx->model };
}

static void fixture_finish(struct fixture *fx)
{
	np_destroy(&fx->table);
	CHECK(fx->alloc.live == 0);
}

/* Both CPUs run the guest and cache a translation of gpa. */
static void warm(struct fixture *fx, uint64_t gpa, unsigned access, uint64_t want)
{
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		tlb_enter(&fx->model, cpu, fx->backend.tag);
		CHECK(tlb_access(&fx->model, cpu, fx->backend.tag, &fx->table, gpa,
				 access) == want);
	}
}

static void case_unmap_each_mechanism(const struct np_format *f)
{
	const enum mechanism mechanisms[] = { AT_ONCE, AT_ENTRY };

	for (unsigned i = 0; i < 2; i++) {
		struct fixture fx;
		fixture_init(&fx, f, mechanisms[i], 0x3);
		/* A first mapping needs no invalidation. */
		CHECK(np_map(&fx.table, 5 * K4, HPA + 9 * K4, K4, NP_READ | NP_WRITE) == 0);
		mem_flush_if_stale(&fx.space);
		CHECK(fx.space.invalidations == 0);
		warm(&fx, 5 * K4 + 8, NP_WRITE, HPA + 9 * K4 + 8);
		CHECK(mem_remove(&fx.space, 5 * K4, K4, 0, release, &fx.rel) == 0);
		CHECK(fx.rel.released == 1 && fx.rel.last_hpa == HPA + 9 * K4);
		CHECK(fx.space.invalidations == 1);
		CHECK(fx.model.violations == 0);
		/* The guest runs again: the next access faults. */
		warm(&fx, 5 * K4 + 8, NP_READ, TLB_NO_PAGE);
		fixture_finish(&fx);
	}
}

static void case_2m_and_write_protect(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f, AT_ENTRY, 0x3);
	CHECK(np_map(&fx.table, 4 * M2, HPA + 8 * M2, M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 4 * M2 + 5 * K4, NP_WRITE, HPA + 8 * M2 + 5 * K4);
	/* Narrow to read-only (sharing): nothing released, nothing writable. */
	CHECK(mem_remove(&fx.space, 4 * M2, M2, NP_READ, release, &fx.rel) == 0);
	CHECK(fx.rel.released == 0);
	CHECK(tlb_check_read_only(&fx.model, HPA + 8 * M2, M2));
	warm(&fx, 4 * M2, NP_READ, HPA + 8 * M2);
	warm(&fx, 4 * M2, NP_WRITE, TLB_NO_PAGE);
	/* Then reclaim the whole 2 MiB. */
	CHECK(mem_remove(&fx.space, 4 * M2, M2, 0, release, &fx.rel) == 0);
	CHECK(fx.rel.released == 1 && fx.model.violations == 0);
	fixture_finish(&fx);
}

static void case_bad_calls(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f, AT_ONCE, 0x1);
	CHECK(np_map(&fx.table, 0, HPA, M2, NP_READ | NP_WRITE) == 0);
	/* A 4 KiB page inside a 2 MiB leaf is not a page of that size. */
	CHECK(mem_remove(&fx.space, K4, K4, 0, release, &fx.rel) == -ENOENT);
	CHECK(mem_remove(&fx.space, 7 * M2, K4, 0, release, &fx.rel) == -ENOENT);
	CHECK(mem_remove(&fx.space, 0, 3 * K4, 0, release, &fx.rel) == -EINVAL);
	CHECK(mem_remove(NULL, 0, K4, 0, release, &fx.rel) == -EINVAL);
	CHECK(fx.rel.released == 0 && fx.space.invalidations == 0);
	fixture_finish(&fx);
}

/* The guest's end: every frame back only after the invalidation. */

static void release_all(void *ctx, uint64_t hpa, uint64_t size)
{
	(void)hpa;
	(void)size;
	release(ctx, HPA, 64 * M2);
}

static void case_teardown(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f, AT_ONCE, 0x3);
	CHECK(np_map(&fx.table, 0, HPA, 8 * M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 3 * M2 + 77, NP_READ, HPA + 3 * M2 + 77);
	mem_teardown(&fx.space, release_all, &fx.rel);
	CHECK(fx.rel.released == 1 && fx.model.violations == 0);
	CHECK(fx.alloc.live == 0);
}

/* The model must catch each wrong order, or the cases above prove nothing. */
static void case_model_catches_wrong_orders(const struct np_format *f)
{
	struct fixture fx;

	/* No invalidation at all. */
	fixture_init(&fx, f, BROKEN_NONE, 0x3);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_READ, HPA);
	CHECK(mem_remove(&fx.space, 0, K4, 0, release, &fx.rel) == 0);
	CHECK(fx.model.violations == 2);  /* both CPUs still translate */
	fixture_finish(&fx);

	/* Only the CPU doing the work flushes. */
	fixture_init(&fx, f, BROKEN_CPU0_ONLY, 0x3);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_READ, HPA);
	CHECK(mem_remove(&fx.space, 0, K4, 0, release, &fx.rel) == 0);
	CHECK(fx.model.violations == 1);
	fixture_finish(&fx);

	/* A space whose CPU set forgets a CPU that ran it. */
	fixture_init(&fx, f, AT_ONCE, 0x1);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_READ, HPA);
	CHECK(mem_remove(&fx.space, 0, K4, 0, release, &fx.rel) == 0);
	CHECK(fx.model.violations == 1);
	fixture_finish(&fx);

	/* Release before invalidating (the order the core forbids). */
	fixture_init(&fx, f, AT_ONCE, 0x3);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_WRITE, HPA);
	CHECK(np_unmap(&fx.table, 0, K4) == 0);
	release(&fx.rel, HPA, K4);
	CHECK(fx.model.violations == 2);
	/* A stale translation keeps working until then: the model remembers. */
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 8, NP_WRITE) == HPA + 8);
	mem_flush_if_stale(&fx.space);
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 8, NP_WRITE) == TLB_NO_PAGE);
	/* Write-protect without invalidating: a writable entry survives. */
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_WRITE, HPA);
	CHECK(np_protect(&fx.table, 0, K4, NP_READ) == 0);
	CHECK(!tlb_check_read_only(&fx.model, HPA, K4));
	fixture_finish(&fx);
}

/*
 * Random operations on two CPUs: map (first touch), access, write-protect,
 * reclaim; every access must reach the frame the guest owns for that page
 * now or, until the invalidation, the one it owned; every release is
 * checked by the model.
 */
static void case_random(const struct np_format *f, unsigned seed)
{
	enum { PAGES = 64, STEPS = 20000 };
	uint64_t owner[PAGES] = { 0 };   /* hpa of each page's frame, 0: none */
	uint64_t next_frame = HPA;
	struct fixture fx;

	srand(seed);
	fixture_init(&fx, f, (seed & 1) ? AT_ENTRY : AT_ONCE, 0x3);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned page = (unsigned)rand() % PAGES, cpu = (unsigned)rand() % 2;
		uint64_t gpa = page * K4, got;

		switch (rand() % 4) {
		case 0:   /* first touch */
			if (owner[page] == 0) {
				owner[page] = next_frame;
				next_frame += K4;
				CHECK(np_map(&fx.table, gpa, owner[page], K4,
					     NP_READ | NP_WRITE) == 0);
			}
			break;
		case 1:   /* reclaim */
			if (owner[page] != 0) {
				CHECK(mem_remove(&fx.space, gpa, K4, 0, release, &fx.rel) == 0);
				owner[page] = 0;
			}
			break;
		case 2:   /* write-protect, as for sharing */
			if (owner[page] != 0) {
				CHECK(mem_remove(&fx.space, gpa, K4, NP_READ, NULL, NULL) == 0);
				CHECK(tlb_check_read_only(&fx.model, owner[page], K4));
			}
			break;
		default:  /* the guest runs and reads */
			tlb_enter(&fx.model, cpu, fx.backend.tag);
			got = tlb_access(&fx.model, cpu, fx.backend.tag, &fx.table, gpa, NP_READ);
			CHECK(got == (owner[page] ? owner[page] : TLB_NO_PAGE));
			break;
		}
	}
	CHECK(fx.model.violations == 0);
	if (fx.model.violations)
		fprintf(stderr, "  %s\n", fx.model.last);
	fixture_finish(&fx);
}

int main(void)
{
	for (size_t i = 0; i < test_format_count; i++) {
		const struct np_format *f = test_formats[i];

		test_context = f->name;
		case_unmap_each_mechanism(f);
		case_2m_and_write_protect(f);
		case_bad_calls(f);
		case_teardown(f);
		case_model_catches_wrong_orders(f);
		for (unsigned seed = 1; seed <= 4; seed++)
			case_random(f, seed);
	}
	printf("mem_invalidate_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
