/*
 * nested_paging.c - the one nested-paging engine: map, unmap, protect,
 * look up and free a four-level table whose entry format is data (struct
 * np_format). Nothing here knows whether the entries are EPT or NPT.
 *
 * Edits are recursive walks over a range: at each level an entry is either
 * wholly inside the range (then it is rewritten in place, as a leaf when
 * that is allowed) or only partly (then the walk goes one level down,
 * creating a table or splitting a large page first). Depth is at most four.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/errno.h"
#include "nested_paging/nested_paging.h"

#define ROOT_LEVEL 4u
#define ENTRIES_PER_TABLE 512u
#define GPA_LIMIT (UINT64_C(1) << 48)

/*
 * How a guest-physical address picks one entry per level:
 *
 *   47       39 38       30 29       21 20       12 11            0
 *  +-----------+-----------+-----------+-----------+---------------+
 *  |  level 4  |  level 3  |  level 2  |  level 1  | byte in page  |
 *  |  (root)   |  1 GiB    |  2 MiB    |  4 KiB    |               |
 *  +-----------+-----------+-----------+-----------+---------------+
 *       9 bits      9 bits      9 bits      9 bits       12 bits
 *
 * A leaf at level 3 or 2 (large_page set) ends the walk early; the address
 * bits below it are then the offset inside a 1 GiB or 2 MiB page.
 */
static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (level - 1);
}

static uint64_t level_size(unsigned level)
{
	return UINT64_C(1) << level_shift(level);
}

static unsigned entry_index(uint64_t gpa, unsigned level)
{
	return (unsigned)(gpa >> level_shift(level)) & (ENTRIES_PER_TABLE - 1);
}

/* entry_end: where the part of [gpa, end) under gpa's entry at level stops. */
static uint64_t entry_end(uint64_t gpa, unsigned level, uint64_t end)
{
	uint64_t next = (gpa | (level_size(level) - 1)) + 1;
	return next < end ? next : end;
}

static bool covers_entry(uint64_t gpa, uint64_t next, unsigned level)
{
	return (gpa & (level_size(level) - 1)) == 0 &&
	       next - gpa == level_size(level);
}

/* ---- entries, as the format describes them ---- */

static bool entry_present(const struct np_format *f, uint64_t e)
{
	return (e & f->present_mask) != 0;
}

/* Level 4 never holds a leaf; its bit 7 is reserved in both formats. */
static bool entry_is_leaf(const struct np_format *f, uint64_t e, unsigned level)
{
	return level == 1 || (level < ROOT_LEVEL && (e & f->large_page) != 0);
}

static uint64_t table_address(const struct np_format *f, uint64_t e)
{
	return e & f->address_mask;
}

/* A large leaf's low address bits may hold other meanings (NPT's PAT bit). */
static uint64_t leaf_address(const struct np_format *f, uint64_t e,
			     unsigned level)
{
	return e & f->address_mask & ~(level_size(level) - 1);
}

static uint64_t permission_bits(const struct np_format *f)
{
	return f->read_allow | f->write_allow | f->exec_allow | f->exec_deny;
}

static uint64_t encode_perms(const struct np_format *f, unsigned perms)
{
	uint64_t bits = 0;

	if (perms & NP_READ)
		bits |= f->read_allow;
	if (perms & NP_WRITE)
		bits |= f->write_allow;
	bits |= (perms & NP_EXEC) ? f->exec_allow : f->exec_deny;
	return bits;
}

static unsigned decode_perms(const struct np_format *f, uint64_t e)
{
	unsigned perms = 0;
	bool exec_allowed = f->exec_allow == 0 || (e & f->exec_allow) != 0;

	if (e & f->read_allow)
		perms |= NP_READ;
	if (e & f->write_allow)
		perms |= NP_WRITE;
	if (exec_allowed && (e & f->exec_deny) == 0)
		perms |= NP_EXEC;
	return perms;
}

static uint64_t make_leaf(const struct np_format *f, unsigned level,
			  uint64_t hpa, unsigned perms)
{
	uint64_t leaf = hpa | f->leaf_bits | encode_perms(f, perms);

	if (level > 1)
		leaf |= f->large_page;
	return leaf;
}

/* ---- table pages ---- */

static uint64_t *table_at(const struct np_table *t, uint64_t hpa)
{
	if (t->alloc->to_virt == NULL)
		return (uint64_t *)(uintptr_t)hpa;
	return t->alloc->to_virt(t->alloc->ctx, hpa);
}

