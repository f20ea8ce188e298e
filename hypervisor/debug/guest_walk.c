/*
 * guest_walk.c - long-mode page walk over a guest's RAM (guest_walk.h).
 *
 *   63    48 47   39 38   30 29   21 20   12 11        0
 *   [ sign ][ PML4 ][ PDPT ][  PD  ][  PT  ][  offset  ]
 *
 * A PDPT entry with PS maps 1 GiB, a PD entry with PS 2 MiB.
 */
#include "hypervisor/debug/guest_walk.h"

#define PTE_PRESENT 1ull
#define PTE_LARGE (1ull << 7)
#define PTE_ADDRESS 0x000ffffffffff000ull
#define CR3_ADDRESS 0x000ffffffffff000ull

static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

int guest_virt_to_phys(const struct guest_memory *m, uint64_t cr3, bool paging,
		       uint64_t gva, uint64_t *gpa)
{
	uint64_t table = cr3 & CR3_ADDRESS;

	if (!paging) {
		*gpa = gva;
		return 0;
	}
	if (!canonical(gva))
		return -1;
	for (unsigned shift = 39; shift >= 12; shift -= 9) {
		uint64_t at = table + ((gva >> shift) & 511) * 8;
		const uint64_t *entry = guest_ptr_if_present(m, at, sizeof *entry);
		uint64_t page_mask = (1ull << shift) - 1;

		if (!entry || !(*entry & PTE_PRESENT))
			return -1;
		if (shift == 12 || ((shift == 30 || shift == 21) && (*entry & PTE_LARGE))) {
			*gpa = ((*entry & PTE_ADDRESS) & ~page_mask) | (gva & page_mask);
			return 0;
		}
		table = *entry & PTE_ADDRESS;
	}
	return -1;
}
