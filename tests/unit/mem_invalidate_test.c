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

enum mechanism { AT_ONCE, AT_ENTRY, BROKEN_NONE, BROKEN_CPU0_ONLY, BROKEN_NO_KICK };

/* The CPU that changes the table and invalidates: never in the guest here. */
#define SELF 3u

struct backend {
	struct tlb_model *model;
	uint32_t tag;
	enum mechanism how;
	unsigned kicks;
};

/* The backend's flush on the CPU about to enter (mem_enter calls it). */
static void model_flush_here(void *ctx, unsigned cpu)
{
	struct backend *b = ctx;

	if (b->how == AT_ONCE || (b->how == BROKEN_CPU0_ONLY && cpu == 0))
		tlb_flush_now(b->model, cpu, b->tag);
	else if (b->how == AT_ENTRY || b->how == BROKEN_NO_KICK)
		tlb_flush_at_entry(b->model, cpu, b->tag);
}

/* The kick IPI: the CPU leaves the guest; its exit is the acknowledgement. */
static void model_kick(void *ctx, unsigned cpu)
{
	struct backend *b = ctx;

	b->kicks++;
	tlb_leave(b->model, cpu);
	mem_leave(cpu);
}

static unsigned model_self(void)
{
	return SELF;
}

/* The release callback: the frame goes to someone else right now. */
struct releaser {
	struct tlb_model *model;
	const struct mem_space *space;
	uint32_t tag;
	unsigned released;
	uint64_t last_hpa;
};

/* due: tell the model which CPUs the code under test owes a flush. */
static void due(struct releaser *r)
{
	r->model->due_mask = r->space->flush_due;
	r->model->due_tag = r->tag;
}

static void release(void *ctx, uint64_t hpa, uint64_t size)
{
	struct releaser *r = ctx;

	r->released++;
	r->last_hpa = hpa;
	due(r);
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

static void fixture_init(struct fixture *fx, const struct np_format *f, enum mechanism how)
{
	test_alloc_init(&fx->alloc);
	CHECK(np_init(&fx->table, f, &fx->alloc.ops) == 0);
	tlb_model_init(&fx->model);
	fx->backend = (struct backend){ &fx->model, 3, how, 0 };
	fx->space = (struct mem_space){
		.table = &fx->table,
		.invalidator = { NULL, model_flush_here, how == BROKEN_NO_KICK ? NULL : model_kick,
				 model_self, NULL, &fx->backend },
	};
	fx->rel = (struct releaser){ .model = &fx->model, .space = &fx->space, .tag = 3 };
	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++)
		mem_leave(cpu);   /* no CPU in a guest of an earlier case */
}

static void fixture_finish(struct fixture *fx)
{
	np_destroy(&fx->table);
	CHECK(fx->alloc.live == 0);
}

/* run_on: cpu (re-)enters the guest, through an exit if it was in it. */
static void run_on(struct fixture *fx, unsigned cpu)
{
	if (fx->model.cpus[cpu].in_guest) {
		tlb_leave(&fx->model, cpu);
		mem_leave(cpu);
	}
	mem_enter(&fx->space, cpu);
	tlb_enter(&fx->model, cpu, fx->backend.tag);
}

static void leave_guest(struct fixture *fx, unsigned cpu)
{
	tlb_leave(&fx->model, cpu);
	mem_leave(cpu);
}

/*
 * Two CPUs run the guest and cache a translation of gpa; CPU 0 then
 * leaves the guest, CPU 1 stays in it (it must be kicked out).
 */
static void warm(struct fixture *fx, uint64_t gpa, unsigned access, uint64_t want)
{
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		run_on(fx, cpu);
		CHECK(tlb_access(&fx->model, cpu, fx->backend.tag, &fx->table, gpa,
				 access) == want);
	}
	leave_guest(fx, 0);
}

static void case_unmap_each_mechanism(const struct np_format *f)
{
	const enum mechanism mechanisms[] = { AT_ONCE, AT_ENTRY };

	for (unsigned i = 0; i < 2; i++) {
		struct fixture fx;
		fixture_init(&fx, f, mechanisms[i]);
		/* A first mapping needs no invalidation. */
		CHECK(np_map(&fx.table, 5 * K4, HPA + 9 * K4, K4, NP_READ | NP_WRITE) == 0);
		mem_flush_if_stale(&fx.space);
		CHECK(fx.space.invalidations == 0);
		warm(&fx, 5 * K4 + 8, NP_WRITE, HPA + 9 * K4 + 8);
		CHECK(mem_remove(&fx.space, 5 * K4, K4, 0, release, &fx.rel) == 0);
		CHECK(fx.rel.released == 1 && fx.rel.last_hpa == HPA + 9 * K4);
		CHECK(fx.space.invalidations == 1);
		CHECK(fx.model.violations == 0);
		/* CPU 1 was in the guest: kicked out and waited for; both flush. */
		CHECK(fx.backend.kicks == 1 && fx.space.kicks == 1);
		CHECK(fx.space.remote_flushes == 2 && fx.space.flush_due == 0x3);
		/* The guest runs again: the next access faults. */
		warm(&fx, 5 * K4 + 8, NP_READ, TLB_NO_PAGE);
		fixture_finish(&fx);
	}
}

