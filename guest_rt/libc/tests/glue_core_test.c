/*
 * glue_core_test.c - host tests of the glue's hardware-free parts: the
 * program break (bounds, guard gap, zero-on-reuse) and tick conversion.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_rt/libc/glue.h"
#include "guest_rt/libc/heap_core.h"

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond); \
			failures++; \
		} \
	} while (0)

#define ARENA (64u * 1024u)

static void test_bounds(unsigned char *arena)
{
	struct glue_heap h;
	uintptr_t base = (uintptr_t)arena, old = 0;

	glue_heap_init(&h, base, base + ARENA);
	CHECK(h.limit == base + ARENA - GLUE_HEAP_GUARD);
	CHECK(glue_heap_move(&h, 0, &old) && old == base);
	CHECK(glue_heap_move(&h, 100, &old) && old == base && h.brk == base + 100);
	/* Exactly up to the guard gap, then not one byte more. */
	CHECK(glue_heap_move(&h, (ptrdiff_t)(h.limit - h.brk), &old));
	CHECK(h.brk == h.limit);
	CHECK(!glue_heap_move(&h, 1, &old) && h.brk == h.limit);
	CHECK(!glue_heap_move(&h, PTRDIFF_MAX, &old) && h.brk == h.limit);
	/* Shrinking below the start fails and changes nothing. */
	CHECK(!glue_heap_move(&h, -(ptrdiff_t)ARENA, &old) && h.brk == h.limit);
	CHECK(!glue_heap_move(&h, PTRDIFF_MIN, &old) && h.brk == h.limit);
	CHECK(glue_heap_move(&h, -(ptrdiff_t)(h.limit - base), &old) &&
	      old == h.limit && h.brk == base);
}

static void test_small_and_inverted(void)
{
	struct glue_heap h;
	uintptr_t old;

	/* A region no larger than the guard gap has no heap at all. */
	glue_heap_init(&h, 0x100000, 0x100000 + GLUE_HEAP_GUARD);
	CHECK(h.limit == h.start && !glue_heap_move(&h, 1, &old));
	glue_heap_init(&h, 0x200000, 0x100000);
	CHECK(h.limit == h.start && !glue_heap_move(&h, 1, &old));
}

static void test_zero_on_reuse(unsigned char *arena)
{
	struct glue_heap h;
	uintptr_t base = (uintptr_t)arena, old;
	int clean = 1;

	memset(arena, 0, ARENA);
	glue_heap_init(&h, base, base + ARENA);
	CHECK(glue_heap_move(&h, 4096, &old));
	memset(arena, 0xa5, 4096);
	CHECK(glue_heap_move(&h, -2048, &old));
	/* The first half stays in use and keeps its bytes. */
	CHECK(arena[2047] == 0xa5);
	CHECK(glue_heap_move(&h, 3000, &old) && old == base + 2048);
	for (size_t i = 2048; i < 2048 + 3000; i++)
		clean &= arena[i] == 0;
	CHECK(clean);
	CHECK(arena[0] == 0xa5);
	CHECK(h.high_water == base + 5048);
}

/* After a report the bytes above a point read as zero: growing over them
 * must not clear them again, and what lies below the point still is. */
static void test_forget_above(unsigned char *arena)
{
	struct glue_heap h;
	uintptr_t base = (uintptr_t)arena, old;

	memset(arena, 0, ARENA);
	glue_heap_init(&h, base, base + ARENA);
	CHECK(glue_heap_move(&h, 16384, &old));
	CHECK(glue_heap_move(&h, -12288, &old) && h.brk == base + 4096);
	glue_heap_forget_above(&h, base + 8192);
	CHECK(h.high_water == base + 8192);
	glue_heap_forget_above(&h, base + 2048);      /* below the break: ignored */
	glue_heap_forget_above(&h, base + 12288);     /* above the mark: ignored */
	CHECK(h.high_water == base + 8192);
	memset(arena + 4096, 0xa5, 8192);             /* so we see what gets cleared */
	CHECK(glue_heap_move(&h, 8192, &old));
	CHECK(arena[4096] == 0 && arena[8191] == 0);  /* below the mark: cleared */
	CHECK(arena[8192] == 0xa5);                   /* above it: left alone */
	CHECK(h.high_water == base + 12288);
}

static void test_ticks(void)
{
	CHECK(glue_ticks_to_ns(0, 1000) == 0);
	CHECK(glue_ticks_to_ns(1, 1000) == 1000000);
	CHECK(glue_ticks_to_ns(3000000000u, 3000000000u) == 1000000000u);
	CHECK(glue_ticks_to_ns(4500000000u, 3000000000u) == 1500000000u);
	/* A year of ticks at 3 GHz: no overflow in the multiplication. */
	CHECK(glue_ticks_to_ns(3000000000ull * 31536000ull, 3000000000ull) ==
	      31536000ull * 1000000000ull);
	/* The largest tick count: exact seconds, no wrap. */
	CHECK(glue_ticks_to_ns(UINT64_MAX, UINT64_MAX) == 1000000000u);
	/* A clock faster than 18.4 GHz takes the reduced-precision path. */
	CHECK(glue_ticks_to_ns(20000000000ull + 10000000000ull, 20000000000ull) ==
	      1500000000u);
}

int main(void)
{
	unsigned char *arena = malloc(ARENA);

	if (!arena)
		return 2;
	test_bounds(arena);
	test_small_and_inverted();
	test_zero_on_reuse(arena);
	test_forget_above(arena);
	test_ticks();
	free(arena);
	if (failures) {
		fprintf(stderr, "glue_core_test: %d check(s) failed\n", failures);
		return 1;
	}
	printf("glue_core_test: all checks passed\n");
	return 0;
}
