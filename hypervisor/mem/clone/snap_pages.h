/*
 * snap_pages.h - what a snapshot holds of each guest page, and which pages
 * a clone no longer takes from it.
 *
 * A snapshot (hypervisor/vm/clone/vm_clone.c) keeps one byte per 4 KiB page of
 * the guest it was taken from: nothing (the page was never touched: it
 * reads as zero), a frame held by reference for copy-on-write, or a frame
 * of the image's read-only segments (shared as before the snapshot), with
 * the page's nested permissions. A clone keeps one bit per page: set once
 * the page is its own (copied on write, freed by a report, given back as
 * zero), so a later touch of that page is an ordinary first touch and
 * never brings the snapshot's contents back. Portable C: host-tested with
 * the frames' reference counts (tests/unit/clone_test.c).
 */
#ifndef SKIFF_SNAP_PAGES_H
#define SKIFF_SNAP_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#define SNAP_PAGE_SIZE UINT64_C(4096)

enum snap_kind {
	SNAP_NONE = 0,    /* never touched before the snapshot */
	SNAP_COW = 1,     /* a frame of the snapshot's, copied on a clone's write */
	SNAP_IMAGE = 2,   /* a read-only frame of the image (share table) */
};

struct snap_pages {
	uint8_t *bytes;       /* per page: kind in bits 0-1, NP_* perms from bit 2 */
	uint64_t page_count;
};

/* snap_pages_init: page_count pages, all SNAP_NONE, recorded in bytes[]. */
void snap_pages_init(struct snap_pages *s, uint8_t *bytes, uint64_t page_count);

/* snap_record: page gpa (inside: callers check) is kind with perms (NP_*). */
void snap_record(struct snap_pages *s, uint64_t gpa, enum snap_kind kind, unsigned perms);

/* snap_kind_at: the kind of the page holding gpa, SNAP_NONE beyond the end. */
enum snap_kind snap_kind_at(const struct snap_pages *s, uint64_t gpa);

/* snap_perms_at: the recorded NP_* permissions of the page holding gpa
 * (0 for SNAP_NONE or beyond the end). */
unsigned snap_perms_at(const struct snap_pages *s, uint64_t gpa);

/* snap_bitmap_bytes: bytes of a clone's bitmap for page_count pages. */
uint64_t snap_bitmap_bytes(uint64_t page_count);

/*
 * snap_is_detached / snap_detach: read or set the bit of the page holding
 * gpa in a clone's bitmap bits (snap_bitmap_bytes(page_count) bytes, zero
 * at the start). Pages beyond page_count read as detached and are ignored
 * by snap_detach.
 */
bool snap_is_detached(const uint8_t *bits, uint64_t page_count, uint64_t gpa);
void snap_detach(uint8_t *bits, uint64_t page_count, uint64_t gpa);

/*
 * snap_takes_from: whether a touch of gpa in a clone with bitmap bits maps
 * the snapshot's frame (COW or IMAGE, not detached); false means an
 * ordinary first touch (a zero page).
 */
bool snap_takes_from(const struct snap_pages *s, const uint8_t *bits, uint64_t gpa);

#endif
