/*
 * frame_bitmap.c - one bit per frame (frame_bitmap.h). Portable.
 *
 * Single frames, the common case, are found a word at a time from a
 * "nothing free below here" mark; runs are found by testing aligned
 * candidates and skipping past the first used frame inside a candidate.
 */
#include "hypervisor/mem/frame_bitmap.h"

static bool bit_is_set(const struct frame_bitmap *bm, uint64_t frame)
{
	return (bm->words[frame / 64] >> (frame % 64)) & 1;
}

void frame_bitmap_init(struct frame_bitmap *bm, uint64_t *words, uint64_t frame_count)
{
	bm->words = words;
	bm->frame_count = frame_count;
	bm->free_count = 0;
	bm->first_maybe_free = frame_count;
	for (uint64_t i = 0; i < frame_count / 64; i++)
		words[i] = 0;
}

/* clip: the part of [first, first+count) that is tracked; returns its end. */
static uint64_t clip_end(const struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	if (first >= bm->frame_count)
		return first;
	if (count > bm->frame_count - first)
		return bm->frame_count;
	return first + count;
}

uint64_t frame_bitmap_set_free(struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	uint64_t end = clip_end(bm, first, count);
	uint64_t already = 0;

	for (uint64_t f = first; f < end; f++) {
		if (bit_is_set(bm, f)) {
			already++;
			continue;
		}
		bm->words[f / 64] |= 1ull << (f % 64);
		bm->free_count++;
	}
	if (first < end && first < bm->first_maybe_free)
		bm->first_maybe_free = first;
	return already;
}

uint64_t frame_bitmap_set_used(struct frame_bitmap *bm, uint64_t first, uint64_t count)
{
	uint64_t end = clip_end(bm, first, count);
	uint64_t already = 0;

	for (uint64_t f = first; f < end; f++) {
		if (!bit_is_set(bm, f)) {
			already++;
			continue;
		}
		bm->words[f / 64] &= ~(1ull << (f % 64));
		bm->free_count--;
	}
	return already;
}

bool frame_bitmap_is_free(const struct frame_bitmap *bm, uint64_t frame)
{
	return frame < bm->frame_count && bit_is_set(bm, frame);
}

/* alloc_one: the lowest free frame, found a word at a time. */
static bool alloc_one(struct frame_bitmap *bm, uint64_t *first)
{
	for (uint64_t w = bm->first_maybe_free / 64; w < bm->frame_count / 64; w++) {
		if (bm->words[w] == 0)
			continue;
		uint64_t frame = w * 64 + (uint64_t)__builtin_ctzll(bm->words[w]);
		frame_bitmap_set_used(bm, frame, 1);
		bm->first_maybe_free = frame + 1;
		*first = frame;
		return true;
	}
	bm->first_maybe_free = bm->frame_count;
	return false;
}

/* first_used_in: the first used frame in [start, end), or end if none. */
static uint64_t first_used_in(const struct frame_bitmap *bm, uint64_t start, uint64_t end)
{
	for (uint64_t f = start; f < end; f++) {
		if (!bit_is_set(bm, f))
			return f;
	}
	return end;
}

bool frame_bitmap_alloc(struct frame_bitmap *bm, uint64_t count, uint64_t align,
			uint64_t *first)
{
	if (count == 0 || align == 0 || (align & (align - 1)) != 0)
		return false;
	if (count > bm->free_count)
		return false;
	if (count == 1 && align == 1)
		return alloc_one(bm, first);

	/* Start at the first aligned frame at or above the search mark. */
	uint64_t candidate = (bm->first_maybe_free + align - 1) & ~(align - 1);
	while (candidate < bm->frame_count && count <= bm->frame_count - candidate) {
		uint64_t used = first_used_in(bm, candidate, candidate + count);

		if (used == candidate + count) {
			frame_bitmap_set_used(bm, candidate, count);
			*first = candidate;
			return true;
		}
		/* No run can start at or below the used frame: jump past it. */
		candidate = (used + align) & ~(align - 1);
	}
	return false;
}
