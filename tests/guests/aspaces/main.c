/*
 * aspaces - a guest with address spaces: N (2..16) page-table trees
 * ("processes", tables.h), switched among round robin and hot/cold, with
 * pages unmapped, remapped, write-protected and copied, in the current
 * space and in others, and every value read checked. The faults it expects
 * are taken by its own #PF handler (probe.h), and CR2 and the error code
 * are checked too. Its output does not depend on how Skiff virtualizes
 * memory: it is the same under paging=nested, shadow and pv (under pv the
 * tables are registered and changed through pv_mmu.h: tables.h).
 *
 *   aspaces [N [ROUNDS [PART]]]   default 4 spaces, 8 rounds, PART all
 *
 * PART picks what runs: all (the test), rr or hotcold (only that switching
 * pattern: for the shadow cache's hit rate), bench (path lengths in TSC
 * ticks, which count instructions under QEMU -icount: bench/shadow_bench.py;
 * "bench OP" runs only OP: cr3, update, fault, touch, whole, update-read,
 * or none),
 * or one hostile table (each in space 0, then an access through it):
 *   outside    a page directory entry naming a table beyond RAM: Skiff
 *              ends the guest (outside its RAM), as the nested walk would
 *   selfref    PML4 entry 2 naming the PML4 itself: reads through it
 *              see the tables as data, as on any x86
 *   reserved   PS set in a PML4 entry: the guest's own #PF, RSVD set
 *   reserved   also address bit 51 (above MAXPHYADDR) in a PD entry and
 *              in a 2 MiB leaf: the same
 *   straddle   a 1 GiB page at 0, far past the end of RAM: inside RAM it
 *              reads, past it Skiff ends the guest
 *   straddle2m the last 2 MiB page of RAM reads to its end; the next one,
 *              past the end, Skiff ends the guest
 *   noncanon   a non-canonical address whose table indexes are mapped: the
 *              guest's own #GP (no #PF), INVLPG of it a no-op
 *   pcid       (not hostile) the spaces under CR4.PCIDE: part_pcid
 *   storm      10^6 CR3 loads between two spaces, or ROUNDS seconds,
 *              whichever is first, checking a page of each every 4096
 *              (also under pv, with the CR3 call)
 * and, under paging=pv only, pv-refusals, pv-write, pv-movcr3 (pv_hostile.h).
 */
#include <skiff.h>

#include "lib/kstring.h"

#include "probe.h"
#include "pv_hostile.h"
#include "tables.h"
#include <pv_mmu.h>

#define PF_P 1u
#define PF_W 2u

static unsigned n_spaces = 4, rounds = 8;
static uint64_t expect[MAX_SPACES][PRIV_PAGES];
static uint64_t big_expect[MAX_SPACES];
static uint64_t kernel_cr3;
static unsigned current = ~0u;
static uint64_t switches, checks;

/* number: the decimal argument s, 0 when it is not one. */
static unsigned number(const char *s)
{
	unsigned n = 0;

	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 1000)
			return 0;
		n = n * 10 + (unsigned)(*s - '0');
	}
	return n;
}

static _Noreturn void fail(const char *what, unsigned p, unsigned i, uint64_t want,
			   uint64_t got)
{
	space_load(kernel_cr3);
	skiff_printf("aspaces: FAILED: %s (space %u, page %u): want 0x%llx got 0x%llx\n",
		     what, p, i, (unsigned long long)want, (unsigned long long)got);
	skiff_exit(1);
}

static void check(bool ok, const char *what, unsigned p, unsigned i, uint64_t want,
		  uint64_t got)
{
	checks++;
	if (!ok)
		fail(what, p, i, want, got);
}

static uint64_t va_of(unsigned i)
{
	return PRIV_BASE + (uint64_t)i * 4096;
}

static void switch_to(unsigned p)
{
	space_load(spaces[p].pml4);
	current = p;
	switches++;
	check(cr3_read() == spaces[p].pml4, "CR3 reads back", p, 0, spaces[p].pml4, cr3_read());
}

/* read_ok: va must read want in the current space. */
static void read_ok(uint64_t va, uint64_t want, const char *what, unsigned i)
{
	uint64_t got = ~want;

	check(probe_read(va, &got) == 0, what, current, i, 0, pf_cr2);
	check(got == want, what, current, i, want, got);
}

/* pdpt_of_space0: the PDPT that space 0's PML4 entry 1 names. */
static uint64_t pdpt_of_space0(void)
{
	return ((uint64_t *)(uintptr_t)spaces[0].pml4)[1] & PTE_ADDR;
}

/* fault_ok: the access must fault with error and CR2 = va. */
static void fault_ok(int faulted, uint64_t va, uint64_t error, const char *what, unsigned i)
{
	check(faulted == 1, what, current, i, 1, (uint64_t)faulted);
	check(pf_cr2 == va, what, current, i, va, pf_cr2);
	check((pf_error & 0x1f) == error, what, current, i, error, pf_error);
}

