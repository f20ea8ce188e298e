/*
 * mem_share_table_test.c - frames shared read-only between guests of one
 * image (hypervisor/mem/share_table.c): images recognised by their bytes,
 * one reference per mapping, the frame handed back by the last release
 * only, and a full table refusing instead of sharing wrongly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/mem/share_table.h"

#define PAGE UINT64_C(4096)

static struct share_table t;

static void test_images(void)
{
	static const char a[] = "an image", b[] = "an image", c[] = "another!";
	int ia, ib, ic;

	share_init(&t);
	ia = share_image_get(&t, a, sizeof(a));
	ib = share_image_get(&t, b, sizeof(b));   /* other module, same bytes */
	ic = share_image_get(&t, c, sizeof(c));
	CHECK(ia >= 0 && ia == ib && ic >= 0 && ic != ia);
	CHECK(t.images[ia].users == 2 && t.images[ic].users == 1);
	CHECK(share_image_get(&t, a, sizeof(a) - 1) != ia);   /* a prefix is another image */
	share_image_put(&t, ia);
	share_image_put(&t, ia);
	CHECK(t.images[ia].users == 0);
	/* Its slot is free again: the next new image may take it. */
	CHECK(share_image_get(&t, "fresh", 6) == ia);
}

static void test_refcounts(void)
{
	share_init(&t);
	CHECK(share_lookup(&t, 0, 0x100000) == 0);           /* nothing yet */
	CHECK(share_insert(&t, 0, 0x100000, 0xa000));        /* guest 1 */
	CHECK(!share_insert(&t, 0, 0x100000, 0xb000));       /* one frame per page */
	CHECK(share_lookup(&t, 0, 0x100000) == 0xa000);      /* guest 2 */
	CHECK(share_lookup(&t, 0, 0x100000) == 0xa000);      /* guest 3 */
	CHECK(share_lookup(&t, 1, 0x100000) == 0);           /* another image: its own */
	CHECK(t.frames == 1 && t.refs == 3 && t.peak_refs == 3);
	CHECK(share_release(&t, 0, 0x100000) == 0);
	CHECK(share_release(&t, 0, 0x100000) == 0);
	CHECK(share_release(&t, 0, 0x100000) == 0xa000);     /* the last one frees */
	CHECK(t.frames == 0 && t.refs == 0 && t.peak_frames == 1);
	CHECK(share_release(&t, 0, 0x100000) == 0);          /* gone: nothing to free twice */
	CHECK(share_lookup(&t, 0, 0x100000) == 0);
	CHECK(share_release(&t, 3, 0x200000) == 0);          /* never known */
}

/* Fill, empty and refill the table: tombstones must not lose entries. */
static void test_full_table(void)
{
	share_init(&t);
	for (uint64_t i = 0; i < SHARE_MAX_FRAMES; i++)
		CHECK(share_insert(&t, (int)(i % 3), i * PAGE, (i + 1) * PAGE));
	CHECK(!share_insert(&t, 5, 0x7000000, 0x1000));      /* full: refused */
	for (uint64_t i = 0; i < SHARE_MAX_FRAMES; i += 2)
		CHECK(share_release(&t, (int)(i % 3), i * PAGE) == (i + 1) * PAGE);
	for (uint64_t i = 1; i < SHARE_MAX_FRAMES; i += 2)
		CHECK(share_lookup(&t, (int)(i % 3), i * PAGE) == (i + 1) * PAGE);
	for (uint64_t i = 0; i < SHARE_MAX_FRAMES; i += 2)
		CHECK(share_insert(&t, 7, i * PAGE, 0x5000));
	CHECK(t.frames == SHARE_MAX_FRAMES);
	for (uint64_t i = 1; i < SHARE_MAX_FRAMES; i += 2) {
		CHECK(share_release(&t, (int)(i % 3), i * PAGE) == 0);
		CHECK(share_release(&t, (int)(i % 3), i * PAGE) == (i + 1) * PAGE);
	}
	CHECK(t.frames == SHARE_MAX_FRAMES / 2);
}

