/*
 * clone_test.c - the bookkeeping of copy-on-write clones on the host: a
 * snapshot's page kinds and a clone's detached bits (hypervisor/mem/
 * clone/snap_pages.c), and the frames' references in the share table
 * (hypervisor/mem/share_table.c) taken and dropped in the order
 * hypervisor/vm/clone/vm_clone.c and vm_share.c use: the parent's frames
 * adopted by the snapshot's image, one reference per clone mapping, the
 * snapshot's own, dropped on copy, free report and end. A model of frames
 * checks that no frame is freed while any clone or the snapshot still
 * maps it, and that every frame is freed exactly once in the end, with
 * clones ending in random orders.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/mem/clone/snap_pages.h"
#include "hypervisor/mem/share_table.h"

#define PAGE UINT64_C(4096)
#define PAGES 64u
#define CLONES 5u
#define NP_RW 3u   /* NP_READ | NP_WRITE */
#define NP_RX 5u   /* NP_READ | NP_EXEC */

static struct share_table t;
static uint8_t kinds[PAGES];
static struct snap_pages snap;

/* Frames: hpa = (n + 1) * PAGE; each maps to the pages holding it. */
#define FRAMES 4096u
static unsigned holders[FRAMES];   /* mappings the model knows of */
static bool freed[FRAMES];
static unsigned next_frame;

static uint64_t new_frame(void)
{
	uint64_t hpa = (uint64_t)(++next_frame) * PAGE;

	freed[next_frame - 1] = false;
	holders[next_frame - 1] = 0;
	return hpa;
}

static unsigned idx(uint64_t hpa) { return (unsigned)(hpa / PAGE) - 1; }

/* release: one reference of image's page gpa; a freed frame must be unheld. */
static void release(int image, uint64_t gpa, uint64_t hpa)
{
	uint64_t last = share_release(&t, image, gpa);

	holders[idx(hpa)]--;
	if (last) {
		CHECK(last == hpa);
		CHECK(!freed[idx(last)]);
		CHECK(holders[idx(last)] == 0);
		freed[idx(last)] = true;
	}
}

struct clone {
	uint8_t bits[PAGES / 8];
	uint64_t map[PAGES];     /* the frame it maps, 0 when none */
	bool shared[PAGES];      /* map[] is the snapshot's (else its own copy) */
	bool alive;
};

static struct clone clones[CLONES];
static int snap_image, base_image;
static uint64_t image_frames[PAGES];

/* The parent: pages 0..7 image text (shared), 8..47 its own, the rest never touched. */
static void take_snapshot(void)
{
	snap_pages_init(&snap, kinds, PAGES);
	for (uint64_t p = 0; p < 8; p++) {
		image_frames[p] = new_frame();
		CHECK(share_insert(&t, base_image, p * PAGE, image_frames[p]));  /* the parent's */
		holders[idx(image_frames[p])]++;
		snap_record(&snap, p * PAGE, SNAP_IMAGE, NP_RX);
		CHECK(share_lookup(&t, base_image, p * PAGE) == image_frames[p]);  /* the snapshot's */
		holders[idx(image_frames[p])]++;
	}
	for (uint64_t p = 8; p < 48; p++) {
		uint64_t hpa = new_frame();

		CHECK(share_insert(&t, snap_image, p * PAGE, hpa));   /* the parent's, adopted */
		holders[idx(hpa)]++;
		snap_record(&snap, p * PAGE, SNAP_COW, NP_RW);
		CHECK(share_lookup(&t, snap_image, p * PAGE) == hpa);  /* the snapshot's */
		holders[idx(hpa)]++;
	}
	/* The parent ends: its references go. */
	for (uint64_t p = 0; p < 48; p++) {
		int image = p < 8 ? base_image : snap_image;
		uint64_t hpa = share_lookup(&t, image, p * PAGE);

		CHECK(hpa != 0);
		share_release(&t, image, p * PAGE);   /* undo the look */
		release(image, p * PAGE, hpa);
	}
}

static int image_for(uint64_t gpa)
{
	return snap_kind_at(&snap, gpa) == SNAP_COW ? snap_image : base_image;
}

static void touch(struct clone *c, uint64_t p, bool write)
{
	uint64_t gpa = p * PAGE;

	if (!c->map[p]) {
		if (!snap_takes_from(&snap, c->bits, gpa)) {
			c->map[p] = new_frame();   /* an ordinary first touch */
			holders[idx(c->map[p])]++;
			c->shared[p] = false;
			snap_detach(c->bits, PAGES, gpa);
			return;
		}
		c->map[p] = share_lookup(&t, image_for(gpa), gpa);
		CHECK(c->map[p] != 0 && !freed[idx(c->map[p])]);
		holders[idx(c->map[p])]++;
		c->shared[p] = true;
	}
	if (write && c->shared[p] && snap_kind_at(&snap, gpa) == SNAP_COW) {
		uint64_t old = c->map[p];

		CHECK(snap_perms_at(&snap, gpa) == NP_RW);
		c->map[p] = new_frame();
		holders[idx(c->map[p])]++;
		c->shared[p] = false;
		release(snap_image, gpa, old);
		snap_detach(c->bits, PAGES, gpa);
	}
}