static uint64_t value_for(unsigned p, unsigned i, uint64_t round)
{
	return ((uint64_t)p << 48) ^ ((uint64_t)i << 32) ^ (round * 0x9e3779b97f4a7c15ull) ^ 1;
}

/* visit: check every private page and the big page, then write new values. */
static void visit(unsigned p, uint64_t round)
{
	switch_to(p);
	for (unsigned i = 0; i < PRIV_PAGES; i++) {
		read_ok(va_of(i), expect[p][i], "private page", i);
		expect[p][i] = value_for(p, i, round);
		check(probe_write(va_of(i), expect[p][i]) == 0, "private write", p, i, 0, pf_cr2);
	}
	read_ok(BIG_VA + 8 * p, big_expect[p], "2 MiB page", p);
	if (p % 2 == 0) {
		big_expect[p] = value_for(p, 99, round);
		check(probe_write(BIG_VA + 8 * p, big_expect[p]) == 0, "2 MiB write", p, 0, 0, 0);
	} else {
		fault_ok(probe_write(BIG_VA + 8 * p, 1), BIG_VA + 8 * p, PF_P | PF_W,
			 "2 MiB read-only page", p);
	}
}

static void round_robin(void)
{
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned p = 0; p < n_spaces; p++)
			visit(p, r * 100 + p);
	skiff_printf("aspaces: round robin: %u switches over %u spaces ok\n",
		     rounds * n_spaces, n_spaces);
}

/* Hot/cold: three switches in four go to spaces 0 and 1. */
static void hot_cold(void)
{
	uint64_t seed = 12345;
	unsigned count = rounds * n_spaces * 2;

	for (unsigned k = 0; k < count; k++) {
		unsigned p;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		p = (seed >> 33) % 4 != 0 ? (unsigned)(seed >> 40) % 2 : (unsigned)(seed >> 40) % n_spaces;
		visit(p, 10000 + k);
	}
	skiff_printf("aspaces: hot/cold: %u switches ok\n", count);
}

/* unmap_other: unmap a page of space b from space a, then meet the fault in b. */
static void unmap_remap(void)
{
	for (unsigned b = 0; b < n_spaces; b++) {
		unsigned a = (b + 1) % n_spaces, j = b % PRIV_PAGES;
		uint64_t fresh = page_alloc();

		switch_to(a);
		pte_set(&spaces[b].pt[j], 0);                   /* edited while b is not current */
		switch_to(b);
		uint64_t got = 0;
		fault_ok(probe_read(va_of(j), &got), va_of(j), 0, "unmapped page", j);
		*(uint64_t *)(uintptr_t)fresh = 0xfeed0000u + b;
		pte_set(&spaces[b].pt[j], fresh | PTE_P | PTE_RW);  /* not present to present: no INVLPG */
		read_ok(va_of(j), 0xfeed0000u + b, "remapped page", j);
		expect[b][j] = 0xfeed0000u + b;
		spaces[b].frame[j] = fresh;
		/* A write first, so any cached translation is a writable one. */
		check(probe_write(va_of(j), expect[b][j]) == 0, "remapped write", b, j, 0, pf_cr2);
		/* Unmap in the current space, with INVLPG, as an OS must. */
		pte_set(&spaces[b].pt[j], 0);
		space_invlpg(va_of(j));
		fault_ok(probe_read(va_of(j), &got), va_of(j), 0, "unmapped page (current)", j);
		fault_ok(probe_write(va_of(j), 5), va_of(j), PF_W, "unmapped page (current)", j);
		pte_set(&spaces[b].pt[j], fresh | PTE_P | PTE_RW);
		read_ok(va_of(j), expect[b][j], "mapped again", j);
	}
	skiff_printf("aspaces: unmap and remap ok\n");
}

