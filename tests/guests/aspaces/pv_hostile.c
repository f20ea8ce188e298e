/*
 * pv_hostile.c - the paravirtual MMU's hostile cases (pv_hostile.h).
 */
#include "pv_hostile.h"

#include <pv_mmu.h>
#include <skiff.h>

#include "lib/kstring.h"
#include "probe.h"
#include "tables.h"

#define OUTSIDE UINT64_C(0xc0000000)   /* far above any test guest's RAM */
#define BIT51 (UINT64_C(1) << 51)
#define PRIV_VA(i) (PRIV_BASE + (uint64_t)(i) * 4096)

static unsigned failures;

void pv_write_registered(void)
{
	/* Still on the runtime's map, which maps every page writable. */
	uint64_t page = table_alloc(1);

	skiff_printf("aspaces: writing into a registered page table\n");
	*(volatile uint64_t *)(uintptr_t)page = PTE_P;
	skiff_printf("aspaces: ESCAPED: wrote a registered page table\n");
}

bool pv_hostile_part(const char *part)
{
	return strcmp(part, "pv-refusals") == 0 || strcmp(part, "pv-write") == 0 ||
	       strcmp(part, "pv-movcr3") == 0;
}

static void expect(const char *what, int rc, int want)
{
	if (rc == -want) {
		skiff_printf("aspaces: pv %s: refused with error %d\n", what, want);
		return;
	}
	skiff_printf("aspaces: FAILED: pv %s: got %d, want %d\n", what, rc, -want);
	failures++;
}

static void expect_ok(const char *what, int rc)
{
	if (rc == 0)
		return;
	skiff_printf("aspaces: FAILED: pv %s: refused with %d\n", what, -rc);
	failures++;
}

static uint64_t addr(uint64_t *entry)
{
	return (uint64_t)(uintptr_t)entry;
}

static uint64_t *entries(uint64_t table)
{
	return (uint64_t *)(uintptr_t)(table & PTE_ADDR);
}

/* bad_entries: one update each, every one breaking a different rule. */
static void bad_entries(unsigned n_spaces)
{
	struct space *s = &spaces[0];
	uint64_t *pml4 = entries(s->pml4), *pdpt = entries(pml4[1]), *pd = entries(pdpt[0]);
	uint64_t mem = skiff_mem_size();

	expect("leaf outside RAM", pv_mmu_set(addr(&s->pt[20]), OUTSIDE | PTE_P), PV_MMU_E_OUTSIDE_RAM);
	expect("table outside RAM", pv_mmu_set(addr(&pd[2]), OUTSIDE | PTE_P | PTE_RW),
	       PV_MMU_E_OUTSIDE_RAM);
	expect("writable mapping of a table page",
	       pv_mmu_set(addr(&s->pt[20]), spaces[1].pml4 | PTE_P | PTE_RW), PV_MMU_E_WRITABLE_TABLE);
	expect("2 MiB writable page over the table pool",
	       pv_mmu_set(addr(&pd[3]), (spaces[1].pml4 & ~UINT64_C(0x1fffff)) | PTE_P | PTE_RW | PTE_PS),
	       PV_MMU_E_WRITABLE_TABLE);
	expect("self-referencing PML4", pv_mmu_set(addr(&pml4[2]), s->pml4 | PTE_P | PTE_RW),
	       PV_MMU_E_LEVEL);
	expect("loop: directory naming its PDPT", pv_mmu_set(addr(&pd[2]), pml4[1]), PV_MMU_E_LEVEL);
	expect("wrong level: PML4 naming a page table",
	       pv_mmu_set(addr(&pml4[2]), addr(s->pt) | PTE_P | PTE_RW), PV_MMU_E_LEVEL);
	expect("wrong level: table naming an unregistered page",
	       pv_mmu_set(addr(&pd[2]), s->frame[0] | PTE_P), PV_MMU_E_LEVEL);
	expect("reserved: PS in a PML4 entry", pv_mmu_set(addr(&pml4[2]), pml4[1] | PTE_PS),
	       PV_MMU_E_RESERVED);
	expect("reserved: address bit 51", pv_mmu_set(addr(&s->pt[20]), s->frame[0] | BIT51 | PTE_P),
	       PV_MMU_E_RESERVED);
	expect("reserved: 2 MiB page address bit 13",
	       pv_mmu_set(addr(&pd[3]), big_frame | 0x2000 | PTE_P | PTE_PS), PV_MMU_E_RESERVED);
	expect("2 MiB page past the end of RAM",
	       pv_mmu_set(addr(&pd[3]), (mem & ~UINT64_C(0x1fffff)) | PTE_P | PTE_PS),
	       PV_MMU_E_OUTSIDE_RAM);
	expect("1 GiB page straddling the end of RAM", pv_mmu_set(addr(&pdpt[1]), PTE_P | PTE_PS),
	       PV_MMU_E_OUTSIDE_RAM);
	expect("entry in an unregistered page", pv_mmu_set(s->frame[0] + 8, 0), PV_MMU_E_NOT_REGISTERED);
	expect("entry address not 8-aligned", pv_mmu_set(addr(&s->pt[20]) + 3, 0), PV_MMU_E_ENTRY_ADDR);
	expect("entry address outside RAM", pv_mmu_set(OUTSIDE, 0), PV_MMU_E_ENTRY_ADDR);
	/* Allowed: a read-only mapping of a table page reads its entries. */
	expect_ok("read-only mapping of a table page",
		  pv_mmu_set(addr(&s->pt[20]), spaces[n_spaces - 1].pml4 | PTE_P));
}

