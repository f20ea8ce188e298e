/*
 * nested_paging_random_test.c - random maps, unmaps and protects, checked
 * page by page against a reference model (a flat array of 4 KiB pages), for
 * both entry formats. The seed is fixed so a failure repeats; pass another
 * seed as the first argument to explore.
 *
 * Besides the translations, each step checks the stale flag against what
 * the model says changed, and that table_pages matches the allocator.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/errno.h"
#include "nested_paging/nested_paging.h"
#include "nested_paging_testlib.h"

#define K4 NP_PAGE_4K
#define M2 NP_PAGE_2M
#define G1 NP_PAGE_1G

/* The guest-physical window the operations touch: two 1 GiB pages' worth. */
#define WINDOW (2 * G1)
#define WINDOW_PAGES (WINDOW / K4)
#define STEPS 400
#define FULL_CHECK_EVERY 100

struct model_page {
	uint64_t hpa;
	uint8_t perms;   /* 0: unmapped */
};

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct op {
	enum op_kind kind;
	uint64_t gpa, hpa, size;
	unsigned perms;
};

static uint64_t rng_state;

/* xorshift64*: small, and the same sequence on every host. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

static const unsigned perm_choices[] = {
	NP_READ, NP_READ | NP_WRITE, NP_READ | NP_EXEC, NP_RWX,
};

/*
 * random_op: a range of 4 KiB, 2 MiB or 1 GiB granules, sometimes shifted
 * by a few pages so large pages get split and edges get mixed sizes. The
 * hpa keeps gpa's offset within the granule, so large pages can be used.
 */
static struct op random_op(void)
{
	static const uint64_t granules[] = { K4, K4, K4, M2, M2, M2, G1 };
	static const uint64_t most[] = { 64, 64, 64, 4, 4, 4, 1 };
	unsigned g = (unsigned)rng_below(7);
	uint64_t granule = granules[g];
	struct op op;

	op.kind = (enum op_kind)rng_below(3);
	op.gpa = rng_below(WINDOW / granule) * granule;
	op.size = (1 + rng_below(most[g])) * granule;
	if (granule > K4 && rng_below(2))
		op.gpa += rng_below(4) * K4;
	if (op.gpa >= WINDOW)
		op.gpa = WINDOW - K4;
	if (op.size > WINDOW - op.gpa)
		op.size = WINDOW - op.gpa;
	op.hpa = rng_below(UINT64_C(1) << 20) * G1 + (op.gpa % granule);
	op.perms = perm_choices[rng_below(4)];
	return op;
}

static int apply_to_table(struct np_table *t, const struct op *op)
{
	switch (op->kind) {
	case OP_MAP:
		return np_map(t, op->gpa, op->hpa, op->size, op->perms);
	case OP_UNMAP:
		return np_unmap(t, op->gpa, op->size);
	default:
		return np_protect(t, op->gpa, op->size, op->perms);
	}
}

/* What applying op to the model did, to judge the stale flag by. */
struct model_change {
	bool had_mappings;  /* some page in the range was mapped before */
	bool lost;          /* some page was removed, moved or narrowed */
};

static struct model_change apply_to_model(struct model_page *model,
					  const struct op *op)
{
	struct model_change change = { false, false };

	for (uint64_t off = 0; off < op->size; off += K4) {
		struct model_page *p = &model[(op->gpa + off) / K4];
		struct model_page old = *p;

		if (old.perms)
			change.had_mappings = true;
		if (op->kind == OP_MAP) {
			p->hpa = op->hpa + off;
			p->perms = (uint8_t)op->perms;
		} else if (op->kind == OP_UNMAP) {
			p->perms = 0;
		} else if (old.perms) {
			p->perms = (uint8_t)op->perms;
		}
		if (old.perms && ((old.perms & ~p->perms) != 0 ||
				  old.hpa != p->hpa))
			change.lost = true;
	}
	return change;
}