static void write_protect(void)
{
	for (unsigned b = 0; b < n_spaces; b++) {
		unsigned j = (b + 3) % PRIV_PAGES;

		switch_to(b);
		check(probe_write(va_of(j), expect[b][j]) == 0, "write before protecting", b, j, 0, 0);
		pte_set(&spaces[b].pt[j], spaces[b].pt[j] & ~(PTE_RW));
		space_invlpg(va_of(j));
		fault_ok(probe_write(va_of(j), 7), va_of(j), PF_P | PF_W, "write-protected", j);
		read_ok(va_of(j), expect[b][j], "write-protected page reads", j);
		pte_set(&spaces[b].pt[j], spaces[b].pt[j] | PTE_RW);
		space_invlpg(va_of(j));
		check(probe_write(va_of(j), expect[b][j]) == 0, "writable again", b, j, 0, pf_cr2);
		/* Protect a page of the next space from here, then go there:
		 * twice, so a cached translation from before would be used. */
		unsigned c = (b + 1) % n_spaces;
		switch_to(c);
		check(probe_write(va_of(j), expect[c][j]) == 0, "write before", c, j, 0, 0);
		switch_to(b);
		pte_set(&spaces[c].pt[j], spaces[c].pt[j] & ~(PTE_RW));
		switch_to(c);
		fault_ok(probe_write(va_of(j), 7), va_of(j), PF_P | PF_W, "protected from elsewhere", j);
		switch_to(b);
		switch_to(c);
		fault_ok(probe_write(va_of(j), 7), va_of(j), PF_P | PF_W, "protected from elsewhere", j);
		pte_set(&spaces[c].pt[j], spaces[c].pt[j] | PTE_RW);
		space_invlpg(va_of(j));
	}
	skiff_printf("aspaces: write protection ok\n");
}

static void accessed_dirty(void)
{
	unsigned b = n_spaces - 1, j = 1;

	switch_to(b);
	pte_set(&spaces[b].pt[j], spaces[b].pt[j] & ~(PTE_A | PTE_D));
	space_invlpg(va_of(j));
	read_ok(va_of(j), expect[b][j], "A/D page", j);
	check((spaces[b].pt[j] & (PTE_A | PTE_D)) == PTE_A, "A set, D clear after a read", b, j,
	      PTE_A, spaces[b].pt[j] & (PTE_A | PTE_D));
	check(probe_write(va_of(j), expect[b][j]) == 0, "A/D write", b, j, 0, 0);
	check((spaces[b].pt[j] & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "D set after a write", b, j,
	      PTE_A | PTE_D, spaces[b].pt[j] & (PTE_A | PTE_D));
	skiff_printf("aspaces: accessed and dirty bits ok\n");
}

/* copy: each space's page 2 gets space 0's page 2, through the identity map. */
static void copy_pages(void)
{
	for (unsigned b = 1; b < n_spaces; b++) {
		memcpy((void *)(uintptr_t)spaces[b].frame[2], (void *)(uintptr_t)spaces[0].frame[2],
		       4096);
		expect[b][2] = expect[0][2];
		switch_to(b);
		read_ok(va_of(2), expect[0][2], "copied page", 2);
	}
	skiff_printf("aspaces: copies ok\n");
}

/* per: TSC ticks per iteration of a loop that took ticks for count rounds. */
static void report(const char *what, uint64_t ticks, unsigned count)
{
	skiff_printf("aspaces bench: %s: %llu tsc\n", what, (unsigned long long)(ticks / count));
}

#define BENCH_COUNT 256u

static void bench_cr3(void)
{
	uint64_t t = skiff_tsc(), value = 0;

	for (unsigned k = 0; k < BENCH_COUNT; k++) {
		space_load(spaces[k % n_spaces].pml4);
		(void)probe_read(va_of(0), &value);
	}
	report("CR3 switch and one read", skiff_tsc() - t, BENCH_COUNT);
}

static void bench_update(void)
{
	uint64_t t;

	switch_to(0);
	t = skiff_tsc();
	for (unsigned k = 0; k < BENCH_COUNT; k++) {
		pte_set(&spaces[0].pt[4], spaces[0].pt[4] & ~(PTE_RW));
		space_invlpg(va_of(4));
		pte_set(&spaces[0].pt[4], spaces[0].pt[4] | PTE_RW);
		space_invlpg(va_of(4));
	}
	report("page-table update (PTE write and INVLPG, twice)", skiff_tsc() - t, BENCH_COUNT);
}

/* bench_update_read: as bench_update, with a read through the entry after
 * each change, so the entry's page is walked (and shadowed) between
 * updates and each update must drop what derives from it. */
static void bench_update_read(void)
{
	uint64_t t, value = 0;

	switch_to(0);
	t = skiff_tsc();
	for (unsigned k = 0; k < BENCH_COUNT; k++) {
		pte_set(&spaces[0].pt[4], spaces[0].pt[4] & ~(PTE_RW));
		space_invlpg(va_of(4));
		(void)probe_read(va_of(4), &value);
		pte_set(&spaces[0].pt[4], spaces[0].pt[4] | PTE_RW);
		space_invlpg(va_of(4));
		(void)probe_read(va_of(4), &value);
	}
	report("page-table update and a read, twice", skiff_tsc() - t, BENCH_COUNT);
}

static void bench_fault(void)
{
	uint64_t t;

	switch_to(0);
	pte_set(&spaces[0].pt[5], spaces[0].pt[5] & ~(PTE_RW));
	space_invlpg(va_of(5));
	t = skiff_tsc();
	for (unsigned k = 0; k < BENCH_COUNT; k++)
		(void)probe_write(va_of(5), k);
	report("page fault handled by the guest", skiff_tsc() - t, BENCH_COUNT);
	pte_set(&spaces[0].pt[5], spaces[0].pt[5] | PTE_RW);
	space_invlpg(va_of(5));
}

static void bench_touch(void)
{
	uint64_t t;

	space_load(kernel_cr3);
	t = skiff_tsc();
	for (unsigned k = 0; k < 64; k++)
		*(volatile uint8_t *)(uintptr_t)(big_frame + BIG_SIZE + k * 4096u) = 1;
	report("first touch of a page (64 pages)", skiff_tsc() - t, 64);
}

static void bench_whole(void)
{
	uint64_t t = skiff_tsc();

	round_robin();
	hot_cold();
	report("round robin and hot/cold, whole", skiff_tsc() - t, 1);
}

/*
 * bench: path lengths of the operations that differ between paging modes,
 * each after every space was filled; only (when not NULL) names the one
 * to run (cr3, update, fault, touch, whole, update-read), or none for the
 * warm-up alone
 * (the baseline of exits per operation: bench/shadow_bench.py).
 */
static void bench(const char *only)
{
	static const struct { const char *name; void (*run)(void); } parts[] = {
		{ "cr3", bench_cr3 }, { "update", bench_update }, { "fault", bench_fault },
		{ "touch", bench_touch }, { "whole", bench_whole },
		{ "update-read", bench_update_read },
	};

	for (unsigned p = 0; p < n_spaces; p++)
		visit(p, p);
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!only || strcmp(only, parts[i].name) == 0)
			parts[i].run();
}

