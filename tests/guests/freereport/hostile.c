/*
 * hostile.c - free-page reports Skiff must refuse, each on its own call,
 * with the documented reason and entry, leaving the guest running and its
 * memory as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "freereport.h"

#define PAGE 4096u
#define MIB (1024u * 1024u)

static int failures;

/* raw: one report with a struct of our own; returns the struct's answer. */
static struct skiff_hc_free_report raw(uint64_t ranges, uint64_t count)
{
	struct skiff_hc_free_report call = { .ranges = ranges, .count = count,
					     .freed = 99, .ret = -1, .error = 99,
					     .bad_index = 99 };

	skiff_hypercall_raw(SKIFF_CALL_FREE_REPORT_PORT, (uint32_t)(uintptr_t)&call);
	return call;
}

static void expect(const char *what, struct skiff_hc_free_report got, uint32_t error,
		   uint64_t index)
{
	bool ok = got.ret == SKIFF_EINVAL && got.error == error && got.bad_index == index &&
		  got.freed == 0;

	skiff_printf("freereport: %s: ret=%d error=%u entry=%llu %s\n", what, got.ret,
		     got.error, (unsigned long long)got.bad_index, ok ? "refused" : "WRONG");
	failures += !ok;
}

/* A page of the heap that holds a marker: a refused report must keep it. */
static volatile uint64_t *marker;

static struct skiff_hc_free_report one(uint64_t gpa, uint64_t len)
{
	static struct skiff_free_range r[1];

	r[0] = (struct skiff_free_range){ gpa, len };
	return raw((uint64_t)(uintptr_t)r, 1);
}

static struct skiff_hc_free_report two(uint64_t g0, uint64_t l0, uint64_t g1, uint64_t l1)
{
	static struct skiff_free_range r[2];

	r[0] = (struct skiff_free_range){ g0, l0 };
	r[1] = (struct skiff_free_range){ g1, l1 };
	return raw((uint64_t)(uintptr_t)r, 2);
}

int hostile_reports(void)
{
	const struct skiff_boot_info *bi = (const struct skiff_boot_info *)SKIFF_BOOT_INFO_GPA;
	uint64_t mem = skiff_mem_size(), kend = bi->kernel_end;
	/* Heap pages of our own to aim at: reports that are refused keep them. */
	uint8_t *area = aligned_alloc(PAGE, 8 * PAGE);
	uint64_t a = (uint64_t)(uintptr_t)area;
	static struct skiff_free_range many[SKIFF_FREE_REPORT_MAX_RANGES];

	if (!area)
		return 1;
	marker = (volatile uint64_t *)(area + 2 * PAGE);
	*marker = 0x5eed5eed5eed5eedull;
	expect("no entries", raw(a, 0), SKIFF_FREE_E_COUNT, 0);
	expect("10^6 entries", raw(a, 1000000), SKIFF_FREE_E_COUNT, 0);
	expect("65 entries", raw(a, SKIFF_FREE_REPORT_MAX_RANGES + 1), SKIFF_FREE_E_COUNT, 0);
	expect("list outside RAM", raw(mem - 16, 2), SKIFF_FREE_E_LIST, 0);
	expect("list at 2^64-16", raw(UINT64_MAX - 15, 1), SKIFF_FREE_E_LIST, 0);
	expect("unaligned address", one(a + 8, PAGE), SKIFF_FREE_E_UNALIGNED, 0);
	expect("unaligned length", one(a, PAGE + 1), SKIFF_FREE_E_UNALIGNED, 0);
	expect("zero length", one(a, 0), SKIFF_FREE_E_UNALIGNED, 0);
	expect("wrapping", one(UINT64_MAX - PAGE + 1, 2 * PAGE), SKIFF_FREE_E_WRAPS, 0);
	expect("ends at 2^64", one(UINT64_MAX - PAGE + 1, PAGE), SKIFF_FREE_E_WRAPS, 0);
	expect("beyond RAM", one(mem - PAGE, 2 * PAGE), SKIFF_FREE_E_OUTSIDE, 0);
	expect("far outside RAM", one(UINT64_C(1) << 40, PAGE), SKIFF_FREE_E_OUTSIDE, 0);
	expect("page tables", one(SKIFF_GUEST_PML4_GPA, PAGE), SKIFF_FREE_E_LOADER, 0);
	expect("boot information", one(SKIFF_BOOT_INFO_GPA, PAGE), SKIFF_FREE_E_LOADER, 0);
	expect("image text", one(SKIFF_IMAGE_BASE, PAGE), SKIFF_FREE_E_LOADER, 0);
	expect("last image page", one(kend - PAGE, 2 * PAGE), SKIFF_FREE_E_LOADER, 0);
	expect("overlapping", two(a, 4 * PAGE, a + 2 * PAGE, PAGE), SKIFF_FREE_E_OVERLAP, 1);
	expect("same range twice", two(a, PAGE, a, PAGE), SKIFF_FREE_E_OVERLAP, 1);
	expect("descending", two(a + 4 * PAGE, PAGE, a, PAGE), SKIFF_FREE_E_ORDER, 1);
	expect("too many pages", one(kend, (uint64_t)(SKIFF_FREE_REPORT_MAX_PAGES + 1) * PAGE),
	       SKIFF_FREE_E_TOO_BIG, 0);
	/* 64 entries, the fourth repeating the third: refused as a whole. */
	for (unsigned i = 0; i < SKIFF_FREE_REPORT_MAX_RANGES; i++)
		many[i] = (struct skiff_free_range){ a + 4 * PAGE, PAGE };
	many[0] = (struct skiff_free_range){ a, PAGE };
	many[1] = (struct skiff_free_range){ a + 2 * PAGE, PAGE };  /* the marker */
	expect("64 entries, one repeated", raw((uint64_t)(uintptr_t)many, SKIFF_FREE_REPORT_MAX_RANGES),
	       SKIFF_FREE_E_OVERLAP, 3);
	if (*marker != 0x5eed5eed5eed5eedull) {
		skiff_printf("freereport: a refused report changed memory\n");
		failures++;
	}
	/* The argument struct itself outside RAM would end the guest: not tried here
	 * (tests/guests/badcall covers bad argument structs). */
	free(area);
	return failures;
}
