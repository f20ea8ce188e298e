/*
 * crash null|recurse|badframe - ends abnormally on purpose.
 *
 *   null     store through a null pointer three calls deep (main ->
 *            crash_outer -> crash_inner): a page fault with no IDT, which
 *            Skiff ends as a triple fault; skiff-run must name crash_inner,
 *            this file and line, and the callers.
 *   recurse  recursion without end: the stack must run into the guard page
 *            below it (not over the heap), and skiff-run must say "stack
 *            overflow".
 *   badframe a hostile frame chain: RBP points at a frame that names itself
 *            as its caller, then a null store; Skiff's walk of the chain
 *            must list the one return address once and stop.
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

/* A frame whose saved RBP is itself, returning to BAD_FRAME_RETURN. */
#define BAD_FRAME_RETURN 0x100bad
static volatile uint64_t bad_frame[2];

static void crash_with_bad_frames(void)
{
	bad_frame[0] = (uint64_t)(uintptr_t)bad_frame;
	bad_frame[1] = BAD_FRAME_RETURN;
	/* RBP cannot be named as an operand while it is the frame pointer:
	 * set it inside the asm, then store to address 0 (a page fault). */
	__asm__ volatile("mov %0, %%rbp\n\t"          /* the looping frame */
			 "movl $1, 0"                       /* null store: fault */
			 : : "r"(bad_frame) : "memory");
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
	else if (is(mode, "badframe"))
		crash_with_bad_frames();
	else
		skiff_puts("usage: crash null|recurse|badframe\n");
	return 3;
}
