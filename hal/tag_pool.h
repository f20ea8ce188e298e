/*
 * tag_pool.h - address-space tags (SVM ASIDs, VMX VPIDs) for vCPUs.
 *
 * The hardware has a fixed number of tags (QEMU offers 15 ASIDs) and Skiff
 * may run many more VMs. Tags are therefore handed out per generation: a
 * vCPU keeps its tag while its generation is current; when the pool runs
 * dry it starts a new generation, every tag becomes stale at once, and the
 * caller flushes all tagged translations before the first entry that uses a
 * recycled tag. Both backends share this logic; only the flush differs.
 * Portable C, unit-tested on the host.
 */
#ifndef SKIFF_TAG_POOL_H
#define SKIFF_TAG_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct tag_pool {
	uint32_t first, last;   /* usable tags, inclusive */
	uint32_t next;          /* the next tag to hand out in this generation */
	uint64_t generation;    /* starts at 1; 0 in a slot means "never had one" */
};

/* A vCPU's claim on a tag. Zero-initialized means no tag yet. */
struct tag_slot {
	uint32_t tag;
	uint64_t generation;
};

enum tag_result {
	TAG_KEPT,        /* the slot's tag is still valid: nothing to do */
	TAG_FRESH,       /* a tag unused in this generation: no flush needed */
	TAG_FLUSH_ALL,   /* a new generation began: flush every tag, then enter */
};

/*
 * tag_pool_init: tags first..last (first >= 1, last >= first; else the pool
 * holds just first). Tag 0 is never handed out: both vendors reserve it for
 * the host.
 */
void tag_pool_init(struct tag_pool *pool, uint32_t first, uint32_t last);

/*
 * tag_pool_is_current: whether slot's tag is valid in the pool's current
 * generation (the case in which tag_pool_claim returns TAG_KEPT). Inline:
 * it is the check before every VM entry, a compare and no call.
 */
static inline bool tag_pool_is_current(const struct tag_pool *pool,
				       const struct tag_slot *slot)
{
	return slot->generation == pool->generation;
}

/*
 * tag_pool_claim: make slot's tag valid for the current generation, before
 * a VM entry. Returns what the caller must do (see enum tag_result).
 */
enum tag_result tag_pool_claim(struct tag_pool *pool, struct tag_slot *slot);

/*
 * tag_slot_drop: the vCPU holding slot moved to another CPU, whose pool is
 * another: its tag and generation mean nothing there (the numbers may even
 * match a current generation of the new pool, and the tag another vCPU's
 * there). After it, tag_pool_is_current is false for every pool, so the
 * next entry claims a tag of the new CPU's pool.
 */
static inline void tag_slot_drop(struct tag_slot *slot)
{
	*slot = (struct tag_slot){ 0, 0 };   /* generations start at 1 */
}

/* tag_pool_size: how many tags the pool holds. */
uint32_t tag_pool_size(const struct tag_pool *pool);

#endif
