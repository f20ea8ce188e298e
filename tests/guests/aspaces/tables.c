/*
 * tables.c - building the aspaces guest's page-table trees (tables.h).
 */
#include "tables.h"

#include <skiff.h>

#include "lib/kstring.h"

#define POOL_PAGES 320

struct space spaces[MAX_SPACES];
uint64_t big_frame;

static uint8_t pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static unsigned pool_used;

uint64_t page_alloc(void)
{
	if (pool_used == POOL_PAGES) {
		skiff_puts("aspaces: page pool exhausted\n");
		skiff_exit(4);
	}
	memset(pool[pool_used], 0, 4096);
	return (uint64_t)(uintptr_t)pool[pool_used++];
}

static uint64_t *table(uint64_t addr)
{
	return (uint64_t *)(uintptr_t)(addr & PTE_ADDR);
}

void spaces_build(unsigned n, uint64_t kernel_cr3)
{
	big_frame = (skiff_heap_start() + BIG_SIZE - 1) & ~(uint64_t)(BIG_SIZE - 1);
	if (big_frame + BIG_SIZE + FRESH_BYTES > skiff_heap_end()) {
		skiff_puts("aspaces: RAM too small for the 2 MiB page (give mem=16M or more)\n");
		skiff_exit(4);
	}
	for (unsigned p = 0; p < n; p++) {
		struct space *s = &spaces[p];
		uint64_t pml4 = page_alloc(), pdpt = page_alloc(), pd = page_alloc();

		s->pml4 = pml4;
		s->pt = table(page_alloc());
		table(pml4)[0] = table(kernel_cr3)[0];   /* the runtime's RAM mapping */
		table(pml4)[1] = pdpt | PTE_P | PTE_RW;
		table(pdpt)[0] = pd | PTE_P | PTE_RW;
		table(pd)[0] = (uint64_t)(uintptr_t)s->pt | PTE_P | PTE_RW;
		table(pd)[1] = big_frame | PTE_P | PTE_PS | ((p % 2) ? 0 : PTE_RW);
		for (unsigned i = 0; i < PRIV_PAGES; i++) {
			s->frame[i] = page_alloc();
			s->pt[i] = s->frame[i] | PTE_P | PTE_RW;
		}
	}
}
