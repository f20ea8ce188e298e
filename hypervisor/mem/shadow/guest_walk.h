/*
 * guest_walk.h - walking a guest's own 4-level x86-64 page tables, in
 * software, as the CPU would: for shadow paging (shadow.h), which composes
 * the result with Skiff's guest-physical map.
 *
 *   63     48 47    39 38    30 29    21 20    12 11       0
 *   | sign  | PML4   | PDPT   | PD     | PT     | offset   |
 *
 * Portable and host-tested (tests/unit/shadow_test.c, tests/fuzz/): guest
 * memory is reached only through the callback in struct gw_mem.
 */
#ifndef SKIFF_GUEST_WALK_H
#define SKIFF_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

/* #PF error code bits (SDM vol. 3A 4.7), also used as access kinds. */
enum {
	PF_PRESENT = 1u << 0,   /* the fault was a protection violation */
	PF_WRITE = 1u << 1,
	PF_USER = 1u << 2,
	PF_RESERVED = 1u << 3,
	PF_FETCH = 1u << 4,
};

/* guest_walk's access bit for a look that changes nothing (the debugger):
 * no accessed or dirty bit is set. Not part of any #PF error code. */
#define GW_PEEK (1u << 16)

/* Page-table entry bits the walker and the shadow use. */
#define PTE_P (UINT64_C(1) << 0)
#define PTE_RW (UINT64_C(1) << 1)
#define PTE_US (UINT64_C(1) << 2)
#define PTE_PWT (UINT64_C(1) << 3)
#define PTE_PCD (UINT64_C(1) << 4)
#define PTE_A (UINT64_C(1) << 5)
#define PTE_D (UINT64_C(1) << 6)
#define PTE_PS (UINT64_C(1) << 7)
#define PTE_NX (UINT64_C(1) << 63)
#define PTE_ADDR UINT64_C(0x000ffffffffff000)

struct gw_mem {
	/*
	 * entry: the host pointer to the 8-byte entry at guest-physical gpa
	 * (8-aligned), making its page present if it was never touched; NULL
	 * when gpa lies outside the guest's RAM (or no frame could be had:
	 * the walker reports both as GW_OUTSIDE_RAM with that gpa).
	 */
	uint64_t *(*entry)(void *ctx, uint64_t gpa);
	void *ctx;
};

/* The guest's paging controls that change what a walk means. */
struct gw_regs {
	uint64_t cr3;
	bool nxe;           /* EFER.NXE: bit 63 is NX, else reserved */
	bool wp;            /* CR0.WP: supervisor writes obey R/W */
	unsigned phys_bits; /* MAXPHYADDR: entry bits from here to 51 are reserved */
};

enum gw_status {
	GW_OK,           /* translated: gpa and permissions below */
	GW_FAULT,        /* the guest's tables deny it: inject #PF(error) */
	GW_OUTSIDE_RAM,  /* an entry or table lies outside RAM: gpa says where */
};

#define GW_MAX_TABLES 4

struct gw_result {
	enum gw_status status;
	uint32_t error;       /* GW_FAULT: the #PF error code */
	uint64_t gpa;         /* GW_OK: va's byte; GW_OUTSIDE_RAM: the bad address */
	unsigned level;       /* of the leaf: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
	bool writable, user, executable;  /* the walk's combined permissions */
	bool dirty;           /* the leaf's D after the walk */
	uint64_t cache_bits;  /* PWT | PCD of the leaf */
	uint64_t tables[GW_MAX_TABLES];  /* gpa of each table page walked */
	unsigned table_count;
};

/*
 * guest_walk: translate linear address va for an access of kind access
 * (PF_WRITE, PF_USER, PF_FETCH bits) through the guest tables at
 * regs->cr3. On success sets the accessed bit of every entry walked and,
 * for a write, the leaf's dirty bit (as the CPU does; not with GW_PEEK),
 * and returns GW_OK.
 * A non-canonical va, a not-present entry, a reserved bit or a permission
 * the walk denies give GW_FAULT with the error code the CPU would push
 * (never touching A/D bits). Never reads outside mem's callback.
 */
enum gw_status guest_walk(const struct gw_mem *mem, const struct gw_regs *regs,
			  uint64_t va, unsigned access, struct gw_result *out);

#endif
