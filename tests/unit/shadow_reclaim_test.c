/*
 * shadow_reclaim_test.c - a page the memory core takes from a shadow-paged
 * guest (zero-page reclaim, eviction, unmap, write protection) leaves the
 * shadows before its frame is handed on: mem_remove (hypervisor/mem/
 * mem_invalidate.c) with the zap_page hook that shadow paging installs
 * (shadow_drop_page_leaves, hypervisor/mem/shadow/shadow_reclaim.c),
 * checked at the moment of release against the shadow tables themselves
 * and against the TLB model (tlb_model.c) standing for the vCPU's tag.
 * Only the leaves of the page go; a map that cannot tell, or a table that
 * was stale already, falls back to dropping every shadow. A hook that
 * leaves a leaf behind is shown to be caught, so these tests can fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/shadow/guest_walk.h"
#include "hypervisor/mem/shadow/shadow_reclaim.h"
#include "nested_paging_testlib.h"
#include "tlb_model.h"

#define K4 NP_PAGE_4K
#define M2 NP_PAGE_2M
#define HPA (UINT64_C(1) << 32)
#define TAG 3u
#define SELF 3u
#define SHADOWS 2u

/* Guest pages and their frames. */
#define G1 (5 * K4)
#define G2 (6 * K4)
#define GL (2 * M2)            /* a 2 MiB block, one frame */
#define H1 (HPA + 9 * K4)
#define H2 (HPA + 10 * K4)
#define HL (HPA + 4 * M2)

/* Every shadow leaf the cases make: which shadow, where, to which frame. */
struct leaf {
	unsigned shadow;
	uint64_t va, gpa, hpa;
	bool large;
};

static const struct leaf leaves[] = {
	{ 0, 0x400000, G1, H1, false },
	{ 0, 0x7000, G1, H1, false },          /* an alias of the same page */
	{ 0, 0x8000, G2, H2, false },
	{ 1, 0x10000, G1, H1, false },         /* another address space */
	{ 1, 0x40000000, GL, HL, true },       /* a 2 MiB leaf */
};
#define LEAVES (sizeof(leaves) / sizeof(leaves[0]))

enum hook { PRECISE, BROKEN_KEEPS_LEAVES, NO_HOOK };

struct fixture {
	struct test_alloc alloc;
	struct np_table table;
	struct tlb_model model;
	struct mem_space space;
	struct st_alloc st;
	uint64_t roots[SHADOWS];
	uint32_t ids[SHADOWS];
	struct shadow_rmap rmap;
	uint64_t rmap_storage[RMAP_STORAGE_BYTES(RMAP_CAPACITY) / 8];
	uint8_t seen[256];      /* the clock's kept bits, one per guest page */
	enum hook hook;
	unsigned full_zaps, page_zaps, released, violations;
};

static uint64_t pool_alloc(void *ctx)
{
	void *p = aligned_alloc(4096, 4096);

	(void)ctx;
	if (p)
		memset(p, 0, 4096);
	return (uint64_t)(uintptr_t)p;
}

static void pool_free(void *ctx, uint64_t addr)
{
	(void)ctx;
	free((void *)(uintptr_t)addr);
}

static uint64_t *pool_virt(void *ctx, uint64_t addr)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)addr;
}

static uint64_t root_of(void *ctx, uint32_t id)
{
	struct fixture *fx = ctx;

	for (unsigned i = 0; i < SHADOWS; i++)
		if (fx->ids[i] == id)
			return fx->roots[i];
	return 0;
}

/* The invalidator's parts, as vm_memory.c wires them for a shadow VM. */
static void full_zap(void *ctx)
{
	struct fixture *fx = ctx;

	for (unsigned i = 0; i < SHADOWS; i++) {
		st_zap(&fx->st, fx->roots[i]);
		fx->ids[i] += SHADOWS;   /* emptied: a fresh id */
	}
	rmap_clear(&fx->rmap);
	fx->full_zaps++;
}

