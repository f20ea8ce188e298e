/*
 * guest_pages.h - where each guest-physical page of one guest lives now.
 *
 * The memory core keeps one byte per 4 KiB guest page. The same record
 * serves nested paging today and shadow paging or a paravirtual MMU later:
 * it says where the page's contents are, never how a CPU reaches them.
 * Portable C: the first-touch decision is host-tested.
 */
#ifndef SKIFF_GUEST_PAGES_H
#define SKIFF_GUEST_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#define GP_PAGE_SIZE UINT64_C(4096)
#define GP_BLOCK_SIZE (UINT64_C(2) << 20)   /* a 2 MiB nested leaf */
#define GP_PAGES_PER_BLOCK (GP_BLOCK_SIZE / GP_PAGE_SIZE)

enum gp_where {
	GP_NOWHERE = 0,   /* never touched: reads as zero once touched */
	GP_OWN,           /* a frame of its own, mapped */
	GP_SHARED,        /* a shared read-only frame (identical pages) */
	GP_COMPRESSED,    /* a slot in the compressed pool */
	GP_SWAPPED,       /* a swap slot */
};

struct guest_pages {
	uint8_t *where;        /* enum gp_where, one per 4 KiB page */
	uint64_t page_count;   /* pages of RAM: RAM size / 4 KiB */
	uint64_t resident;     /* pages in GP_OWN */
	uint64_t peak;         /* the most resident ever */
};

/*
 * gp_init: track ram_size bytes (a 4 KiB multiple) in where[], which holds
 * ram_size / 4 KiB bytes; every page starts GP_NOWHERE.
 */
void gp_init(struct guest_pages *gp, uint8_t *where, uint64_t ram_size);

/* gp_init_zeroed: gp_init for a where[] its caller has already zeroed
 * (GP_NOWHERE is 0), so it is not written again. */
void gp_init_zeroed(struct guest_pages *gp, uint8_t *where, uint64_t ram_size);

/* gp_at: the state of the page holding gpa (GP_NOWHERE beyond RAM). */
static inline enum gp_where gp_at(const struct guest_pages *gp, uint64_t gpa)
{
	uint64_t page = gpa / GP_PAGE_SIZE;

	return page < gp->page_count ? (enum gp_where)gp->where[page] : GP_NOWHERE;
}

/*
 * gp_set_own: record [gpa, gpa+size) (4 KiB-aligned, inside RAM: callers
 * check) as having frames of their own, counting resident and peak.
 */
void gp_set_own(struct guest_pages *gp, uint64_t gpa, uint64_t size);

/*
 * gp_set_nowhere: record the page at gpa (4 KiB-aligned, inside RAM, in
 * GP_OWN) as given back: its next touch is a first touch again.
 */
void gp_set_nowhere(struct guest_pages *gp, uint64_t gpa);

/*
 * gp_set_away: record the page at gpa (4 KiB-aligned, inside RAM, in
 * GP_OWN) as evicted to where (GP_COMPRESSED or GP_SWAPPED): no longer
 * resident; its next touch brings its contents back.
 */
void gp_set_away(struct guest_pages *gp, uint64_t gpa, enum gp_where where);

/* gp_is_away: a page in this state is filled by a touch (nowhere yet, or
 * evicted), not mapped. */
static inline bool gp_is_away(enum gp_where where)
{
	return where == GP_NOWHERE || where == GP_COMPRESSED || where == GP_SWAPPED;
}

/*
 * gp_first_touch_plan: gpa (inside RAM, in a GP_NOWHERE page) was touched.
 * Returns the page to fill, in *base and *size: the aligned 2 MiB block
 * when it lies wholly inside RAM, no page of it is placed yet and
 * allow_2m is set (a 2 MiB frame is free); else the 4 KiB page. Returns
 * false (nothing to fill) when gpa is outside RAM or its page is already
 * placed: the fault is then not a first touch.
 */
bool gp_first_touch_plan(const struct guest_pages *gp, uint64_t gpa,
			 bool allow_2m, uint64_t *base, uint64_t *size);

/*
 * gp_range_placed: every page of [gpa, gpa+len) is GP_OWN. Needs the range
 * inside RAM (callers check first); a zero length is placed.
 */
bool gp_range_placed(const struct guest_pages *gp, uint64_t gpa, uint64_t len);

#endif
