/*
 * host_window.c - guest RAM windows in Skiff's address space
 * (host_window.h), kept with the nested-paging engine over ordinary
 * x86-64 entries: the engine edits a table of its own, and each PML4
 * entry it creates or frees is copied into the live PML4.
 */
#include "hypervisor/mem/host_window.h"

#include <stdbool.h>

#include "hypervisor/mem/frames.h"
#include "lib/errno.h"
#include "nested_paging/nested_paging.h"

#define PTE_PRESENT (UINT64_C(1) << 0)
#define PTE_WRITABLE (UINT64_C(1) << 1)
#define PTE_ACCESSED (UINT64_C(1) << 5)
#define PTE_DIRTY (UINT64_C(1) << 6)
#define PTE_LARGE (UINT64_C(1) << 7)
#define PTE_NO_EXEC (UINT64_C(1) << 63)   /* EFER.NXE is set at boot */
#define PTE_ADDRESS UINT64_C(0x000ffffffffff000)
#define PML4_SHIFT 39

/* Supervisor-only entries: no U bit anywhere. */
static const struct np_format host_format = {
	.name = "host",
	.present_mask = PTE_PRESENT,
	.read_allow = PTE_PRESENT,
	.write_allow = PTE_WRITABLE,
	.exec_allow = 0,
	.exec_deny = PTE_NO_EXEC,
	.large_page = PTE_LARGE,
	.table_bits = PTE_PRESENT | PTE_WRITABLE,
	.leaf_bits = 0,
	.address_mask = PTE_ADDRESS,
	.accessed = PTE_ACCESSED,
	.dirty = PTE_DIRTY,
	.largest_leaf_level = 2,
};

static void *table_alloc(void *ctx, uint64_t *hpa)
{
	(void)ctx;
	*hpa = frame_alloc();
	return *hpa ? (void *)(uintptr_t)*hpa : NULL;
}

static void table_free(void *ctx, void *table, uint64_t hpa)
{
	(void)ctx;
	(void)table;
	frames_free(hpa, FRAME_SIZE);
}

static const struct np_allocator host_allocator = {
	.alloc_table = table_alloc,
	.free_table = table_free,
	.to_virt = NULL,
};

static struct np_table windows;
static uint64_t *live_pml4;

static uint64_t read_cr3(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	return cr3;
}

/* Drops every non-global translation: Skiff's map has no global pages. */
static void flush_tlb(void)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory");
}

int host_window_init(void)
{
	live_pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDRESS);
	return np_init(&windows, &host_format, &host_allocator);
}

uint8_t *host_window_of(unsigned id)
{
	return (uint8_t *)(uintptr_t)(HOST_WINDOW_START + (uint64_t)id * HOST_WINDOW_STRIDE);
}

/* sync_pml4: copy the engine's PML4 entries for [va, va+size) to the live one. */
static void sync_pml4(uint64_t va, uint64_t size)
{
	for (uint64_t i = va >> PML4_SHIFT; i <= (va + size - 1) >> PML4_SHIFT; i++)
		live_pml4[i] = windows.root[i];
}

static bool inside_windows(uint64_t va, uint64_t size)
{
	uint64_t end = HOST_WINDOW_START + (uint64_t)HOST_WINDOW_COUNT * HOST_WINDOW_STRIDE;

	return va >= HOST_WINDOW_START && size <= end - va;
}

int host_window_map(uint64_t va, uint64_t hpa, uint64_t size)
{
	int rc;

	if (!inside_windows(va, size))
		return -EINVAL;
	if (!live_pml4 && (rc = host_window_init()) != 0)
		return rc;
	rc = np_map(&windows, va, hpa, size, NP_READ | NP_WRITE);
	sync_pml4(va, size);
	/* A new translation where none was present: no flush is due. */
	windows.stale = false;
	return rc;
}

int host_window_lookup(uint64_t va, uint64_t *hpa, uint64_t *size)
{
	if (!live_pml4)
		return -ENOENT;
	return np_lookup(&windows, va, hpa, NULL, size);
}

void host_window_unmap(uint64_t va, uint64_t size)
{
	if (!inside_windows(va, size) || !live_pml4)
		return;
	(void)np_unmap(&windows, va, size);  /* whole windows: never splits */
	sync_pml4(va, size);
	/* Table pages the unmap freed are reused only after this flush: one
	 * CPU, and nothing allocates frames in between. */
	flush_tlb();
	windows.stale = false;
}
