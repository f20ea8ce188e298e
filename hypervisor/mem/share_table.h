/*
 * share_table.h - frames shared read-only between guests of one image.
 *
 * When several guests run the same image, each page of its non-writable
 * segments (text, read-only data) is backed by one frame, mapped
 * read-only in every guest. This table remembers those frames by (image,
 * guest-physical page) with a count of the guests that map each; the
 * last one to let go hands the frame back. Two modules with identical
 * bytes are one image. Portable C: the refcounting is host-tested.
 */
#ifndef SKIFF_SHARE_TABLE_H
#define SKIFF_SHARE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#define SHARE_MAX_IMAGES 64u
#define SHARE_MAX_FRAMES 16384u  /* 64 MiB of shared pages (images and snapshots) */
#define SHARE_RO_RANGES 8u       /* read-only segments remembered per image */

/* A read-only segment of an image, [start, end) in guest-physical pages. */
struct share_range {
	uint64_t start, end;
};

struct share_image {
	const void *bytes;   /* the first module seen with these contents */
	uint64_t len;
	unsigned users;      /* guests built from it and not yet ended */
	unsigned ro_count;   /* entries of ro in use */
	/* Its read-only segments: the pages reclaim may merge between its
	 * guests even when no frame of the table backs them any more. */
	struct share_range ro[SHARE_RO_RANGES];
};

struct share_entry {
	uint64_t gpa;        /* 4 KiB page; an empty slot has refs 0 */
	uint64_t hpa;
	uint32_t image;      /* index into images */
	uint32_t refs;
};

struct share_table {
	struct share_image images[SHARE_MAX_IMAGES];
	struct share_entry entries[SHARE_MAX_FRAMES];
	uint64_t frames;       /* entries in use: frames held */
	uint64_t refs;         /* mappings of those frames, all guests together */
	uint64_t peak_frames, peak_refs;
};

/* share_init: an empty table (all zero: a static table is empty already). */
void share_init(struct share_table *t);

/*
 * share_image_get: the image index for module bytes[0..len) (len > 0),
 * counting one more user: an earlier image with the same pointer and
 * length, or with equal bytes, or a new one. Returns -1 when the table
 * holds SHARE_MAX_IMAGES images already (the caller then does not share).
 */
int share_image_get(struct share_table *t, const void *bytes, uint64_t len);

/*
 * share_image_private: a new image no module matches (a snapshot's
 * frames, copy-on-write between its clones), with one user. -1 when the
 * table holds SHARE_MAX_IMAGES images already.
 */
int share_image_private(struct share_table *t);

/* share_image_hold: one more user of image (in use: callers hold one). */
void share_image_hold(struct share_table *t, int image);

/* share_image_put: one user of image fewer; the slot is reused at 0. */
void share_image_put(struct share_table *t, int image);

/*
 * share_image_note_ro: [start, end) (4 KiB-aligned) is a read-only segment
 * of image. Ranges already noted are not noted twice; past SHARE_RO_RANGES
 * the rest are left out (their pages are then never merged under
 * pressure). A bad image index: nothing.
 */
void share_image_note_ro(struct share_table *t, int image, uint64_t start, uint64_t end);

/* share_image_is_ro: gpa lies in a read-only segment noted for image
 * (false for a bad index or a private image, which notes none). */
bool share_image_is_ro(const struct share_table *t, int image, uint64_t gpa);

/* share_image_next_ro: the lowest address at or above gpa in a read-only
 * segment noted for image, or UINT64_MAX when there is none. */
uint64_t share_image_next_ro(const struct share_table *t, int image, uint64_t gpa);

/*
 * share_lookup: the frame backing page gpa (4 KiB-aligned) of image, with
 * one more reference taken, or 0 when there is none yet.
 */
uint64_t share_lookup(struct share_table *t, int image, uint64_t gpa);

/* share_frame: the frame backing page gpa of image, no reference taken
 * (the caller holds one, or copies at once), or 0. */
uint64_t share_frame(const struct share_table *t, int image, uint64_t gpa);

/*
 * share_insert: record hpa as the frame of page gpa of image with one
 * reference. false (nothing recorded) when the table is full or the page
 * already has a frame: the caller keeps the frame to itself.
 */
bool share_insert(struct share_table *t, int image, uint64_t gpa, uint64_t hpa);

/*
 * share_release: drop one reference to page gpa of image. Returns the
 * frame's hpa when that was the last one (the entry is gone: the caller
 * frees the frame), 0 otherwise, also for a page the table does not know.
 */
uint64_t share_release(struct share_table *t, int image, uint64_t gpa);

#endif