static int new_table(struct np_table *t, uint64_t **table, uint64_t *hpa)
{
	if (t->alloc->alloc_table(t->alloc->ctx, hpa) == NULL)
		return -ENOMEM;
	t->table_pages++;
	*table = table_at(t, *hpa);
	return 0;
}

static void free_one_table(struct np_table *t, uint64_t hpa)
{
	t->alloc->free_table(t->alloc->ctx, table_at(t, hpa), hpa);
	t->table_pages--;
}

/* free_subtree: free the table at hpa (of the given level) and all below. */
static void free_subtree(struct np_table *t, uint64_t hpa, unsigned level)
{
	const struct np_format *f = t->format;
	uint64_t *table = table_at(t, hpa);

	for (unsigned i = 0; level > 1 && i < ENTRIES_PER_TABLE; i++) {
		uint64_t e = table[i];
		if (entry_present(f, e) && !entry_is_leaf(f, e, level))
			free_subtree(t, table_address(f, e), level - 1);
	}
	free_one_table(t, hpa);
}

/*
 * table_is_empty: whether no entry of table is present. The scan starts at
 * index first and wraps: after unmapping a range, the entry just past it is
 * the likeliest to be present, which keeps page-by-page unmapping cheap.
 */
static bool table_is_empty(const struct np_table *t, const uint64_t *table,
			   unsigned first)
{
	for (unsigned n = 0; n < ENTRIES_PER_TABLE; n++) {
		unsigned i = (first + n) & (ENTRIES_PER_TABLE - 1);
		if (entry_present(t->format, table[i]))
			return false;
	}
	return true;
}

/*
 * split_leaf: replace the large leaf *e at level with a table of 512 leaves
 * one level down that translate exactly as it did, attributes (permissions,
 * memory type, A/D) included. Only the page size changes, never the frame,
 * rights or memory type, which the SDM allows without invalidation (and
 * keeps clear of the page-size-change machine-check errata, which need a
 * memory-type change too). -ENOMEM leaves *e untouched.
 */
static int split_leaf(struct np_table *t, uint64_t *e, unsigned level)
{
	const struct np_format *f = t->format;
	uint64_t base = leaf_address(f, *e, level);
	uint64_t attrs = *e & ~f->address_mask & ~f->large_page;
	uint64_t step = level_size(level - 1);
	uint64_t child_hpa;
	uint64_t *child;
	int rc = new_table(t, &child, &child_hpa);

	if (rc)
		return rc;
	if (level - 1 > 1)
		attrs |= f->large_page;
	for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
		child[i] = (base + i * step) | attrs;
	*e = child_hpa | f->table_bits;
	return 0;
}

/*
 * child_table: the table below the present-or-not entry *e at level > 1,
 * making one if there is none (an empty table, or a split large leaf).
 * Returns 0 with *child set, or -ENOMEM with *e unchanged.
 */
static int child_table(struct np_table *t, uint64_t *e, unsigned level,
		       uint64_t **child)
{
	const struct np_format *f = t->format;
	uint64_t hpa;
	int rc = 0;

	if (!entry_present(f, *e)) {
		rc = new_table(t, child, &hpa);
		if (rc == 0)
			*e = hpa | f->table_bits;
		return rc;
	}
	if (entry_is_leaf(f, *e, level))
		rc = split_leaf(t, e, level);
	if (rc == 0)
		*child = table_at(t, table_address(f, *e));
	return rc;
}

/*
 * replace_entry: store new_entry in *e. Whatever *e translated before is
 * gone, so the table becomes stale, and a table it pointed to is freed.
 * When a large leaf replaces a table of different translations, the CPU
 * may use old or new ones until the flush; callers wanting neither may
 * np_unmap, flush, then np_map.
 */
static void replace_entry(struct np_table *t, uint64_t *e, unsigned level,
			  uint64_t new_entry)
{
	const struct np_format *f = t->format;
	uint64_t old = *e;

	if (old == new_entry)
		return;
	*e = new_entry;
	if (!entry_present(f, old))
		return;
	t->stale = true;
	if (!entry_is_leaf(f, old, level))
		free_subtree(t, table_address(f, old), level - 1);
}

/* ---- range edits ---- */

static bool leaf_fits(const struct np_format *f, unsigned level, uint64_t gpa,
		      uint64_t next, uint64_t hpa)
{
	return level <= f->largest_leaf_level &&
	       (hpa & (level_size(level) - 1)) == 0 &&
	       covers_entry(gpa, next, level);
}

