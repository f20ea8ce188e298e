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
