/*
 * frame_bitmap_top_test.c - the highest free frame at or above a floor
 * (hypervisor/mem/frame_bitmap_top.c).
 */
#include <stdint.h>

#include "check.h"
#include "hypervisor/mem/frame_bitmap.h"
#include "hypervisor/mem/frame_bitmap_top.h"

static uint64_t words[1024 / 64];

int main(void)
{
	struct frame_bitmap bm;
	uint64_t f = 0;

	frame_bitmap_init(&bm, words, 1024);
	CHECK(!frame_bitmap_alloc_top(&bm, 0, &f));             /* all used */
	frame_bitmap_set_free(&bm, 10, 20);                      /* 10..29 */
	frame_bitmap_set_free(&bm, 700, 3);                      /* 700..702 */
	CHECK(frame_bitmap_alloc_top(&bm, 512, &f) && f == 702);
	CHECK(frame_bitmap_alloc_top(&bm, 512, &f) && f == 701);
	CHECK(frame_bitmap_alloc_top(&bm, 701, &f) == false);   /* 700 is below the floor */
	CHECK(frame_bitmap_alloc_top(&bm, 700, &f) && f == 700);
	CHECK(!frame_bitmap_alloc_top(&bm, 512, &f));           /* low frames are not taken */
	CHECK(frame_bitmap_alloc_top(&bm, 0, &f) && f == 29);
	CHECK(frame_bitmap_alloc_top(&bm, 20, &f) && f == 28);
	CHECK(bm.free_count == 18 && !frame_bitmap_is_free(&bm, 28));
	CHECK(!frame_bitmap_alloc_top(&bm, 2048, &f));          /* floor beyond the bitmap */
	frame_bitmap_set_free(&bm, 1023, 1);
	CHECK(frame_bitmap_alloc_top(&bm, 1023, &f) && f == 1023);
	frame_bitmap_set_free(&bm, 64, 1);
	CHECK(frame_bitmap_alloc_top(&bm, 64, &f) && f == 64);  /* floor on a word's first bit */
	return check_report("frame_bitmap_top_test");
}