static int map_range(struct np_table *t, uint64_t *table, unsigned level,
		     uint64_t gpa, uint64_t end, uint64_t hpa, unsigned perms)
{
	const struct np_format *f = t->format;

	while (gpa < end) {
		uint64_t next = entry_end(gpa, level, end);
		uint64_t *e = &table[entry_index(gpa, level)];
		uint64_t *child;

		if (leaf_fits(f, level, gpa, next, hpa)) {
			replace_entry(t, e, level, make_leaf(f, level, hpa, perms));
		} else {
			int rc = child_table(t, e, level, &child);
			if (rc == 0)
				rc = map_range(t, child, level - 1, gpa, next,
					       hpa, perms);
			if (rc)
				return rc;
		}
		hpa += next - gpa;
		gpa = next;
	}
	return 0;
}

static int unmap_range(struct np_table *t, uint64_t *table, unsigned level,
		       uint64_t gpa, uint64_t end);

/*
 * unmap_below: unmap part of the present entry *e. A table left without
 * any present entry is freed, so unmapping gives memory back.
 */
static int unmap_below(struct np_table *t, uint64_t *e, unsigned level,
		       uint64_t gpa, uint64_t end)
{
	uint64_t *child;
	int rc = child_table(t, e, level, &child);

	if (rc)
		return rc;
	rc = unmap_range(t, child, level - 1, gpa, end);
	if (table_is_empty(t, child, entry_index(end, level - 1))) {
		uint64_t hpa = table_address(t->format, *e);
		*e = 0;
		free_one_table(t, hpa);
		t->stale = true;  /* paging-structure caches may hold it */
	}
	return rc;
}

static int unmap_range(struct np_table *t, uint64_t *table, unsigned level,
		       uint64_t gpa, uint64_t end)
{
	while (gpa < end) {
		uint64_t next = entry_end(gpa, level, end);
		uint64_t *e = &table[entry_index(gpa, level)];

		if (!entry_present(t->format, *e)) {
			/* nothing mapped here at any level below */
		} else if (covers_entry(gpa, next, level)) {
			replace_entry(t, e, level, 0);
		} else {
			int rc = unmap_below(t, e, level, gpa, next);
			if (rc)
				return rc;
		}
		gpa = next;
	}
	return 0;
}

static void change_perms(struct np_table *t, uint64_t *e, unsigned perms)
{
	const struct np_format *f = t->format;
	unsigned old = decode_perms(f, *e);

	if (old & ~perms)
		t->stale = true;
	*e = (*e & ~permission_bits(f)) | encode_perms(f, perms);
}

static int protect_range(struct np_table *t, uint64_t *table, unsigned level,
			 uint64_t gpa, uint64_t end, unsigned perms)
{
	const struct np_format *f = t->format;

	while (gpa < end) {
		uint64_t next = entry_end(gpa, level, end);
		uint64_t *e = &table[entry_index(gpa, level)];
		bool leaf = entry_is_leaf(f, *e, level);
		uint64_t *child;

		if (!entry_present(f, *e) ||
		    (leaf && decode_perms(f, *e) == perms)) {
			/* nothing to change: no need to split either */
		} else if (leaf && covers_entry(gpa, next, level)) {
			change_perms(t, e, perms);
		} else {
			int rc = child_table(t, e, level, &child);
			if (rc == 0)
				rc = protect_range(t, child, level - 1, gpa,
						   next, perms);
			if (rc)
				return rc;
		}
		gpa = next;
	}
	return 0;
}

/* ---- argument checks ---- */

static bool table_ok(const struct np_table *t)
{
	return t != NULL && t->root != NULL;
}

static bool gpa_range_ok(uint64_t gpa, uint64_t size)
{
	return size != 0 && ((gpa | size) & (NP_PAGE_4K - 1)) == 0 &&
	       size <= GPA_LIMIT && gpa <= GPA_LIMIT - size;
}

static bool hpa_range_ok(const struct np_format *f, uint64_t hpa,
			 uint64_t size)
{
	uint64_t last;

	if ((hpa & (NP_PAGE_4K - 1)) != 0 || hpa > UINT64_MAX - (size - 1))
		return false;
	last = hpa + (size - 1);
	return (last & ~(f->address_mask | (NP_PAGE_4K - 1))) == 0;
}

/*
 * Both formats can express read-only, read-write, read-execute and RWX.
 * Write without read is an EPT misconfiguration and impossible on NPT
 * (P is the read bit), so every mapping must include NP_READ.
 */
static bool perms_ok(unsigned perms)
{
	return (perms & ~(unsigned)NP_RWX) == 0 && (perms & NP_READ) != 0;
}

/* ---- one page at a time: the fault path's fast lane ---- */

/*
 * leaf_slot: the entry at leaf_level for gpa, creating the tables above it
 * (or splitting a larger leaf) on the way. Returns NULL only on -ENOMEM,
 * with every entry passed so far still consistent. Inlined with a constant
 * leaf_level, so the shifts and the loop fold away.
 */