static bool zap_page(void *ctx, uint64_t gpa, uint64_t size)
{
	struct fixture *fx = ctx;

	fx->page_zaps++;
	if (fx->hook == BROKEN_KEEPS_LEAVES)
		return true;
	for (uint64_t page = gpa; page < gpa + size; page += K4)
		if (shadow_drop_page_leaves(&fx->rmap, &fx->st, page, root_of, fx) < 0)
			return false;
	return true;
}

static void flush_here(void *ctx, unsigned cpu)
{
	struct fixture *fx = ctx;

	tlb_flush_at_entry(&fx->model, cpu, TAG);
}

static void kick(void *ctx, unsigned cpu)
{
	struct fixture *fx = ctx;

	tlb_leave(&fx->model, cpu);
	mem_leave(cpu);
}

static unsigned self(void)
{
	return SELF;
}

/* leaf_reaches: the shadow leaf still maps [hpa, hpa+size) (writable only:
 * when only writable ones count). */
static bool leaf_reaches(struct fixture *fx, const struct leaf *l, uint64_t hpa, uint64_t size,
			 bool writable_only)
{
	uint64_t pte = st_get_leaf(&fx->st, fx->roots[l->shadow], l->va);
	uint64_t base = pte & PTE_ADDR & ~((pte & PTE_PS) ? M2 - 1 : K4 - 1);
	uint64_t span = (pte & PTE_PS) ? M2 : K4;

	if (!(pte & PTE_P) || (writable_only && !(pte & PTE_RW)))
		return false;
	return base < hpa + size && hpa < base + span;
}

/* The moment of reuse: no shadow leaf and no CPU may reach the frame. */
static void release(void *ctx, uint64_t hpa, uint64_t size)
{
	struct fixture *fx = ctx;

	fx->released++;
	for (unsigned i = 0; i < LEAVES; i++)
		if (leaf_reaches(fx, &leaves[i], hpa, size, false)) {
			fx->violations++;
			if (fx->hook != BROKEN_KEEPS_LEAVES)
				printf("  shadow %u still maps va 0x%llx to reused frame 0x%llx\n",
				       leaves[i].shadow, (unsigned long long)leaves[i].va,
				       (unsigned long long)hpa);
		}
	fx->model.due_mask = fx->space.flush_due;
	fx->model.due_tag = TAG;
	tlb_check_reusable(&fx->model, hpa, size);
}

static void add_leaf(struct fixture *fx, const struct leaf *l)
{
	uint64_t pte = l->hpa | PTE_P | PTE_RW | PTE_A | PTE_D;
	struct rmap_record r = {
		.page = l->gpa, .va = l->va, .shadow = fx->ids[l->shadow], .level = 0,
		.large = l->large,
	};

	if (l->large)
		CHECK(st_set_large(&fx->st, fx->roots[l->shadow], l->va, pte) == 0);
	else
		CHECK(st_set_leaf(&fx->st, fx->roots[l->shadow], l->va, pte) == 0);
	rmap_add(&fx->rmap, &r);
}

static void fixture_init(struct fixture *fx, const struct np_format *f, enum hook hook)
{
	memset(fx, 0, sizeof(*fx));
	test_alloc_init(&fx->alloc);
	CHECK(np_init(&fx->table, f, &fx->alloc.ops) == 0);
	CHECK(np_map(&fx->table, G1, H1, K4, NP_READ | NP_WRITE) == 0);
	CHECK(np_map(&fx->table, G2, H2, K4, NP_READ | NP_WRITE) == 0);
	CHECK(np_map(&fx->table, GL, HL, M2, NP_READ | NP_WRITE) == 0);
	tlb_model_init(&fx->model);
	fx->hook = hook;
	fx->space = (struct mem_space){
		.table = &fx->table,
		.invalidator = { full_zap, flush_here, kick, self, NULL, fx,
				 hook == NO_HOOK ? NULL : zap_page },
	};
	fx->st = (struct st_alloc){ pool_alloc, pool_free, pool_virt, NULL, 0 };
	rmap_init(&fx->rmap, fx->rmap_storage, RMAP_CAPACITY);
	for (unsigned i = 0; i < SHADOWS; i++) {
		fx->roots[i] = st_root_new(&fx->st);
		fx->ids[i] = i + 1;
	}
	for (unsigned i = 0; i < LEAVES; i++)
		add_leaf(fx, &leaves[i]);
	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++)
		mem_leave(cpu);
	/* The vCPU runs and caches the page (CPU 0, left in the guest). */
	mem_enter(&fx->space, 0);
	tlb_enter(&fx->model, 0, TAG);
	CHECK(tlb_access(&fx->model, 0, TAG, &fx->table, G1, NP_WRITE) == H1);
	CHECK(tlb_access(&fx->model, 0, TAG, &fx->table, GL + 5 * K4, NP_WRITE) == HL + 5 * K4);
}

