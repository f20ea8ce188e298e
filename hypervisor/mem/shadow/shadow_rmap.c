/*
 * shadow_rmap.c - the reverse map of a VM's shadows (shadow_rmap.h): an
 * array of records chained in buckets by guest page, so a lookup reads a
 * few records, not the map. The owner gives the storage, and larger
 * storage when it wants the map to grow.
 */
#include "hypervisor/mem/shadow/shadow_rmap.h"

#include <stddef.h>

#define PAGE_SHIFT 12
#define LARGE_MASK ((UINT64_C(2) << 20) - 1)
#define MIN_CAPACITY 8u

static uint32_t buckets_of(const struct shadow_rmap *m)
{
	return m->capacity / 4;
}

static uint32_t bucket_of(const struct shadow_rmap *m, uint64_t page)
{
	uint64_t frame = page >> PAGE_SHIFT;

	/* capacity / 4 is a power of two: the mask is the modulo. */
	return (uint32_t)((frame ^ (frame >> 9) ^ (frame >> 18)) & (buckets_of(m) - 1));
}

static uint32_t power_of_two_at_most(uint32_t n)
{
	uint32_t p = MIN_CAPACITY;

	while (p <= n / 2)
		p *= 2;
	return p;
}

static void place(struct shadow_rmap *m, void *storage, uint32_t capacity)
{
	m->capacity = power_of_two_at_most(capacity);
	m->heads = storage;
	m->records = (struct rmap_record *)((uint8_t *)storage +
					    (size_t)buckets_of(m) * sizeof(uint32_t));
}

static void clear_heads(struct shadow_rmap *m)
{
	for (uint32_t i = 0; i < buckets_of(m); i++)
		m->heads[i] = RMAP_NONE;
}

void rmap_init(struct shadow_rmap *m, void *storage, uint32_t capacity)
{
	place(m, storage, capacity);
	rmap_clear(m);
}

void rmap_clear(struct shadow_rmap *m)
{
	clear_heads(m);
	m->used = 0;
	m->lost = false;
}

bool rmap_full(const struct shadow_rmap *m)
{
	return m->used == m->capacity;
}

static bool same(const struct rmap_record *a, const struct rmap_record *b)
{
	return a->page == b->page && a->va == b->va && a->shadow == b->shadow &&
		a->level == b->level && a->large == b->large;
}

static void link(struct shadow_rmap *m, uint32_t i)
{
	uint32_t bucket = bucket_of(m, m->records[i].page);

	m->records[i].next = m->heads[bucket];
	m->heads[bucket] = i;
}

void rmap_add(struct shadow_rmap *m, const struct rmap_record *r)
{
	if (r->level > 4 || m->lost)
		return;
	for (uint32_t i = m->heads[bucket_of(m, r->page)]; i != RMAP_NONE; i = m->records[i].next)
		if (same(&m->records[i], r))
			return;
	if (rmap_full(m)) {
		m->lost = true;
		return;
	}
	m->records[m->used] = *r;
	link(m, m->used++);
}

/* rechain: keep the first used records that keep allows (all: NULL),
 * packed to the front in their order, and chain them anew. */
static void rechain(struct shadow_rmap *m, rmap_keep_fn keep, void *ctx)
{
	uint32_t kept = 0;

	clear_heads(m);
	for (uint32_t i = 0; i < m->used; i++) {
		if (keep && !keep(ctx, &m->records[i]))
			continue;
		m->records[kept] = m->records[i];
		link(m, kept++);
	}
	m->used = kept;
}

void rmap_compact(struct shadow_rmap *m, rmap_keep_fn keep, void *ctx)
{
	if (!m->lost)
		rechain(m, keep, ctx);
}

bool rmap_grow(struct shadow_rmap *m, void *storage, uint32_t capacity)
{
	struct rmap_record *old = m->records;
	uint32_t used = m->used;

	if (power_of_two_at_most(capacity) <= m->capacity)
		return false;
	place(m, storage, capacity);
	for (uint32_t i = 0; i < used; i++)
		m->records[i] = old[i];
	rechain(m, NULL, NULL);
	return true;
}

static void visit_bucket(const struct shadow_rmap *m, uint64_t page, bool large,
			 void (*fn)(void *ctx, const struct rmap_record *r), void *ctx)
{
	for (uint32_t i = m->heads[bucket_of(m, page)]; i != RMAP_NONE; i = m->records[i].next)
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
