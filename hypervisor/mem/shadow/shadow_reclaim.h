/*
 * shadow_reclaim.h - a guest page taken away by the memory core (zero-page
 * reclaim, eviction, unmap, write protection) leaves the shadows: exactly
 * the leaves the reverse map says map it, before the frame is reused.
 * Portable and host-tested (tests/unit/shadow_reclaim_test.c, against the
 * TLB model and the invalidation path).
 */
#ifndef SKIFF_SHADOW_RECLAIM_H
#define SKIFF_SHADOW_RECLAIM_H

#include <stdint.h>

#include "hypervisor/mem/shadow/shadow_rmap.h"
#include "hypervisor/mem/shadow/shadow_table.h"

/* The root of the shadow a record names (by id), 0 when none has it now. */
typedef uint64_t (*shadow_root_of_fn)(void *ctx, uint32_t id);

/*
 * shadow_drop_page_leaves: clear every shadow leaf the reverse map m
 * records for guest page `page` (4 KiB-aligned): its 4 KiB leaves and the
 * 2 MiB leaves around it, in each shadow root_of still finds (a shadow
 * emptied since is skipped). Table records are left alone: a table page's
 * entries point at other pages, which go through their own leaves.
 * Returns how many leaves were cleared, or -1 (nothing cleared) when the
 * map is lost and cannot tell: the caller then drops every shadow. The
 * caller flushes the CPU's cached translations afterwards (the
 * invalidation path does).
 */
int shadow_drop_page_leaves(const struct shadow_rmap *m, struct st_alloc *alloc, uint64_t page,
			    shadow_root_of_fn root_of, void *ctx);

/*
 * shadow_take_page_accessed: the eviction clock's question for a shadow-
 * paged guest: was guest page `page` (4 KiB-aligned, backed by the frame
 * at hpa) used since the clock last asked? Under shadow paging the CPU
 * sets accessed bits in the shadow leaves it walks, not in the nested
 * table. Every leaf the reverse map m records for the page (its aliases,
 * in every shadow root_of still finds, and 2 MiB leaves over it) that
 * still maps hpa has its accessed bit read and cleared; a 2 MiB leaf's
 * bit, cleared, is kept for each of its 512 pages in seen (one bit per
 * guest page, indexed by page number), so its other pages do not lose it;
 * then the page's own bit in seen is read and cleared too. Returns 1 when
 * the page was used, 0 when not, -1 when the map is lost (nothing changed:
 * the caller treats the page as cold, as a CPU without accessed bits
 * would make it). *cleared gets the number of leaf bits cleared: when not
 * 0, the caller has the CPU's cached translations flushed (no shadow is
 * dropped) so that the next use walks and sets the bit again.
 */
int shadow_take_page_accessed(const struct shadow_rmap *m, struct st_alloc *alloc, uint64_t page,
			      uint64_t hpa, shadow_root_of_fn root_of, void *ctx, uint8_t *seen,
			      unsigned *cleared);

#endif
