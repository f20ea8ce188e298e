/*
 * tables.h - the "processes" of the aspaces guest: each its own 4-level
 * tree that shares the runtime's mapping of RAM (PML4 entry 0, the
 * identity map) and maps a private region at PRIV_BASE:
 *
 *   PRIV_BASE + i * 4 KiB   private page i (0 <= i < PRIV_PAGES), 4 KiB leaves
 *   PRIV_BASE + 2 MiB       one 2 MiB guest page shared by all processes,
 *                           writable in even processes, read-only in odd ones
 *
 * Table pages and frames come from two pools in .bss; guest-physical
 * equals the identity-mapped virtual address, so the C code reads any
 * process's tables and edits its frames whichever process is current.
 *
 * Under paging=pv (pv_mmu.h) the same trees are built through Skiff's calls:
 * each table page is registered when allocated, every entry is written by
 * pte_set (an update call), CR3 is loaded by space_load (a call), and the
 * runtime's map is replaced by a registered copy with the table pool
 * read-only (pv_kernel_build). Under nested and shadow paging pte_set and
 * space_load are the plain store and MOV to CR3.
 */
#ifndef SKIFF_TEST_ASPACES_TABLES_H
#define SKIFF_TEST_ASPACES_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_SPACES 16
#define PRIV_PAGES 8
#define PRIV_BASE (UINT64_C(1) << 39)
#define BIG_VA (PRIV_BASE + (UINT64_C(2) << 20))

#define PTE_P UINT64_C(0x1)
#define PTE_RW UINT64_C(0x2)
#define PTE_A UINT64_C(0x20)
#define PTE_D UINT64_C(0x40)
#define PTE_PS UINT64_C(0x80)
#define PTE_ADDR UINT64_C(0x000ffffffffff000)

struct space {
	uint64_t pml4;              /* the CR3 value */
	uint64_t *pt;               /* the private pages' page table */
	uint64_t frame[PRIV_PAGES]; /* the frame behind each private page */
};

extern struct space spaces[MAX_SPACES];
#define BIG_SIZE (UINT64_C(2) << 20)
#define FRESH_BYTES (UINT64_C(64) * 4096)

/* The 2 MiB page: the first 2 MiB-aligned block of the heap; above it
 * FRESH_BYTES never touched before bench (first-touch figures). */
extern uint64_t big_frame;

/* page_alloc: a zeroed 4 KiB frame of the pool (its address); halts when empty. */
uint64_t page_alloc(void);

/* use_pv: the guest runs with paging=pv (set by main before any table is built). */
extern bool use_pv;

/* table_alloc: a zeroed table page for level 1..4 (registered under pv). */
uint64_t table_alloc(unsigned level);

/* pte_set: *entry = value (under pv: the update call; a refusal halts). */
void pte_set(uint64_t *entry, uint64_t value);

/* space_load: make cr3 the current tree (under pv: the CR3 call). */
void space_load(uint64_t cr3);

/* space_invlpg: INVLPG of va (under pv nothing: an update drops stale
 * translations itself). */
void space_invlpg(uint64_t va);

/* pv_kernel_build: under pv, a registered copy of the runtime's map at
 * boot_cr3 (RAM only) with the table pool read-only; its CR3 value. */
uint64_t pv_kernel_build(uint64_t boot_cr3);

/* in_table_pool: addr lies in the table pool. */
bool in_table_pool(uint64_t addr);

/* spaces_build: build n trees sharing kernel_pml4's entry 0. */
void spaces_build(unsigned n, uint64_t kernel_cr3);

#endif
