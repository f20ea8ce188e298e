/*
 * vm_evict.c - cold pages to the compressed pool or swap, and back
 * (vm_evict.h).
 *
 * Cold: the accessed bit of the page's nested entry is clear. NPT entries
 * always have it (the CPU sets it on the nested walk); EPT entries have it
 * when the EPTP enables accessed/dirty flags, which the VMX backend does
 * wherever IA32_VMX_EPT_VPID_CAP bit 21 allows (Bochs's Haswell model
 * does). Without it the bit never sets, every page looks cold, and
 * eviction degrades to plain clock order: still correct, less choosy.
 * Clearing a set bit marks the table stale; each step flushes a guest it
 * leaves, so the CPU walks again and sets the bit on the next touch.
 *
 * A shadow-paged guest's CPU walks its shadows, never the nested table, so
 * there the bits are the shadow leaves' (shadow_take_accessed): cleared
 * one leaf at a time, found through the shadows' reverse map, and the step
 * flushes only the guest's cached translations, dropping no shadow.
 *
 * Each evicted page's handle (pool or swap) lives in a two-level table per
 * guest, made on its first eviction: a directory frame of 1024 leaf frame
 * numbers, each leaf 1024 handles (4 MiB of guest RAM), so a guest never
 * evicted costs nothing.
 */
#include "hypervisor/vm/reclaim/vm_evict.h"
#include "hypervisor/smp/percpu.h"

#include "hypervisor/console.h"
#include "hypervisor/evict/evict_store.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/errno.h"
#include "lib/kstring.h"

#define EVICT_SCAN_PAGES 1024u
#define EVICT_WANT 32u
#define HANDLES_PER_LEAF 1024u
/* In a resident page's handle slot: it did not compress and swap could not
 * take it; tried again only once its dirty bit says it was written since.
 * No pool handle or swap slot number has this value. */
#define INCOMPRESSIBLE UINT32_MAX

/* Stores that failed in a row (a page that does not compress and no swap
 * to take it, or a full pool): past this many, steps report nothing left
 * to find, so a guest rewriting incompressible data cannot make every
 * first touch compress the whole machine before it runs out of memory. */
#define EVICT_FUTILE_MAX 256u

static unsigned cursor_vm;
static uint64_t cursor_gpa;
static unsigned futile;

/* What eviction costs, in TSC ticks (executed instructions under QEMU
 * -icount and Bochs sync=none: bench/evict_bench.py reads them). */
static uint64_t evict_ticks, evict_freed, restore_ticks, restores;
/* Pages of this step to each store, for vm_reclaim_account. */
static unsigned step_to_pool, step_to_swap;

/* handle_slot: where the handle of page number page lives; NULL when the
 * table has no leaf for it and create is false, or no frame is free. */
static uint32_t *handle_slot(struct vm *vm, uint64_t page, bool create)
{
	uint32_t *dir, *entry;

	if (!vm->evict.dir_hpa && (!create || !(vm->evict.dir_hpa = frame_alloc())))
		return NULL;
	dir = (uint32_t *)(uintptr_t)vm->evict.dir_hpa;
	entry = &dir[page / HANDLES_PER_LEAF];
	if (*entry == 0) {
		uint64_t leaf = create ? frame_alloc() : 0;

		if (!leaf)
			return NULL;
		*entry = (uint32_t)(leaf / FRAME_SIZE);   /* frames lie below 4 GiB */
	}
	return (uint32_t *)(uintptr_t)((uint64_t)*entry * FRAME_SIZE) + page % HANDLES_PER_LEAF;
}

static void count_away(struct vm *vm, uint8_t where)
{
	struct vm_evict_state *s = &vm->evict;

	if (where == GP_COMPRESSED) {
		step_to_pool++;
		s->to_pool++;
		if (++s->compressed > s->compressed_peak)
			s->compressed_peak = s->compressed;
	} else {
		step_to_swap++;
		s->to_swap++;
		if (++s->swapped > s->swapped_peak)
			s->swapped_peak = s->swapped;
	}
}

/*
 * no_ad_here: vm's accessed and dirty bits are not for this CPU to clear.
 * For a shadow guest the clock reads its shadow leaves (taken_accessed),
 * which its own CPU fills under the guest's claim and whose reverse map
 * only that CPU changes; and a nested bit cleared leaves the table stale,
 * whose flush only its own CPU may do (it may zap every shadow, freeing
 * tables the guest may be walking: mem_invalidate.h, may_zap). So a shadow
 * guest of another CPU gives its pages in plain clock order, as on EPT
 * without A/D.
 */
static bool no_ad_here(const struct vm *vm)
{
	return vm->shadow && vm_cpu(vm) != this_cpu_index();
}