#define HOSTILE_VA (UINT64_C(2) << 39)   /* PML4 entry 2 */
#define HIGH_VA UINT64_C(0xffff800000000000)   /* PML4 entry 256, canonical */
#define NONCANON_VA UINT64_C(0x0000800000000000)  /* the same indexes, not canonical */
#define PHYS_BIT51 (UINT64_C(1) << 51)   /* above every emulator's MAXPHYADDR */
#define STORM_SWITCHES 1000000u

/* The hostile parts share space 0's PML4 entry 2 -> pdpt -> pd. */
struct hostile_tables {
	uint64_t *pml4, *pdpt, *pd;
	uint64_t pdpt_addr, pd_addr;
};

static int part_outside(struct hostile_tables *t)
{
	uint64_t value = 0;

	t->pd[0] = UINT64_C(0xc0000000) | PTE_P | PTE_RW;
	switch_to(0);
	skiff_printf("aspaces: reading through a table beyond RAM\n");
	(void)probe_read(HOSTILE_VA, &value);
	skiff_printf("aspaces: ESCAPED: read 0x%llx\n", (unsigned long long)value);
	return 1;
}

static int part_selfref(struct hostile_tables *t)
{
	uint64_t self = HOSTILE_VA | (UINT64_C(2) << 30) | (UINT64_C(2) << 21) | (UINT64_C(2) << 12);
	uint64_t value = 0;

	t->pml4[2] = spaces[0].pml4 | PTE_P | PTE_RW;
	switch_to(0);
	check(probe_read(self + 8, &value) == 0, "self-referencing read", 0, 0, 0, pf_cr2);
	check((value & PTE_ADDR) == pdpt_of_space0(), "PML4 entry 1 through itself", 0, 1,
	      pdpt_of_space0(), value);
	skiff_printf("aspaces: self-referencing PML4 reads its own entries ok\n");
	return 0;
}

/* reserved_faults: a read at va must be the guest's #PF with RSVD set.
 * The SDM has P set with RSVD; QEMU's own walk leaves it clear: only RSVD
 * and CR2 are checked. */
static void reserved_faults(uint64_t va, const char *what)
{
	uint64_t value = 0;

	check(probe_read(va, &value) == 1, what, 0, 0, 1, 0);
	check(pf_cr2 == va && (pf_error & 8u), what, 0, 0, va, pf_cr2);
}

static int part_reserved(struct hostile_tables *t)
{
	uint64_t frame = page_alloc();

	t->pml4[2] |= PTE_PS;   /* no large pages at the PML4 */
	switch_to(0);
	reserved_faults(HOSTILE_VA, "reserved bit: PS in a PML4 entry");
	t->pml4[2] &= ~PTE_PS;
	t->pd[0] = frame | PHYS_BIT51 | PTE_P | PTE_RW;   /* a table address past MAXPHYADDR */
	cr3_load(spaces[0].pml4);
	reserved_faults(HOSTILE_VA, "reserved bit: address bit 51 in a PD entry");
	t->pd[0] = 0;
	t->pd[1] = PHYS_BIT51 | PTE_P | PTE_RW | PTE_PS;   /* a 2 MiB leaf at 0, bit 51 set */
	cr3_load(spaces[0].pml4);
	reserved_faults(HOSTILE_VA + BIG_SIZE, "reserved bit: address bit 51 in a 2 MiB leaf");
	skiff_printf("aspaces: reserved bit: #PF with RSVD set\n");
	return 0;
}

