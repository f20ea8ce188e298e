/*
 * heap.c - malloc, free, realloc and calloc under a fixed-seed random load.
 *
 * Every live block carries a pattern derived from its slot and a per-
 * allocation tag; the pattern is verified before each free and realloc
 * and at the end, so an allocator that hands out overlapping memory, or
 * a realloc that loses the old contents, is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SLOTS 128
#define ROUNDS 4000
#define SMALL_MAX 2048
#define LARGE_MAX (192u * 1024u)

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static struct slot slots[SLOTS];
static int corrupt, misaligned, failed;
/* volatile: gcc refuses to compile a visibly oversized calloc. */
static volatile size_t v_half_size_max = SIZE_MAX / 2;

static unsigned char pattern(const struct slot *s, size_t i)
{
	return (unsigned char)(s->tag + i * 13);
}

static void fill(struct slot *s, size_t from)
{
	for (size_t i = from; i < s->size; i++)
		s->p[i] = pattern(s, i);
}

/* intact: the first n bytes of the slot still hold its pattern. */
static int intact(const struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s->p[i] != pattern(s, i))
			return 0;
	return 1;
}

/* random_size: mostly small blocks, one in sixteen large enough for mmap-like paths. */
static size_t random_size(void)
{
	unsigned long long r = rng_next();

	if ((r & 15) == 0)
		return 1 + (size_t)((r >> 8) % LARGE_MAX);
	return 1 + (size_t)((r >> 8) % SMALL_MAX);
}

static void allocate(struct slot *s)
{
	s->size = random_size();
	s->tag = (unsigned char)rng_next();
	s->p = malloc(s->size);
	if (!s->p) {
		failed++;
		return;
	}
	misaligned += ((uintptr_t)s->p & 15) != 0;
	fill(s, 0);
}

static void resize(struct slot *s)
{
	size_t keep, size = random_size();
	unsigned char *q;

	corrupt += !intact(s, s->size);
	q = realloc(s->p, size);
	if (!q) {
		failed++;
		return;
	}
	keep = size < s->size ? size : s->size;
	s->p = q;
	corrupt += !intact(s, keep);
	misaligned += ((uintptr_t)q & 15) != 0;
	s->size = size;
	fill(s, keep);
}

static void release(struct slot *s)
{
	corrupt += !intact(s, s->size);
	free(s->p);
	s->p = NULL;
}

static void stress(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		struct slot *s = &slots[rng_next() % SLOTS];
		unsigned long long op = rng_next() % 3;

		if (!s->p)
			allocate(s);
		else if (op == 0)
			resize(s);
		else
			release(s);
	}
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].p)
			release(&slots[i]);
}

int check_heap(void)
{
	unsigned char *z;
	int zeroed = 1;

	group_begin("heap");
	stress();
	expect(failed == 0, "malloc/realloc never fail with 128 live blocks");
	expect(corrupt == 0, "block contents survive other allocations and realloc");
	expect(misaligned == 0, "blocks are 16-byte aligned");
	z = calloc(1000, 33);
	for (size_t i = 0; z && i < 33000; i++)
		zeroed &= z[i] == 0;
	expect(z && zeroed, "calloc returns zeroed memory");
	free(z);
	z = realloc(NULL, 100);
	expect(z != NULL, "realloc(NULL, n) allocates like malloc(n)");
	free(z);
	expect(calloc(v_half_size_max, 4) == NULL, "calloc refuses a product that overflows");
	return group_end();
}
