/*
 * mem_guest_pages_test.c - the first-touch decision and the per-page
 * record (hypervisor/mem/guest_pages.c), and guest_ptr's populate hook.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/vm/guest_memory.h"

#define MiB (UINT64_C(1) << 20)
#define KiB4 UINT64_C(4096)

static uint8_t where[(64 * MiB) / 4096];

static void plan_is(struct guest_pages *gp, uint64_t gpa, bool allow_2m,
		    uint64_t want_base, uint64_t want_size)
{
	uint64_t base = 1, size = 1;

	CHECK(gp_first_touch_plan(gp, gpa, allow_2m, &base, &size));
	CHECK(base == want_base && size == want_size);
}

static void test_plans(void)
{
	struct guest_pages gp;
	uint64_t base, size;

	/* 7 MiB of RAM: the block at 6 MiB is only half inside. */
	gp_init(&gp, where, 7 * MiB);
	CHECK(gp.page_count == 7 * 256 && gp.resident == 0);
	plan_is(&gp, 2 * MiB + 5, true, 2 * MiB, 2 * MiB);
	plan_is(&gp, 2 * MiB + 5, false, 2 * MiB, KiB4);
	plan_is(&gp, 6 * MiB + 3 * KiB4 + 7, true, 6 * MiB + 3 * KiB4, KiB4);
	CHECK(!gp_first_touch_plan(&gp, 7 * MiB, true, &base, &size));
	CHECK(!gp_first_touch_plan(&gp, UINT64_MAX, true, &base, &size));

	/* A placed page in a block: its neighbours get 4 KiB pages. */
	gp_set_own(&gp, 4 * MiB + 100 * KiB4, KiB4);
	CHECK(gp.resident == 1 && gp.peak == 1);
	plan_is(&gp, 4 * MiB, true, 4 * MiB, KiB4);
	plan_is(&gp, 6 * MiB - 1, true, 6 * MiB - KiB4, KiB4);
	CHECK(!gp_first_touch_plan(&gp, 4 * MiB + 100 * KiB4 + 8, true, &base, &size));
	/* The last page of a block placed, the first untouched. */
	gp_set_own(&gp, 2 * MiB - KiB4, KiB4);
	plan_is(&gp, 0, true, 0, KiB4);
	plan_is(&gp, 2 * MiB, true, 2 * MiB, 2 * MiB);

	/* Placing twice counts once; peak follows the most resident. */
	gp_set_own(&gp, 2 * MiB, 2 * MiB);
	gp_set_own(&gp, 2 * MiB, KiB4);
	CHECK(gp.resident == 2 + 512 && gp.peak == 2 + 512);
	CHECK(gp_at(&gp, 3 * MiB) == GP_OWN && gp_at(&gp, 5 * MiB) == GP_NOWHERE);
	CHECK(gp_at(&gp, 100 * MiB) == GP_NOWHERE);
	CHECK(gp_range_placed(&gp, 2 * MiB, 2 * MiB));
	CHECK(!gp_range_placed(&gp, 2 * MiB, 2 * MiB + 1));
	CHECK(gp_range_placed(&gp, 9 * MiB, 0));

	/* Given back: a first touch again; peak stays. */
	gp_set_nowhere(&gp, 3 * MiB);
	CHECK(gp.resident == 1 + 512 && gp.peak == 2 + 512);
	CHECK(gp_at(&gp, 3 * MiB) == GP_NOWHERE);
	plan_is(&gp, 3 * MiB + 1, true, 3 * MiB, KiB4);
	gp_set_nowhere(&gp, 3 * MiB);
	CHECK(gp.resident == 1 + 512);
}

/* A populate hook that records what it was asked and places it. */
static struct guest_pages hook_gp;
static unsigned hook_calls;
static int hook_result;

static int hook(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	hook_calls++;
	if (hook_result == 0)
		gp_set_own(&hook_gp, gpa & ~(KiB4 - 1),
			   ((gpa + len + KiB4 - 1) & ~(KiB4 - 1)) - (gpa & ~(KiB4 - 1)));
	return hook_result;
}

static void test_guest_ptr_populates(void)
{
	static uint8_t ram[4 * MiB];
	struct guest_memory m = { .base = ram, .size = 4 * MiB };

	gp_init(&hook_gp, where, 4 * MiB);
	m.where = hook_gp.where;
	m.populate = hook;
	/* Untouched: the hook runs, then the pointer is given. */
	CHECK(guest_ptr(&m, KiB4 + 10, 16) == ram + KiB4 + 10);
	CHECK(hook_calls == 1 && gp_at(&hook_gp, KiB4) == GP_OWN);
	/* Present now: no hook. */
	CHECK(guest_ptr(&m, KiB4, KiB4) == ram + KiB4);
	CHECK(hook_calls == 1);
	/* Crossing into an untouched page: hook. */
	CHECK(guest_ptr(&m, 2 * KiB4 - 8, 16) == ram + 2 * KiB4 - 8);
	CHECK(hook_calls == 2);
	/* A failing hook: no pointer. */
	hook_result = -12;
	CHECK(guest_ptr(&m, 3 * MiB, 1) == NULL);
	CHECK(hook_calls == 3);
	/* Outside RAM: refused before any hook. */
	CHECK(guest_ptr(&m, 4 * MiB - 4, 8) == NULL);
	CHECK(guest_ptr(&m, UINT64_MAX, 2) == NULL);
	CHECK(hook_calls == 3);
}

int main(void)
{
	test_plans();
	test_guest_ptr_populates();
	return check_report("mem_guest_pages_test");
}
