/*
 * boot_frame_bitmap_test.c - host tests for hypervisor/mem/frame_bitmap.c:
 * marking, counting, single and aligned-run allocation, exhaustion, double
 * frees, clipping, and a random workload checked against a plain array.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot_check.h"
#include "hypervisor/mem/frame_bitmap.h"

#define FRAMES 4096

static uint64_t words[FRAMES / 64];
static struct frame_bitmap bm;

static void test_init_and_marks(void)
{
	uint64_t f = 99;

	memset(words, 0xff, sizeof words);
	frame_bitmap_init(&bm, words, FRAMES);
	CHECK(bm.free_count == 0);
	CHECK(!frame_bitmap_is_free(&bm, 0));
	CHECK(!frame_bitmap_alloc(&bm, 1, 1, &f) && f == 99);

	CHECK(frame_bitmap_set_free(&bm, 100, 50) == 0);
	CHECK(bm.free_count == 50);
	CHECK(frame_bitmap_is_free(&bm, 100) && frame_bitmap_is_free(&bm, 149));
	CHECK(!frame_bitmap_is_free(&bm, 99) && !frame_bitmap_is_free(&bm, 150));
	/* overlapping marks count only the frames that change */
	CHECK(frame_bitmap_set_free(&bm, 140, 20) == 10);
	CHECK(bm.free_count == 60);
	CHECK(frame_bitmap_set_used(&bm, 90, 20) == 10);
	CHECK(bm.free_count == 50);
	/* clipping at the end, and huge counts */
	CHECK(frame_bitmap_set_free(&bm, FRAMES - 2, UINT64_MAX) == 0);
	CHECK(bm.free_count == 52);
	CHECK(frame_bitmap_set_free(&bm, FRAMES + 5, 10) == 0);
	CHECK(frame_bitmap_set_free(&bm, UINT64_MAX, UINT64_MAX) == 0);
	CHECK(bm.free_count == 52);
	CHECK(!frame_bitmap_is_free(&bm, FRAMES));
}

static void test_alloc_single(void)
{
	uint64_t f;

	frame_bitmap_init(&bm, words, FRAMES);
	frame_bitmap_set_free(&bm, 10, 3);
	frame_bitmap_set_free(&bm, 200, 1);
	CHECK(frame_bitmap_alloc(&bm, 1, 1, &f) && f == 10);
	CHECK(frame_bitmap_alloc(&bm, 1, 1, &f) && f == 11);
	CHECK(frame_bitmap_alloc(&bm, 1, 1, &f) && f == 12);
	CHECK(frame_bitmap_alloc(&bm, 1, 1, &f) && f == 200);
	CHECK(!frame_bitmap_alloc(&bm, 1, 1, &f));
	CHECK(bm.free_count == 0);
	/* freeing below the search mark makes the frame findable again */
	CHECK(frame_bitmap_set_free(&bm, 11, 1) == 0);
	CHECK(frame_bitmap_alloc(&bm, 1, 1, &f) && f == 11);
	/* a double free is reported */
	CHECK(frame_bitmap_set_free(&bm, 11, 1) == 0);
	CHECK(frame_bitmap_set_free(&bm, 11, 1) == 1);
}

static void test_alloc_runs(void)
{
	uint64_t f = 0;

	frame_bitmap_init(&bm, words, FRAMES);
	frame_bitmap_set_free(&bm, 3, 1000);
	/* aligned to 512 frames (2 MiB): the first candidate is 512 */
	CHECK(frame_bitmap_alloc(&bm, 4, 512, &f) && f == 512);
	/* unaligned run: lowest fit */
	CHECK(frame_bitmap_alloc(&bm, 5, 1, &f) && f == 3);
	/* align 4: 8 is free */
	CHECK(frame_bitmap_alloc(&bm, 2, 4, &f) && f == 8);
	/* free now: 10..511 and 516..1002; 503 fits neither, though 989 are free */
	CHECK(!frame_bitmap_alloc(&bm, 503, 1, &f));
	/* 480 fits in the lower stretch; then 450 only in the upper one */
	CHECK(frame_bitmap_alloc(&bm, 480, 1, &f) && f == 10);
	CHECK(frame_bitmap_alloc(&bm, 450, 1, &f) && f == 516);
	/* more than is free at all */
	CHECK(!frame_bitmap_alloc(&bm, 1000, 1, &f));
	/* bad arguments change nothing */
	uint64_t before = bm.free_count;
	CHECK(!frame_bitmap_alloc(&bm, 0, 1, &f));
	CHECK(!frame_bitmap_alloc(&bm, 1, 3, &f));
	CHECK(!frame_bitmap_alloc(&bm, 1, 0, &f));
	CHECK(bm.free_count == before);
}

static void test_run_at_the_end(void)
{
	uint64_t f;

	frame_bitmap_init(&bm, words, FRAMES);
	frame_bitmap_set_free(&bm, FRAMES - 8, 8);
	CHECK(frame_bitmap_alloc(&bm, 8, 8, &f) && f == FRAMES - 8);
	frame_bitmap_set_free(&bm, FRAMES - 8, 8);
	CHECK(!frame_bitmap_alloc(&bm, 8, 16, &f));
	CHECK(!frame_bitmap_alloc(&bm, 9, 1, &f));
}

/* test_random: a random workload agrees with a plain bool array. */
static void test_random(void)
{
	static bool model[FRAMES];
	uint64_t model_free = 0;

	frame_bitmap_init(&bm, words, FRAMES);
	memset(model, 0, sizeof model);
	srand(7);
	for (int round = 0; round < 20000; round++) {
		uint64_t first = (uint64_t)(rand() % FRAMES), count = (uint64_t)(1 + rand() % 40);
		uint64_t align = 1ull << (rand() % 6), f;
		int op = rand() % 3;

		if (op == 0) {
			frame_bitmap_set_free(&bm, first, count);
			for (uint64_t i = first; i < first + count && i < FRAMES; i++)
				model[i] = true;
		} else if (op == 1) {
			frame_bitmap_set_used(&bm, first, count);
			for (uint64_t i = first; i < first + count && i < FRAMES; i++)
				model[i] = false;
		} else if (frame_bitmap_alloc(&bm, count, align, &f)) {
			CHECK(f % align == 0 && f + count <= FRAMES);
			for (uint64_t i = f; i < f + count; i++) {
				CHECK(model[i]);
				model[i] = false;
			}
		} else {
			/* No aligned run of count free frames may exist. */
			for (uint64_t s = 0; s + count <= FRAMES; s += align) {
				uint64_t i = s;
				while (i < s + count && model[i])
					i++;
				CHECK(i < s + count);
			}
		}
	}
	for (int i = 0; i < FRAMES; i++) {
		CHECK(frame_bitmap_is_free(&bm, (uint64_t)i) == model[i]);
		model_free += model[i];
	}
	CHECK(bm.free_count == model_free);
}

int main(void)
{
	test_init_and_marks();
	test_alloc_single();
	test_alloc_runs();
	test_run_at_the_end();
	test_random();
	return check_report("boot_frame_bitmap_test");
}