static void fixture_finish(struct fixture *fx)
{
	for (unsigned i = 0; i < SHADOWS; i++)
		st_free(&fx->st, fx->roots[i]);
	CHECK(fx->st.pages == 0);
	np_destroy(&fx->table);
}

static bool still_mapped(struct fixture *fx, unsigned i)
{
	return leaf_reaches(fx, &leaves[i], leaves[i].hpa, K4, false);
}

/* Reclaim of one page: its three leaves in two shadows go, nothing else. */
static void case_reclaim_is_precise(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	CHECK(mem_remove(&fx.space, G1, K4, 0, release, &fx) == 0);
	CHECK(fx.released == 1 && fx.violations == 0 && fx.model.violations == 0);
	CHECK(fx.page_zaps == 1 && fx.full_zaps == 0);
	CHECK(!still_mapped(&fx, 0) && !still_mapped(&fx, 1) && !still_mapped(&fx, 3));
	CHECK(still_mapped(&fx, 2) && still_mapped(&fx, 4));
	/* The vCPU was kicked and flushes before it runs again. */
	CHECK(fx.space.flush_due & 1);
	fixture_finish(&fx);
}

/* One 4 KiB page of a 2 MiB frame: the 2 MiB shadow leaf over it goes. */
static void case_reclaim_in_large(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	CHECK(mem_split(&fx.space, GL + 5 * K4) == 0);
	CHECK(mem_remove(&fx.space, GL + 5 * K4, K4, 0, release, &fx) == 0);
	CHECK(fx.released == 1 && fx.violations == 0 && fx.model.violations == 0);
	CHECK(!still_mapped(&fx, 4) && still_mapped(&fx, 0) && fx.full_zaps == 0);
	fixture_finish(&fx);
}

/* Write protection (sharing, dirty tracking): no writable leaf survives. */
static void case_narrow(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	CHECK(mem_remove(&fx.space, G2, K4, NP_READ, release, &fx) == 0);
	CHECK(fx.released == 0 && fx.full_zaps == 0);
	CHECK(!leaf_reaches(&fx, &leaves[2], H2, K4, true) && still_mapped(&fx, 0));
	fixture_finish(&fx);
}

/* A map that overflowed, or a table stale before the call: every shadow. */
static void case_fallbacks(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	for (uint64_t i = 0; !fx.rmap.lost; i++) {
		struct rmap_record r = { .page = (64 + i) << 12, .va = i << 12, .shadow = 1 };
		rmap_add(&fx.rmap, &r);
	}
	CHECK(mem_remove(&fx.space, G1, K4, 0, release, &fx) == 0);
	CHECK(fx.full_zaps == 1 && fx.violations == 0 && fx.model.violations == 0);
	CHECK(!still_mapped(&fx, 2) && !still_mapped(&fx, 4));
	fixture_finish(&fx);

	fixture_init(&fx, f, PRECISE);
	fx.table.stale = true;   /* an earlier change not yet invalidated */
	CHECK(mem_remove(&fx.space, G2, K4, 0, release, &fx) == 0);
	CHECK(fx.page_zaps == 0 && fx.full_zaps == 1 && fx.violations == 0);
	CHECK(!still_mapped(&fx, 0));
	fixture_finish(&fx);

	fixture_init(&fx, f, NO_HOOK);
	CHECK(mem_remove(&fx.space, G1, K4, 0, release, &fx) == 0);
	CHECK(fx.full_zaps == 1 && fx.violations == 0);
	fixture_finish(&fx);
}

