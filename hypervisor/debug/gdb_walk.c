/*
 * gdb_walk.c - the debugger's view of guest-virtual addresses (gdb_walk.h),
 * through the one software page walk Skiff has.
 */
#include "hypervisor/debug/gdb_walk.h"

#include "hypervisor/mem/shadow/guest_walk.h"

/* gw_mem's entry for a peek: only pages the guest already has. */
static uint64_t *present_entry(void *ctx, uint64_t gpa)
{
	/* GW_PEEK walks never write through the pointer. */
	return (uint64_t *)(uintptr_t)guest_ptr_if_present(ctx, gpa, sizeof(uint64_t));
}

int guest_virt_to_phys(const struct guest_memory *m, uint64_t cr3, bool paging,
		       uint64_t gva, uint64_t *gpa)
{
	/* NX and every physical-address bit allowed: the debugger asks where
	 * an address leads, not whether this guest may use it. */
	struct gw_regs regs = { .cr3 = cr3, .nxe = true, .wp = false, .phys_bits = 52 };
	struct gw_mem mem = { present_entry, (void *)(uintptr_t)m };
	struct gw_result r;

	if (!paging) {
		*gpa = gva;
		return 0;
	}
	if (guest_walk(&mem, &regs, gva, GW_PEEK, &r) != GW_OK)
		return -1;
	*gpa = r.gpa;
	return 0;
}
