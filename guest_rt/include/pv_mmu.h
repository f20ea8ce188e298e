/*
 * pv_mmu.h - the paravirtual MMU's calls (paging=pv; docs/guest-abi.md
 * "Paravirtual MMU", docs/pv-mmu.md).
 *
 * Under paging=pv a guest's page tables stay in its own RAM, but each
 * table page must be registered (after which the guest may only read it),
 * entries change only through pv_mmu_update, and a tree is loaded with
 * pv_mmu_load_cr3. Before its first pv_mmu_load_cr3 the guest runs on its
 * boot tables; after it, MOV to CR3 ends the guest.
 *
 * Every call returns 0 or a negative PV_MMU_E_* code; a refused call
 * changes nothing (an update: nothing past the good prefix) and Skiff logs
 * why. In a guest without paging=pv every call returns -PV_MMU_E_MODE.
 */
#ifndef SKIFF_PV_MMU_H
#define SKIFF_PV_MMU_H

#include <stddef.h>
#include <stdint.h>

#define SKIFF_CALL_PV_REGISTER_PORT 0x590u
#define SKIFF_CALL_PV_UNREGISTER_PORT 0x591u
#define SKIFF_CALL_PV_UPDATE_PORT 0x592u
#define SKIFF_CALL_PV_LOAD_CR3_PORT 0x593u
#define SKIFF_CALL_PV_QUERY_PORT 0x594u

#define PV_MMU_BATCH_MAX 256u

/* Errors (docs/guest-abi.md has the full meaning of each). */
enum {
	PV_MMU_E_MODE = 1,            /* not running with paging=pv */
	PV_MMU_E_PAGE = 2,            /* not a 4 KiB-aligned page of plain RAM */
	PV_MMU_E_LEVEL_ARG = 3,       /* level not 1..4 */
	PV_MMU_E_REGISTERED = 4,      /* already registered */
	PV_MMU_E_MAPPED_WRITABLE = 5, /* a registered table maps the page writable */
	PV_MMU_E_CONTENTS = 6,        /* an entry already in the page breaks a rule */
	PV_MMU_E_NOT_REGISTERED = 7,  /* not a registered table page */
	PV_MMU_E_IN_USE = 8,          /* named by a registered table, or the loaded root */
	PV_MMU_E_BATCH = 9,           /* more than PV_MMU_BATCH_MAX entries, or list outside RAM */
	PV_MMU_E_ENTRY_ADDR = 10,     /* entry address not 8-aligned or outside RAM */
	PV_MMU_E_OUTSIDE_RAM = 11,    /* maps or names memory outside RAM */
	PV_MMU_E_WRITABLE_TABLE = 12, /* would map a registered table page writable */
	PV_MMU_E_LEVEL = 13,          /* names a page not registered one level down */
	PV_MMU_E_RESERVED = 14,       /* a reserved bit is set */
	PV_MMU_E_NOT_ROOT = 15,       /* CR3: not a registered level-4 table */
	PV_MMU_E_HUGE = 16,           /* a 1 GiB page inside RAM (not offered) */
};

/* The argument struct of every PV call (40 bytes, docs/guest-abi.md). */
struct skiff_hc_pv {
	uint64_t a;        /* in: page, list, or CR3 */
	uint64_t b;        /* in: level, or count */
	uint64_t done;     /* out: entries applied (update), PV_MMU_BATCH_MAX (query) */
	uint32_t error;    /* out: 0 or a PV_MMU_E_* code */
	uint32_t reserved;
	uint64_t detail;   /* out: the address, value or index at fault */
};

/* One update: the entry at guest-physical address entry becomes value. */
struct pv_mmu_update {
	uint64_t entry;
	uint64_t value;
};

/* pv_mmu_active: 1 when the guest runs with paging=pv, else 0. */
int pv_mmu_active(void);

/* pv_mmu_register: page (4 KiB-aligned gpa) becomes a table of level 1..4
 * (1: page table, 4: PML4); its present entries must already obey the rules. */
int pv_mmu_register(uint64_t page, unsigned level);

/* pv_mmu_unregister: page is an ordinary, writable page again. */
int pv_mmu_unregister(uint64_t page);

/*
 * pv_mmu_update: apply list[0..count) in order (count <= PV_MMU_BATCH_MAX),
 * stopping at the first bad entry: exactly the good prefix is applied.
 * *applied (may be NULL) says how many; *detail (may be NULL) what was wrong.
 */
int pv_mmu_update(const struct pv_mmu_update *list, size_t count, size_t *applied,
		  uint64_t *detail);

/* pv_mmu_set: one entry (pv_mmu_update of one). */
int pv_mmu_set(uint64_t entry, uint64_t value);

/* pv_mmu_load_cr3: load the registered PML4 at cr3 (PWT/PCD allowed). */
int pv_mmu_load_cr3(uint64_t cr3);

/* pv_mmu_call: the bare call at port with *arg (hostile tests). */
void pv_mmu_call(uint16_t port, struct skiff_hc_pv *arg);

#endif
