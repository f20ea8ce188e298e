/*
 * vm_page_out.c - taking one mapped page away from a guest (vm_memory.h),
 * for every kind of reclaim: zero pages, eviction, free-page reports.
 * The order is the memory core's: the nested entry and every cached
 * translation first (mem_remove), then Skiff's window onto the page, and
 * only then the frame.
 */
#include "hypervisor/vm/vm_memory.h"

#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "nested_paging/nested_paging.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/vm/vm.h"
#include "lib/errno.h"
#include "lib/kstring.h"

struct page_out {
	struct vm *vm;
	uint64_t gpa;
	bool scrub;
};

/* mem_remove's last step: no CPU reaches the frame through the guest now. */
static void release_page(void *ctx, uint64_t hpa, uint64_t size)
{
	struct page_out *p = ctx;

	host_window_unmap((uint64_t)(uintptr_t)p->vm->mem.base + p->gpa, size);
	/* That flushed this CPU's TLB; the VM's own CPU flushes at its next claim. */
	if (vm_cpu(p->vm) != this_cpu_index())
		p->vm->window_stale = true;
	/* Guest data must not outlive the guest's use of it in free memory. */
	if (p->scrub)
		memset((void *)(uintptr_t)hpa, 0, size);
	frames_free(hpa, size);
}

int vm_page_out(struct vm *vm, uint64_t gpa, uint64_t size, bool scrub)
{
	struct page_out p = { vm, gpa, scrub };
	int rc = mem_remove(&vm->space, gpa, size, 0, release_page, &p);

	if (rc == 0)
		for (uint64_t off = 0; off < size; off += GP_PAGE_SIZE)
			gp_set_nowhere(&vm->pages, gpa + off);
	return rc;
}

uint64_t vm_plain_page_at(struct vm *vm, uint64_t gpa, uint64_t *hpa, bool *large)
{
	uint64_t size;
	unsigned perms;

	*hpa = 0;
	*large = false;
	if (gp_at(&vm->pages, gpa) != GP_OWN ||
	    np_lookup(&vm->nested, gpa, hpa, &perms, &size) != 0) {
		*hpa = 0;
		return GP_PAGE_SIZE;
	}
	if (size > GP_BLOCK_SIZE || perms != PLAIN_RAM_PERMS) {
		*hpa = 0;                           /* a segment's page */
		return size - (gpa & (size - 1));
	}
	/* np_lookup's hpa is gpa's own frame inside a 2 MiB leaf. */
	*large = size == GP_BLOCK_SIZE;
	return GP_PAGE_SIZE;
}

int vm_page_split(struct vm *vm, uint64_t gpa)
{
	uint64_t size;
	int rc;

	if (np_lookup(&vm->nested, gpa, NULL, NULL, &size) != 0)
		return -ENOENT;
	if (size == GP_PAGE_SIZE)
		return 0;
	if ((rc = mem_split(&vm->space, gpa)) == 0)
		vm->blocks_split++;
	return rc;
}
