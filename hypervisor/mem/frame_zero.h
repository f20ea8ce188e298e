/*
 * frame_zero.h - zeroing whole frames with 16-byte stores.
 */
#ifndef SKIFF_FRAME_ZERO_H
#define SKIFF_FRAME_ZERO_H

#include <stdint.h>

#define FRAME_ZERO_UNIT 4096u   /* what frame_zero clears at a time: one frame */

/*
 * frame_zero: write zeros over [page, page + bytes). page must be 16-byte
 * aligned and bytes a multiple of FRAME_ZERO_UNIT (frames and runs of
 * frames: the allocator's); anything else is Skiff's own bug and is cleared
 * with memset instead, so the bytes are zero either way (as before SSE is
 * enabled on the calling CPU: fpu_init). Every register is
 * as it was after the call, XMM0 included (it may hold a guest's value).
 */
void frame_zero(void *page, uint64_t bytes);

#endif
