/*
 * shadow_table.c - building and tearing down shadow tables (shadow_table.h).
 */
#include "hypervisor/mem/shadow/shadow_table.h"

#include "hypervisor/mem/shadow/guest_walk.h"
#include "lib/errno.h"

#include <stdbool.h>
#include <stddef.h>

#define INNER (PTE_P | PTE_RW | PTE_US)
#define INDEX(va, level) (((va) >> (12 + 9 * ((level) - 1))) & 511u)

uint64_t st_root_new(struct st_alloc *a)
{
	uint64_t root = a->alloc(a->ctx);

	if (root)
		a->pages++;
	return root;
}

/* is_large: a level-2 entry that is a 2 MiB leaf, not a table. */
static bool is_large(uint64_t e)
{
	return (e & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS);
}

/*
 * slot_at: va's entry at level (1: the 4 KiB leaf, 2: the 2 MiB one);
 * with build, missing tables are made, and a 2 MiB leaf in the way of a
 * 4 KiB one is dropped (the other pages it mapped refault). Without
 * build, a 2 MiB leaf on the way is the answer, whatever level asked.
 * NULL when absent (or when building ran out of pages).
 */
static uint64_t *slot_at(struct st_alloc *a, uint64_t root, uint64_t va, unsigned level,
			 bool build)
{
	uint64_t table = root;

	for (unsigned l = 4; l > level; l--) {
		uint64_t *e = a->virt(a->ctx, table) + INDEX(va, l);

		if (l == 2 && is_large(*e)) {
			if (!build)
				return e;
			*e = 0;
		}
		if (!(*e & PTE_P)) {
			uint64_t page;

			if (!build || !(page = a->alloc(a->ctx)))
				return NULL;
			a->pages++;
			*e = page | INNER;
		}
		table = *e & PTE_ADDR;
	}
	return a->virt(a->ctx, table) + INDEX(va, level);
}

int st_set_leaf(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t pte)
{
	uint64_t *e = slot_at(a, root, va, 1, true);

	if (!e)
		return -ENOMEM;
	*e = pte;
	return 0;
}

int st_set_large(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t pte)
{
	uint64_t *e = slot_at(a, root, va, 2, true);

	if (!e)
		return -ENOMEM;
	if ((*e & PTE_P) && !is_large(*e)) {
		/* A table of 4 KiB leaves was there: it goes back. */
		a->free(a->ctx, *e & PTE_ADDR);
		a->pages--;
	}
	*e = pte | PTE_PS;
	return 0;
}

uint64_t st_get_leaf(struct st_alloc *a, uint64_t root, uint64_t va)
{
	uint64_t *e = slot_at(a, root, va, 1, false);

	return e ? *e : 0;
}

/* leaf_of: va's leaf and whether it is a 2 MiB one; NULL when absent. */
static uint64_t *leaf_of(struct st_alloc *a, uint64_t root, uint64_t va, bool *large)
{
	uint64_t table = root;

	for (unsigned l = 4; l > 1; l--) {
		uint64_t *e = a->virt(a->ctx, table) + INDEX(va, l);

		if (!(*e & PTE_P))
			return NULL;
		if (l == 2 && is_large(*e)) {
			*large = true;
			return e;
		}
		table = *e & PTE_ADDR;
	}
	*large = false;
	return a->virt(a->ctx, table) + INDEX(va, 1);
}

int st_take_accessed(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t hpa, bool *large)
{
	uint64_t *e = leaf_of(a, root, va, large);
	uint64_t span_mask;

	if (!e || !(*e & PTE_P))
		return -1;
	span_mask = *large ? (UINT64_C(2) << 20) - 1 : 4095;
	if (((*e & PTE_ADDR) & ~span_mask) != (hpa & ~span_mask))
		return -1;
	return (__atomic_fetch_and(e, ~PTE_A, __ATOMIC_SEQ_CST) & PTE_A) != 0;
}

void st_clear_leaf(struct st_alloc *a, uint64_t root, uint64_t va)
{
	uint64_t *e = slot_at(a, root, va, 1, false);

	if (e)
		*e = 0;
}

/* free_below: free the tables entries of table (at level) point to; a
 * 2 MiB leaf maps a guest frame, not a table: it is only cleared. */
static void free_below(struct st_alloc *a, uint64_t table, unsigned level)
{
	uint64_t *e = a->virt(a->ctx, table);

	for (unsigned i = 0; i < 512; i++) {
		if (!(e[i] & PTE_P))
			continue;
		if (level == 2 && is_large(e[i])) {
			e[i] = 0;
			continue;
		}
		if (level > 2)
			free_below(a, e[i] & PTE_ADDR, level - 1);
		a->free(a->ctx, e[i] & PTE_ADDR);
		a->pages--;
		e[i] = 0;
	}
}

void st_clear_span(struct st_alloc *a, uint64_t root, uint64_t va, unsigned level)
{
	uint64_t *e;

	if (level < 1 || level > 4)
		return;
	if (level == 1) {
		st_clear_leaf(a, root, va);
		return;
	}
	e = slot_at(a, root, va, level, false);
	if (!e || !(*e & PTE_P))
		return;
	if (!(level == 2 && is_large(*e))) {
		if (level > 2)   /* a page directory or more: tables under it too */
			free_below(a, *e & PTE_ADDR, level - 1);
		a->free(a->ctx, *e & PTE_ADDR);
		a->pages--;
	}
	*e = 0;
}

void st_zap(struct st_alloc *a, uint64_t root)
{
	free_below(a, root, 4);
}

void st_free(struct st_alloc *a, uint64_t root)
{
	st_zap(a, root);
	a->free(a->ctx, root);
	a->pages--;
}
