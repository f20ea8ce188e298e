/*
 * tables.c - building the aspaces guest's page-table trees (tables.h).
 */
#include "tables.h"

#include <pv_mmu.h>
#include <skiff.h>

#include "lib/kstring.h"
#include "probe.h"

#define FRAME_POOL_PAGES 224
#define TABLE_POOL_PAGES 112

struct space spaces[MAX_SPACES];
uint64_t big_frame;
bool use_pv;

static uint8_t frame_pool[FRAME_POOL_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t table_pool[TABLE_POOL_PAGES][4096] __attribute__((aligned(4096)));
static unsigned frames_used, tables_used;

static _Noreturn void exhausted(const char *which)
{
	skiff_printf("aspaces: %s pool exhausted\n", which);
	skiff_exit(4);
}

uint64_t page_alloc(void)
{
	if (frames_used == FRAME_POOL_PAGES)
		exhausted("frame");
	memset(frame_pool[frames_used], 0, 4096);
	return (uint64_t)(uintptr_t)frame_pool[frames_used++];
}

bool in_table_pool(uint64_t addr)
{
	uint64_t start = (uint64_t)(uintptr_t)table_pool;

	return addr >= start && addr < start + sizeof(table_pool);
}

uint64_t table_alloc(unsigned level)
{
	uint64_t page;
	int rc;

	if (tables_used == TABLE_POOL_PAGES)
		exhausted("table");
	page = (uint64_t)(uintptr_t)table_pool[tables_used++];
	if (!use_pv) {
		memset((void *)(uintptr_t)page, 0, 4096);
		return page;
	}
	/* .bss, never handed out before: already zero, and read-only to us. */
	if ((rc = pv_mmu_register(page, level)) != 0) {
		skiff_printf("aspaces: FAILED: registering table 0x%llx at level %u: error %d\n",
			     (unsigned long long)page, level, -rc);
		skiff_exit(1);
	}
	return page;
}

void pte_set(uint64_t *entry, uint64_t value)
{
	uint64_t detail = 0;
	struct pv_mmu_update u = { (uint64_t)(uintptr_t)entry, value };
	int rc;

	if (!use_pv) {
		*entry = value;
		return;
	}
	if ((rc = pv_mmu_update(&u, 1, NULL, &detail)) != 0) {
		skiff_printf("aspaces: FAILED: update of 0x%llx to 0x%llx: error %d (0x%llx)\n",
			     (unsigned long long)u.entry, (unsigned long long)value, -rc,
			     (unsigned long long)detail);
		skiff_exit(1);
	}
}

void space_load(uint64_t cr3)
{
	int rc;

	if (!use_pv) {
		cr3_load(cr3);
		return;
	}
	if ((rc = pv_mmu_load_cr3(cr3)) != 0) {
		skiff_printf("aspaces: FAILED: loading CR3 0x%llx: error %d\n",
			     (unsigned long long)cr3, -rc);
		skiff_exit(1);
	}
}

void space_invlpg(uint64_t va)
{
	if (!use_pv)
		invlpg(va);
}

static uint64_t *table(uint64_t addr)
{
	return (uint64_t *)(uintptr_t)(addr & PTE_ADDR);
}

#define PTE_FLAGS_4K (UINT64_C(0x7f) | (UINT64_C(1) << 63))  /* P..D and NX, not PS/PAT */
#define LARGE (UINT64_C(2) << 20)

/* kernel_pt: a page table for the 2 MiB at base, as boot_pde maps it,
 * each table-pool page read-only and nothing past RAM. */
static uint64_t kernel_pt(uint64_t base, uint64_t boot_pde)
{
	static struct pv_mmu_update batch[512];
	uint64_t pt = table_alloc(1), mem = skiff_mem_size();
	size_t applied = 0;
	uint64_t detail = 0;

	for (unsigned i = 0; i < 512; i++) {
		uint64_t a = base + (uint64_t)i * 4096, v;

		if (boot_pde & PTE_PS)
			v = a | (boot_pde & PTE_FLAGS_4K);
		else
			v = table(boot_pde)[i];
		if (a >= mem)
			v = 0;
		if (in_table_pool(a))
			v &= ~PTE_RW;
		batch[i] = (struct pv_mmu_update){ pt + 8 * i, v };
	}
	for (unsigned half = 0; half < 2; half++)
		if (pv_mmu_update(&batch[half * 256], 256, &applied, &detail) != 0) {
			skiff_printf("aspaces: FAILED: kernel table at 0x%llx: entry %u, 0x%llx\n",
				     (unsigned long long)base, half * 256 + (unsigned)applied,
				     (unsigned long long)detail);
			skiff_exit(1);
		}
	return pt;
}

uint64_t pv_kernel_build(uint64_t boot_cr3)
{
	uint64_t mem = skiff_mem_size();
	uint64_t *boot_pd = table(table(table(boot_cr3)[0])[0]);
	uint64_t pml4 = table_alloc(4), pdpt = table_alloc(3), pd = table_alloc(2);
	uint64_t pool = (uint64_t)(uintptr_t)table_pool;

	if (mem > (UINT64_C(1) << 30)) {
		skiff_puts("aspaces: under paging=pv give mem=1G or less\n");
		skiff_exit(4);
	}
	for (uint64_t b = 0; b < mem; b += LARGE) {
		uint64_t e = boot_pd[b / LARGE];
		bool has_pool = b < pool + sizeof(table_pool) && pool < b + LARGE;

		if (!(e & PTE_P))
			continue;
		if ((e & PTE_PS) && !has_pool && b + LARGE <= mem)
			pte_set(&table(pd)[b / LARGE], e);
		else
			pte_set(&table(pd)[b / LARGE], kernel_pt(b, e) | PTE_P | PTE_RW);
	}
	pte_set(&table(pdpt)[0], pd | PTE_P | PTE_RW);
	pte_set(&table(pml4)[0], pdpt | PTE_P | PTE_RW);
	return pml4;
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
		uint64_t pt = table_alloc(1), pd = table_alloc(2), pdpt = table_alloc(3);
		uint64_t pml4 = table_alloc(4);

		s->pml4 = pml4;
		s->pt = table(pt);
		for (unsigned i = 0; i < PRIV_PAGES; i++) {
			s->frame[i] = page_alloc();
			pte_set(&s->pt[i], s->frame[i] | PTE_P | PTE_RW);
		}
		pte_set(&table(pd)[0], pt | PTE_P | PTE_RW);
		pte_set(&table(pd)[1], big_frame | PTE_P | PTE_PS | ((p % 2) ? 0 : PTE_RW));
		pte_set(&table(pdpt)[0], pd | PTE_P | PTE_RW);
		pte_set(&table(pml4)[0], table(kernel_cr3)[0]);   /* the runtime's RAM mapping */
		pte_set(&table(pml4)[1], pdpt | PTE_P | PTE_RW);
	}
}
