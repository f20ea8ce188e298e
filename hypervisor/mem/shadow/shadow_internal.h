/*
 * shadow_internal.h - the state shadow.c and shadow_exit.c share.
 */
#ifndef SKIFF_SHADOW_INTERNAL_H
#define SKIFF_SHADOW_INTERNAL_H

#include "hypervisor/mem/shadow/guest_walk.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "hypervisor/mem/shadow/shadow_rmap.h"
#include "hypervisor/mem/shadow/shadow_table.h"

struct shadow_root {
	uint64_t guest_cr3;   /* the guest table's address (CR3 bits 51:12) */
	uint64_t root;        /* the shadow's PML4 */
	uint64_t last_use;
	uint32_t id;          /* renewed when emptied: its rmap records go stale */
};

struct shadow_stats {
	uint64_t cr3_loads, cache_hits, cache_misses;
	uint64_t fills, large_fills, guest_faults, zaps, unsyncs, invlpgs, peak_pages;
	uint64_t invpcids;         /* INVPCIDs emulated */
	uint64_t rmap_drops;       /* entries dropped through the reverse map alone */
	uint64_t reclaim_drops;    /* leaves dropped for a page the memory core took */
	uint64_t reclaim_zaps;     /* takes the reverse map could not answer: every shadow went */
	uint64_t clock_used;       /* eviction clock: pages found used since it last came by */
	uint64_t clock_cleared;    /* eviction clock: leaf accessed bits it cleared */
	uint64_t clock_blind;      /* eviction clock: pages the lost map could not answer for */
	uint64_t rmap_compacts, rmap_grows, rmap_losses;
};

struct shadow {
	uint64_t guest_cr3;        /* as the guest last wrote it */
	uint64_t guest_efer;       /* the guest's view; the CPU also has NXE */
	unsigned cache_roots;      /* K */
	unsigned count, current;   /* roots[0..count), the one in use */
	struct shadow_root roots[SHADOW_CACHE_MAX];
	bool unsynced;             /* see shadow.h */
	uint64_t tick;
	uint8_t *table_bits;       /* one bit per guest page: walked as a table */
	uint8_t *writable_bits;    /* one bit per guest page: mapped writable */
	uint8_t *mapped_bits;      /* one bit per guest page: some shadow leaf may map it */
	uint8_t *seen_bits;        /* one bit per guest page: a 2 MiB leaf's accessed bit, kept */
	uint64_t bits_hpa, bits_bytes, bits_each;
	struct shadow_rmap *rmap;  /* what each table and writable page fed: &rmap_state */
	struct shadow_rmap rmap_state;
	uint64_t rmap_hpa, rmap_bytes;   /* its storage */
	uint32_t rmap_max;               /* the capacity it may grow to (shadow.c) */
	uint32_t next_id;
	uint64_t last_refault_va;  /* see fill_or_inject in shadow.c */
	unsigned phys_bits;
	struct st_alloc alloc;
	struct shadow_stats stats;
};

/* The registers the walk needs, from the guest's view. */
struct gw_regs shadow_walk_regs(struct vm *vm);

/* shadow_walk: guest_walk over vm's RAM (first touch for untouched pages). */
enum gw_status shadow_walk(struct vm *vm, uint64_t va, unsigned access,
			   struct gw_result *out);

/* The exits, each true when the guest keeps running. */
bool shadow_page_fault(struct vm *vm, uint64_t va, uint32_t error);
bool shadow_cr3_load(struct vm *vm, uint64_t value);
void shadow_invlpg(struct vm *vm, uint64_t va, bool known);

#endif