static void case_2m_and_write_protect(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f, AT_ENTRY);
	CHECK(np_map(&fx.table, 4 * M2, HPA + 8 * M2, M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 4 * M2 + 5 * K4, NP_WRITE, HPA + 8 * M2 + 5 * K4);
	/* Narrow to read-only (sharing): nothing released, nothing writable. */
	CHECK(mem_remove(&fx.space, 4 * M2, M2, NP_READ, release, &fx.rel) == 0);
	CHECK(fx.rel.released == 0);
	due(&fx.rel);
	CHECK(tlb_check_read_only(&fx.model, HPA + 8 * M2, M2));
	warm(&fx, 4 * M2, NP_READ, HPA + 8 * M2);
	warm(&fx, 4 * M2, NP_WRITE, TLB_NO_PAGE);
	/* Then reclaim the whole 2 MiB. */
	CHECK(mem_remove(&fx.space, 4 * M2, M2, 0, release, &fx.rel) == 0);
	CHECK(fx.rel.released == 1 && fx.model.violations == 0);
	fixture_finish(&fx);
}

/*
 * One 4 KiB page of a 2 MiB leaf taken alone: the split changes no
 * translation (CPUs keep their cached 2 MiB one), and the removal after it
 * invalidates before its frame goes; the other 511 pages stay mapped.
 */
static void case_split_2m(const struct np_format *f)
{
	struct fixture fx;
	uint64_t hpa, size;
	unsigned perms;

	fixture_init(&fx, f, AT_ENTRY);
	CHECK(np_map(&fx.table, 2 * M2, HPA + 4 * M2, M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 2 * M2 + 7 * K4, NP_WRITE, HPA + 4 * M2 + 7 * K4);
	CHECK(mem_split(&fx.space, 2 * M2 + 7 * K4) == 0);
	CHECK(fx.space.invalidations == 0 && !fx.table.stale);
	CHECK(np_lookup(&fx.table, 2 * M2 + 7 * K4, &hpa, &perms, &size) == 0);
	CHECK(hpa == HPA + 4 * M2 + 7 * K4 && size == K4 && perms == (NP_READ | NP_WRITE));
	CHECK(np_lookup(&fx.table, 3 * M2 - K4, &hpa, NULL, &size) == 0);
	CHECK(hpa == HPA + 5 * M2 - K4 && size == K4);
	/* A split page splits no further. */
	CHECK(mem_split(&fx.space, 2 * M2 + 7 * K4) == 0);
	CHECK(mem_split(&fx.space, 9 * M2) == -ENOENT);
	CHECK(mem_split(NULL, 0) == -EINVAL);
	/* The 2 MiB translation CPU 1 cached still works, and still reaches
	 * the right frame, until the removal invalidates it. */
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 2 * M2 + 7 * K4, NP_WRITE) ==
	      HPA + 4 * M2 + 7 * K4);
	CHECK(mem_remove(&fx.space, 2 * M2 + 7 * K4, K4, 0, release, &fx.rel) == 0);
	CHECK(fx.rel.released == 1 && fx.rel.last_hpa == HPA + 4 * M2 + 7 * K4);
	CHECK(fx.model.violations == 0 && fx.space.invalidations == 1);
	warm(&fx, 2 * M2 + 7 * K4, NP_READ, TLB_NO_PAGE);
	warm(&fx, 2 * M2 + 8 * K4, NP_WRITE, HPA + 4 * M2 + 8 * K4);
	/* Narrowing one page of the split leaf leaves its neighbours writable. */
	CHECK(mem_remove(&fx.space, 2 * M2 + 8 * K4, K4, NP_READ, release, &fx.rel) == 0);
	due(&fx.rel);
	CHECK(tlb_check_read_only(&fx.model, HPA + 4 * M2 + 8 * K4, K4));
	warm(&fx, 2 * M2 + 9 * K4, NP_WRITE, HPA + 4 * M2 + 9 * K4);
	CHECK(fx.model.violations == 0);
	fixture_finish(&fx);

	/* Without the removal's invalidation the model sees the old frame:
	 * the split alone never makes a page safe to hand out. */
	fixture_init(&fx, f, AT_ONCE);
	CHECK(np_map(&fx.table, 0, HPA, M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 3 * K4, NP_READ, HPA + 3 * K4);
	CHECK(mem_split(&fx.space, 3 * K4) == 0);
	CHECK(np_unmap(&fx.table, 3 * K4, K4) == 0);
	release(&fx.rel, HPA + 3 * K4, K4);
	CHECK(fx.model.violations == 2);   /* both CPUs cached the 2 MiB page */
	mem_flush_if_stale(&fx.space);
	fixture_finish(&fx);
}

