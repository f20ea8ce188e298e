/*
 * stack_guard.c - a page that is not mapped, between the heap and the stack.
 *
 * The stack grows down from the top of RAM into SKIFF_STACK_RESERVE bytes;
 * below it lies the heap. Without a gap, unbounded recursion would run on
 * over the heap, .bss and .data and fail far from its cause. So the
 * runtime replaces the page tables Skiff built (GUEST_ABI: identity map,
 * 2 MiB pages, the first 2 MiB through a 4 KiB table) by the same map with
 * one 4 KiB page left out: SKIFF_STACK_GUARD bytes right below the stack's
 * reserve. A push into it faults; with no IDT the fault becomes a triple
 * fault, which Skiff reports with CR2 in the guard page, and tools/skiff-run
 * names it "stack overflow". Skiff's own tables sit in the low 64 KiB,
 * which the guest's map leaves out, so new ones are built here in .bss.
 */
#include "runtime.h"

#define PAGE 4096ull
#define LARGE_PAGE (2ull << 20)
#define ENTRIES 512
#define PDPT_ENTRIES 4                      /* 4 GiB at most (GUEST_ABI) */
#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_LARGE 0x80ull
/* As Skiff maps the first 2 MiB: nothing below 64 KiB (null pointers
 * trap), the boot area read-only, the rest read-write. */
#define LOW_UNMAPPED 0x10000ull
#define LOW_READ_ONLY 0x100000ull

struct guard_tables {
	uint64_t pml4[ENTRIES];
	uint64_t pdpt[ENTRIES];
	uint64_t pd[PDPT_ENTRIES][ENTRIES];
	uint64_t pt_low[ENTRIES];      /* the first 2 MiB */
	uint64_t pt_guard[ENTRIES];    /* the 2 MiB holding the guard page */
};

static struct guard_tables tables __attribute__((aligned(4096)));

/* fill_small: a 4 KiB table for the 2 MiB at base, mapped as Skiff does. */
static void fill_small(uint64_t *pt, uint64_t base)
{
	for (uint64_t i = 0; i < ENTRIES; i++)
		pt[i] = (base + i * PAGE) | PTE_PRESENT | PTE_WRITE;
	if (base != 0)
		return;
	/* The first 2 MiB: nothing below 64 KiB, the boot area read-only. */
	for (uint64_t i = 0; i < LOW_UNMAPPED / PAGE; i++)
		pt[i] = 0;
	for (uint64_t i = LOW_UNMAPPED / PAGE; i < LOW_READ_ONLY / PAGE; i++)
		pt[i] &= ~PTE_WRITE;
}

/* load_cr3: switch to the new tables (which also flushes the TLB). */
static void load_cr3(uint64_t root)
{
	/* The one instruction C cannot express; "memory": the tables must be
	 * written before the CPU walks them. */
	__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
}

uintptr_t skiff_stack_guard(void)
{
	uint64_t mem = skiff_mem_size();

	if (mem < SKIFF_STACK_RESERVE + SKIFF_STACK_GUARD + LARGE_PAGE ||
	    mem > PDPT_ENTRIES * (1ull << 30))
		return 0;
	return (uintptr_t)(mem - SKIFF_STACK_RESERVE - SKIFF_STACK_GUARD);
}

void skiff_stack_guard_init(void)
{
	uint64_t guard = skiff_stack_guard();
	uint64_t *guard_pt, *pd = &tables.pd[0][0];

	if (guard == 0 || guard < skiff_heap_start())
		return;
	for (uint64_t i = 0; i < PDPT_ENTRIES; i++)
		tables.pdpt[i] = (uint64_t)(uintptr_t)tables.pd[i] | PTE_PRESENT | PTE_WRITE;
	tables.pml4[0] = (uint64_t)(uintptr_t)tables.pdpt | PTE_PRESENT | PTE_WRITE;
	/* All 4 GiB, as the ABI's tables: beyond RAM, Skiff's nested table
	 * decides (an access there ends the guest with Skiff's report). */
	/* The four directories are contiguous: one flat loop, entry i maps
	 * i * 2 MiB (this runs in every guest's start, so it is kept short). */
	for (uint64_t i = 0; i < PDPT_ENTRIES * ENTRIES; i++)
		pd[i] = (i * LARGE_PAGE) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	fill_small(tables.pt_low, 0);
	tables.pd[0][0] = (uint64_t)(uintptr_t)tables.pt_low | PTE_PRESENT | PTE_WRITE;
	guard_pt = tables.pt_low;
	if (guard >= LARGE_PAGE) {
		uint64_t base = guard & ~(LARGE_PAGE - 1);

		fill_small(tables.pt_guard, base);
		tables.pd[base >> 30][(base >> 21) % ENTRIES] =
			(uint64_t)(uintptr_t)tables.pt_guard | PTE_PRESENT | PTE_WRITE;
		guard_pt = tables.pt_guard;
	}
	guard_pt[(guard >> 12) % ENTRIES] = 0;
	load_cr3((uint64_t)(uintptr_t)tables.pml4);
}
