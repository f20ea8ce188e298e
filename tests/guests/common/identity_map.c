/*
 * identity_map.c - a 4 GiB identity map with 2 MiB pages.
 *
 *   virtual address bits:  47..39  38..30  29..21  20..0
 *                           PML4    PDPT     PD    offset in a 2 MiB page
 * One PML4 entry -> one PDPT with 4 entries -> 4 page directories of
 * 512 large pages each.
 */
#include "identity_map.h"

#define PAGE_SIZE 4096u
#define ENTRIES 512u
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_LARGE (1ull << 7)   /* in a PD entry: maps 2 MiB directly */
#define LARGE_PAGE (2ull << 20)

typedef uint64_t table_t[ENTRIES];

static table_t pml4 __attribute__((aligned(PAGE_SIZE)));
static table_t pdpt __attribute__((aligned(PAGE_SIZE)));
static table_t page_dirs[4] __attribute__((aligned(PAGE_SIZE)));

/* table_entry: an entry pointing at a next-level table. */
static uint64_t table_entry(const table_t *next)
{
	return (uint64_t)(uintptr_t)next | PTE_PRESENT | PTE_WRITABLE;
}

void identity_map_4g(void)
{
	for (unsigned d = 0; d < 4; d++) {
		for (unsigned i = 0; i < ENTRIES; i++) {
			uint64_t addr = ((uint64_t)d * ENTRIES + i) * LARGE_PAGE;

			page_dirs[d][i] = addr | PTE_PRESENT | PTE_WRITABLE |
					  PTE_LARGE;
		}
		pdpt[d] = table_entry(&page_dirs[d]);
	}
	pml4[0] = table_entry(&pdpt);
	/* Loading CR3 also flushes the old (non-global) translations. */
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)(uintptr_t)pml4)
			 : "memory");
}