/* The check can fail: a hook that keeps a leaf is caught at release. */
static void case_broken_hook_is_caught(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, BROKEN_KEEPS_LEAVES);
	CHECK(mem_remove(&fx.space, G1, K4, 0, release, &fx) == 0);
	CHECK(fx.released == 1 && fx.violations == 3 && fx.full_zaps == 0);
	fixture_finish(&fx);
}

/*
 * The eviction clock under shadow paging (shadow_take_page_accessed): the
 * CPU sets accessed bits in the shadow leaves it walks; the clock clears
 * them one leaf at a time and has the tag flushed, never dropping a shadow.
 */

/* cpu_touch: the vCPU (CPU 0, in the guest) uses leaf i: through its TLB
 * when it cached the page (no walk: the leaf's A bit stays as it is), else
 * by walking, which sets the leaf's A bit, as a CPU does. */
static void cpu_touch(struct fixture *fx, unsigned i)
{
	const struct leaf *l = &leaves[i];
	struct tlb_cpu *c = &fx->model.cpus[0];
	bool cached = false;

	for (unsigned e = 0; e < TLB_ENTRIES; e++)
		cached |= c->entries[e].valid && c->entries[e].tag == TAG &&
			l->gpa - c->entries[e].gpa < c->entries[e].size;
	CHECK(tlb_access(&fx->model, 0, TAG, &fx->table, l->gpa, NP_READ) != TLB_NO_PAGE);
	if (!cached) {
		uint64_t pte = st_get_leaf(&fx->st, fx->roots[l->shadow], l->va);

		CHECK(pte & PTE_P);
		if (l->large)
			CHECK(st_set_large(&fx->st, fx->roots[l->shadow], l->va, (pte & ~PTE_PS) | PTE_A) == 0);
		else
			CHECK(st_set_leaf(&fx->st, fx->roots[l->shadow], l->va, pte | PTE_A) == 0);
	}
}

/* clock: one pass of the clock over page (as vm_evict.c's try_evict with
 * shadow_take_accessed), then the step's flush when flush is set. */
static int clock(struct fixture *fx, uint64_t gpa, uint64_t hpa, bool flush)
{
	unsigned cleared = 0;
	int used = shadow_take_page_accessed(&fx->rmap, &fx->st, gpa, hpa, root_of, fx, fx->seen,
					     &cleared);

	if (cleared && flush)
		mem_mark_cached_stale(&fx->space);
	mem_flush_if_stale(&fx->space);
	return used;
}

/* the vCPU enters again (after the clock's kick), flushing if due */
static void cpu_enter(struct fixture *fx)
{
	mem_enter(&fx->space, 0);
	tlb_enter(&fx->model, 0, TAG);
}

/* A hot page stays, a cold one is evicted; no shadow is ever dropped whole,
 * and the evicted page's leaf and TLB entry are gone before its frame is
 * reused. */
static void case_clock_hot_and_cold(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	/* First pass: the fills set A; three leaves of G1, one of G2. */
	CHECK(clock(&fx, G1, H1, true) == 1 && clock(&fx, G2, H2, true) == 1);
	CHECK(fx.full_zaps == 0 && fx.space.invalidations == 2 && (fx.space.flush_due & 1));
	CHECK(still_mapped(&fx, 0) && still_mapped(&fx, 1) && still_mapped(&fx, 2));
	CHECK(!(st_get_leaf(&fx.st, fx.roots[0], 0x400000) & PTE_A));
	CHECK(!(st_get_leaf(&fx.st, fx.roots[1], 0x10000) & PTE_A));
	/* The guest runs again: it uses G1 (through one alias), not G2. */
	cpu_enter(&fx);
	cpu_touch(&fx, 1);
	CHECK(st_get_leaf(&fx.st, fx.roots[0], 0x7000) & PTE_A);
	/* Second pass: G1 is hot (passed over), G2 is cold: evicted. */
	CHECK(clock(&fx, G1, H1, true) == 1);
	CHECK(clock(&fx, G2, H2, true) == 0);
	CHECK(mem_remove(&fx.space, G2, K4, 0, release, &fx) == 0);
	CHECK(fx.released == 1 && fx.violations == 0 && fx.model.violations == 0);
	CHECK(!still_mapped(&fx, 2) && still_mapped(&fx, 0) && still_mapped(&fx, 3));
	CHECK(fx.full_zaps == 0 && fx.page_zaps == 1);
	fixture_finish(&fx);
}

