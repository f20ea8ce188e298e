/*
 * gdb_walk.h - a guest's own page tables, walked for the debugger to turn a
 * guest-virtual address into a guest-physical one. The walk is shadow
 * paging's (hypervisor/mem/shadow/guest_walk.h) in its read-only form:
 * no accessed or dirty bit changes, no page made present.
 */
#ifndef SKIFF_GDB_WALK_H
#define SKIFF_GDB_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/vm/guest_memory.h"

/*
 * guest_virt_to_phys: the guest-physical address of gva under the 4-level
 * long-mode tables at cr3 (paging false: gva itself), into *gpa. 0, or
 * -1 when gva is not canonical, a level is not present or has reserved
 * bits set, or a table lies outside the guest's RAM or was never touched.
 * Never reads outside m and never writes.
 */
int guest_virt_to_phys(const struct guest_memory *m, uint64_t cr3, bool paging,
		       uint64_t gva, uint64_t *gpa);

#endif
