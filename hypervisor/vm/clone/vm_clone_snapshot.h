/*
 * vm_clone_snapshot.h - the snapshot record shared by vm_clone_snapshot.c
 * (taking it) and vm_clone.c (clones built from it). Private to those two.
 */
#ifndef SKIFF_VM_CLONE_SNAPSHOT_H
#define SKIFF_VM_CLONE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hypervisor/loader/guest_cmdline.h"
#include "hypervisor/mem/clone/snap_pages.h"

struct vm;

struct vm_snapshot {
	uint8_t fpu[512] __attribute__((aligned(16)));
	char parent[GUEST_NAME_MAX];
	unsigned clones;          /* N of clone=N */
	unsigned users;           /* the parent and the clones not yet ended */
	bool taken, set_rax;      /* set_rax: taken at the SNAPSHOT call */
	int image;                /* its frames in the share table */
	int base_image;           /* the module's image while taken, -1 when none */
	uint64_t mem_size, kernel_end;
	uint64_t self_bytes;      /* this record and pages.bytes, in frames */
	uint64_t cow_pages, image_pages;
	struct hal_boot_state boot;
	uint64_t gpr[HAL_GPR_COUNT];
	uint64_t fs_base, gs_base;
	struct snap_pages pages;
};
/* snapshot_taken: vm's snapshot once taken, else NULL. */
struct vm_snapshot *snapshot_taken(const struct vm *vm);

#endif
