/*
 * tables.h - the "processes" of the aspaces guest: each its own 4-level
 * tree that shares the runtime's mapping of RAM (PML4 entry 0, the
 * identity map) and maps a private region at PRIV_BASE:
 *
 *   PRIV_BASE + i * 4 KiB   private page i (0 <= i < PRIV_PAGES), 4 KiB leaves
 *   PRIV_BASE + 2 MiB       one 2 MiB guest page shared by all processes,
 *                           writable in even processes, read-only in odd ones
 *
 * Table pages and frames come from a pool in .bss; guest-physical equals
 * the identity-mapped virtual address, so the C code edits any process's
 * tables and frames whichever process is current.
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

/* page_alloc: a zeroed 4 KiB page of the pool (its address); halts when empty. */
uint64_t page_alloc(void);

/* spaces_build: build n trees sharing kernel_pml4's entry 0. */
void spaces_build(unsigned n, uint64_t kernel_cr3);

#endif
