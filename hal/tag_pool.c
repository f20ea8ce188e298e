/*
 * tag_pool.c - generation-based recycling of ASIDs and VPIDs.
 */
#include "hal/tag_pool.h"

void tag_pool_init(struct tag_pool *pool, uint32_t first, uint32_t last)
{
	if (first == 0)
		first = 1;
	if (last < first)
		last = first;
	pool->first = first;
	pool->last = last;
	pool->next = first;
	pool->generation = 1;
}

uint32_t tag_pool_size(const struct tag_pool *pool)
{
	return pool->last - pool->first + 1;
}

enum tag_result tag_pool_claim(struct tag_pool *pool, struct tag_slot *slot)
{
	enum tag_result result = TAG_FRESH;

	if (slot->generation == pool->generation)
		return TAG_KEPT;
	if (pool->next > pool->last) {
		/* Every tag of this generation is out: start over. Translations
		 * cached under any tag may belong to another VM now. */
		pool->generation++;
		pool->next = pool->first;
		result = TAG_FLUSH_ALL;
	}
	slot->tag = pool->next++;
	slot->generation = pool->generation;
	return result;
}
