/*
 * zpool.h - the compressed page pool: 4 KiB guest pages kept LZ4-compressed
 * in frames of Skiff's own, so a cold page that compresses well costs a
 * fraction of a frame.
 *
 * Each pool frame is cut into 16 chunks of 256 bytes; a page's compressed
 * bytes (behind a 2-byte length) take a run of whole chunks inside one
 * frame. A page is taken only when it fits in ZPOOL_MAX_CHUNKS chunks
 * (3 KiB): anything larger saves too little and goes to swap instead.
 * Portable C: frames come from the caller's callbacks, so host unit tests
 * run it on heap memory (tests/unit/zpool_test.c).
 */
#ifndef SKIFF_EVICT_ZPOOL_H
#define SKIFF_EVICT_ZPOOL_H

#include <stdint.h>

#define ZPOOL_PAGE_SIZE 4096u
#define ZPOOL_CHUNK_SIZE 256u
#define ZPOOL_CHUNKS_PER_FRAME (ZPOOL_PAGE_SIZE / ZPOOL_CHUNK_SIZE)
#define ZPOOL_MAX_CHUNKS 12u
#define ZPOOL_LENGTH_BYTES 2u
/* Frames the caller lists in *frames; handles carry a frame index. */
#define ZPOOL_FRAMES_MAX (UINT32_C(1) << 20)

/* Where the pool's frames come from and go back to. */
struct zpool_frames {
	/* get: one 4 KiB frame (its hpa), or 0 when none may be had now. */
	uint64_t (*get)(void *ctx);
	/* put: the frame goes back (the pool has scrubbed it). */
	void (*put)(void *ctx, uint64_t hpa);
	/* to_virt: where Skiff reaches hpa (NULL: hpa is the address). */
	void *(*to_virt)(void *ctx, uint64_t hpa);
	void *ctx;
};

struct zpool {
	struct zpool_frames frames;
	uint64_t *frame_hpa;      /* [max_frames]: 0 for an unused index */
	uint16_t *chunks_used;    /* [max_frames]: bit n set, chunk n in use */
	uint32_t max_frames;
	uint32_t frame_count;     /* frames held now */
	uint32_t peak_frames;
	uint32_t cursor;          /* where the next search for room starts */
	uint64_t pages;           /* pages stored now */
	uint64_t bytes;           /* their compressed bytes, lengths included */
	uint64_t stored, loaded, refused;  /* counters since zpool_init */
};

/*
 * zpool_init: an empty pool of at most max_frames (1..ZPOOL_FRAMES_MAX)
 * frames, with frame_hpa and chunks_used holding max_frames entries each.
 * 0, or -EINVAL for a bad size or a missing get/put.
 */
int zpool_init(struct zpool *z, const struct zpool_frames *frames, uint64_t *frame_hpa,
	       uint16_t *chunks_used, uint32_t max_frames);

/*
 * zpool_store: compress the 4 KiB at page into the pool; its handle in
 * *handle. 0; -E2BIG when it does not compress to 3 KiB (nothing stored);
 * -ENOSPC when no frame has room and no new frame may be had.
 */
int zpool_store(struct zpool *z, const void *page, uint32_t *handle);

/*
 * zpool_load: decompress handle's page into page (4 KiB) and free its
 * chunks. 0, or -EINVAL for a handle that names no stored page or whose
 * bytes do not decompress to exactly 4 KiB (nothing changed).
 */
int zpool_load(struct zpool *z, uint32_t handle, void *page);

/*
 * zpool_free: forget handle's page without reading it (its guest ended).
 * A frame left empty is scrubbed and given back. -EINVAL for a handle that
 * names no stored page.
 */
int zpool_free(struct zpool *z, uint32_t handle);

#endif
