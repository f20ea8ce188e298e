/*
 * crash null|recurse - ends abnormally on purpose.
 *
 *   null     store through a null pointer three calls deep (main ->
 *            crash_outer -> crash_inner): a page fault with no IDT, which
 *            Skiff ends as a triple fault; skiff-run must name crash_inner,
 *            this file and line, and the callers.
 *   recurse  recursion without end: the stack must run into the guard page
 *            below it (not over the heap), and skiff-run must say "stack
 *            overflow".
 * Prints "attempting MODE" first; reaching the end is a failure (status 3).
 */
#include "skiff.h"

/* Kept out of line (the empty asm after each call stops tail calls), so the frames exist. */
#define FRAME __attribute__((noinline, noclone))

static volatile int *volatile target;
/* Read through a volatile: gcc cannot see that the recursion never ends. */
static volatile unsigned long limit = ~0ul;

/* A leaf that touches no stack gets no frame even with frame pointers; this
 * one keeps a local, as most real functions do. */
FRAME static void crash_inner(int value)
{
	volatile int copy[2] = { value, value };

	*target = copy[1];
}

FRAME static void crash_outer(int value)
{
	crash_inner(value + 1);
	__asm__ volatile("" ::: "memory");
}

FRAME static unsigned long recurse(unsigned long depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static bool is(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	skiff_printf("attempting %s\n", mode);
	if (is(mode, "null"))
		crash_outer(41);
	else if (is(mode, "recurse"))
		skiff_printf("%lu\n", recurse(0));
	else
		skiff_puts("usage: crash null|recurse\n");
	return 3;
}