/* forget: a free report of page p (the clone's view: reads as zero next). */
static void forget(struct clone *c, uint64_t p)
{
	uint64_t gpa = p * PAGE;

	if (c->map[p] && c->shared[p])
		release(image_for(gpa), gpa, c->map[p]);
	else if (c->map[p]) {
		holders[idx(c->map[p])]--;
		freed[idx(c->map[p])] = true;   /* its own frame */
	}
	c->map[p] = 0;
	snap_detach(c->bits, PAGES, gpa);
	CHECK(!snap_takes_from(&snap, c->bits, gpa));
}

static void end_clone(struct clone *c)
{
	for (uint64_t p = 0; p < PAGES; p++)
		if (c->map[p] && c->shared[p])
			release(image_for(p * PAGE), p * PAGE, c->map[p]);
		else if (c->map[p]) {
			holders[idx(c->map[p])]--;
			freed[idx(c->map[p])] = true;
		}
	memset(c, 0, sizeof(*c));
}

static void snapshot_end(void)
{
	for (uint64_t p = 0; p < PAGES; p++) {
		enum snap_kind k = snap_kind_at(&snap, p * PAGE);
		uint64_t hpa = k == SNAP_COW ? 0 : image_frames[p];

		if (k == SNAP_NONE)
			continue;
		if (k == SNAP_COW) {
			hpa = share_lookup(&t, snap_image, p * PAGE);
			share_release(&t, snap_image, p * PAGE);
		}
		release(image_for(p * PAGE), p * PAGE, hpa);
	}
}

static void test_kinds_and_bits(void)
{
	uint8_t bits[2] = { 0, 0 };
	uint8_t k[12];
	struct snap_pages s;

	snap_pages_init(&s, k, 12);
	snap_record(&s, 3 * PAGE, SNAP_COW, NP_RW);
	snap_record(&s, 4 * PAGE + 17, SNAP_IMAGE, NP_RX);
	snap_record(&s, 12 * PAGE, SNAP_COW, NP_RW);   /* beyond: ignored */
	CHECK(snap_kind_at(&s, 3 * PAGE + 5) == SNAP_COW && snap_perms_at(&s, 3 * PAGE) == NP_RW);
	CHECK(snap_kind_at(&s, 4 * PAGE) == SNAP_IMAGE && snap_perms_at(&s, 4 * PAGE) == NP_RX);
	CHECK(snap_kind_at(&s, 0) == SNAP_NONE && snap_kind_at(&s, 99 * PAGE) == SNAP_NONE);
	CHECK(snap_takes_from(&s, bits, 3 * PAGE) && !snap_takes_from(&s, bits, 5 * PAGE));
	snap_detach(bits, 12, 3 * PAGE);
	CHECK(!snap_takes_from(&s, bits, 3 * PAGE) && snap_takes_from(&s, bits, 4 * PAGE));
	CHECK(snap_is_detached(bits, 12, 12 * PAGE));   /* beyond the end */
	snap_detach(bits, 12, 40 * PAGE);               /* ignored, no overflow */
	CHECK(bits[1] == 0 && bits[0] == 1u << 3);
	CHECK(snap_bitmap_bytes(12) == 2 && snap_bitmap_bytes(8) == 1);
}

static void test_random_clones(unsigned seed)
{
	srand(seed);
	share_init(&t);
	next_frame = 0;
	memset(clones, 0, sizeof(clones));
	base_image = share_image_get(&t, "image", 6);
	snap_image = share_image_private(&t);
	CHECK(snap_image >= 0 && snap_image != base_image);
	CHECK(share_image_get(&t, "", 1) != snap_image);   /* nothing matches a private image */
	take_snapshot();
	for (unsigned i = 0; i < CLONES; i++)
		clones[i].alive = true;
	for (unsigned step = 0; step < 4000; step++) {
		struct clone *c = &clones[(unsigned)rand() % CLONES];
		uint64_t p = (unsigned)rand() % PAGES;

		if (!c->alive)
			continue;
		if (rand() % 16 == 0)
			forget(c, p);
		else
			touch(c, p, rand() % 2 && p >= 8);
		if (rand() % 997 == 0)
			end_clone(c);
	}
	for (unsigned i = 0; i < CLONES; i++)
		if (clones[i].alive)
			end_clone(&clones[i]);
	snapshot_end();
	/* Every frame went back exactly once (release checks "once"), and
	 * nothing is left in the table. */
	for (unsigned n = 0; n < next_frame; n++)
		CHECK(freed[n] && holders[n] == 0);
	CHECK(t.frames == 0 && t.refs == 0);
}

int main(void)
{
	test_kinds_and_bits();
	for (unsigned seed = 1; seed <= 20; seed++)
		test_random_clones(seed);
	return check_report("clone_test");
}