static int part_straddle(struct hostile_tables *t)
{
	uint64_t value = 0;

	t->pdpt[0] = 0 | PTE_P | PTE_RW | PTE_PS;   /* 1 GiB at 0 */
	switch_to(0);
	check(probe_read(HOSTILE_VA + 0x100000, &value) == 0, "1 GiB page in RAM", 0, 0, 0, 0);
	skiff_printf("aspaces: 1 GiB page reads inside RAM; now past its end\n");
	(void)probe_read(HOSTILE_VA + skiff_mem_size() + 0x1000, &value);
	skiff_printf("aspaces: ESCAPED: read 0x%llx past RAM\n", (unsigned long long)value);
	return 1;
}

/* straddle2m: Skiff's RAM is whole 2 MiB blocks, so a 2 MiB page cannot
 * straddle its end: the last 2 MiB page inside reads up to its last byte,
 * and the page right after it, wholly past the end, is Skiff's to end. */
static int part_straddle2m(struct hostile_tables *t)
{
	uint64_t end = skiff_mem_size(), value = 0;

	t->pd[0] = (end - BIG_SIZE) | PTE_P | PTE_RW | PTE_PS;
	t->pd[1] = end | PTE_P | PTE_RW | PTE_PS;
	switch_to(0);
	check(probe_read(HOSTILE_VA + BIG_SIZE - 8, &value) == 0, "last 2 MiB page of RAM", 0, 0,
	      0, pf_cr2);
	skiff_printf("aspaces: last 2 MiB page reads to its end; now the next one\n");
	(void)probe_read(HOSTILE_VA + BIG_SIZE + 0x1000, &value);
	skiff_printf("aspaces: ESCAPED: read 0x%llx past RAM\n", (unsigned long long)value);
	return 1;
}

/* noncanon: the canonical high half reads; its non-canonical alias (the
 * same table indexes) is the guest's #GP, not a #PF; INVLPG of it is a NOP. */
static int part_noncanon(struct hostile_tables *t)
{
	uint64_t frame = page_alloc(), value = 0, faults = pf_count;

	*(uint64_t *)(uintptr_t)frame = 0x600dcafe;
	t->pml4[256] = t->pdpt_addr | PTE_P | PTE_RW;
	t->pd[0] = (uint64_t)(uintptr_t)spaces[0].pt | PTE_P | PTE_RW;
	spaces[0].pt[PRIV_PAGES] = frame | PTE_P | PTE_RW;
	switch_to(0);
	read_ok(HIGH_VA + PRIV_PAGES * 4096u, 0x600dcafe, "canonical high half", PRIV_PAGES);
	invlpg(NONCANON_VA + PRIV_PAGES * 4096u);
	check(probe_read(NONCANON_VA + PRIV_PAGES * 4096u, &value) == 1 && gp_count == 1 &&
	      pf_count == faults, "non-canonical read is #GP", 0, 0, 1, gp_count);
	check(probe_write(NONCANON_VA, 1) == 1 && gp_count == 2 && pf_count == faults,
	      "non-canonical write is #GP", 0, 0, 2, gp_count);
	read_ok(HIGH_VA + PRIV_PAGES * 4096u, 0x600dcafe, "canonical after #GP", PRIV_PAGES);
	skiff_printf("aspaces: non-canonical addresses: #GP, the canonical alias intact\n");
	return 0;
}

/*
 * storm: CR3 loads back and forth between spaces 0 and 1 as fast as the
 * guest can (under pv the CR3 call), STORM_SWITCHES or `rounds` seconds,
 * whichever ends first, with a private page of each checked every 4096
 * switches. It needs no hostile table, so it runs under pv too. The rate is
 * printed per 10^6 TSC ticks, which are instructions of the whole machine
 * (Skiff and every guest) under QEMU -icount and Bochs sync=none.
 */
static int part_storm(struct hostile_tables *t)
{
	uint64_t start = skiff_tsc(), limit = skiff_tsc_hz() * rounds, ticks;
	unsigned n = 0;

	(void)t;
	for (unsigned p = 0; p < 2; p++) {
		switch_to(p);
		check(probe_write(va_of(0), 0x5707u + p) == 0, "storm setup", p, 0, 0, pf_cr2);
	}
	start = skiff_tsc();
	while (n < STORM_SWITCHES && skiff_tsc() - start < limit) {
		space_load(spaces[n & 1].pml4);
		if ((++n & 4095u) == 0) {
			current = n & 1 ? 0 : 1;
			read_ok(va_of(0), 0x5707u + current, "storm page", 0);
		}
	}
	ticks = skiff_tsc() - start;
	switches += n;
	skiff_printf("aspaces: CR3 storm: %u switches in %llu ms, %llu TSC ticks: %llu per 10^6 "
		     "ticks\n", n, (unsigned long long)(ticks * 1000 / skiff_tsc_hz()),
		     (unsigned long long)ticks,
		     (unsigned long long)(ticks ? (uint64_t)n * 1000000u / ticks : 0));
	skiff_printf("aspaces: CR3 storm: every check ok\n");
	return 0;
}

