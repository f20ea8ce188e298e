/*
 * mem_invalidate.c - change the entry, invalidate, then release
 * (mem_invalidate.h).
 */
#include "hypervisor/mem/mem_invalidate.h"

#include "lib/errno.h"

void mem_flush_if_stale(struct mem_space *s)
{
	if (!s->table->stale)
		return;
	s->invalidator.invalidate(s->invalidator.ctx, &s->cpus);
	s->invalidations++;
	s->table->stale = false;
}

int mem_remove(struct mem_space *s, uint64_t gpa, uint64_t size,
	       unsigned keep_perms, mem_release_fn release, void *release_ctx)
{
	uint64_t hpa, page;
	int rc;

	if (s == NULL || s->table == NULL || (size != NP_PAGE_4K && size != NP_PAGE_2M))
		return -EINVAL;
	if (np_lookup(s->table, gpa, &hpa, NULL, &page) != 0 || page != size ||
	    (gpa & (size - 1)) != 0)
		return -ENOENT;
	if (keep_perms)
		rc = np_protect(s->table, gpa, size, keep_perms);
	else
		rc = np_unmap(s->table, gpa, size);
	if (rc)
		return rc;
	mem_flush_if_stale(s);
	if (!keep_perms && release)
		release(release_ctx, hpa, size);
	return 0;
}

void mem_teardown(struct mem_space *s, mem_release_fn release, void *release_ctx)
{
	np_destroy(s->table);
	/* Whatever the root reached is gone: stale whether or not it was set. */
	s->table->stale = true;
	mem_flush_if_stale(s);
	if (release)
		release(release_ctx, 0, 0);
}
