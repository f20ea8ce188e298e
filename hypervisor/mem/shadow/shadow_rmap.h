/*
 * shadow_rmap.h - the reverse map of a VM's shadows: for a guest page,
 * which shadow entries derive from it. Two kinds of record:
 *
 *   - a table record (level 1..4): the page was walked as a level-`level`
 *     table (4: the PML4) by shadow `slot` for addresses starting at `va`
 *     (the table covers 512 entries of 4 KiB << 9 * (level - 1) each), so
 *     a change of its entry i can only be cached in that shadow's entry
 *     covering va + i * span at that level;
 *   - a leaf record (level 0): shadow `shadow` maps the page at `va`,
 *     writable or not (a 2 MiB leaf: `large`, page and va 2 MiB-aligned),
 *     so making the page read-only, or taking it away, means clearing
 *     that leaf.
 *
 * Records name their shadow by an id the caller gives each shadow and
 * renews whenever it empties it, so old records go stale (the caller finds
 * no shadow with that id and skips them) without a search. The map lives
 * in storage its owner gives; when full, the owner compacts it (dropping
 * stale records) or moves it into larger storage. Once a record did not
 * fit it is "lost" and can no longer answer (the caller drops every shadow
 * then, and clears the map). Portable and host-tested.
 */
#ifndef SKIFF_SHADOW_RMAP_H
#define SKIFF_SHADOW_RMAP_H

#include <stdbool.h>
#include <stdint.h>

/* The capacity a map starts with; it may grow (rmap_grow). */
#define RMAP_CAPACITY 4096u
#define RMAP_NONE 0xffffffffu

struct rmap_record {
	uint64_t page;    /* guest-physical page (2 MiB-aligned for a large leaf) */
	uint64_t va;      /* the table's first address, or the leaf's */
	uint32_t next;    /* the bucket's next record, RMAP_NONE at the end */
	uint32_t shadow;  /* the id of the shadow the entry is in */
	uint8_t level;    /* 1..4: a table of that level; 0: a leaf */
	bool large;       /* a 2 MiB leaf */
};

/* The storage a map of capacity records needs: a bucket head for every 4
 * records, then the records (8-byte aligned for a capacity of 8 or more). */
#define RMAP_STORAGE_BYTES(capacity) \
	((uint64_t)(capacity) / 4u * sizeof(uint32_t) + \
	 (uint64_t)(capacity) * sizeof(struct rmap_record))

struct shadow_rmap {
	uint32_t *heads;          /* capacity / 4 buckets */
	struct rmap_record *records;
	uint32_t capacity, used;
	bool lost;        /* a record did not fit: the map cannot answer */
};

/* Whether a record still stands for an entry; for rmap_compact. */
typedef bool (*rmap_keep_fn)(void *ctx, const struct rmap_record *r);

/*
 * rmap_init: m, empty, over storage (RMAP_STORAGE_BYTES(capacity) bytes,
 * 8-byte aligned, owned by the caller). capacity: a power of two, at least
 * 8; anything else is rounded down to one (8 at least).
 */
void rmap_init(struct shadow_rmap *m, void *storage, uint32_t capacity);

/* rmap_clear: no records; the map can answer again. */
void rmap_clear(struct shadow_rmap *m);

/* rmap_full: the next new record would not fit (rmap_add would lose the map). */
bool rmap_full(const struct shadow_rmap *m);

/*
 * rmap_add: record r (its next field is ignored) unless an equal record
 * (page, va, shadow, level, large) is there. When the map is full, it
 * becomes lost instead. Bad input (level above 4) is ignored.
 */
void rmap_add(struct shadow_rmap *m, const struct rmap_record *r);

/*
 * rmap_compact: keep only the records keep(ctx, r) says still stand (those
 * of emptied shadows, leaves cleared since), chained anew: room without
 * losing what the map knows. A lost map stays lost.
 */
void rmap_compact(struct shadow_rmap *m, rmap_keep_fn keep, void *ctx);

/*
 * rmap_grow: move m's records into new storage (RMAP_STORAGE_BYTES(
 * capacity) bytes, capacity a power of two above m's); m then uses it and
 * the caller frees the old storage (m->heads before the call). Returns
 * false, changing nothing, when capacity is not above m's.
 */
bool rmap_grow(struct shadow_rmap *m, void *storage, uint32_t capacity);

/*
 * rmap_visit: call fn(ctx, record) for each record of guest page `page`
 * (4 KiB-aligned; leaf records of the 2 MiB around it included).
 * Returns false without calling fn when the map is lost.
 */
bool rmap_visit(const struct shadow_rmap *m, uint64_t page,
		void (*fn)(void *ctx, const struct rmap_record *r), void *ctx);

#endif
