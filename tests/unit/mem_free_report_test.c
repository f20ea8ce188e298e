/*
 * mem_free_report_test.c - the check of a guest's free-page report
 * (hypervisor/mem/free_report.c): each refusal with its entry, and the
 * edges that must pass.
 */
#include <stdint.h>

#include "check.h"
#include "hypervisor/mem/free_report.h"

#define MiB (UINT64_C(1) << 20)
#define PAGE UINT64_C(4096)
#define RAM (32 * MiB)
#define PROT (2 * MiB)

static struct free_report_verdict v;

static enum free_report_error check1(uint64_t gpa, uint64_t len)
{
	struct free_range r = { gpa, len };

	return free_report_check(&r, 1, RAM, PROT, &v);
}

static enum free_report_error check2(uint64_t g0, uint64_t l0, uint64_t g1, uint64_t l1)
{
	struct free_range r[2] = { { g0, l0 }, { g1, l1 } };

	return free_report_check(r, 2, RAM, PROT, &v);
}

static void test_single(void)
{
	CHECK(check1(PROT, PAGE) == FREE_REPORT_OK && v.pages == 1);
	CHECK(check1(RAM - PAGE, PAGE) == FREE_REPORT_OK);
	CHECK(check1(PROT, 16 * MiB) == FREE_REPORT_OK && v.pages == 4096);
	CHECK(check1(PROT, 16 * MiB + PAGE) == FREE_REPORT_E_TOO_BIG);
	CHECK(check1(PROT + 1, PAGE) == FREE_REPORT_E_UNALIGNED);
	CHECK(check1(PROT, PAGE - 1) == FREE_REPORT_E_UNALIGNED);
	CHECK(check1(PROT, 0) == FREE_REPORT_E_UNALIGNED);
	CHECK(check1(UINT64_MAX - PAGE + 1, PAGE) == FREE_REPORT_E_WRAPS);
	CHECK(check1(UINT64_MAX - PAGE + 1, UINT64_MAX - PAGE + 1) == FREE_REPORT_E_WRAPS);
	CHECK(check1(RAM - PAGE, 2 * PAGE) == FREE_REPORT_E_OUTSIDE);
	CHECK(check1(RAM, PAGE) == FREE_REPORT_E_OUTSIDE);
	CHECK(check1(UINT64_C(1) << 40, PAGE) == FREE_REPORT_E_OUTSIDE);
	CHECK(check1(PROT - PAGE, 2 * PAGE) == FREE_REPORT_E_LOADER);
	CHECK(check1(0, PAGE) == FREE_REPORT_E_LOADER);
	CHECK(v.bad_index == 0 && v.pages == 0);
}

static void test_pairs(void)
{
	CHECK(check2(PROT, PAGE, PROT + PAGE, PAGE) == FREE_REPORT_OK && v.pages == 2);
	CHECK(check2(PROT, 2 * PAGE, PROT + PAGE, PAGE) == FREE_REPORT_E_OVERLAP);
	CHECK(v.bad_index == 1);
	CHECK(check2(PROT + PAGE, PAGE, PROT, 4 * PAGE) == FREE_REPORT_E_OVERLAP);
	CHECK(check2(PROT, PAGE, PROT, PAGE) == FREE_REPORT_E_OVERLAP);
	CHECK(check2(PROT + PAGE, PAGE, PROT, PAGE) == FREE_REPORT_E_ORDER && v.bad_index == 1);
	CHECK(check2(PROT, 8 * MiB, 12 * MiB, 8 * MiB + PAGE) == FREE_REPORT_E_TOO_BIG);
	CHECK(v.bad_index == 1);
	CHECK(check2(PROT, PAGE, PROT + 1, PAGE) == FREE_REPORT_E_UNALIGNED && v.bad_index == 1);
}

static void test_counts(void)
{
	static struct free_range list[FREE_REPORT_MAX_RANGES];

	for (unsigned i = 0; i < FREE_REPORT_MAX_RANGES; i++)
		list[i] = (struct free_range){ PROT + 2 * i * PAGE, PAGE };
	CHECK(free_report_check(list, FREE_REPORT_MAX_RANGES, RAM, PROT, &v) == FREE_REPORT_OK);
	CHECK(v.pages == FREE_REPORT_MAX_RANGES);
	/* A count above the limit is refused before any entry is read. */
	CHECK(free_report_check(NULL, 1000000, RAM, PROT, &v) == FREE_REPORT_E_COUNT);
	CHECK(free_report_check(NULL, UINT64_MAX, RAM, PROT, &v) == FREE_REPORT_E_COUNT);
	CHECK(free_report_check(list, 0, RAM, PROT, &v) == FREE_REPORT_E_COUNT);
	list[FREE_REPORT_MAX_RANGES - 1].gpa = list[FREE_REPORT_MAX_RANGES - 2].gpa;
	CHECK(free_report_check(list, FREE_REPORT_MAX_RANGES, RAM, PROT, &v) ==
	      FREE_REPORT_E_OVERLAP);
	CHECK(v.bad_index == FREE_REPORT_MAX_RANGES - 1);
	for (int e = FREE_REPORT_OK; e <= FREE_REPORT_E_TOO_BIG; e++)
		CHECK(free_report_error_name((enum free_report_error)e)[0] != '\0');
}

int main(void)
{
	test_single();
	test_pairs();
	test_counts();
	return check_report("mem_free_report_test");
}
