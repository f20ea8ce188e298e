/*
 * frame_bitmap_top.h - the highest free frame of a frame bitmap, for
 * guest pages: they go as high as memory reaches, which leaves the frames
 * below 4 GiB to what needs 32-bit addresses. Portable C (host-tested).
 */
#ifndef SKIFF_FRAME_BITMAP_TOP_H
#define SKIFF_FRAME_BITMAP_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/mem/frame_bitmap.h"

/*
 * frame_bitmap_alloc_top: mark the highest free frame at or above floor
 * used and store it in *frame. false (nothing changed) when every frame
 * from floor up is used (floor beyond the bitmap: none is looked at).
 */
bool frame_bitmap_alloc_top(struct frame_bitmap *bm, uint64_t floor, uint64_t *frame);

#endif