/* batches: a bad entry in the middle, and hostile lengths. */
static void batches(void)
{
	struct space *s = &spaces[0];
	struct pv_mmu_update list[3] = {
		{ addr(&s->pt[21]), s->frame[1] | PTE_P },
		{ addr(&s->pt[22]), OUTSIDE | PTE_P },
		{ addr(&s->pt[23]), s->frame[2] | PTE_P },
	};
	size_t applied = 99;

	expect("batch with a bad entry in the middle", pv_mmu_update(list, 3, &applied, NULL),
	       PV_MMU_E_OUTSIDE_RAM);
	if (applied != 1 || (s->pt[21] & PTE_ADDR) != s->frame[1] || s->pt[22] || s->pt[23]) {
		skiff_printf("aspaces: FAILED: pv batch prefix: applied %u, entries 0x%llx 0x%llx 0x%llx\n",
			     (unsigned)applied, (unsigned long long)s->pt[21],
			     (unsigned long long)s->pt[22], (unsigned long long)s->pt[23]);
		failures++;
	} else {
		skiff_printf("aspaces: pv batch: exactly the good prefix (1 of 3) applied\n");
	}
	expect("batch of 10^6 entries", pv_mmu_update(list, 1000000, &applied, NULL), PV_MMU_E_BATCH);
	expect("batch of 257 entries", pv_mmu_update(list, 257, &applied, NULL), PV_MMU_E_BATCH);
	expect("batch list outside RAM",
	       pv_mmu_update((const struct pv_mmu_update *)(uintptr_t)OUTSIDE, 4, &applied, NULL),
	       PV_MMU_E_BATCH);
}