/* A random sequence against a model: a count per (image, page). */
static void test_random(void)
{
	enum { IMAGES = 4, PAGES = 64 };
	static unsigned refs[IMAGES][PAGES];
	static uint64_t frame[IMAGES][PAGES];
	uint64_t next = 0x100000;

	share_init(&t);
	srand(7);
	for (int step = 0; step < 200000; step++) {
		int im = rand() % IMAGES, pg = rand() % PAGES;
		uint64_t gpa = (uint64_t)pg * PAGE;

		if (rand() % 2) {
			uint64_t got = share_lookup(&t, im, gpa);

			if (refs[im][pg]) {
				CHECK(got == frame[im][pg]);
				refs[im][pg]++;
			} else {
				CHECK(got == 0);
				frame[im][pg] = next += PAGE;
				CHECK(share_insert(&t, im, gpa, frame[im][pg]));
				refs[im][pg] = 1;
			}
		} else {
			uint64_t got = share_release(&t, im, gpa);

			if (refs[im][pg] == 1)
				CHECK(got == frame[im][pg]);
			else
				CHECK(got == 0);
			if (refs[im][pg])
				refs[im][pg]--;
		}
	}
}

/* The read-only segments an image notes: where reclaim may merge pages. */
static void test_ro_ranges(void)
{
	static const char m[] = "ro image", other[] = "other image";
	int im, io, priv;

	share_init(&t);
	im = share_image_get(&t, m, sizeof(m));
	io = share_image_get(&t, other, sizeof(other));
	priv = share_image_private(&t);
	CHECK(!share_image_is_ro(&t, im, 0x1000));
	CHECK(share_image_next_ro(&t, im, 0) == UINT64_MAX);
	share_image_note_ro(&t, im, 0x5000, 0x8000);
	share_image_note_ro(&t, im, 0x1000, 0x3000);
	share_image_note_ro(&t, im, 0x1000, 0x3000);   /* a second guest: noted once */
	share_image_note_ro(&t, im, 0x9000, 0x9000);   /* empty: ignored */
	share_image_note_ro(&t, -1, 0, 0x1000);
	share_image_note_ro(&t, (int)SHARE_MAX_IMAGES, 0, 0x1000);
	CHECK(t.images[im].ro_count == 2);
	CHECK(share_image_is_ro(&t, im, 0x1000) && share_image_is_ro(&t, im, 0x2fff));
	CHECK(!share_image_is_ro(&t, im, 0x3000) && !share_image_is_ro(&t, im, 0x0fff));
	CHECK(share_image_is_ro(&t, im, 0x7000) && !share_image_is_ro(&t, im, 0x8000));
	CHECK(!share_image_is_ro(&t, io, 0x1000) && !share_image_is_ro(&t, priv, 0x1000));
	CHECK(!share_image_is_ro(&t, -1, 0x1000));
	CHECK(share_image_next_ro(&t, im, 0) == 0x1000);
	CHECK(share_image_next_ro(&t, im, 0x2000) == 0x2000);
	CHECK(share_image_next_ro(&t, im, 0x3000) == 0x5000);
	CHECK(share_image_next_ro(&t, im, 0x8000) == UINT64_MAX);
	/* Past SHARE_RO_RANGES the rest are left out. */
	for (uint64_t i = 0; i < SHARE_RO_RANGES; i++)
		share_image_note_ro(&t, io, 0x10000 * (i + 1), 0x10000 * (i + 1) + PAGE);
	share_image_note_ro(&t, io, 0x100000, 0x101000);
	CHECK(t.images[io].ro_count == SHARE_RO_RANGES && !share_image_is_ro(&t, io, 0x100000));
	/* A slot used again by another image starts with no ranges. */
	share_image_put(&t, im);
	CHECK(share_image_get(&t, "new", 4) == im && !share_image_is_ro(&t, im, 0x1000));
}

int main(void)
{
	test_ro_ranges();
	test_images();
	test_refcounts();
	test_full_table();
	test_random();
	return check_report("mem_share_table_test");
}