static inline __attribute__((always_inline)) uint64_t *
leaf_slot(struct np_table *t, uint64_t gpa, unsigned leaf_level)
{
	const struct np_format *f = t->format;
	bool identity = t->alloc->to_virt == NULL;
	uint64_t *table = t->root;

#pragma GCC unroll 3
	for (unsigned level = ROOT_LEVEL; level > leaf_level; level--) {
		uint64_t *e = &table[entry_index(gpa, level)];
		uint64_t *child;

		/* The root's bit 7 is reserved and never set, so one test of
		 * the large-page bit serves every level here. */
		if (__builtin_expect(entry_present(f, *e) &&
				     (*e & f->large_page) == 0, 1)) {
			table = identity ? (uint64_t *)(uintptr_t)table_address(f, *e)
					 : table_at(t, table_address(f, *e));
			continue;
		}
		if (child_table(t, e, level, &child) != 0)
			return NULL;
		table = child;
	}
	return &table[entry_index(gpa, leaf_level)];
}

/*
 * map_one: the general walk's result for one aligned page at leaf_level,
 * without its range arithmetic. Faults map one page at a time, so this
 * is the case that must be short.
 */
static inline __attribute__((always_inline)) int
map_one(struct np_table *t, uint64_t gpa, uint64_t hpa, unsigned level,
	unsigned perms)
{
	uint64_t *e = leaf_slot(t, gpa, level);

	if (e == NULL)
		return -ENOMEM;
	replace_entry(t, e, level, make_leaf(t->format, level, hpa, perms));
	return 0;
}

/*
 * unmap_one: np_unmap of one aligned page at leaf_level. Returns 1 when
 * the page sits inside a larger leaf (the general walk splits it), else
 * 0 with the page unmapped and any table left empty freed, as the general
 * walk would.
 */
static inline __attribute__((always_inline)) int
unmap_one(struct np_table *t, uint64_t gpa, unsigned leaf_level)
{
	const struct np_format *f = t->format;
	uint64_t *path[ROOT_LEVEL + 1];
	uint64_t *table = t->root;
	unsigned level;

	for (level = ROOT_LEVEL; level > leaf_level; level--) {
		uint64_t *e = &table[entry_index(gpa, level)];

		if (!entry_present(f, *e))
			return 0;  /* nothing mapped below */
		if (entry_is_leaf(f, *e, level))
			return 1;
		path[level] = e;
		table = table_at(t, table_address(f, *e));
	}
	replace_entry(t, &table[entry_index(gpa, leaf_level)], leaf_level, 0);
	/* Give back the tables this left empty, lowest first. */
	for (level = leaf_level + 1; level <= ROOT_LEVEL; level++) {
		uint64_t *e = path[level];
		uint64_t hpa = table_address(f, *e);

		if (!table_is_empty(t, table_at(t, hpa),
				    entry_index(gpa + level_size(level - 1),
						level - 1)))
			break;
		*e = 0;
		free_one_table(t, hpa);
		t->stale = true;  /* paging-structure caches may hold it */
	}
	return 0;
}

/*
 * single_page_ok: [gpa, gpa+page) to [hpa, hpa+page) is one aligned page
 * inside both address spaces (what gpa_range_ok and hpa_range_ok decide
 * for this case, in fewer steps).
 */
static bool single_page_ok(const struct np_format *f, uint64_t gpa,
			   uint64_t hpa, uint64_t page)
{
	return ((gpa | hpa) & (page - 1)) == 0 && gpa < GPA_LIMIT &&
	       (hpa & ~f->address_mask) == 0;
}

/* ---- the API (contracts in nested_paging.h) ---- */

int np_init(struct np_table *t, const struct np_format *f,
	    const struct np_allocator *a)
{
	if (t == NULL || f == NULL || a == NULL || f->largest_leaf_level < 1 ||
	    f->largest_leaf_level >= ROOT_LEVEL)
		return -EINVAL;
	t->format = f;
	t->alloc = a;
	t->table_pages = 0;
	t->stale = false;
	t->root = NULL;
	return new_table(t, &t->root, &t->root_hpa);
}

