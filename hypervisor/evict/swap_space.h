/*
 * swap_space.h - a swap partition as 4 KiB slots: which slots hold a page
 * (one bit each, the frame allocator's bitmap reused), and moving a page
 * in or out through the disk region's sector I/O, synchronously.
 *
 * Portable C: the disk is a callback, so host unit tests run it on a RAM
 * disk (tests/unit/swap_space_test.c).
 */
#ifndef SKIFF_EVICT_SWAP_SPACE_H
#define SKIFF_EVICT_SWAP_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/mem/frame_bitmap.h"

#define SWAP_SLOT_SIZE 4096u
#define SWAP_SECTOR_SIZE 512u
#define SWAP_SECTORS_PER_SLOT (SWAP_SLOT_SIZE / SWAP_SECTOR_SIZE)

/* One 512-byte sector at byte offset (relative to the region) to or from buf. */
typedef int (*swap_io_fn)(void *ctx, bool write, uint64_t offset, void *buf);

struct swap_space {
	struct frame_bitmap slots;   /* bit set: slot free */
	uint64_t slot_count;
	swap_io_fn io;
	void *io_ctx;
	uint64_t used, peak;         /* slots holding a page now, and at most */
	uint64_t written, read, errors;
};

/*
 * swap_plan: the slots a region of `sectors` 512-byte sectors holds, in
 * *slots. 0; -EINVAL with the reason in err when the region is not a whole
 * number of 4 KiB slots or holds none.
 */
int swap_plan(uint64_t sectors, uint64_t *slots, char *err, size_t errlen);

/* swap_words: the uint64_t words swap_space_init needs for slots. */
static inline uint64_t swap_words(uint64_t slots)
{
	return (slots + 63) / 64;
}

/*
 * swap_space_init: slot_count free slots (words holds swap_words of them),
 * reached through io(io_ctx, ...).
 */
void swap_space_init(struct swap_space *s, uint64_t *words, uint64_t slot_count,
		     swap_io_fn io, void *io_ctx);

/*
 * swap_space_write: write the 4 KiB at page to a free slot; its number in
 * *slot. 0; -ENOSPC when every slot is in use; -EIO when the disk failed
 * (the slot stays free, nothing is kept).
 */
int swap_space_write(struct swap_space *s, const void *page, uint32_t *slot);

/*
 * swap_space_read: read slot's page into page (4 KiB) and free the slot.
 * 0; -EINVAL when slot holds no page; -EIO when the disk failed (the slot
 * keeps its page, so a later read may still succeed).
 */
int swap_space_read(struct swap_space *s, uint32_t slot, void *page);

/* swap_space_free: forget slot's page. -EINVAL when it holds none. */
int swap_space_free(struct swap_space *s, uint32_t slot);

#endif
