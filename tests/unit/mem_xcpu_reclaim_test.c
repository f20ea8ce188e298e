/*
 * mem_xcpu_reclaim_test.c - reclaim on one CPU taking pages from a guest
 * that runs on another, whatever the guest's devices or paging mode,
 * against the TLB model (tlb_model.c) and the one invalidation path
 * (hypervisor/mem/mem_invalidate.c).
 *
 * The guest's CPU (OWNER) and the reclaiming CPU (SELF) follow Skiff's
 * protocol (docs/smp.md): the owner holds the VM's claim whenever it is in
 * host code for the VM and gives it up only for guest mode; the reclaimer
 * only tries for it. Two more writers of guest memory are modelled:
 *  - a device completing into the page (a network frame onto the guest's
 *    ring, a disk read into its buffer): the owner's host code writes
 *    through Skiff's window, whose translation its CPU may have cached
 *    (dropped when it takes the claim after another CPU unmapped part of
 *    the window: window_stale);
 *  - shadow paging: the guest's CPU walks a shadow table (here one level of
 *    leaves, gva = gpa) that the owner fills from the nested table in an
 *    exit; a removal on another CPU drops exactly the page's leaves first
 *    (may_zap false), never every shadow (that frees tables the guest may
 *    be walking in guest mode).
 * Every frame released is poisoned: a guest access, a device write or a
 * shadow leaf reaching it afterwards is a violation. Each wrong order is
 * shown to be caught, so the random case can fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/mem/mem_invalidate.h"
#include "lib/errno.h"
#include "nested_paging_testlib.h"
#include "tlb_model.h"

#define K4 NP_PAGE_4K
#define HPA (UINT64_C(1) << 32)
#define TAG 3u
#define OWNER 1u
#define SELF 3u
#define PAGES 32u
#define FRAMES 32768u
#define RW (NP_READ | NP_WRITE)
#define CLAIM_HELD 1   /* reclaim's result when another CPU holds the claim */

enum owner_state { IN_GUEST, WAITING, IN_HOST };

/* What a case breaks on purpose (CORRECT: nothing). */
enum broken {
	CORRECT,
	DEVICE_WITHOUT_CLAIM,     /* a completion written by a CPU without the claim */
	WINDOW_NOT_DROPPED,       /* the owner ignores window_stale */
	FILL_WITHOUT_CLAIM,       /* a shadow fill racing the removal */
	LEAVES_KEPT,              /* zap_page drops nothing */
	FULL_ZAP_REMOTE,          /* may_zap says yes on the remote CPU */
};

struct fixture {
	struct test_alloc alloc, shadow_alloc;
	struct np_table nested, shadow;
	struct tlb_model model;
	struct mem_space space;
	enum broken broken;
	bool shadow_paged;
	uint32_t claim;                  /* 0 free, else 1 + the holder */
	bool window_stale;
	uint64_t window[PAGES];          /* Skiff's window: page -> frame, 0 none */
	uint64_t window_tlb[PAGES];      /* the owner's cached window translations */
	enum owner_state owner;
	uint64_t next_frame;
	bool released[FRAMES];
	uint32_t contents[FRAMES];       /* one word stands for a frame's bytes */
	uint32_t expect[PAGES];          /* what the guest wrote last (its data) */
	unsigned violations, full_zaps, page_zaps, removals, kicks;
	char last[160];
};

static unsigned frame_index(uint64_t hpa)
{
	return (unsigned)((hpa - HPA) / K4);
}

static void violation(struct fixture *fx, const char *what, uint64_t gpa)
{
	fx->violations++;
	snprintf(fx->last, sizeof(fx->last), "%s (gpa 0x%llx)", what, (unsigned long long)gpa);
}

/* reach: a write or read landing on hpa; a released frame is a violation. */
static bool reach(struct fixture *fx, uint64_t hpa, uint64_t gpa, const char *who)
{
	if (fx->released[frame_index(hpa)]) {
		violation(fx, who, gpa);
		return false;
	}
	return true;
}

/* ---- the invalidator: the backend and shadow paging of the VM ---- */