#define CR4_PCIDE (UINT64_C(1) << 17)
#define CR3_NOFLUSH (UINT64_C(1) << 63)
#define CPUID1_ECX_PCID (1u << 17)

/* pcid_switch: to space p with PCID p + 1, keeping its TLB entries when
 * keep (CR3 bit 63, which CR3 never reads back). */
static void pcid_switch(unsigned p, bool keep)
{
	uint64_t value = spaces[p].pml4 | (p + 1);

	cr3_load(value | (keep ? CR3_NOFLUSH : 0));
	current = p;
	switches++;
	check(cr3_read() == value, "CR3 with PCID reads back", p, 0, value, cr3_read());
}

/* pcid_rounds: every private page of every space read and rewritten
 * through PCID switches, half of them keeping the TLB entries. */
static void pcid_rounds(void)
{
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned p = 0; p < n_spaces; p++) {
			pcid_switch(p, (r + p) % 2 == 1);
			for (unsigned i = 0; i < PRIV_PAGES; i++) {
				read_ok(va_of(i), expect[p][i], "page under PCID", i);
				expect[p][i] = value_for(p, i, 30000 + r);
				check(probe_write(va_of(i), expect[p][i]) == 0, "write under PCID",
				      p, i, 0, pf_cr2);
			}
		}
}

/* pcid_edits: what the architecture promises with PCIDs: a load without
 * bit 63 drops the new PCID's entries; INVLPG drops the current one's. */
static void pcid_edits(void)
{
	uint64_t got = 0, fresh = page_alloc();

	spaces[1].pt[2] = 0;            /* space 1's page, edited from space 0 */
	pcid_switch(0, true);
	pcid_switch(1, false);
	fault_ok(probe_read(va_of(2), &got), va_of(2), 0, "unmapped, then CR3 without bit 63", 2);
	*(uint64_t *)(uintptr_t)fresh = 0xbeef;
	spaces[1].pt[2] = fresh | PTE_P | PTE_RW;   /* not present to present */
	pcid_switch(0, true);
	pcid_switch(1, true);
	read_ok(va_of(2), 0xbeef, "mapped again, kept PCID", 2);
	spaces[1].pt[2] = spaces[1].frame[2] | PTE_P | PTE_RW;
	invlpg(va_of(2));
	read_ok(va_of(2), expect[1][2], "INVLPG under PCID", 2);
}

#define CPUID7_EBX_INVPCID (1u << 10)
#define NONCANONICAL UINT64_C(0x0000800000000000)

/* invpcid_ok: INVPCID type for pcid and va ran without a fault. */
static void invpcid_ok(uint64_t type, uint64_t pcid, uint64_t va, const char *what)
{
	const uint64_t desc[2] = { pcid, va };

	check(probe_invpcid(type, desc) == 0, what, current, (unsigned)type, 0, gp_count);
}

/* invpcid_gp: INVPCID with a bad operand is the guest's #GP. */
static void invpcid_gp(uint64_t type, uint64_t pcid, uint64_t va, const char *what)
{
	const uint64_t desc[2] = { pcid, va };
	uint64_t gps = gp_count;

	check(probe_invpcid(type, desc) == 1 && gp_count == gps + 1, what, current,
	      (unsigned)type, 1, gp_count - gps);
}

/* remap_and_invpcid: space 1's page i moves to fresh (present to
 * present); INVPCID of type drops the old translation. */
static void remap_and_invpcid(unsigned i, uint64_t fresh, uint64_t type, const char *what)
{
	read_ok(va_of(i), expect[1][i], what, i);   /* cached */
	spaces[1].pt[i] = fresh | PTE_P | PTE_RW;
	invpcid_ok(type, 2, va_of(i), what);
	read_ok(va_of(i), 0xcafe, what, i);
	spaces[1].pt[i] = spaces[1].frame[i] | PTE_P | PTE_RW;
	invpcid_ok(type, 2, va_of(i), what);
	read_ok(va_of(i), expect[1][i], what, i);
}

/*
 * pcid_invpcid: the four types drop what they promise, in space 1 (PCID
 * 2); bad operands are #GP (type above 3, descriptor bits 63:12, a
 * non-canonical address for type 0 or descriptor), an unmapped
 * descriptor #PF, as the SDM says. Returns 0 when the CPU has none.
 */
