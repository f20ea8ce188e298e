/*
 * free_report.h - checking a guest's list of free ranges (free-page
 * reporting, Skiff call 0x581; docs/guest-abi.md "Free-page reporting").
 *
 * The list is untrusted guest data. The check is portable C, apart from
 * whoever acts on the list, so host tests and a fuzzer drive it with
 * anything. A list passes only as a whole: ascending, page-aligned,
 * non-overlapping ranges inside [protected_end, ram_size), at most
 * FREE_REPORT_MAX_RANGES of them and FREE_REPORT_MAX_PAGES pages in all,
 * which bounds the work one call can cost Skiff.
 */
#ifndef SKIFF_FREE_REPORT_H
#define SKIFF_FREE_REPORT_H

#include <stdint.h>

#define FREE_REPORT_MAX_RANGES 64u
#define FREE_REPORT_MAX_PAGES 4096u
#define FREE_REPORT_PAGE UINT64_C(4096)

/* One entry as the guest lays it out (16 bytes, little-endian). */
struct free_range {
	uint64_t gpa;
	uint64_t len;
};

/* Why a list was refused: the values guests see in the error field. */
enum free_report_error {
	FREE_REPORT_OK = 0,
	FREE_REPORT_E_COUNT = 1,
	FREE_REPORT_E_LIST = 2,
	FREE_REPORT_E_UNALIGNED = 3,
	FREE_REPORT_E_WRAPS = 4,
	FREE_REPORT_E_OUTSIDE = 5,
	FREE_REPORT_E_LOADER = 6,
	FREE_REPORT_E_OVERLAP = 7,
	FREE_REPORT_E_ORDER = 8,
	FREE_REPORT_E_TOO_BIG = 9,
};

struct free_report_verdict {
	enum free_report_error error;
	uint64_t bad_index;   /* the entry to blame (0 when the list as a whole is) */
	uint64_t pages;       /* 4 KiB pages the list covers, when it passed */
};

/*
 * free_report_check: check ranges[0..count) against a guest of ram_size
 * bytes whose pages below protected_end (its image, boot data and page
 * tables) may not be reported. Needs ranges readable for count entries
 * when count is within FREE_REPORT_MAX_RANGES (a larger count is refused
 * before any entry is read). Fills *v; returns v->error (FREE_REPORT_OK
 * when every entry passed). Never overflows, whatever the values.
 */
enum free_report_error free_report_check(const struct free_range *ranges, uint64_t count,
					 uint64_t ram_size, uint64_t protected_end,
					 struct free_report_verdict *v);

/* free_report_error_name: a short phrase for the log ("overlaps the entry before it"). */
const char *free_report_error_name(enum free_report_error e);

#endif