static void inv_zap(void *ctx)
{
	struct fixture *fx = ctx;

	fx->full_zaps++;
	/* Freeing the shadow's tables while a CPU may walk them in guest mode. */
	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++)
		if (fx->shadow_paged && fx->model.cpus[cpu].in_guest)
			violation(fx, "every shadow zapped while a CPU walks them in guest mode", 0);
	np_destroy(&fx->shadow);
	CHECK(np_init(&fx->shadow, fx->nested.format, &fx->shadow_alloc.ops) == 0);
}

static bool inv_zap_page(void *ctx, uint64_t gpa, uint64_t size)
{
	struct fixture *fx = ctx;

	fx->page_zaps++;
	if (fx->broken != LEAVES_KEPT && np_unmap(&fx->shadow, gpa, size) == 0)
		fx->shadow.stale = false;   /* the removal's own invalidation covers it */
	return true;
}

static bool inv_may_zap(void *ctx)
{
	struct fixture *fx = ctx;

	/* The reclaimer is never the guest's CPU here. */
	return !fx->shadow_paged || fx->broken == FULL_ZAP_REMOTE;
}

static void inv_flush_here(void *ctx, unsigned cpu)
{
	struct fixture *fx = ctx;

	tlb_flush_at_entry(&fx->model, cpu, TAG);
}

/* The kick: the owner leaves guest mode, acknowledges, then waits for
 * the claim before touching anything (enter_guest, vm_exit.c). */
static void inv_kick(void *ctx, unsigned cpu)
{
	struct fixture *fx = ctx;

	fx->kicks++;
	tlb_leave(&fx->model, cpu);
	mem_leave(cpu);
	if (cpu == OWNER)
		fx->owner = WAITING;
}

static unsigned inv_self(void)
{
	return SELF;
}

static void fixture_init(struct fixture *fx, const struct np_format *f, enum broken broken,
			 bool shadow_paged)
{
	memset(fx, 0, sizeof(*fx));
	test_alloc_init(&fx->alloc);
	test_alloc_init(&fx->shadow_alloc);
	CHECK(np_init(&fx->nested, f, &fx->alloc.ops) == 0);
	CHECK(np_init(&fx->shadow, f, &fx->shadow_alloc.ops) == 0);
	tlb_model_init(&fx->model);
	fx->broken = broken;
	fx->shadow_paged = shadow_paged;
	fx->next_frame = HPA;
	fx->owner = IN_HOST;
	fx->claim = 1 + OWNER;
	fx->space = (struct mem_space){
		.table = &fx->nested,
		.invalidator = { inv_zap, inv_flush_here, inv_kick, inv_self, NULL, fx,
				 inv_zap_page, inv_may_zap },
	};
	for (unsigned cpu = 0; cpu < TLB_CPUS; cpu++)
		mem_leave(cpu);
}

static void fixture_finish(struct fixture *fx)
{
	np_destroy(&fx->nested);
	np_destroy(&fx->shadow);
	CHECK(fx->alloc.live == 0 && fx->shadow_alloc.live == 0);
}

static bool try_claim(struct fixture *fx, unsigned cpu)
{
	if (fx->claim && fx->claim != cpu + 1)
		return false;
	fx->claim = cpu + 1;
	return true;
}

/* ---- the owner (the guest's CPU) ---- */

/* owner_claim: the owner, out of guest mode, takes the claim (vm_claim). */
static bool owner_claim(struct fixture *fx)
{
	if (!try_claim(fx, OWNER))
		return false;
	if (fx->window_stale && fx->broken != WINDOW_NOT_DROPPED) {
		memset(fx->window_tlb, 0, sizeof(fx->window_tlb));   /* reload CR3 */
		fx->window_stale = false;
	}
	fx->owner = IN_HOST;
	return true;
}

/* first_touch: page gets a frame with its contents (saved at its removal). */
static uint64_t first_touch(struct fixture *fx, unsigned page)
{
	uint64_t hpa = fx->next_frame;

	if (frame_index(hpa) + 1 >= FRAMES) {
		CHECK(!"the model ran out of frames");
		return 0;
	}
	fx->next_frame += K4;
	fx->contents[frame_index(hpa)] = fx->expect[page];
	CHECK(np_map(&fx->nested, page * K4, hpa, K4, RW) == 0);
	fx->window[page] = hpa;
	return hpa;
}

/* window_lookup: guest_ptr's frame for page, through the owner's TLB. */
static uint64_t window_lookup(struct fixture *fx, unsigned page)
{
	if (fx->window_tlb[page])
		return fx->window_tlb[page];
	if (!fx->window[page])
		first_touch(fx, page);   /* populate */
	return fx->window_tlb[page] = fx->window[page];
}

