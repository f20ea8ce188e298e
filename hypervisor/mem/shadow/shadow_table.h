/*
 * shadow_table.h - the tables the CPU walks under shadow paging: ordinary
 * 4-level x86-64 tables mapping guest-virtual pages to host frames, with
 * 4 KiB leaves and 2 MiB ones (PS in the page directory). Inner entries
 * allow everything (P, RW, US); each leaf carries the permissions
 * shadow.c computed. Portable and host-tested:
 * table pages come from, and go back to, the allocator given.
 */
#ifndef SKIFF_SHADOW_TABLE_H
#define SKIFF_SHADOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

struct st_alloc {
	uint64_t (*alloc)(void *ctx);                /* a zeroed page's address, 0 if none */
	void (*free)(void *ctx, uint64_t addr);
	uint64_t *(*virt)(void *ctx, uint64_t addr); /* where Skiff reads that page */
	void *ctx;
	uint64_t pages;                              /* table pages held, roots included */
};

/* st_root_new: an empty root, or 0 when no page was left. */
uint64_t st_root_new(struct st_alloc *a);

/*
 * st_set_leaf: make va's 4 KiB leaf in the tree at root equal to pte,
 * building missing inner tables. 0, or -ENOMEM (nothing changed then).
 */
int st_set_leaf(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t pte);

/*
 * st_set_large: make the 2 MiB leaf covering va equal to pte (PS is
 * added; pte's address must be 2 MiB-aligned), building missing inner
 * tables; a table of 4 KiB leaves there is freed. 0, or -ENOMEM.
 * A later st_set_leaf inside it drops it (the rest refaults).
 */
int st_set_large(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t pte);

/* st_get_leaf: va's leaf entry (the 2 MiB one where there is one), 0
 * when the walk ends before it. */
uint64_t st_get_leaf(struct st_alloc *a, uint64_t root, uint64_t va);

/*
 * st_take_accessed: the accessed bit of va's leaf (the 2 MiB one where
 * there is one), cleared on the way by an atomic AND (a CPU walking the
 * tree meanwhile loses no bit beside it), when the leaf maps the frame at
 * hpa (4 KiB-aligned; a 2 MiB leaf: the frame lies inside it). Returns 1
 * when it was set, 0 when clear, -1 when va has no leaf or its leaf maps
 * another frame (nothing changed). *large says whether the leaf is 2 MiB.
 * The caller has the CPU's cached translations flushed afterwards: the CPU
 * sets the bit again only on a fresh walk.
 */
int st_take_accessed(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t hpa, bool *large);

/* st_clear_leaf: make va's leaf not present, a whole 2 MiB leaf if that
 * is what maps it (nothing to do if absent). */
void st_clear_leaf(struct st_alloc *a, uint64_t root, uint64_t va);

/*
 * st_clear_span: make the entry at level (1: 4 KiB leaf, 2: the page
 * directory entry, 3, 4) covering va not present, giving back the tables
 * under it: nothing va's 4 KiB << 9 * (level - 1) span held stays mapped.
 * A 2 MiB leaf met on the way to a level-1 entry goes as a whole. Nothing
 * to do when absent; a level outside 1..4 is ignored.
 */
void st_clear_span(struct st_alloc *a, uint64_t root, uint64_t va, unsigned level);

/*
 * st_zap: free every inner table under root and clear root: the tree maps
 * nothing. The caller flushes the CPU's cached translations.
 */
void st_zap(struct st_alloc *a, uint64_t root);

/* st_free: st_zap, then the root page itself goes back. */
void st_free(struct st_alloc *a, uint64_t root);

#endif
