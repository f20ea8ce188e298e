/*
 * frame_bitmap.h - the bookkeeping behind the frame allocator: one bit per
 * 4 KiB frame, set when the frame is free. Portable C (host unit tests);
 * frames.c decides which frames start free.
 */
#ifndef SKIFF_FRAME_BITMAP_H
#define SKIFF_FRAME_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

struct frame_bitmap {
	uint64_t *words;        /* bit (n % 64) of words[n / 64]: frame n free */
	uint64_t frame_count;   /* frames 0 .. frame_count-1 are tracked */
	uint64_t free_count;
	uint64_t first_maybe_free;  /* no free frame below this: search start */
};

/*
 * frame_bitmap_init: track frame_count frames (a multiple of 64) in words
 * (frame_count / 64 of them), all marked used.
 */
void frame_bitmap_init(struct frame_bitmap *bm, uint64_t *words, uint64_t frame_count);

/*
 * frame_bitmap_set_free / frame_bitmap_set_used: mark frames
 * [first, first+count) free or used; frames beyond frame_count are ignored.
 * Each returns how many frames were already in that state (0 in correct
 * use of set_free: anything else is a double free).
 */
uint64_t frame_bitmap_set_free(struct frame_bitmap *bm, uint64_t first, uint64_t count);
uint64_t frame_bitmap_set_used(struct frame_bitmap *bm, uint64_t first, uint64_t count);

/* frame_bitmap_is_free: frame is tracked and free. */
bool frame_bitmap_is_free(const struct frame_bitmap *bm, uint64_t frame);

/*
 * frame_bitmap_alloc: find count free frames in a row starting at a
 * multiple of align (in frames, a power of two), mark them used and store
 * the first in *first. Returns false (nothing changed) when there is no
 * such run, or when count is 0 or align is not a power of two.
 */
bool frame_bitmap_alloc(struct frame_bitmap *bm, uint64_t count, uint64_t align,
			uint64_t *first);

#endif
