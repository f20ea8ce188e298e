/*
 * shadow_table.c - building and tearing down shadow tables (shadow_table.h).
 */
#include "hypervisor/mem/shadow/shadow_table.h"

#include "hypervisor/mem/shadow/guest_walk.h"
#include "lib/errno.h"

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

/* leaf_slot: va's level-1 entry; with build, missing tables are made.
 * NULL when absent (or when building ran out of pages). */
static uint64_t *leaf_slot(struct st_alloc *a, uint64_t root, uint64_t va, bool build)
{
	uint64_t table = root;

	for (unsigned level = 4; level > 1; level--) {
		uint64_t *e = a->virt(a->ctx, table) + INDEX(va, level);

		if (!(*e & PTE_P)) {
			uint64_t page;

			if (!build || !(page = a->alloc(a->ctx)))
				return NULL;
			a->pages++;
			*e = page | INNER;
		}
		table = *e & PTE_ADDR;
	}
	return a->virt(a->ctx, table) + INDEX(va, 1);
}

int st_set_leaf(struct st_alloc *a, uint64_t root, uint64_t va, uint64_t pte)
{
	uint64_t *e = leaf_slot(a, root, va, true);

	if (!e)
		return -ENOMEM;
	*e = pte;
	return 0;
}

uint64_t st_get_leaf(struct st_alloc *a, uint64_t root, uint64_t va)
{
	uint64_t *e = leaf_slot(a, root, va, false);

	return e ? *e : 0;
}

void st_clear_leaf(struct st_alloc *a, uint64_t root, uint64_t va)
{
	uint64_t *e = leaf_slot(a, root, va, false);

	if (e)
		*e = 0;
}

/* free_below: free the tables entries of table (at level) point to. */
static void free_below(struct st_alloc *a, uint64_t table, unsigned level)
{
	uint64_t *e = a->virt(a->ctx, table);

	for (unsigned i = 0; i < 512; i++) {
		if (!(e[i] & PTE_P))
			continue;
		if (level > 2)
			free_below(a, e[i] & PTE_ADDR, level - 1);
		a->free(a->ctx, e[i] & PTE_ADDR);
		a->pages--;
		e[i] = 0;
	}
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
