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

#endif
