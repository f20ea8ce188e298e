/*
 * vm_reclaim.c - taking frames back from guests when none is free
 * (vm_memory.h), the two kinds that need no store, walked in bounded
 * steps over every tracked guest:
 *  - zero pages: 4 KiB pages of plain RAM that read as all zero. Each goes
 *    through the one invalidation path (mem_remove: unmap, invalidate,
 *    then release), and its next touch is a first touch that maps a fresh
 *    zeroed frame: the guest sees the same contents and notices only time.
 *  - shared pages: a guest's own read-only copy of a page of its image that
 *    another guest of the image maps from the share table (vm_share_merge:
 *    the copy goes through the same path, the shared frame takes its place).
 * Pages a guest reports free are not walked here: the report's hypercall
 * takes them back at once (vm_free_report.c), so by the time memory runs
 * short they are free frames already; vm_reclaim_account counts them with
 * the other kinds for the figures.
 */
#include "hypervisor/vm/vm_memory.h"

#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/time/time.h"
#include "hypervisor/console.h"
#include "hypervisor/vm/reclaim/vm_share.h"
#include "nested_paging/nested_paging.h"

/* Bounds per call, so a large guest cannot stall Skiff. */
#define RECLAIM_SCAN_PAGES 4096u
#define RECLAIM_WANT 64u

static struct vm *tracked[HOST_WINDOW_COUNT];

/* Where a kind's walk stopped: the next call goes on from there. */
struct walk_cursor {
	unsigned vm;
	uint64_t gpa;
};

static struct walk_cursor zero_cursor, share_cursor;
/* Zero-page reclaim walks only ids below slots (one more than the highest
 * ever tracked), so a round costs the guests there are, not the 16,320
 * windows there could be. Eviction (vm_evict.c) still wraps over every
 * window: its pass over the empty ones ends its step early, which keeps
 * it from trying to compress the same incompressible pages round after
 * round (mem_overcommit's ramtest pages), and costs little beside that. */
static unsigned slots = 1;
static uint64_t tracked_pages;   /* of all tracked VMs: one round */
static uint64_t cross_cpu_reclaimed;   /* pages taken from other CPUs' VMs */

void vm_reclaim_track(struct vm *vm, bool on)
{
	if (on && !tracked[vm->id])
		tracked_pages += vm->mem.size / GP_PAGE_SIZE;
	else if (!on && tracked[vm->id])
		tracked_pages -= vm->mem.size / GP_PAGE_SIZE;
	tracked[vm->id] = on ? vm : NULL;
	if (on && vm->id >= slots)
		slots = vm->id + 1;
}

struct vm *vm_reclaim_at(unsigned id)
{
	return id < HOST_WINDOW_COUNT ? tracked[id] : NULL;
}

uint64_t vm_reclaim_round_pages(void)
{
	return tracked_pages;
}

static bool frame_is_zero(uint64_t hpa)
{
	const uint64_t *word = (const uint64_t *)(uintptr_t)hpa;

	for (unsigned i = 0; i < FRAME_SIZE / sizeof(*word); i++)
		if (word[i] != 0)
			return false;
	return true;
}

/*
 * still_zero: a page of a VM whose guest may be running on another CPU
 * (not stopped by this CPU's own code): write-protect it first (kicking
 * that CPU out of the guest, mem_invalidate.h), so the zeros cannot change
 * behind the look; if they are gone, the page is writable again (widening
 * needs no invalidation; a write that faulted meanwhile finds it allowed,
 * vm_exit.c). true: still zero, and read-only until vm_page_out.
 */
static bool still_zero(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	if (mem_remove(&vm->space, gpa, GP_PAGE_SIZE, NP_READ, NULL, NULL) != 0)
		return false;
	if (frame_is_zero(hpa))
		return true;
	(void)np_protect(&vm->nested, gpa, GP_PAGE_SIZE, PLAIN_RAM_PERMS);
	vm->nested.stale = false;   /* only widened: no CPU holds a stale entry */
	return false;
}

/*
 * A page just mapped for a fault is untouched until the guest's retry:
 * taking it from under a guest running on another CPU, whose retry then
 * faults again, could go on for ever.
 */
bool vm_reclaim_is_fresh(const struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < sizeof(vm->fresh_pages) / sizeof(vm->fresh_pages[0]); i++)
		if (vm->fresh_pages[i] == gpa)
			return true;
	return false;
}

