/*
 * shadow_rmap.c - the reverse map of a VM's shadows (shadow_rmap.h): a
 * fixed array of records chained in buckets by guest page, so a lookup
 * reads a few records, not the map.
 */
#include "hypervisor/mem/shadow/shadow_rmap.h"

#define PAGE_SHIFT 12
#define LARGE_MASK ((UINT64_C(2) << 20) - 1)

static uint32_t bucket_of(uint64_t page)
{
	uint64_t frame = page >> PAGE_SHIFT;

	return (uint32_t)((frame ^ (frame >> 9) ^ (frame >> 18)) % RMAP_BUCKETS);
}

void rmap_clear(struct shadow_rmap *m)
{
	for (unsigned i = 0; i < RMAP_BUCKETS; i++)
		m->heads[i] = RMAP_NONE;
	m->used = 0;
	m->lost = false;
}

static bool same(const struct rmap_record *a, const struct rmap_record *b)
{
	return a->page == b->page && a->va == b->va && a->shadow == b->shadow &&
		a->level == b->level && a->large == b->large;
}

void rmap_add(struct shadow_rmap *m, const struct rmap_record *r)
{
	uint32_t bucket = bucket_of(r->page);

	if (r->level > 4 || m->lost)
		return;
	for (uint32_t i = m->heads[bucket]; i != RMAP_NONE; i = m->records[i].next)
		if (same(&m->records[i], r))
			return;
	if (m->used == RMAP_CAPACITY) {
		m->lost = true;
		return;
	}
	m->records[m->used] = *r;
	m->records[m->used].next = m->heads[bucket];
	m->heads[bucket] = m->used++;
}

static void visit_bucket(const struct shadow_rmap *m, uint64_t page, bool large,
			 void (*fn)(void *ctx, const struct rmap_record *r), void *ctx)
{
	for (uint32_t i = m->heads[bucket_of(page)]; i != RMAP_NONE; i = m->records[i].next)
		if (m->records[i].page == page && m->records[i].large == large)
			fn(ctx, &m->records[i]);
}

bool rmap_visit(const struct shadow_rmap *m, uint64_t page,
		void (*fn)(void *ctx, const struct rmap_record *r), void *ctx)
{
	if (m->lost)
		return false;
	visit_bucket(m, page, false, fn, ctx);
	visit_bucket(m, page & ~LARGE_MASK, true, fn, ctx);
	return true;
}
