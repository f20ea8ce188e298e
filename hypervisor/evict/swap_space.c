/*
 * swap_space.c - 4 KiB slots on a swap partition (swap_space.h).
 */
#include "hypervisor/evict/swap_space.h"

#include "lib/errno.h"
#include "lib/format.h"

int swap_plan(uint64_t sectors, uint64_t *slots, char *err, size_t errlen)
{
	if (sectors % SWAP_SECTORS_PER_SLOT != 0)
		return format_error(-EINVAL, err, errlen,
				    "it holds %llu sectors (%llu bytes), not a whole number of 4096-byte slots",
				    (unsigned long long)sectors,
				    (unsigned long long)sectors * SWAP_SECTOR_SIZE);
	if (sectors == 0)
		return format_error(-EINVAL, err, errlen, "it is empty: not even one 4096-byte slot");
	if (sectors / SWAP_SECTORS_PER_SLOT >= UINT32_MAX)
		return format_error(-EINVAL, err, errlen,
				    "it holds %llu slots, more than the %u a slot number can name",
				    (unsigned long long)(sectors / SWAP_SECTORS_PER_SLOT), UINT32_MAX);
	*slots = sectors / SWAP_SECTORS_PER_SLOT;
	return 0;
}

void swap_space_init(struct swap_space *s, uint64_t *words, uint64_t slot_count,
		     swap_io_fn io, void *io_ctx)
{
	*s = (struct swap_space){ .slot_count = slot_count, .io = io, .io_ctx = io_ctx };
	frame_bitmap_init(&s->slots, words, swap_words(slot_count) * 64);
	frame_bitmap_set_free(&s->slots, 0, slot_count);
}

/* transfer: the slot's eight sectors, in order; stops at the first error. */
static int transfer(struct swap_space *s, bool write, uint32_t slot, void *page)
{
	uint64_t base = (uint64_t)slot * SWAP_SLOT_SIZE;

	for (unsigned i = 0; i < SWAP_SECTORS_PER_SLOT; i++) {
		if (s->io(s->io_ctx, write, base + i * SWAP_SECTOR_SIZE,
			  (uint8_t *)page + i * SWAP_SECTOR_SIZE) != 0) {
			s->errors++;
			return -EIO;
		}
	}
	return 0;
}

int swap_space_write(struct swap_space *s, const void *page, uint32_t *slot)
{
	uint64_t first;

	if (!frame_bitmap_alloc(&s->slots, 1, 1, &first))
		return -ENOSPC;
	/* The driver's write takes a non-const buffer; it only reads it. */
	if (transfer(s, true, (uint32_t)first, (void *)(uintptr_t)page) != 0) {
		frame_bitmap_set_free(&s->slots, first, 1);
		return -EIO;
	}
	*slot = (uint32_t)first;
	s->written++;
	if (++s->used > s->peak)
		s->peak = s->used;
	return 0;
}

static bool slot_in_use(const struct swap_space *s, uint32_t slot)
{
	return slot < s->slot_count && !frame_bitmap_is_free(&s->slots, slot);
}

int swap_space_read(struct swap_space *s, uint32_t slot, void *page)
{
	if (!slot_in_use(s, slot))
		return -EINVAL;
	if (transfer(s, false, slot, page) != 0)
		return -EIO;
	s->read++;
	return swap_space_free(s, slot);
}

int swap_space_free(struct swap_space *s, uint32_t slot)
{
	if (!slot_in_use(s, slot))
		return -EINVAL;
	frame_bitmap_set_free(&s->slots, slot, 1);
	s->used--;
	return 0;
}