/* registrations: register, unregister and CR3 calls that must be refused. */
static void registrations(unsigned long long kernel_cr3)
{
	struct space *s = &spaces[0];
	uint64_t spare = table_alloc(1);

	expect("CR3 of an unregistered page", pv_mmu_load_cr3(s->frame[3]), PV_MMU_E_NOT_ROOT);
	expect("CR3 of a level-3 table", pv_mmu_load_cr3(entries(s->pml4)[1] & PTE_ADDR),
	       PV_MMU_E_NOT_ROOT);
	expect("CR3 with bit 63", pv_mmu_load_cr3(s->pml4 | (UINT64_C(1) << 63)), PV_MMU_E_NOT_ROOT);
	expect("unregister of a table in use", pv_mmu_unregister(addr(s->pt)), PV_MMU_E_IN_USE);
	expect("unregister of the loaded root", pv_mmu_unregister(kernel_cr3), PV_MMU_E_IN_USE);
	expect("unregister of an ordinary page", pv_mmu_unregister(s->frame[3]),
	       PV_MMU_E_NOT_REGISTERED);
	expect("register of a page mapped writable", pv_mmu_register(s->frame[3], 1),
	       PV_MMU_E_MAPPED_WRITABLE);
	expect("register twice", pv_mmu_register(spare, 1), PV_MMU_E_REGISTERED);
	expect("register at level 5", pv_mmu_register(s->frame[3] + 4096 * 64, 5), PV_MMU_E_LEVEL_ARG);
	expect("register of an unaligned page", pv_mmu_register(spare + 8, 1), PV_MMU_E_PAGE);
	expect("register past RAM", pv_mmu_register(OUTSIDE, 1), PV_MMU_E_PAGE);
	expect_ok("unregister of an unused table", pv_mmu_unregister(spare));
	expect_ok("register again", pv_mmu_register(spare, 2));
}

/*
 * reclaim: a heap page mapped by space 0's tables is reported free. Skiff
 * takes its frame through the one invalidation path, which must drop the
 * shadow translation too: the next write (through the runtime's map, to a
 * fresh frame) must be what space 0 reads, not the old, scrubbed frame.
 */
static void reclaim(void)
{
	uint64_t heap = big_frame + BIG_SIZE + 48 * 4096, got = 0;
	volatile uint64_t *word = (volatile uint64_t *)(uintptr_t)heap;
	int64_t freed;

	*word = 0x1111;
	pte_set(&spaces[0].pt[24], heap | PTE_P | PTE_RW);
	space_load(spaces[0].pml4);
	if (probe_read(PRIV_VA(24), &got) != 0 || got != 0x1111)
		failures++;
	freed = skiff_report_free((const void *)(uintptr_t)heap, 4096);
	*word = 0x2222;
	if (probe_read(PRIV_VA(24), &got) != 0 || got != 0x2222) {
		skiff_printf("aspaces: FAILED: pv page reported free: read 0x%llx (freed %lld)\n",
			     (unsigned long long)got, (long long)freed);
		failures++;
		return;
	}
	skiff_printf("aspaces: pv page mapped by the tables reported free (%lld frame), read anew ok\n",
		     (long long)freed);
}

/* intact: every space still maps its own frames, which hold their values. */
static void intact(unsigned n_spaces, unsigned long long kernel_cr3)
{
	for (unsigned p = 0; p < n_spaces; p++) {
		uint64_t want = 0x5e000000u + p, got = 0;

		*(volatile uint64_t *)(uintptr_t)spaces[p].frame[0] = want;
		space_load(spaces[p].pml4);
		if (probe_read(PRIV_VA(0), &got) != 0 || got != want) {
			skiff_printf("aspaces: FAILED: pv space %u after the refusals\n", p);
			failures++;
		}
	}
	space_load(kernel_cr3);
	skiff_printf("aspaces: pv spaces intact after the refusals\n");
}

int pv_hostile(const char *part, unsigned n_spaces, unsigned long long kernel_cr3)
{
	if (strcmp(part, "pv-movcr3") == 0) {
		skiff_printf("aspaces: MOV to CR3 after the CR3 call\n");
		cr3_load(spaces[0].pml4);
		skiff_printf("aspaces: ESCAPED: MOV to CR3 went through\n");
		return 1;
	}
	bad_entries(n_spaces);
	batches();
	registrations(kernel_cr3);
	reclaim();
	intact(n_spaces, kernel_cr3);
	return failures ? 1 : 0;
}