/* device_write: a completion into page (the owner in host code). */
static void device_write(struct fixture *fx, unsigned page, uint32_t value)
{
	uint64_t hpa = window_lookup(fx, page);

	if (reach(fx, hpa, page * K4, "a device wrote into a released frame")) {
		fx->contents[frame_index(hpa)] = value;
		fx->expect[page] = value;
	}
}

/* shadow_fill_read / _write: the two halves of a shadow fill. */
static uint64_t shadow_fill_read(struct fixture *fx, unsigned page)
{
	uint64_t hpa;

	if (np_lookup(&fx->nested, page * K4, &hpa, NULL, NULL) != 0)
		hpa = first_touch(fx, page);
	return hpa;
}

static void shadow_fill_write(struct fixture *fx, unsigned page, uint64_t hpa)
{
	CHECK(np_map(&fx->shadow, page * K4, hpa, K4, RW) == 0);
}

static void owner_enter(struct fixture *fx)
{
	fx->claim = 0;
	mem_enter(&fx->space, OWNER);
	tlb_enter(&fx->model, OWNER, TAG);
	fx->owner = IN_GUEST;
}

/* guest_access: the guest touches page; false when it faults (an exit). */
static bool guest_access(struct fixture *fx, unsigned page, bool write, uint32_t value)
{
	const struct np_table *walked = fx->shadow_paged ? &fx->shadow : &fx->nested;
	uint64_t hpa = tlb_access(&fx->model, OWNER, TAG, walked, page * K4,
				  write ? NP_WRITE : NP_READ);

	if (hpa == TLB_NO_PAGE)
		return false;
	if (!reach(fx, hpa, page * K4, "the guest reached a released frame"))
		return true;
	if (write) {
		fx->contents[frame_index(hpa)] = value;
		fx->expect[page] = value;
	} else if (fx->contents[frame_index(hpa)] != fx->expect[page]) {
		violation(fx, "the guest read data that is not its own", page * K4);
	}
	return true;
}

/* ---- the reclaimer (another CPU) ---- */

struct release_ctx {
	struct fixture *fx;
	unsigned page;
};

/* release: what vm_page_out's release does, then the frame is handed on. */
static void release(void *ctx, uint64_t hpa, uint64_t size)
{
	struct release_ctx *r = ctx;
	struct fixture *fx = r->fx;
	uint64_t derived;

	(void)size;
	fx->window[r->page] = 0;
	fx->window_stale = true;
	fx->model.due_mask = fx->space.flush_due;
	fx->model.due_tag = TAG;
	if (!tlb_check_reusable(&fx->model, hpa, K4))
		violation(fx, fx->model.last, r->page * K4);
	if (np_lookup(&fx->shadow, r->page * K4, &derived, NULL, NULL) == 0 && derived == hpa)
		violation(fx, "a shadow leaf still maps a released frame", r->page * K4);
	fx->released[frame_index(hpa)] = true;
	fx->removals++;
}

/* reclaim: take page from the guest (its contents saved, as eviction does);
 * CLAIM_HELD when the claim is held elsewhere, else mem_remove's result. */
static int reclaim(struct fixture *fx, unsigned page, bool honour_claim)
{
	struct release_ctx r = { fx, page };
	uint32_t held = fx->claim;
	uint64_t hpa;
	int rc;

	if (honour_claim && !try_claim(fx, SELF))
		return CLAIM_HELD;
	if (np_lookup(&fx->nested, page * K4, &hpa, NULL, NULL) == 0)
		fx->expect[page] = fx->contents[frame_index(hpa)];
	rc = mem_remove(&fx->space, page * K4, K4, 0, release, &r);
	fx->claim = honour_claim ? 0 : held;
	return rc;
}

/* ---- scripted cases: the right order passes, each wrong one fails ---- */

/* warm: the owner maps page (a fill under shadow paging), enters, writes. */
static void warm(struct fixture *fx, unsigned page, uint32_t value)
{
	if (fx->shadow_paged)
		shadow_fill_write(fx, page, shadow_fill_read(fx, page));
	else if (np_lookup(&fx->nested, page * K4, NULL, NULL, NULL) != 0)
		first_touch(fx, page);
	owner_enter(fx);
	CHECK(guest_access(fx, page, true, value));
}

