/*
 * pv_check.h - the paravirtual MMU's bookkeeping and validation: which
 * guest pages are registered page-table pages (and at which level), and
 * whether an entry value may be written into one (docs/pv-mmu.md).
 *
 * The rules (every present entry of a registered table obeys them):
 *   - an entry at level L > 1 without PS names a table: a page registered
 *     at level L - 1 (levels strictly fall, so no tree can loop or refer
 *     to itself);
 *   - a leaf (level 1, or PS at levels 2 and 3) maps only guest RAM, the
 *     whole 4 KiB / 2 MiB / 1 GiB of it; a 1 GiB leaf inside RAM is still
 *     refused (counting it would touch 2^18 page records in one entry, so
 *     a registration of 512 of them would stall the CPU);
 *   - a writable leaf covers no registered table page (and no page may be
 *     registered while a registered table maps it writable);
 *   - no reserved bit: PS at level 4, address bits at or above MAXPHYADDR,
 *     NX without EFER.NXE, the low address bits of a large page.
 * Not-present entries are not looked at.
 *
 * Portable and host-tested (tests/unit/pv_check_test.c) and fuzzed
 * (tests/fuzz/fuzz_pv_batch.c): guest memory is reached only through the
 * entry callback.
 */
#ifndef SKIFF_PV_CHECK_H
#define SKIFF_PV_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#define PV_PAGE 4096u
#define PV_BATCH_MAX 256u   /* entries one update call may carry */

/* Errors, as the guest sees them in its call's error field (pv_mmu.h). */
enum pv_error {
	PV_OK = 0,
	PV_E_MODE = 1,          /* the guest does not run with paging=pv */
	PV_E_PAGE = 2,          /* page address not 4 KiB-aligned, outside RAM, or not plain RAM */
	PV_E_LEVEL_ARG = 3,     /* register: level not 1..4 */
	PV_E_REGISTERED = 4,    /* register: already registered */
	PV_E_MAPPED_WRITABLE = 5, /* register: a registered table maps it writable */
	PV_E_CONTENTS = 6,      /* register: an entry already in it breaks a rule (detail: its index) */
	PV_E_NOT_REGISTERED = 7, /* unregister / an entry's page / CR3: not a registered table page */
	PV_E_IN_USE = 8,        /* unregister: a registered table names it, or it is the loaded root */
	PV_E_BATCH = 9,         /* update: count above PV_BATCH_MAX, or the list outside RAM */
	PV_E_ENTRY_ADDR = 10,   /* update: entry address not 8-aligned or outside RAM */
	PV_E_OUTSIDE_RAM = 11,  /* the entry maps (or names a table) outside RAM */
	PV_E_WRITABLE_TABLE = 12, /* the entry would map a registered table page writable */
	PV_E_LEVEL = 13,        /* the entry names a page not registered one level down */
	PV_E_RESERVED = 14,     /* a reserved bit is set */
	PV_E_NOT_ROOT = 15,     /* CR3: not a level-4 table, or bits other than the address, PWT, PCD */
	PV_E_HUGE = 16,         /* a 1 GiB leaf (not offered: its bookkeeping is 2^18 pages) */
	PV_E_COUNT
};

/* One guest page's record. */
struct pv_page {
	uint32_t writable_refs;  /* writable leaves of registered tables covering it */
	uint32_t table_refs;     /* entries of registered tables naming it as a table */
	uint32_t level;          /* 0: not registered; 1..4 */
};

struct pv_tables {
	struct pv_page *pages;   /* one per 4 KiB page of RAM */
	uint64_t ram_size;       /* bytes, a multiple of 4 KiB */
	unsigned phys_bits;      /* MAXPHYADDR */
	bool nxe;                /* the guest's EFER.NXE */
	/*
	 * entry: the host pointer to the 8-byte word at guest-physical gpa
	 * (8-aligned, inside RAM), or NULL when it cannot be had (no memory).
	 */
	uint64_t *(*entry)(void *ctx, uint64_t gpa);
	/*
	 * stale (may be NULL): an applied update changed the present entry
	 * at gpa (the entry's own address, on a registered table page), so
	 * translations cached from it may be stale.
	 */
	void (*stale)(void *ctx, uint64_t gpa);
	void *ctx;
	uint64_t registered;     /* pages registered now */
};

/* An update: write value into the entry at guest-physical address entry. */
struct pv_update {
	uint64_t entry;
	uint64_t value;
};

/*
 * pv_check_entry: whether value may stand in a table registered at level
 * (1..4) on page self (its own page counts as registered). PV_OK or an
 * error; *detail names the address at fault (the frame, the table named,
 * or value itself for reserved bits).
 */
enum pv_error pv_check_entry(const struct pv_tables *t, uint64_t self, unsigned level,
			     uint64_t value, uint64_t *detail);

/*
 * pv_apply_batch: validate and apply list[0..count) in order, stopping at
 * the first entry that breaks a rule: exactly the good prefix is applied.
 * *applied says how many; *flush is set when an applied update changed an
 * entry that was present (cached translations may be stale). PV_OK, or the
 * first bad entry's error with *detail as pv_check_entry (the entry
 * address for PV_E_ENTRY_ADDR / PV_E_NOT_REGISTERED). count must be at most
 * PV_BATCH_MAX (else PV_E_BATCH, nothing applied).
 */
enum pv_error pv_apply_batch(struct pv_tables *t, const struct pv_update *list, uint64_t count,
			     uint64_t *applied, bool *flush, uint64_t *detail);

/*
 * pv_register: make page gpa a table page at level. Its present entries
 * are checked as updates would be (*detail: the first bad one's index).
 * PV_OK, or PV_E_PAGE, PV_E_LEVEL_ARG, PV_E_REGISTERED,
 * PV_E_MAPPED_WRITABLE, PV_E_CONTENTS with nothing changed.
 */
enum pv_error pv_register(struct pv_tables *t, uint64_t gpa, unsigned level, uint64_t *detail);

/*
 * pv_unregister: page gpa is an ordinary page again (its entries stop
 * counting). PV_E_NOT_REGISTERED, or PV_E_IN_USE when a registered table
 * names it or it is root (the table base in use), with nothing changed.
 */
enum pv_error pv_unregister(struct pv_tables *t, uint64_t gpa, uint64_t root);

/* pv_check_root: cr3 may be loaded (a level-4 table, only PWT/PCD beside). */
enum pv_error pv_check_root(const struct pv_tables *t, uint64_t cr3);

/* pv_level_of: gpa's page level (0 when not registered or outside RAM). */
unsigned pv_level_of(const struct pv_tables *t, uint64_t gpa);

/* pv_error_name: a short phrase for err, for reports. */
const char *pv_error_name(enum pv_error err);

#endif