/*
 * evict_page: store the page's contents, then take the page away through
 * the one invalidation path. A VM of this CPU does not run while this
 * code does; another CPU's may, so its page is first narrowed to read-only
 * through mem_remove (a write meanwhile faults and finds the page writable
 * again or gone, vm_exit.c).
 */
static bool evict_page(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	bool remote = vm_cpu(vm) != this_cpu_index();
	uint32_t *slot = handle_slot(vm, gpa / GP_PAGE_SIZE, true);
	uint32_t handle;
	uint8_t where;

	int rc;

	if (!slot)
		return false;
	/* Compressing costs thousands of instructions: not again for a page
	 * that failed and was not written since (its dirty bit, cleared then). */
	if (*slot == INCOMPRESSIBLE && (no_ad_here(vm) || np_take_dirty(&vm->nested, gpa) == 0))
		return false;
	/* A guest running on another CPU could write behind the copy. */
	if (remote && mem_remove(&vm->space, gpa, GP_PAGE_SIZE, NP_READ, NULL, NULL) != 0)
		return false;
	rc = evict_store_put((const void *)(uintptr_t)hpa, &where, &handle);
	futile = rc ? futile + 1 : 0;
	if (rc == -E2BIG) {
		*slot = INCOMPRESSIBLE;
		if (!no_ad_here(vm))
			(void)np_take_dirty(&vm->nested, gpa);
		vm->evict.incompressible++;
	}
	if (rc || vm_page_out(vm, gpa, GP_PAGE_SIZE, true) != 0) {
		if (rc == 0)
			evict_store_drop(where, handle);
		if (remote) {
			/* Writable again: widening needs no invalidation. */
			(void)np_protect(&vm->nested, gpa, GP_PAGE_SIZE, PLAIN_RAM_PERMS);
			vm->nested.stale = false;
		}
		return false;
	}
	if (remote)
		vm_reclaim_count_cross_cpu(vm, VM_RECLAIM_COMPRESSED);
	*slot = handle;
	gp_set_away(&vm->pages, gpa, (enum gp_where)where);
	count_away(vm, where);
	return true;
}

/* taken_accessed: the page was used since the clock last came by; cleared. */
static bool taken_accessed(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	if (vm->shadow)
		return shadow_take_accessed(vm, gpa, hpa) == 1;
	return np_take_accessed(&vm->nested, gpa) == 1;
}

/*
 * try_evict: evict vm's page at gpa when it is a cold 4 KiB page of plain
 * RAM. Returns the bytes the caller may skip (the page, or the rest of a
 * larger leaf, which is never evicted whole) and sets *freed.
 */
static uint64_t try_evict(struct vm *vm, uint64_t gpa, bool *freed)
{
	bool large;
	uint64_t hpa, skip = vm_plain_page_at(vm, gpa, &hpa, &large);

	*freed = false;
	if (!hpa || (vm_cpu(vm) != this_cpu_index() && vm_reclaim_is_fresh(vm, gpa)))
		return skip;
	/* Inside a 2 MiB leaf: split, each page keeping the leaf's accessed
	 * bit, so the pages of a cold leaf go one by one, a warm one's not. */
	if (large && vm_page_split(vm, gpa) != 0)
		return skip;
	if (!no_ad_here(vm) && taken_accessed(vm, gpa, hpa)) {
		vm->evict.second_chances++;   /* used since the clock last came by */
		return GP_PAGE_SIZE;
	}
	*freed = evict_page(vm, gpa, hpa);
	return GP_PAGE_SIZE;
}

/* leave_vm: the cursor moves on; cleared accessed bits take effect. */
static void leave_vm(struct vm *vm)
{
	if (vm && vm->nested_ready)
		mem_flush_if_stale(&vm->space);
	cursor_vm = (cursor_vm + 1) % HOST_WINDOW_COUNT;
	cursor_gpa = 0;
}

/* account_step: a step's ticks shared between the stores by the pages
 * each took (all to the pool when it took none: the pool is tried first). */
static void account_step(uint64_t ticks)
{
	uint64_t total = step_to_pool + step_to_swap;
	uint64_t swap_ticks = total ? ticks * step_to_swap / total : 0;

	vm_reclaim_account(VM_RECLAIM_COMPRESSED, step_to_pool, ticks - swap_ticks);
	vm_reclaim_account(VM_RECLAIM_SWAPPED, step_to_swap, swap_ticks);
}