static bool page_matches(const struct np_table *t,
			 const struct model_page *model, uint64_t page)
{
	const struct model_page *want = &model[page];
	uint64_t gpa = page * K4, hpa = 0, size = 0;
	unsigned perms = 0;
	int rc = np_lookup(t, gpa + 0x10, &hpa, &perms, &size);

	if (want->perms == 0 ? rc == -ENOENT
			     : rc == 0 && hpa == want->hpa + 0x10 &&
			       perms == want->perms)
		return true;
	fprintf(stderr, "  gpa %#" PRIx64 ": rc %d hpa %#" PRIx64 " perms %u; "
		"model hpa %#" PRIx64 " perms %u\n", gpa, rc, hpa, perms,
		want->hpa, want->perms);
	return false;
}

/* check_pages: compare [first, last) pages; stop at the first mismatch. */
static bool check_pages(const struct np_table *t,
			const struct model_page *model, uint64_t first,
			uint64_t last)
{
	for (uint64_t page = first; page < last; page++)
		if (!page_matches(t, model, page))
			return false;
	return true;
}

/* check_around: the op's range and 2 MiB either side, where splits act. */
static bool check_around(const struct np_table *t,
			 const struct model_page *model, const struct op *op)
{
	uint64_t first = op->gpa > M2 ? (op->gpa - M2) / K4 : 0;
	uint64_t last = (op->gpa + op->size + M2) / K4;

	return check_pages(t, model, first,
			   last < WINDOW_PAGES ? last : WINDOW_PAGES);
}

static void check_stale(const struct np_table *t, const struct op *op,
			struct model_change change)
{
	switch (op->kind) {
	case OP_MAP:
		/* Replacing a table by an equal large page may also flush. */
		if (change.lost)
			CHECK(t->stale);
		if (!change.had_mappings)
			CHECK(!t->stale);
		break;
	case OP_UNMAP:
		CHECK(t->stale == change.had_mappings);
		break;
	default:
		CHECK(t->stale == change.lost);
		break;
	}
}

static void run_format(const struct np_format *f, uint64_t seed)
{
	struct model_page *model = calloc(WINDOW_PAGES, sizeof(*model));
	struct test_alloc alloc;
	struct np_table t;

	rng_state = seed;
	test_context = f->name;
	test_alloc_init(&alloc);
	CHECK(model != NULL);
	CHECK(np_init(&t, f, &alloc.ops) == 0);
	for (unsigned step = 0; step < STEPS && test_failures == 0; step++) {
		struct op op = random_op();
		struct model_change change;

		t.stale = false;
		CHECK(apply_to_table(&t, &op) == 0);
		change = apply_to_model(model, &op);
		check_stale(&t, &op, change);
		CHECK(t.table_pages == alloc.live);
		CHECK(check_around(&t, model, &op));
		if (step % FULL_CHECK_EVERY == FULL_CHECK_EVERY - 1)
			CHECK(check_pages(&t, model, 0, WINDOW_PAGES));
		if (test_failures)
			fprintf(stderr, "  at step %u: op %d gpa %#" PRIx64
				" size %#" PRIx64 " hpa %#" PRIx64 " perms %u\n",
				step, (int)op.kind, op.gpa, op.size, op.hpa,
				op.perms);
	}
	CHECK(check_pages(&t, model, 0, WINDOW_PAGES));
	/* Unmapping everything gives back every table but the root. */
	CHECK(np_unmap(&t, 0, WINDOW) == 0);
	CHECK(t.table_pages == 1 && alloc.live == 1);
	np_destroy(&t);
	CHECK(alloc.live == 0 && alloc.bad_frees == 0);
	free(model);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0)
				 : UINT64_C(0x5eed5c1ff);
	unsigned passed = 0;

	if (seed == 0)
		seed = 1;  /* xorshift would stay at zero forever */

	for (size_t i = 0; i < test_format_count; i++) {
		unsigned before = test_failures;
		run_format(test_formats[i], seed);
		if (test_failures == before)
			passed++;
	}
	printf("nested_paging_random_test: seed %#" PRIx64 ", %u steps, "
	       "%u/%zu formats passed\n", seed, STEPS, passed,
	       test_format_count);
	return passed == test_format_count ? 0 : 1;
}
