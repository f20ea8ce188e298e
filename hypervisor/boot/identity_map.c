/*
 * identity_map.c - extending the boot identity map above 4 GiB
 * (identity_map.h). boot/entry.S builds PML4[0] -> one PDPT whose entries
 * 0..3 map the first 4 GiB; entries 4..511 are filled here.
 */
#include "hypervisor/boot/identity_map.h"

#define PTE_PRESENT_WRITABLE UINT64_C(0x3)
#define PDE_LARGE (UINT64_C(1) << 7)
#define PTE_NO_EXEC (UINT64_C(1) << 63)   /* EFER.NXE is on since boot */
#define PTE_ADDRESS UINT64_C(0x000ffffffffff000)
#define GIB (UINT64_C(1) << 30)
#define PAGE_2M (UINT64_C(1) << 21)

static uint64_t *live_pdpt(void)
{
	uint64_t cr3, *pml4;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDRESS);
	return (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDRESS);
}

uint64_t identity_map_extend(uint64_t end, uint64_t (*alloc_table)(void))
{
	uint64_t *pdpt = live_pdpt();
	uint64_t gib = IDENTITY_MAP_BOOT_END / GIB;

	if (end > IDENTITY_MAP_CEILING)
		end = IDENTITY_MAP_CEILING;
	for (; gib * GIB < end; gib++) {
		uint64_t pd_hpa = alloc_table();
		uint64_t *pd = (uint64_t *)(uintptr_t)pd_hpa;

		if (!pd_hpa)
			break;
		for (unsigned i = 0; i < 512; i++)
			pd[i] = (gib * GIB + i * PAGE_2M) | PTE_PRESENT_WRITABLE | PDE_LARGE | PTE_NO_EXEC;
		pdpt[gib] = pd_hpa | PTE_PRESENT_WRITABLE;
	}
	return gib * GIB;
}
