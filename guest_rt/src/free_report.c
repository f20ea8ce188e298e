/*
 * free_report.c - telling Skiff which memory the guest does not need
 * (Skiff call 0x581, skiff_report_free in skiff.h).
 */
#include "runtime.h"

#define PAGE ((uintptr_t)SKIFF_FREE_REPORT_PAGE)
#define MAX_BYTES ((uintptr_t)SKIFF_FREE_REPORT_MAX_PAGES * PAGE)

int64_t skiff_report_free_ranges(const struct skiff_free_range *ranges, size_t count,
				 uint64_t *bad_index)
{
	struct skiff_hc_free_report call = {
		.ranges = (uint64_t)(uintptr_t)ranges, .count = count,
	};

	skiff_hypercall_raw(SKIFF_CALL_FREE_REPORT_PORT, (uint32_t)(uintptr_t)&call);
	if (bad_index)
		*bad_index = call.bad_index;
	if (call.ret != SKIFF_OK)
		return call.error ? -(int64_t)call.error : -(int64_t)SKIFF_FREE_E_LIST;
	return (int64_t)call.freed;
}

int64_t skiff_report_free(const void *ptr, size_t len)
{
	uintptr_t start = ((uintptr_t)ptr + PAGE - 1) & ~(PAGE - 1);
	uintptr_t end = ((uintptr_t)ptr + len) & ~(PAGE - 1);
	int64_t freed = 0;

	if ((uintptr_t)ptr + len < (uintptr_t)ptr)
		return -(int64_t)SKIFF_FREE_E_WRAPS;
	/* One range per call, at most the pages one call may cover. */
	while (start < end) {
		uintptr_t step = end - start < MAX_BYTES ? end - start : MAX_BYTES;
		struct skiff_free_range range = { .gpa = start, .len = step };
		int64_t got = skiff_report_free_ranges(&range, 1, NULL);

		if (got < 0)
			return got;
		freed += got;
		start += step;
	}
	return freed;
}