static unsigned pcid_invpcid(void)
{
	uint32_t eax = 7, ebx = 0, ecx = 0, edx = 0;
	uint64_t fresh = page_alloc(), pfs, gps;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	if (!(ebx & CPUID7_EBX_INVPCID)) {
		skiff_printf("aspaces: this CPU has no INVPCID (CPUID.7.0:EBX = 0x%x)\n", ebx);
		return 0;
	}
	*(uint64_t *)(uintptr_t)fresh = 0xcafe;
	pcid_switch(1, true);
	for (unsigned type = 0; type < 4; type++)
		remap_and_invpcid(3 + type, fresh, type, "INVPCID drops a remapped page");
	invpcid_gp(4, 0, 0, "INVPCID type 4 is #GP");
	invpcid_gp(~UINT64_C(0), 0, 0, "INVPCID type ~0 is #GP");
	invpcid_gp(1, UINT64_C(1) << 12, 0, "INVPCID descriptor bit 12 is #GP");
	invpcid_gp(0, 2, NONCANONICAL, "INVPCID type 0 at a non-canonical address is #GP");
	gps = gp_count;
	check(probe_invpcid(1, (const uint64_t *)(uintptr_t)NONCANONICAL) == 1 &&
	      gp_count == gps + 1, "INVPCID with a non-canonical descriptor is #GP", current, 0,
	      1, gp_count - gps);
	spaces[1].pt[7] = 0;
	invlpg(va_of(7));
	pfs = pf_count;
	check(probe_invpcid(1, (const uint64_t *)(uintptr_t)va_of(7)) == 1 && pf_count == pfs + 1,
	      "INVPCID with an unmapped descriptor is #PF", current, 7, 1, pf_count - pfs);
	fault_ok(1, va_of(7), 0, "INVPCID descriptor's #PF", 7);
	spaces[1].pt[7] = spaces[1].frame[7] | PTE_P | PTE_RW;
	read_ok(va_of(7), expect[1][7], "page mapped again after INVPCID's #PF", 7);
	return 6;
}

/*
 * pcid: CR4.PCIDE on (a #GP first while CR3 bits 11:0 are not zero), the
 * spaces switched with PCIDs, the promised flushes, a CR3 with a reserved
 * bit refused with #GP, then PCIDE off again. Needs PCID in CPUID.
 */
static int part_pcid(struct hostile_tables *t)
{
	uint64_t cr4 = cr4_read(), gps = gp_count;
	uint32_t eax = 1, ecx = 0;
	unsigned invpcid_bad;

	(void)t;
	__asm__ volatile("cpuid" : "+a"(eax), "+c"(ecx) : : "rbx", "rdx");
	if (!(ecx & CPUID1_ECX_PCID)) {
		uint32_t eax7 = 7, ebx7 = 0, ecx7 = 0, edx7 = 0;

		__asm__ volatile("cpuid" : "+a"(eax7), "=b"(ebx7), "+c"(ecx7), "=d"(edx7));
		skiff_printf("aspaces: this CPU has no PCID (CPUID.1:ECX = 0x%x, CPUID.7.0:EBX = "
			     "0x%x)\n", ecx, ebx7);
		return 2;
	}
	cr3_load(kernel_cr3 | 1u);      /* PWT: bits 11:0 not zero */
	check(probe_cr4_write(cr4 | CR4_PCIDE) == 1 && gp_count == gps + 1,
	      "PCIDE with CR3[11:0] set is #GP", 0, 0, 1, gp_count - gps);
	cr3_load(kernel_cr3);
	check(probe_cr4_write(cr4 | CR4_PCIDE) == 0, "PCIDE on", 0, 0, 0, gp_count - gps);
	pcid_rounds();
	pcid_edits();
	invpcid_bad = pcid_invpcid();
	gps = gp_count - 1;   /* INVPCID's #GPs were checked there */
	check(probe_cr3_load(spaces[0].pml4 | (UINT64_C(1) << 62)) == 1 && gp_count == gps + 2,
	      "CR3 with bit 62 is #GP", 0, 0, 2, gp_count - gps);
	cr3_load(kernel_cr3);
	check(probe_cr4_write(cr4) == 0, "PCIDE off", 0, 0, 0, gp_count - gps);
	if (invpcid_bad) {
		/* Without PCIDE only PCID 0 may be named (types 0 and 1). */
		invpcid_gp(1, 1, 0, "INVPCID type 1 of PCID 1 without PCIDE is #GP");
		invpcid_gp(0, 1, va_of(0), "INVPCID type 0 of PCID 1 without PCIDE is #GP");
		invpcid_ok(0, 0, va_of(0), "INVPCID type 0 of PCID 0 without PCIDE");
		invpcid_ok(2, 1, 0, "INVPCID type 2 without PCIDE");
		skiff_printf("aspaces: INVPCID: 4 types drop what they promise, %u bad operands "
			     "refused as the SDM says\n", invpcid_bad + 2);
	}
	skiff_printf("aspaces: PCID: %u spaces, %u rounds, flushes and #GPs as the SDM says\n",
		     n_spaces, rounds);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct hostile_tables *t);
} hostile_parts[] = {
	{ "outside", part_outside }, { "selfref", part_selfref },
	{ "reserved", part_reserved }, { "straddle", part_straddle },
	{ "straddle2m", part_straddle2m }, { "noncanon", part_noncanon },
	{ "storm", part_storm }, { "pcid", part_pcid },
};