/*
 * try_page: reclaim vm's page at gpa when it is a 4 KiB frame of plain RAM
 * holding only zeros. Returns the bytes the caller may skip (the page, or
 * a whole 2 MiB leaf) and sets *freed.
 */
static uint64_t try_page(struct vm *vm, uint64_t gpa, bool *freed)
{
	bool large;
	uint64_t hpa, skip = vm_plain_page_at(vm, gpa, &hpa, &large);
	bool remote = vm_cpu(vm) != this_cpu_index();

	*freed = false;
	if (remote && vm_reclaim_is_fresh(vm, gpa))
		return skip;
	if (!hpa || !frame_is_zero(hpa))
		return skip;
	/* A zero page inside a 2 MiB leaf: the leaf is split, only this page goes. */
	if ((large && vm_page_split(vm, gpa) != 0) || (remote && !still_zero(vm, gpa, hpa)))
		return skip;
	if (vm_page_out(vm, gpa, GP_PAGE_SIZE, false) == 0) {
		vm->zero_reclaimed++;
		if (remote)
			vm_reclaim_count_cross_cpu(vm, VM_RECLAIM_ZERO);
		*freed = true;
	}
	return GP_PAGE_SIZE;
}

/*
 * A VM still being built may hold zero pages the loader is about to write,
 * and spare is in the middle of a hypercall. Another CPU's VM must be
 * claimable (not in that CPU's exit handling, vm.h): that is what keeps
 * its devices apart from the removal (a network frame onto its ring, a
 * disk read into its buffer, POLL's report: all written by its own CPU,
 * through guest_ptr, under its claim, docs/smp.md), and its shadow fills
 * too (its CPU fills a shadow entry only in an exit, under the claim). A
 * shadow guest there may be walking its shadow tables in guest mode, so
 * only its page's leaves go (mem_remove, may_zap_vm); a stale nested
 * table would need every shadow zapped: left to its own CPU.
 */
bool vm_reclaim_claim(struct vm *vm, const struct vm *spare, bool *took)
{
	*took = false;
	if (vm == spare || !vm->vcpu_ready)
		return false;
	if (vm_cpu(vm) != this_cpu_index() && vm->shadow && vm->nested.stale)
		return false;
	/* Moved here but not yet taken over (balance_arrive): its VMCS/VMCB
	 * is not this CPU's to reload a shadow root through yet. (Another
	 * CPU's shadow guest is reclaimed without touching either.) */
	if (vm->shadow && vm_cpu(vm) == this_cpu_index() && vm->vcpu_cpu != this_cpu_index())
		return false;
	return vm_try_claim(vm, took);
}

void vm_reclaim_count_cross_cpu(struct vm *vm, unsigned kind)
{
	__atomic_fetch_add(&cross_cpu_reclaimed, 1, __ATOMIC_RELAXED);
	/* Under vm's claim: one writer at a time. */
	if (kind == VM_RECLAIM_ZERO)
		vm->remote_zero++;
	else if (kind == VM_RECLAIM_SHARED)
		vm->remote_shared++;
	else if (kind == VM_RECLAIM_COMPRESSED || kind == VM_RECLAIM_SWAPPED)
		vm->remote_evicted++;
}

uint64_t vm_reclaim_cross_cpu(void)
{
	return __atomic_load_n(&cross_cpu_reclaimed, __ATOMIC_RELAXED);
}

/* One page of a walk: the bytes to skip; *freed when a frame was freed. */
typedef uint64_t (*walk_page_fn)(struct vm *vm, uint64_t gpa, bool *freed);

/*
 * walk: try_one on pages from c on, until want frames are freed or scan
 * pages were looked at, or every tracked guest was passed once; *passed
 * as vm_reclaim_zero_pages says.
 */
static unsigned walk(struct walk_cursor *c, walk_page_fn try_one, unsigned want, unsigned scan,
		     const struct vm *spare, uint64_t *passed)
{
	unsigned freed = 0, scanned = 0, vms_passed = 0;

	*passed = 0;
	while (freed < want && scanned < scan && vms_passed <= slots) {
		struct vm *vm = tracked[c->vm];
		uint64_t step;
		bool got, took = false;

		if (!vm || c->gpa >= vm->mem.size || !vm_reclaim_claim(vm, spare, &took)) {
			if (vm && c->gpa < vm->mem.size)
				*passed += (vm->mem.size - c->gpa) / GP_PAGE_SIZE;
			c->vm = (c->vm + 1) % slots;
			c->gpa = 0;
			vms_passed++;
			continue;
		}
		step = try_one(vm, c->gpa, &got);
		if (took)
			vm_unclaim(vm);
		c->gpa += step;
		*passed += step / GP_PAGE_SIZE;
		freed += got;
		scanned++;
	}
	if (vms_passed > slots)
		*passed = tracked_pages;  /* a whole round within this call */
	return freed;
}

