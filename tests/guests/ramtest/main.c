/*
 * ramtest - check the guest's free RAM, from the end of the image to just
 * below the stack.
 *
 * Three passes over 64-bit words: all zero at start (the ABI promises
 * zeroed memory, and anything else would be another guest's or Skiff's
 * data), then a pattern derived from each word's address written and
 * read back, then its complement: a frame mapped twice, a missing frame or
 * a stuck bit shows up as a mismatch. Prints the MiB tested and SUCCESS,
 * or the first bad address and exits 1.
 */
#include <stdbool.h>
#include "skiff.h"

/* pattern: a value that differs for every word address and is not 0. */
static uint64_t pattern(uintptr_t addr)
{
	return (uint64_t)addr * 0x9e3779b97f4a7c15ull ^ 0x5a5a5a5a5a5a5a5aull;
}

/* report: print the first mismatch of a pass and fail. */
static int report(const char *pass, uintptr_t addr, uint64_t want,
		  uint64_t got)
{
	skiff_printf("ramtest: %s: at 0x%llx want 0x%llx got 0x%llx\n", pass,
		     (unsigned long long)addr, (unsigned long long)want,
		     (unsigned long long)got);
	return SKIFF_EXIT_FAILURE;
}

/* Volatile: the compiler must not fold a read into the write before it. */
typedef volatile uint64_t word_t;

static int check_zero(uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = start; a < end; a += sizeof(word_t)) {
		uint64_t got = *(word_t *)a;

		if (got != 0)
			return report("initial contents", a, 0, got);
	}
	return SKIFF_EXIT_SUCCESS;
}

/* write_then_verify: write pattern ^ flip everywhere, then read it all. */
static int write_then_verify(uintptr_t start, uintptr_t end, uint64_t flip,
			     const char *pass)
{
	for (uintptr_t a = start; a < end; a += sizeof(word_t))
		*(word_t *)a = pattern(a) ^ flip;
	for (uintptr_t a = start; a < end; a += sizeof(word_t)) {
		uint64_t got = *(word_t *)a;

		if (got != (pattern(a) ^ flip))
			return report(pass, a, pattern(a) ^ flip, got);
	}
	return SKIFF_EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	uintptr_t start = skiff_heap_start(), end = skiff_heap_end();

	skiff_printf("ramtest: RAM %llu MiB, testing [0x%llx, 0x%llx)\n",
		     (unsigned long long)(skiff_mem_size() >> 20),
		     (unsigned long long)start, (unsigned long long)end);
	if (end <= start) {
		skiff_puts("ramtest: no free RAM to test\n");
		return SKIFF_EXIT_FAILURE;
	}
	/* "after MS": sleep MS milliseconds first, then the mode that follows,
	 * so guests on other CPUs are settled before this one squeezes them
	 * (ci/boot_tests.d/xreclaim.json). */
	if (argc > 2 && argv[1][0] == 'a') {
		uint64_t ms = 0;

		for (const char *d = argv[2]; *d >= '0' && *d <= '9'; d++)
			ms = ms * 10 + (uint64_t)(*d - '0');
		skiff_printf("ramtest: waiting %llu ms\n", (unsigned long long)ms);
		skiff_poll(ms * 1000000ull);
		argc -= 2;
		argv += 2;
	}
	/* "sleep-first": leave Skiff idle time to zero untouched RAM ahead of
	 * the first touch; the checks below then see that RAM. A second
	 * argument picks the mode that follows ("sleep-first zero-only"). */
	if (argc > 1 && argv[1][0] == 's') {
		skiff_puts("ramtest: sleeping first\n");
		skiff_poll(300000000ull);
		argc--;
		argv++;
	}
	/* "zero-only [MS]": read every page (all zero), hold them a while
	 * (MS milliseconds, default 500), read them again: under memory
	 * pressure Skiff may take these pages back meanwhile, and they must
	 * come back as zeros. */
	if (argc > 1 && argv[1][0] == 'z') {
		uint64_t hold_ms = 0;

		for (const char *d = argc > 2 ? argv[2] : ""; *d >= '0' && *d <= '9'; d++)
			hold_ms = hold_ms * 10 + (uint64_t)(*d - '0');
		if (check_zero(start, end) != SKIFF_EXIT_SUCCESS)
			return SKIFF_EXIT_FAILURE;
		skiff_puts("ramtest: holding zeros\n");
		skiff_poll((hold_ms ? hold_ms : 500) * 1000000ull);
		if (check_zero(start, end) != SKIFF_EXIT_SUCCESS)
			return SKIFF_EXIT_FAILURE;
		skiff_puts("SUCCESS\n");
		return SKIFF_EXIT_SUCCESS;
	}
	/* "hold" skips the read of zeros: its pages must hold data from their
	 * first touch on, or Skiff could take them back as zero pages and the
	 * guests beside it would never run out. */
	bool hold = argc > 1 && argv[1][0] == 'h';

	if ((!hold && check_zero(start, end) != SKIFF_EXIT_SUCCESS) ||
	    write_then_verify(start, end, 0, "pattern") != SKIFF_EXIT_SUCCESS ||
	    write_then_verify(start, end, ~0ull, "complement") != SKIFF_EXIT_SUCCESS)
		return SKIFF_EXIT_FAILURE;
	/* "hold": keep every page for a while, so guests beside it that
	 * touch more than is left run out while this one still holds it. */
	if (hold) {
		skiff_puts("ramtest: holding\n");
		skiff_poll(500000000ull);
		if (write_then_verify(start, end, 0, "after holding") != SKIFF_EXIT_SUCCESS)
			return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("ramtest: %llu MiB tested\n",
		     (unsigned long long)((end - start) >> 20));
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}