static void case_device_write(const struct np_format *f, enum broken broken)
{
	struct fixture fx;
	uint64_t hpa;

	fixture_init(&fx, f, broken, false);
	warm(&fx, 2, 0x1111);
	/* An exit: the owner's host code looks up the guest's ring page. */
	CHECK(guest_access(&fx, 2, false, 0));
	tlb_leave(&fx.model, OWNER);
	mem_leave(OWNER);
	fx.owner = WAITING;
	CHECK(owner_claim(&fx));
	hpa = window_lookup(&fx, 2);
	CHECK(hpa != 0);
	if (broken == DEVICE_WITHOUT_CLAIM) {
		/* Written from a CPU that does not hold the claim: the
		 * reclaimer sees it free and takes the page in between. */
		fx.claim = 0;
		CHECK(reclaim(&fx, 2, true) == 0);
		device_write(&fx, 2, 0x2222);
	} else {
		/* The completion comes under the claim: reclaim must wait. */
		CHECK(reclaim(&fx, 2, true) == CLAIM_HELD);
		device_write(&fx, 2, 0x2222);
		owner_enter(&fx);
		CHECK(reclaim(&fx, 2, true) == 0);   /* kicks it out */
		CHECK(fx.kicks == 1 && fx.owner == WAITING);
		/* The next completion: the claim drops the stale window. */
		CHECK(owner_claim(&fx));
		device_write(&fx, 2, 0x3333);
		owner_enter(&fx);
		/* Not mapped again when the write went to the stale window. */
		CHECK(guest_access(&fx, 2, false, 0) == (broken == CORRECT));
	}
	if (broken == CORRECT)
		CHECK(fx.violations == 0 && fx.removals == 1);
	else
		CHECK(fx.violations > 0);
	fixture_finish(&fx);
}

/* zap_page of a reverse map that overflowed: it cannot tell. */
static bool map_lost(void *ctx, uint64_t gpa, uint64_t size)
{
	(void)ctx;
	(void)gpa;
	(void)size;
	return false;
}

static void case_shadow_fill(const struct np_format *f, enum broken broken)
{
	struct fixture fx;
	uint64_t hpa;

	fixture_init(&fx, f, broken, true);
	warm(&fx, 4, 0xaaaa);
	warm(&fx, 5, 0xbbbb);   /* the guest is in guest mode now, on its shadow */
	if (broken == FILL_WITHOUT_CLAIM) {
		/* The owner fills page 6 having read the nested entry, and the
		 * reclaimer takes the page before the leaf is written. */
		tlb_leave(&fx.model, OWNER);
		mem_leave(OWNER);
		CHECK(owner_claim(&fx));
		hpa = shadow_fill_read(&fx, 6);
		CHECK(reclaim(&fx, 6, false) == 0);
		shadow_fill_write(&fx, 6, hpa);
		owner_enter(&fx);
		guest_access(&fx, 6, true, 0xcccc);
	} else if (broken == LEAVES_KEPT) {
		(void)reclaim(&fx, 4, true);   /* the leaf outlives the frame */
	} else if (broken == FULL_ZAP_REMOTE) {
		/* The map cannot tell: every shadow is dropped, its tables freed
		 * before the guest was kicked out of them. */
		fx.space.invalidator.zap_page = map_lost;
		(void)reclaim(&fx, 4, true);
	} else {
		/* Taken from under the running guest: only its leaves go, the
		 * guest is kicked out and waits for the claim. */
		CHECK(reclaim(&fx, 4, true) == 0);
		CHECK(fx.page_zaps == 1 && fx.kicks == 1 && fx.owner == WAITING);
		CHECK(owner_claim(&fx));
		owner_enter(&fx);
		CHECK(guest_access(&fx, 5, false, 0));
		CHECK(!guest_access(&fx, 4, false, 0));   /* faults: filled again */
		tlb_leave(&fx.model, OWNER);
		mem_leave(OWNER);
		CHECK(owner_claim(&fx));
		shadow_fill_write(&fx, 4, shadow_fill_read(&fx, 4));
		owner_enter(&fx);
		CHECK(guest_access(&fx, 4, false, 0));   /* 0xaaaa, from the store */
	}
	if (broken == CORRECT)
		CHECK(fx.violations == 0 && fx.full_zaps == 0);
	else
		CHECK(fx.violations > 0);
	fixture_finish(&fx);
}