/* hostile_part: the part called name, or NULL. */
static int (*hostile_part(const char *name))(struct hostile_tables *)
{
	for (unsigned i = 0; i < sizeof(hostile_parts) / sizeof(hostile_parts[0]); i++)
		if (strcmp(name, hostile_parts[i].name) == 0)
			return hostile_parts[i].run;
	return NULL;
}

static int hostile(int (*run)(struct hostile_tables *))
{
	struct hostile_tables t;

	t.pml4 = (uint64_t *)(uintptr_t)spaces[0].pml4;
	t.pdpt_addr = page_alloc();
	t.pd_addr = page_alloc();
	t.pdpt = (uint64_t *)(uintptr_t)t.pdpt_addr;
	t.pd = (uint64_t *)(uintptr_t)t.pd_addr;
	t.pml4[2] = t.pdpt_addr | PTE_P | PTE_RW;
	t.pdpt[0] = t.pd_addr | PTE_P | PTE_RW;
	return run(&t);
}

int main(int argc, char **argv)
{
	const char *part = argc > 3 ? argv[3] : "all";

	if (argc > 1)
		n_spaces = number(argv[1]);
	if (argc > 2)
		rounds = number(argv[2]);
	if (n_spaces < 2 || n_spaces > MAX_SPACES || rounds == 0) {
		skiff_printf("aspaces: usage: aspaces [N 2..16 [ROUNDS]]\n");
		return 2;
	}
	probes_install();
	kernel_cr3 = cr3_read();
	use_pv = pv_mmu_active();
	if (use_pv && strcmp(part, "pv-write") == 0)
		pv_write_registered();
	if (use_pv) {
		kernel_cr3 = pv_kernel_build(kernel_cr3);
		space_load(kernel_cr3);
	}
	spaces_build(n_spaces, kernel_cr3);
	if (pv_hostile_part(part)) {
		int status = use_pv ? pv_hostile(part, n_spaces, kernel_cr3) : 2;

		if (status == 0)
			skiff_puts("SUCCESS\n");
		return status;
	}
	for (unsigned p = 0; p < n_spaces; p++)
		for (unsigned i = 0; i < PRIV_PAGES; i++)
			expect[p][i] = 0;   /* fresh pool pages read as zero */
	if (hostile_part(part)) {
		/* The hostile tables are written directly, which pv refuses; the
		 * storm edits no table and runs in every mode. */
		int status = 2;

		if (strcmp(part, "storm") == 0)
			status = part_storm(NULL);
		else if (!use_pv)
			status = hostile(hostile_part(part));
		else
			skiff_printf("aspaces: %s writes tables directly: not under pv\n", part);

		space_load(kernel_cr3);
		if (status == 0)
			skiff_puts("SUCCESS\n");
		return status;
	}
	if (strcmp(part, "bench") == 0) {
		bench(argc > 4 ? argv[4] : NULL);
		space_load(kernel_cr3);
		skiff_puts("SUCCESS\n");
		return 0;
	}
	if (strcmp(part, "hotcold") != 0)
		round_robin();
	if (strcmp(part, "rr") != 0)
		hot_cold();
	if (strcmp(part, "all") != 0) {
		space_load(kernel_cr3);
		skiff_puts("SUCCESS\n");
		return 0;
	}
	unmap_remap();
	write_protect();
	accessed_dirty();
	copy_pages();
	/* Every page of every space once more, twice round: a translation
	 * kept from before any of the edits above shows up here. */
	for (unsigned r = 0; r < 2; r++)
		for (unsigned p = 0; p < n_spaces; p++)
			visit(p, 20000 + r * 100 + p);
	skiff_printf("aspaces: final check of every space ok\n");
	space_load(kernel_cr3);
	skiff_printf("aspaces: %llu switches, %llu checks, %llu page faults taken\n",
		     (unsigned long long)switches, (unsigned long long)checks,
		     (unsigned long long)pf_count);
	skiff_puts("SUCCESS\n");
	return 0;
}
