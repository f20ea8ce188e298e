/*
 * nested_paging.h - one nested-paging engine for both vendors.
 *
 * The engine walks and edits a four-level table of 512-entry pages; what an
 * entry looks like is data, a constant struct np_format supplied by ept/
 * (Intel EPT) or npt/ (AMD NPT, plain x86-64 entries). Nothing here knows
 * which vendor it serves.
 *
 * Addresses: "hpa" values are host-physical. Table pages are reached through
 * the allocator's to_virt(), so host unit tests can run the engine on
 * ordinary heap memory.
 */
#ifndef SKIFF_NESTED_PAGING_H
#define SKIFF_NESTED_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_PAGE_4K (UINT64_C(1) << 12)
#define NP_PAGE_2M (UINT64_C(1) << 21)
#define NP_PAGE_1G (UINT64_C(1) << 30)

/* Permissions of a mapping (same values as HAL_ACCESS_*). */
enum {
	NP_READ = 1u << 0,
	NP_WRITE = 1u << 1,
	NP_EXEC = 1u << 2,
	NP_RWX = NP_READ | NP_WRITE | NP_EXEC,
};

/*
 * An entry format, as data. Level 1 maps 4 KiB, level 2 2 MiB, level 3
 * 1 GiB, level 4 is the root. Bits that mean "permitted" go in *_allow
 * masks; a format whose hardware has a "forbidden" bit instead (NPT's NX)
 * names it in exec_deny.
 */
struct np_format {
	const char *name;
	uint64_t present_mask;  /* entry is present when any of these is set */
	uint64_t read_allow;
	uint64_t write_allow;
	uint64_t exec_allow;
	uint64_t exec_deny;
	uint64_t large_page;    /* PS bit in level 2 and 3 entries */
	uint64_t table_bits;    /* bits of an entry pointing to a table */
	uint64_t leaf_bits;     /* bits every leaf carries (memory type, U, ...) */
	uint64_t address_mask;  /* physical-address bits of an entry */
	uint64_t accessed, dirty;
	unsigned largest_leaf_level; /* 3 when 1 GiB pages are allowed */
};

/* Where the engine gets table pages. */
struct np_allocator {
	/* alloc_table: a zeroed, 4 KiB-aligned page; its hpa in *hpa. NULL when out. */
	void *(*alloc_table)(void *ctx, uint64_t *hpa);
	void (*free_table)(void *ctx, void *table, uint64_t hpa);
	/* to_virt: NULL when a table's hpa is its address (identity map),
	 * which saves a call on every level of every walk. */
	void *(*to_virt)(void *ctx, uint64_t hpa);
	void *ctx;
};

struct np_table {
	const struct np_format *format;
	const struct np_allocator *alloc;
	uint64_t root_hpa;
	uint64_t *root;
	size_t table_pages;  /* table pages in use, root included */
	bool stale;          /* a translation was removed or narrowed: flush */
};

/*
 * np_init: empty table. 0, or -ENOMEM when no root page could be had, or
 * -EINVAL when t, f or a is NULL or f->largest_leaf_level is not 1..3.
 */
int np_init(struct np_table *t, const struct np_format *f,
	    const struct np_allocator *a);

/*
 * np_map: map [gpa, gpa+size) to [hpa, hpa+size) with perms (NP_*), using
 * the largest pages that alignment and the format allow. gpa, hpa and size
 * must be 4 KiB multiples, size > 0, gpa+size below 2^48, hpa+size within
 * the format's address bits, perms only NP_* bits and including NP_READ
 * (neither format can express write-only; NPT cannot express exec-only):
 * else -EINVAL with nothing changed. Replaces existing mappings in the range
 * (marking the table stale when a translation changes); large pages that
 * straddle the range's edges are split, the outside keeping its mapping.
 * -ENOMEM on allocation failure: the range may then be partly mapped, but
 * every entry is consistent and everything outside the range is unchanged.
 */
int np_map(struct np_table *t, uint64_t gpa, uint64_t hpa, uint64_t size,
	   unsigned perms);

/*
 * np_unmap: remove [gpa, gpa+size), splitting large pages at the edges;
 * holes are fine. Table pages left empty are freed. Sets stale when
 * anything was mapped. Same gpa/size rules as np_map (-EINVAL); -ENOMEM when
 * a split needs a page and none is left (the large page then stays whole).
 */
int np_unmap(struct np_table *t, uint64_t gpa, uint64_t size);

/*
 * np_protect: set perms on every mapped page in [gpa, gpa+size); holes stay
 * holes. Sets stale when any page loses a permission (a widened page may
 * still fault once through a cached translation: fault handlers should
 * re-check with np_lookup). Large pages are split only where part of them
 * changes. -EINVAL and -ENOMEM as for np_map.
 */
int np_protect(struct np_table *t, uint64_t gpa, uint64_t size,
	       unsigned perms);

/*
 * np_split: make gpa's translation a 4 KiB leaf: a large leaf holding it
 * becomes 512 leaves one level down (repeatedly, for 1 GiB) that translate
 * exactly as it did, permissions and A/D bits included. Only the page size
 * changes, so the table does not become stale (the SDM and the APM allow a
 * CPU to go on using the large translation: it gives the same results).
 * 0 (also when already 4 KiB), -ENOENT when gpa is not mapped, -ENOMEM
 * when no table page is left (the leaf stays whole).
 */
int np_split(struct np_table *t, uint64_t gpa);

/*
 * np_lookup: translate gpa. Returns 0 and fills *hpa, *perms and
 * *page_size (each may be NULL), or -ENOENT when not mapped (including any
 * gpa at or above 2^48, and a table that np_init did not set up).
 */
int np_lookup(const struct np_table *t, uint64_t gpa, uint64_t *hpa,
	      unsigned *perms, uint64_t *page_size);

/*
 * np_take_accessed: the accessed bit of the 4 KiB leaf mapping gpa, cleared
 * on the way (an atomic AND, so a bit the CPU sets meanwhile is never
 * lost beside it). Returns 1 when it was set (the table is then stale: a
 * CPU sets the bit again only after dropping its cached translation), 0
 * when clear, -ENOENT when gpa has no 4 KiB leaf or the format has no
 * accessed bit. Needs a CPU that writes the bit (EPT only with A/D on).
 */
int np_take_accessed(struct np_table *t, uint64_t gpa);

/* np_take_dirty: np_take_accessed for the dirty bit (written since). */
int np_take_dirty(struct np_table *t, uint64_t gpa);

/*
 * np_destroy: free every table page, root included; t->root becomes NULL,
 * so later calls on t fail with -EINVAL (-ENOENT for np_lookup) and a second
 * np_destroy does nothing. The caller flushes the nested TLB before the
 * freed pages are reused (the same holds for pages np_map/np_unmap free
 * while setting stale).
 */
void np_destroy(struct np_table *t);

#endif
