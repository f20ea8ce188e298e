/*
 * free_report.c - the free-range list check (free_report.h).
 */
#include "hypervisor/mem/free_report.h"

#include <stdbool.h>

static bool aligned(uint64_t v)
{
	return (v & (FREE_REPORT_PAGE - 1)) == 0;
}

/* check_one: entry r on its own (not against its neighbours). */
static enum free_report_error check_one(const struct free_range *r, uint64_t ram_size,
					uint64_t protected_end)
{
	if (!aligned(r->gpa) || !aligned(r->len) || r->len == 0)
		return FREE_REPORT_E_UNALIGNED;
	if (r->len > UINT64_MAX - r->gpa)
		return FREE_REPORT_E_WRAPS;
	if (r->gpa > ram_size || r->len > ram_size - r->gpa)
		return FREE_REPORT_E_OUTSIDE;
	if (r->gpa < protected_end)
		return FREE_REPORT_E_LOADER;
	return FREE_REPORT_OK;
}

/* check_order: entry r against prev, both passed check_one. */
static enum free_report_error check_order(const struct free_range *prev,
					  const struct free_range *r)
{
	uint64_t prev_end = prev->gpa + prev->len, end = r->gpa + r->len;

	if (r->gpa < prev_end && prev->gpa < end)
		return FREE_REPORT_E_OVERLAP;
	if (r->gpa < prev->gpa)
		return FREE_REPORT_E_ORDER;
	return FREE_REPORT_OK;
}

static enum free_report_error refuse(struct free_report_verdict *v,
				     enum free_report_error e, uint64_t index)
{
	v->error = e;
	v->bad_index = index;
	v->pages = 0;
	return e;
}

enum free_report_error free_report_check(const struct free_range *ranges, uint64_t count,
					 uint64_t ram_size, uint64_t protected_end,
					 struct free_report_verdict *v)
{
	uint64_t pages = 0;
	enum free_report_error e;

	if (count == 0 || count > FREE_REPORT_MAX_RANGES)
		return refuse(v, FREE_REPORT_E_COUNT, 0);
	for (uint64_t i = 0; i < count; i++) {
		const struct free_range *r = &ranges[i];

		if ((e = check_one(r, ram_size, protected_end)) != FREE_REPORT_OK)
			return refuse(v, e, i);
		if (i > 0 && (e = check_order(&ranges[i - 1], r)) != FREE_REPORT_OK)
			return refuse(v, e, i);
		/* Each len is at most ram_size here, so the sum cannot wrap
		 * before it passes the bound. */
		pages += r->len / FREE_REPORT_PAGE;
		if (pages > FREE_REPORT_MAX_PAGES)
			return refuse(v, FREE_REPORT_E_TOO_BIG, i);
	}
	v->error = FREE_REPORT_OK;
	v->bad_index = 0;
	v->pages = pages;
	return FREE_REPORT_OK;
}

const char *free_report_error_name(enum free_report_error e)
{
	switch (e) {
	case FREE_REPORT_OK: return "accepted";
	case FREE_REPORT_E_COUNT: return "entry count is 0 or above 64";
	case FREE_REPORT_E_LIST: return "the list is not inside guest memory";
	case FREE_REPORT_E_UNALIGNED: return "address or length is not a non-zero 4 KiB multiple";
	case FREE_REPORT_E_WRAPS: return "address + length wraps";
	case FREE_REPORT_E_OUTSIDE: return "ends beyond guest memory";
	case FREE_REPORT_E_LOADER: return "starts below kernel_end (image, boot data, page tables)";
	case FREE_REPORT_E_OVERLAP: return "overlaps the entry before it";
	case FREE_REPORT_E_ORDER: return "lies below the entry before it";
	case FREE_REPORT_E_TOO_BIG: return "the list covers more than 4096 pages";
	}
	return "unknown";
}