/* One bounded walk of a reclaim kind, its pages and ticks accounted. */
static unsigned walk_kind(struct walk_cursor *c, walk_page_fn try_one, enum vm_reclaim_kind kind,
			  const struct vm *spare, uint64_t *passed)
{
	uint64_t start = tsc_read();
	unsigned freed = walk(c, try_one, RECLAIM_WANT, RECLAIM_SCAN_PAGES, spare, passed);

	vm_reclaim_account(kind, freed, tsc_read() - start);
	return freed;
}

unsigned vm_reclaim_zero_pages(const struct vm *spare, uint64_t *passed)
{
	return walk_kind(&zero_cursor, try_page, VM_RECLAIM_ZERO, spare, passed);
}

/*
 * try_merge: vm_share_merge, for a VM of any CPU: the walk holds its claim,
 * so a guest kicked out by the removal waits for it (enter_guest, vm_exit.c)
 * and cannot fault on the page before the shared frame is mapped in its
 * place. The walk jumps over what lies outside the image's read-only
 * segments, so a round costs those pages, not the guest's RAM.
 */
static uint64_t try_merge(struct vm *vm, uint64_t gpa, bool *freed)
{
	uint64_t next;

	*freed = false;
	next = vm_share_next_ro(vm, gpa);
	if (next != gpa)
		return (next < vm->mem.size ? next : vm->mem.size) - gpa;
	*freed = vm_share_merge(vm, gpa);
	if (*freed && vm_cpu(vm) != this_cpu_index())
		vm_reclaim_count_cross_cpu(vm, VM_RECLAIM_SHARED);
	return GP_PAGE_SIZE;
}

unsigned vm_reclaim_shared_pages(const struct vm *spare, uint64_t *passed)
{
	return walk_kind(&share_cursor, try_merge, VM_RECLAIM_SHARED, spare, passed);
}

/* Per kind: frames freed and TSC ticks spent (instructions under QEMU
 * -icount and Bochs sync=none: bench/reclaim_bench.py reads them). */
static uint64_t kind_pages[VM_RECLAIM_KINDS], kind_ticks[VM_RECLAIM_KINDS];

void vm_reclaim_account(enum vm_reclaim_kind kind, uint64_t pages, uint64_t ticks)
{
	if ((unsigned)kind >= VM_RECLAIM_KINDS)
		return;
	__atomic_fetch_add(&kind_pages[kind], pages, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kind_ticks[kind], ticks, __ATOMIC_RELAXED);
}

void vm_reclaim_log_cost(void)
{
#define KIND(k) (unsigned long long)kind_pages[k], (unsigned long long)kind_ticks[k]
	log_printf("reclaim: cost zero=%llu zero_ticks=%llu reported=%llu reported_ticks=%llu "
		   "shared=%llu shared_ticks=%llu compressed=%llu compressed_ticks=%llu "
		   "swapped=%llu swapped_ticks=%llu",
		   KIND(VM_RECLAIM_ZERO), KIND(VM_RECLAIM_REPORTED), KIND(VM_RECLAIM_SHARED),
		   KIND(VM_RECLAIM_COMPRESSED), KIND(VM_RECLAIM_SWAPPED));
#undef KIND
}

void vm_reclaim_log(const struct vm *vm)
{
	log_printf("reclaim %s zero=%llu reported=%llu shared=%llu adopted=%llu compressed=%llu swapped=%llu",
		   vm->name, (unsigned long long)vm->zero_reclaimed,
		   (unsigned long long)vm->free_reported_frames,
		   (unsigned long long)vm->share_merged, (unsigned long long)vm->share_adopted,
		   (unsigned long long)vm->evict.to_pool, (unsigned long long)vm->evict.to_swap);
	if (vm->remote_zero || vm->remote_shared || vm->remote_evicted)
		log_printf("reclaim %s from other CPUs: zero=%llu shared=%llu evicted=%llu", vm->name,
			   (unsigned long long)vm->remote_zero, (unsigned long long)vm->remote_shared,
			   (unsigned long long)vm->remote_evicted);
}