/* Where only a full zap would do, the remote removal changes nothing. */
static void case_refusals(const struct np_format *f)
{
	struct fixture fx;
	struct release_ctx r = { &fx, 4 };
	uint64_t hpa;

	fixture_init(&fx, f, CORRECT, true);
	warm(&fx, 4, 0xaaaa);
	fx.space.invalidator.zap_page = map_lost;
	CHECK(mem_remove(&fx.space, 4 * K4, K4, 0, release, &r) == -EBUSY);
	CHECK(mem_remove(&fx.space, 4 * K4, K4, NP_READ, NULL, NULL) == -EBUSY);
	fx.space.invalidator.zap_page = NULL;   /* nothing exact to drop with */
	CHECK(mem_remove(&fx.space, 4 * K4, K4, 0, release, &r) == -EBUSY);
	fx.space.invalidator.zap_page = inv_zap_page;
	fx.nested.stale = true;                  /* an earlier change owes a zap */
	CHECK(mem_remove(&fx.space, 4 * K4, K4, 0, release, &r) == -EBUSY);
	fx.nested.stale = false;
	CHECK(np_lookup(&fx.nested, 4 * K4, &hpa, NULL, NULL) == 0 && !fx.released[frame_index(hpa)]);
	CHECK(fx.full_zaps == 0 && fx.removals == 0 && fx.kicks == 0);
	CHECK(guest_access(&fx, 4, false, 0));
	CHECK(fx.violations == 0);
	fixture_finish(&fx);
}

/*
 * Random interleavings of the owner (guest accesses, exits, fills, device
 * completions) and the reclaimer: every access and completion reaches the
 * guest's own frame with its own data, no frame is reached after its
 * release, and pages are really taken from under the running guest.
 */
static void case_random(const struct np_format *f, bool shadow_paged, unsigned seed)
{
	enum { STEPS = 30000 };
	struct fixture fx;
	unsigned pending = PAGES, taken = 0, value = 1;

	srand(seed);
	fixture_init(&fx, f, CORRECT, shadow_paged);
	owner_enter(&fx);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned page = (unsigned)rand() % PAGES;

		if (rand() % 3 == 0) {
			taken += reclaim(&fx, page, true) == 0;
			continue;
		}
		switch (fx.owner) {
		case IN_GUEST:
			if (rand() % 8 == 0 || !guest_access(&fx, page, rand() % 2, value++)) {
				pending = page;   /* an exit (a fault on page, or the timer) */
				tlb_leave(&fx.model, OWNER);
				mem_leave(OWNER);
				fx.owner = WAITING;
			}
			break;
		case WAITING:
			(void)owner_claim(&fx);
			break;
		case IN_HOST:
			if (pending < PAGES && shadow_paged)
				shadow_fill_write(&fx, pending, shadow_fill_read(&fx, pending));
			else if (pending < PAGES && np_lookup(&fx.nested, pending * K4, NULL, NULL, NULL))
				first_touch(&fx, pending);
			pending = PAGES;
			if (rand() % 2)
				device_write(&fx, page, value++);
			owner_enter(&fx);
			break;
		}
	}
	CHECK(fx.violations == 0 && taken > 100 && fx.kicks > 0 && fx.full_zaps == 0);
	if (fx.violations)
		fprintf(stderr, "  %s\n", fx.last);
	fixture_finish(&fx);
}

int main(void)
{
	for (size_t i = 0; i < test_format_count; i++) {
		const struct np_format *f = test_formats[i];

		test_context = f->name;
		case_device_write(f, CORRECT);
		case_device_write(f, DEVICE_WITHOUT_CLAIM);
		case_device_write(f, WINDOW_NOT_DROPPED);
		case_shadow_fill(f, CORRECT);
		case_shadow_fill(f, FILL_WITHOUT_CLAIM);
		case_shadow_fill(f, LEAVES_KEPT);
		case_shadow_fill(f, FULL_ZAP_REMOTE);
		case_refusals(f);
		for (unsigned seed = 1; seed <= 3; seed++) {
			case_random(f, false, seed);
			case_random(f, true, seed);
		}
	}
	printf("mem_xcpu_reclaim_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
