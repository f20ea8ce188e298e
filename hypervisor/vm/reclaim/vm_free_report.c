/*
 * vm_free_report.c - carrying out a guest's free-page report (Skiff call
 * 0x581, docs/guest-abi.md "Free-page reporting"). The dispatcher has
 * checked the list (hypervisor/mem/free_report.h); this file takes the
 * frames back.
 *
 * Every reported page reads as zero afterwards. A 4 KiB page, or a 2 MiB
 * block the report covers whole, leaves the nested table through the one
 * invalidation path (mem_remove: unmap, invalidate, then release), is
 * scrubbed and freed; its next touch is a first touch. A page inside a
 * 2 MiB mapping the report covers only in part is taken alone after the
 * leaf is split into 4 KiB entries (vm_page_split: one table page, paid
 * back by the second page freed); only when no table page is left is it
 * zeroed in place, which the guest cannot tell apart.
 *
 * The frames go back here, at the hypercall, not later under pressure:
 * holding a list until memory runs short would need every reported page
 * write-protected (or its reuse otherwise seen) in between, which costs the
 * same invalidation as taking it now. So when reclaim runs (vm_reclaim.c,
 * cheapest first) reported pages are free frames already; their count and
 * cost go to the same figures (vm_reclaim_account, kind "reported").
 */
#include "hypervisor/vm/reclaim/vm_free_report.h"
#include "hypervisor/vm/reclaim/vm_evict.h"

#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/time/time.h"
#include "lib/kstring.h"

/* Refusals logged per guest; the rest are only counted. */
#define LOGGED_REFUSALS 8u

/* take_back: unmap and free the page (size 4 KiB or 2 MiB) at gpa. */
static uint64_t take_back(struct vm *vm, uint64_t gpa, uint64_t size)
{
	if (vm_page_out(vm, gpa, size, true) != 0)
		return 0;
	return size / GP_PAGE_SIZE;
}

/*
 * free_one: the page at gpa of the range [start, end). Returns the bytes
 * it dealt with (a 2 MiB leaf taken back whole: up to its end) and adds
 * the frames freed to *freed.
 */
static uint64_t free_one(struct vm *vm, uint64_t gpa, uint64_t start, uint64_t end,
			 uint64_t *freed)
{
	uint64_t hpa, size, block;

	/* Evicted: its stored copy must not come back on the next touch. */
	if (vm_evict_forget(vm, gpa))
		return GP_PAGE_SIZE;
	/* A clone's page its snapshot backs: only this clone lets go of it. */
	if (vm_clone_forget(vm, gpa))
		return GP_PAGE_SIZE;
	if (gp_at(&vm->pages, gpa) != GP_OWN || pv_is_table(vm, gpa) ||
	    np_lookup(&vm->nested, gpa, &hpa, NULL, &size) != 0)
		return GP_PAGE_SIZE;  /* never touched, not its own, or a PV table page */
	if (size == GP_PAGE_SIZE) {
		*freed += take_back(vm, gpa, size);
		return GP_PAGE_SIZE;
	}
	block = gpa & ~(size - 1);
	if (size == GP_BLOCK_SIZE && block >= start && block + size <= end) {
		*freed += take_back(vm, block, size);
		return block + size - gpa;
	}
	/* Part of a 2 MiB leaf: split it and take this page alone; without a
	 * table page for the split, zero it in place (np_lookup's hpa is the
	 * frame of gpa itself, inside the large page). */
	if (size == GP_BLOCK_SIZE && vm_page_split(vm, gpa) == 0) {
		*freed += take_back(vm, gpa, GP_PAGE_SIZE);
		return GP_PAGE_SIZE;
	}
	memset((void *)(uintptr_t)(hpa & ~(GP_PAGE_SIZE - 1)), 0, GP_PAGE_SIZE);
	vm->free_zeroed_in_place++;
	return GP_PAGE_SIZE;
}

static void note_refusal(struct vm *vm, const struct free_report_verdict *v)
{
	if (vm->free_refused++ < LOGGED_REFUSALS)
		log_printf("guest %s: free-page report refused: entry %llu: %s", vm->name,
			   (unsigned long long)v->bad_index, free_report_error_name(v->error));
}

uint64_t vm_free_report(void *ctx, const struct free_report_verdict *v,
			const struct free_range *ranges, unsigned count)
{
	struct vm *vm = ctx;
	uint64_t freed = 0, began = tsc_read();

	if (!ranges) {
		note_refusal(vm, v);
		return 0;
	}
	for (unsigned i = 0; i < count; i++) {
		uint64_t start = ranges[i].gpa, end = start + ranges[i].len;

		for (uint64_t gpa = start; gpa < end;)
			gpa += free_one(vm, gpa, start, end, &freed);
	}
	vm->free_reports++;
	vm->free_reported_frames += freed;
	vm_reclaim_account(VM_RECLAIM_REPORTED, freed, tsc_read() - began);
	return freed;
}
