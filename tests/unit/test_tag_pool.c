/*
 * Host tests of ASID/VPID recycling: no two live vCPUs of one generation
 * share a tag, and reuse of any tag is always preceded by a flush-all.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hal/tag_pool.h"

static void test_basic(void)
{
	struct tag_pool pool;
	struct tag_slot a = { 0, 0 }, b = { 0, 0 }, c = { 0, 0 };

	tag_pool_init(&pool, 1, 2);
	CHECK(tag_pool_size(&pool) == 2);
	CHECK(!tag_pool_is_current(&pool, &a));
	CHECK(tag_pool_claim(&pool, &a) == TAG_FRESH && a.tag == 1);
	CHECK(tag_pool_is_current(&pool, &a));
	CHECK(tag_pool_claim(&pool, &a) == TAG_KEPT && a.tag == 1);
	CHECK(tag_pool_claim(&pool, &b) == TAG_FRESH && b.tag == 2);
	/* the third vCPU wraps the pool: everyone else goes stale */
	CHECK(tag_pool_claim(&pool, &c) == TAG_FLUSH_ALL && c.tag == 1);
	CHECK(tag_pool_claim(&pool, &a) == TAG_FRESH && a.tag == 2);
	CHECK(tag_pool_claim(&pool, &b) == TAG_FLUSH_ALL && b.tag == 1);
	CHECK(tag_pool_claim(&pool, &c) == TAG_FRESH && c.tag == 2);
}

static void test_bad_ranges(void)
{
	struct tag_pool pool;
	struct tag_slot s = { 0, 0 };

	tag_pool_init(&pool, 0, 0);   /* tag 0 is the host's: never handed out */
	CHECK(tag_pool_size(&pool) == 1);
	CHECK(tag_pool_claim(&pool, &s) == TAG_FRESH && s.tag == 1);
	tag_pool_init(&pool, 5, 3);
	CHECK(tag_pool_size(&pool) == 1 && pool.first == 5);
}

/*
 * Random schedule of many vCPUs over few tags, checked against the rule
 * that matters: between two flushes, a tag is never given to two vCPUs.
 */
static void test_random_schedule(void)
{
	enum { VCPUS = 40, TAGS = 7, STEPS = 20000 };
	struct tag_pool pool;
	struct tag_slot slots[VCPUS] = { { 0, 0 } };
	int owner[TAGS + 1];
	int violations = 0, flushes = 0;

	srand(1234);
	tag_pool_init(&pool, 1, TAGS);
	for (int t = 0; t <= TAGS; t++)
		owner[t] = -1;
	for (int step = 0; step < STEPS; step++) {
		int v = rand() % VCPUS;
		enum tag_result r = tag_pool_claim(&pool, &slots[v]);

		if (r == TAG_FLUSH_ALL) {
			flushes++;
			for (int t = 0; t <= TAGS; t++)
				owner[t] = -1;
		}
		if (slots[v].tag < 1 || slots[v].tag > TAGS)
			violations++;
		else if (owner[slots[v].tag] != -1 && owner[slots[v].tag] != v)
			violations++;
		else
			owner[slots[v].tag] = v;
	}
	CHECK(violations == 0);
	CHECK(flushes > 0);
}

int main(void)
{
	test_basic();
	test_bad_ranges();
	test_random_schedule();
	return check_report("tag_pool");
}