int np_map(struct np_table *t, uint64_t gpa, uint64_t hpa, uint64_t size,
	   unsigned perms)
{
	if (!table_ok(t) || !perms_ok(perms))
		return -EINVAL;
	if (size == NP_PAGE_4K && single_page_ok(t->format, gpa, hpa, size))
		return map_one(t, gpa, hpa, 1, perms);
	if (size == NP_PAGE_2M && t->format->largest_leaf_level >= 2 &&
	    single_page_ok(t->format, gpa, hpa, size))
		return map_one(t, gpa, hpa, 2, perms);
	if (!gpa_range_ok(gpa, size) || !hpa_range_ok(t->format, hpa, size))
		return -EINVAL;
	return map_range(t, t->root, ROOT_LEVEL, gpa, gpa + size, hpa, perms);
}

int np_unmap(struct np_table *t, uint64_t gpa, uint64_t size)
{
	if (!table_ok(t) || !gpa_range_ok(gpa, size))
		return -EINVAL;
	if (size == NP_PAGE_4K && unmap_one(t, gpa, 1) == 0)
		return 0;
	if (size == NP_PAGE_2M && (gpa & (size - 1)) == 0 &&
	    unmap_one(t, gpa, 2) == 0)
		return 0;
	return unmap_range(t, t->root, ROOT_LEVEL, gpa, gpa + size);
}

int np_protect(struct np_table *t, uint64_t gpa, uint64_t size,
	       unsigned perms)
{
	if (!table_ok(t) || !gpa_range_ok(gpa, size) || !perms_ok(perms))
		return -EINVAL;
	return protect_range(t, t->root, ROOT_LEVEL, gpa, gpa + size, perms);
}

int np_lookup(const struct np_table *t, uint64_t gpa, uint64_t *hpa,
	      unsigned *perms, uint64_t *page_size)
{
	const uint64_t *table;
	unsigned level;

	if (!table_ok(t) || gpa >= GPA_LIMIT)
		return -ENOENT;
	table = t->root;
	for (level = ROOT_LEVEL; level >= 1; level--) {
		uint64_t e = table[entry_index(gpa, level)];
		uint64_t size = level_size(level);

		if (!entry_present(t->format, e))
			return -ENOENT;
		if (entry_is_leaf(t->format, e, level)) {
			if (hpa)
				*hpa = leaf_address(t->format, e, level) +
				       (gpa & (size - 1));
			if (perms)
				*perms = decode_perms(t->format, e);
			if (page_size)
				*page_size = size;
			return 0;
		}
		table = table_at(t, table_address(t->format, e));
	}
	return -ENOENT;  /* not reached: level 1 entries are always leaves */
}

int np_split(struct np_table *t, uint64_t gpa)
{
	uint64_t *table;

	if (!table_ok(t) || gpa >= GPA_LIMIT)
		return -ENOENT;
	table = t->root;
	for (unsigned level = ROOT_LEVEL; level > 1; level--) {
		uint64_t *e = &table[entry_index(gpa, level)];
		int rc;

		if (!entry_present(t->format, *e))
			return -ENOENT;
		if (entry_is_leaf(t->format, *e, level) && (rc = split_leaf(t, e, level)) != 0)
			return rc;
		table = table_at(t, table_address(t->format, *e));
	}
	return entry_present(t->format, table[entry_index(gpa, 1)]) ? 0 : -ENOENT;
}

/* take_leaf_bit: np_take_accessed and np_take_dirty, for one of the bits. */
static int take_leaf_bit(struct np_table *t, uint64_t gpa, uint64_t bit)
{
	uint64_t *table;

	if (!table_ok(t) || gpa >= GPA_LIMIT || bit == 0)
		return -ENOENT;
	table = t->root;
	for (unsigned level = ROOT_LEVEL; level > 1; level--) {
		uint64_t e = table[entry_index(gpa, level)];

		if (!entry_present(t->format, e) || entry_is_leaf(t->format, e, level))
			return -ENOENT;
		table = table_at(t, table_address(t->format, e));
	}
	uint64_t *leaf = &table[entry_index(gpa, 1)];

	if (!entry_present(t->format, *leaf))
		return -ENOENT;
	if ((*leaf & bit) == 0)
		return 0;
	/* The CPU sets the bit again only after dropping what it cached. */
	__atomic_fetch_and(leaf, ~bit, __ATOMIC_RELAXED);
	t->stale = true;
	return 1;
}

int np_take_accessed(struct np_table *t, uint64_t gpa)
{
	return take_leaf_bit(t, gpa, t && t->format ? t->format->accessed : 0);
}

int np_take_dirty(struct np_table *t, uint64_t gpa)
{
	return take_leaf_bit(t, gpa, t && t->format ? t->format->dirty : 0);
}

void np_destroy(struct np_table *t)
{
	if (!table_ok(t))
		return;
	free_subtree(t, t->root_hpa, ROOT_LEVEL);
	t->root = NULL;
	t->root_hpa = 0;
}