/* Why the clock flushes: without it the vCPU keeps its cached translation
 * and its use sets no A bit, so a hot page looks cold. Evicting it anyway
 * is still safe: the leaf and the TLB entry go before the frame does. */
static void case_clock_without_flush(const struct np_format *f)
{
	static struct fixture fx;

	fixture_init(&fx, f, PRECISE);
	CHECK(clock(&fx, G1, H1, false) == 1);
	CHECK(fx.space.invalidations == 0 && !(fx.space.flush_due & 1));
	cpu_touch(&fx, 0);   /* cached since fixture_init: no walk, no A */
	CHECK(clock(&fx, G1, H1, false) == 0);
	CHECK(mem_remove(&fx.space, G1, K4, 0, release, &fx) == 0);
	CHECK(fx.released == 1 && fx.violations == 0 && fx.model.violations == 0);
	CHECK(fx.full_zaps == 0 && !still_mapped(&fx, 0) && !still_mapped(&fx, 3));
	fixture_finish(&fx);
}

/* A 2 MiB leaf's bit, taken for one of its pages, is kept for the other
 * 511; a stale record (the va now maps another frame) reads nothing; a
 * lost map answers -1 and changes nothing. */
static void case_clock_large_and_lost(const struct np_format *f)
{
	static struct fixture fx;
	struct rmap_record stale = { .page = G2, .va = 0x400000, .shadow = 1 };
	unsigned cleared;

	fixture_init(&fx, f, PRECISE);
	CHECK(clock(&fx, GL + 5 * K4, HL + 5 * K4, true) == 1);
	CHECK(!(st_get_leaf(&fx.st, fx.roots[1], 0x40000000) & PTE_A));
	CHECK(clock(&fx, GL + 6 * K4, HL + 6 * K4, true) == 1);   /* kept for it */
	CHECK(clock(&fx, GL + 6 * K4, HL + 6 * K4, true) == 0);
	CHECK(fx.full_zaps == 0 && still_mapped(&fx, 4));

	rmap_add(&fx.rmap, &stale);   /* shadow 0 (id 1) maps H1 at 0x400000 */
	CHECK(clock(&fx, G2, H2, true) == 1);   /* G2's own leaf */
	CHECK(st_get_leaf(&fx.st, fx.roots[0], 0x400000) & PTE_A);

	for (uint64_t i = 0; !fx.rmap.lost; i++) {
		struct rmap_record r = { .page = (64 + i) << 12, .va = i << 12, .shadow = 1 };
		rmap_add(&fx.rmap, &r);
	}
	CHECK(shadow_take_page_accessed(&fx.rmap, &fx.st, G1, H1, root_of, &fx, fx.seen,
					&cleared) == -1 && cleared == 0);
	CHECK(st_get_leaf(&fx.st, fx.roots[0], 0x400000) & PTE_A);
	fixture_finish(&fx);
}

int main(void)
{
	for (size_t i = 0; i < test_format_count; i++) {
		test_context = test_formats[i]->name;
		case_reclaim_is_precise(test_formats[i]);
		case_reclaim_in_large(test_formats[i]);
		case_narrow(test_formats[i]);
		case_fallbacks(test_formats[i]);
		case_broken_hook_is_caught(test_formats[i]);
		case_clock_hot_and_cold(test_formats[i]);
		case_clock_without_flush(test_formats[i]);
		case_clock_large_and_lost(test_formats[i]);
	}
	printf("shadow_reclaim_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
