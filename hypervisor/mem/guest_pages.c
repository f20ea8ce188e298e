/*
 * guest_pages.c - the per-page record of one guest's RAM (guest_pages.h).
 */
#include "hypervisor/mem/guest_pages.h"

#include "lib/kstring.h"

void gp_init_zeroed(struct guest_pages *gp, uint8_t *where, uint64_t ram_size)
{
	_Static_assert(GP_NOWHERE == 0, "a zeroed record is all GP_NOWHERE");
	gp->where = where;
	gp->page_count = ram_size / GP_PAGE_SIZE;
	gp->resident = 0;
	gp->peak = 0;
}

void gp_init(struct guest_pages *gp, uint8_t *where, uint64_t ram_size)
{
	gp_init_zeroed(gp, where, ram_size);
	memset(where, GP_NOWHERE, gp->page_count);
}

void gp_set_own(struct guest_pages *gp, uint64_t gpa, uint64_t size)
{
	uint64_t first = gpa / GP_PAGE_SIZE, count = size / GP_PAGE_SIZE;

	for (uint64_t p = first; p < first + count; p++) {
		if (gp->where[p] != GP_OWN)
			gp->resident++;
		gp->where[p] = GP_OWN;
	}
	if (gp->resident > gp->peak)
		gp->peak = gp->resident;
}

void gp_set_nowhere(struct guest_pages *gp, uint64_t gpa)
{
	uint64_t page = gpa / GP_PAGE_SIZE;

	if (gp->where[page] == GP_OWN)
		gp->resident--;
	gp->where[page] = GP_NOWHERE;
}

void gp_set_away(struct guest_pages *gp, uint64_t gpa, enum gp_where where)
{
	uint64_t page = gpa / GP_PAGE_SIZE;

	if (gp->where[page] == GP_OWN)
		gp->resident--;
	gp->where[page] = (uint8_t)where;
}

/* block_untouched: no page of the 2 MiB block at first_page is placed. */
static bool block_untouched(const struct guest_pages *gp, uint64_t first_page)
{
	const uint8_t *w = gp->where + first_page;
	uint64_t word;

	for (uint64_t i = 0; i < GP_PAGES_PER_BLOCK; i += sizeof(word)) {
		memcpy(&word, w + i, sizeof(word));
		if (word != 0)
			return false;
	}
	return true;
}

bool gp_first_touch_plan(const struct guest_pages *gp, uint64_t gpa,
			 bool allow_2m, uint64_t *base, uint64_t *size)
{
	uint64_t page = gpa / GP_PAGE_SIZE;
	uint64_t block = gpa & ~(GP_BLOCK_SIZE - 1);
	uint64_t block_page = block / GP_PAGE_SIZE;

	if (page >= gp->page_count || gp->where[page] != GP_NOWHERE)
		return false;
	if (allow_2m && block_page + GP_PAGES_PER_BLOCK <= gp->page_count &&
	    block_untouched(gp, block_page)) {
		*base = block;
		*size = GP_BLOCK_SIZE;
	} else {
		*base = page * GP_PAGE_SIZE;
		*size = GP_PAGE_SIZE;
	}
	return true;
}

bool gp_range_placed(const struct guest_pages *gp, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (len == 0)
		return true;
	end = (gpa + len - 1) / GP_PAGE_SIZE;
	for (uint64_t p = gpa / GP_PAGE_SIZE; p <= end; p++)
		if (gp->where[p] != GP_OWN)
			return false;
	return true;
}