unsigned vm_evict_cold_pages(const struct vm *spare, uint64_t *passed)
{
	unsigned freed = 0, scanned = 0, vms_passed = 0;
	struct vm *vm = NULL;
	uint64_t start = tsc_read(), ticks;

	*passed = 0;
	step_to_pool = step_to_swap = 0;
	while (freed < EVICT_WANT && scanned < EVICT_SCAN_PAGES && vms_passed <= HOST_WINDOW_COUNT &&
	       futile < EVICT_FUTILE_MAX) {
		uint64_t step;
		bool got, took;

		vm = vm_reclaim_at(cursor_vm);
		if (!vm || cursor_gpa >= vm->mem.size || !vm_reclaim_claim(vm, spare, &took)) {
			if (vm && cursor_gpa < vm->mem.size)
				*passed += (vm->mem.size - cursor_gpa) / GP_PAGE_SIZE;
			leave_vm(vm);
			vm = NULL;
			vms_passed++;
			continue;
		}
		step = try_evict(vm, cursor_gpa, &got);
		if (took)
			vm_unclaim(vm);
		cursor_gpa += step;
		*passed += step / GP_PAGE_SIZE;
		freed += got;
		scanned++;
	}
	if (vm)
		mem_flush_if_stale(&vm->space);
	if (vms_passed > HOST_WINDOW_COUNT || futile >= EVICT_FUTILE_MAX) {
		/* Two whole rounds in this call, or nothing worth trying now: the
		 * caller stops here; the next caller starts a fresh budget. */
		*passed = 2 * vm_reclaim_round_pages();
		futile = 0;
	}
	ticks = tsc_read() - start;
	evict_ticks += ticks;
	evict_freed += freed;
	account_step(ticks);
	return freed;
}

int vm_evict_restore(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	enum gp_where where = gp_at(&vm->pages, gpa);
	uint32_t *slot = handle_slot(vm, gpa / GP_PAGE_SIZE, false);
	int rc;

	uint64_t start = tsc_read();

	if ((where != GP_COMPRESSED && where != GP_SWAPPED) || !slot)
		return -EINVAL;
	rc = evict_store_get((uint8_t)where, *slot, (void *)(uintptr_t)hpa);
	if (rc)
		return rc;
	restore_ticks += tsc_read() - start;
	restores++;
	vm->evict.back++;
	if (where == GP_COMPRESSED)
		vm->evict.compressed--;
	else
		vm->evict.swapped--;
	return 0;
}

bool vm_evict_forget(struct vm *vm, uint64_t gpa)
{
	enum gp_where where = gp_at(&vm->pages, gpa);
	uint32_t *slot;

	if (where != GP_COMPRESSED && where != GP_SWAPPED)
		return false;
	slot = handle_slot(vm, gpa / GP_PAGE_SIZE, false);
	if (slot)
		evict_store_drop((uint8_t)where, *slot);
	gp_set_nowhere(&vm->pages, gpa);
	if (where == GP_COMPRESSED)
		vm->evict.compressed--;
	else
		vm->evict.swapped--;
	return true;
}

void vm_evict_release(struct vm *vm)
{
	uint32_t *dir = (uint32_t *)(uintptr_t)vm->evict.dir_hpa;

	if (!dir)
		return;
	for (uint64_t page = 0; page < vm->pages.page_count; page++) {
		enum gp_where where = (enum gp_where)vm->pages.where[page];

		if (where == GP_COMPRESSED || where == GP_SWAPPED) {
			evict_store_drop((uint8_t)where, *handle_slot(vm, page, false));
			gp_set_nowhere(&vm->pages, page * GP_PAGE_SIZE);
		}
	}
	for (unsigned i = 0; i < FRAME_SIZE / sizeof(*dir); i++)
		if (dir[i])
			frames_free((uint64_t)dir[i] * FRAME_SIZE, FRAME_SIZE);
	frames_free(vm->evict.dir_hpa, FRAME_SIZE);
	vm->evict.dir_hpa = 0;
	vm->evict.compressed_at_end = vm->evict.compressed;
	vm->evict.compressed = vm->evict.swapped = 0;
}

uint64_t vm_evict_compressed_pages(const struct vm *vm)
{
	return vm->evict.dir_hpa ? vm->evict.compressed : vm->evict.compressed_at_end;
}

void vm_evict_log(const struct vm *vm)
{
	const struct vm_evict_state *s = &vm->evict;

	log_printf("evict %s to_pool=%llu to_swap=%llu faulted_back=%llu compressed_peak=%llu KiB swapped_peak=%llu KiB second_chances=%llu",
		   vm->name, (unsigned long long)s->to_pool, (unsigned long long)s->to_swap,
		   (unsigned long long)s->back, (unsigned long long)(s->compressed_peak * 4),
		   (unsigned long long)(s->swapped_peak * 4), (unsigned long long)s->second_chances);
}

void vm_evict_log_cost(void)
{
	vm_reclaim_log_cost();
	if (evict_freed || restores)
		log_printf("evict: cost evicted=%llu evict_ticks=%llu restored=%llu restore_ticks=%llu",
			   (unsigned long long)evict_freed, (unsigned long long)evict_ticks,
			   (unsigned long long)restores, (unsigned long long)restore_ticks);
}
