/*
 * shadow_reclaim.c - a reclaimed guest page leaves the shadows that map it
 * (shadow_reclaim.h).
 */
#include "hypervisor/mem/shadow/shadow_reclaim.h"

struct leaf_drop {
	struct st_alloc *alloc;
	shadow_root_of_fn root_of;
	void *ctx;
	int cleared;
};

static void drop_leaf(void *ctx, const struct rmap_record *r)
{
	struct leaf_drop *d = ctx;
	uint64_t root;

	if (r->level != 0)
		return;
	root = d->root_of(d->ctx, r->shadow);
	if (!root)
		return;
	st_clear_span(d->alloc, root, r->va, r->large ? 2 : 1);
	d->cleared++;
}

int shadow_drop_page_leaves(const struct shadow_rmap *m, struct st_alloc *alloc, uint64_t page,
			    shadow_root_of_fn root_of, void *ctx)
{
	struct leaf_drop d = { alloc, root_of, ctx, 0 };

	if (!rmap_visit(m, page, drop_leaf, &d))
		return -1;
	return d.cleared;
}

struct accessed_take {
	struct st_alloc *alloc;
	shadow_root_of_fn root_of;
	void *ctx;
	uint64_t hpa;
	uint8_t *seen;
	unsigned cleared;
};

static void seen_set(uint8_t *seen, uint64_t page)
{
	seen[page >> 15] |= (uint8_t)(1u << ((page >> 12) & 7));
}

/* take_leaf: a leaf record's accessed bit into seen, cleared in the leaf. */
static void take_leaf(void *ctx, const struct rmap_record *r)
{
	struct accessed_take *t = ctx;
	uint64_t root;
	bool large;

	if (r->level != 0 || !(root = t->root_of(t->ctx, r->shadow)))
		return;
	if (st_take_accessed(t->alloc, root, r->va, t->hpa, &large) != 1)
		return;
	t->cleared++;
	if (!large) {
		seen_set(t->seen, r->page);
		return;
	}
	/* Whole bytes: 512 pages are 64 bytes of the bitmap. */
	for (unsigned i = 0; i < 64; i++)
		t->seen[(r->page >> 15) + i] = 0xff;
}

int shadow_take_page_accessed(const struct shadow_rmap *m, struct st_alloc *alloc, uint64_t page,
			      uint64_t hpa, shadow_root_of_fn root_of, void *ctx, uint8_t *seen,
			      unsigned *cleared)
{
	struct accessed_take t = { alloc, root_of, ctx, hpa, seen, 0 };
	uint8_t *byte = &seen[page >> 15];
	uint8_t bit = (uint8_t)(1u << ((page >> 12) & 7));
	bool used;

	*cleared = 0;
	if (!rmap_visit(m, page, take_leaf, &t))
		return -1;
	*cleared = t.cleared;
	used = (*byte & bit) != 0;
	*byte = (uint8_t)(*byte & ~bit);
	return used;
}
