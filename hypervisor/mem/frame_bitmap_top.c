/*
 * frame_bitmap_top.c - taking the highest free frame (frame_bitmap_top.h).
 */
#include "hypervisor/mem/frame_bitmap_top.h"

bool frame_bitmap_alloc_top(struct frame_bitmap *bm, uint64_t floor, uint64_t *frame)
{
	uint64_t first_word = floor / 64;

	for (uint64_t w = bm->frame_count / 64; w-- > first_word;) {
		uint64_t bits = bm->words[w];

		if (w == first_word)
			bits &= ~((UINT64_C(1) << (floor % 64)) - 1);   /* below floor: not ours */
		if (bits == 0)
			continue;
		*frame = w * 64 + 63 - (uint64_t)__builtin_clzll(bits);
		frame_bitmap_set_used(bm, *frame, 1);
		return true;
	}
	return false;
}
