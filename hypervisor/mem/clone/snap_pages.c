/*
 * snap_pages.c - a snapshot's page kinds and a clone's detached bits
 * (snap_pages.h).
 */
#include "hypervisor/mem/clone/snap_pages.h"

#include "lib/kstring.h"

#define KIND_MASK 3u
#define PERMS_SHIFT 2u

void snap_pages_init(struct snap_pages *s, uint8_t *bytes, uint64_t page_count)
{
	s->bytes = bytes;
	s->page_count = page_count;
	memset(bytes, SNAP_NONE, page_count);
}

void snap_record(struct snap_pages *s, uint64_t gpa, enum snap_kind kind, unsigned perms)
{
	uint64_t page = gpa / SNAP_PAGE_SIZE;

	if (page < s->page_count)
		s->bytes[page] = (uint8_t)((unsigned)kind | perms << PERMS_SHIFT);
}

enum snap_kind snap_kind_at(const struct snap_pages *s, uint64_t gpa)
{
	uint64_t page = gpa / SNAP_PAGE_SIZE;

	return page < s->page_count ? (enum snap_kind)(s->bytes[page] & KIND_MASK) : SNAP_NONE;
}

unsigned snap_perms_at(const struct snap_pages *s, uint64_t gpa)
{
	uint64_t page = gpa / SNAP_PAGE_SIZE;

	return page < s->page_count ? s->bytes[page] >> PERMS_SHIFT : 0;
}

uint64_t snap_bitmap_bytes(uint64_t page_count)
{
	return (page_count + 7) / 8;
}

bool snap_is_detached(const uint8_t *bits, uint64_t page_count, uint64_t gpa)
{
	uint64_t page = gpa / SNAP_PAGE_SIZE;

	return page >= page_count || (bits[page / 8] >> (page % 8) & 1u);
}

void snap_detach(uint8_t *bits, uint64_t page_count, uint64_t gpa)
{
	uint64_t page = gpa / SNAP_PAGE_SIZE;

	if (page < page_count)
		bits[page / 8] |= (uint8_t)(1u << (page % 8));
}

bool snap_takes_from(const struct snap_pages *s, const uint8_t *bits, uint64_t gpa)
{
	return snap_kind_at(s, gpa) != SNAP_NONE && !snap_is_detached(bits, s->page_count, gpa);
}