static void case_bad_calls(const struct np_format *f)
{
	struct fixture fx;

	fixture_init(&fx, f, AT_ONCE);
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

	fixture_init(&fx, f, AT_ONCE);
	CHECK(np_map(&fx.table, 0, HPA, 8 * M2, NP_READ | NP_WRITE) == 0);
	warm(&fx, 3 * M2 + 77, NP_READ, HPA + 3 * M2 + 77);
	mem_teardown(&fx.space, release_all, &fx.rel);
	CHECK(fx.rel.released == 1 && fx.model.violations == 0);
	CHECK(fx.alloc.live == 0);
}

/* A page mapped, cached by CPUs 0 and 1 (1 stays in the guest), removed. */
static void map_warm_remove(struct fixture *fx, const struct np_format *f, enum mechanism how)
{
	fixture_init(fx, f, how);
	CHECK(np_map(&fx->table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(fx, 0, NP_READ, HPA);
	CHECK(mem_remove(&fx->space, 0, K4, 0, release, &fx->rel) == 0);
}

/* The model must catch each wrong order, or the cases above prove nothing. */
static void case_model_catches_wrong_orders(const struct np_format *f)
{
	struct fixture fx;

	/* No flush at all: the frame is released while nobody holds it live
	 * (CPU 0 is out, CPU 1 kicked out), but entering again reaches it. */
	map_warm_remove(&fx, f, BROKEN_NONE);
	run_on(&fx, 0);
	CHECK(tlb_access(&fx.model, 0, 3, &fx.table, 0, NP_READ) == HPA);
	fixture_finish(&fx);

	/* Only CPU 0 flushes: CPU 1 reaches the old frame after entering again. */
	map_warm_remove(&fx, f, BROKEN_CPU0_ONLY);
	run_on(&fx, 0);
	CHECK(tlb_access(&fx.model, 0, 3, &fx.table, 0, NP_READ) == TLB_NO_PAGE);
	run_on(&fx, 1);
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 0, NP_READ) == HPA);
	fixture_finish(&fx);

	/* No kick (no IPI, no acknowledgement): CPU 1 is still in the guest
	 * with the translation when the frame goes. */
	map_warm_remove(&fx, f, BROKEN_NO_KICK);
	CHECK(fx.model.violations == 1);
	fixture_finish(&fx);

	/* A space whose CPU set forgets a CPU that ran it. */
	fixture_init(&fx, f, AT_ONCE);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_READ, HPA);
	fx.space.cpus.bits &= ~UINT64_C(2);
	CHECK(mem_remove(&fx.space, 0, K4, 0, release, &fx.rel) == 0);
	CHECK(fx.model.violations == 1);
	fixture_finish(&fx);

	/* Release before invalidating (the order the core forbids). */
	fixture_init(&fx, f, AT_ONCE);
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_WRITE, HPA);
	CHECK(np_unmap(&fx.table, 0, K4) == 0);
	release(&fx.rel, HPA, K4);
	CHECK(fx.model.violations == 2);
	/* A stale translation keeps working until then: the model remembers. */
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 8, NP_WRITE) == HPA + 8);
	mem_flush_if_stale(&fx.space);
	run_on(&fx, 1);
	CHECK(tlb_access(&fx.model, 1, 3, &fx.table, 8, NP_WRITE) == TLB_NO_PAGE);
	/* Write-protect without invalidating: a writable entry survives. */
	CHECK(np_map(&fx.table, 0, HPA, K4, NP_READ | NP_WRITE) == 0);
	warm(&fx, 0, NP_WRITE, HPA);
	CHECK(np_protect(&fx.table, 0, K4, NP_READ) == 0);
	due(&fx.rel);
	CHECK(!tlb_check_read_only(&fx.model, HPA, K4));
	fixture_finish(&fx);
}

/*
 * Random operations on three CPUs that enter and leave the guest while a
 * fourth changes the table: map (first touch), access, write-protect,
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
	fixture_init(&fx, f, (seed & 1) ? AT_ENTRY : AT_ONCE);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned page = (unsigned)rand() % PAGES, cpu = (unsigned)rand() % SELF;
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
				due(&fx.rel);
				CHECK(tlb_check_read_only(&fx.model, owner[page], K4));
			}
			break;
		default:  /* the guest runs and reads; sometimes it exits */
			if (!fx.model.cpus[cpu].in_guest || rand() % 4 == 0)
				run_on(&fx, cpu);
			got = tlb_access(&fx.model, cpu, fx.backend.tag, &fx.table, gpa, NP_READ);
			CHECK(got == (owner[page] ? owner[page] : TLB_NO_PAGE));
			break;
		}
	}
	CHECK(fx.model.violations == 0 && fx.space.kicks > 0);
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
		case_split_2m(f);
		case_bad_calls(f);
		case_teardown(f);
		case_model_catches_wrong_orders(f);
		for (unsigned seed = 1; seed <= 4; seed++)
			case_random(f, seed);
	}
	printf("mem_invalidate_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
