/*
 * freereport - free-page reporting (Skiff call 0x581) from inside a guest.
 *
 *   freereport hostile   every malformed report is refused on its own call
 *                        with the documented reason (hostile.c), then one
 *                        good report is accepted
 *   freereport reclaim   12 MiB written and given back two ways: newlib's
 *                        free of a 4 MiB block (free_hook.c), and
 *                        skiff_report_free on 8 MiB taken with sbrk, which
 *                        must then read as zero. Skiff's memory summary
 *                        shows how much came back.
 *   freereport spread    one word every 16 MiB of RAM written and read back
 *                        (a 4 GiB guest in a machine with more)
 *   freereport bench     instructions to report 16 MiB (bench/mem_bench.py)
 *   freereport write-text  writes to its own text, which Skiff must refuse
 *                        (the guest ends), also when the text is shared.
 *
 * Prints SUCCESS and exits 0, or says what was wrong and exits 1.
 */
#define _DEFAULT_SOURCE 1   /* sbrk */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "freereport.h"

#define PAGE 4096u
#define MIB (1024u * 1024u)

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i += PAGE)
		memset(p + i, (uint8_t)(seed + i / PAGE) | 1, PAGE);
}

static bool reads_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(uint64_t))
		if (*(const volatile uint64_t *)(p + i) != 0)
			return false;
	return true;
}

/*
 * reclaim: a 4 MiB block from malloc and 8 MiB of our own from sbrk, both
 * written (so the peak holds both), then the block freed (newlib's free,
 * reported by free_hook.c) and the 8 MiB reported, read back and written
 * again.
 */
static int reclaim(void)
{
	uint8_t *block = malloc(4 * MIB);
	uint8_t *raw = sbrk((intptr_t)(8 * MIB + PAGE));
	uint8_t *area;
	int64_t freed;

	if (!block || raw == (void *)-1)
		return 1;
	area = (uint8_t *)(((uintptr_t)raw + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	fill(block, 4 * MIB, 7);
	fill(area, 8 * MIB, 3);
	free(block);
	skiff_printf("freereport: freed a 4 MiB block\n");
	freed = skiff_report_free(area, 8 * MIB);
	skiff_printf("freereport: reported 8 MiB, %lld frames freed\n", (long long)freed);
	if (freed < (int64_t)(4 * MIB / PAGE)) {
		skiff_printf("freereport: expected at least %u frames back\n", 4 * MIB / PAGE);
		return 1;
	}
	if (!reads_zero(area, 8 * MIB)) {
		skiff_printf("freereport: a reported page did not read as zero\n");
		return 1;
	}
	skiff_printf("freereport: reported pages read as zero\n");
	/* Written again, a page holds data as before: a fresh frame on first touch. */
	fill(area, 2 * PAGE, 9);
	if (area[PAGE] != ((9 + 1) | 1)) {
		skiff_printf("freereport: a page written after the report lost its data\n");
		return 1;
	}
	/* Reading them back touched every page again: give them back for good,
	 * so Skiff's summary shows the guest's resident memory without them.
	 * Under memory pressure Skiff may have taken those zero pages back
	 * already (reclaim's cheapest kind), so fewer frames come back then;
	 * only a refused call (negative) is wrong. */
	freed = skiff_report_free(area, 8 * MIB);
	skiff_printf("freereport: reported again, %lld frames freed\n", (long long)freed);
	return freed < 0;
}

static int good_report(void)
{
	uint8_t *area = aligned_alloc(PAGE, 4 * PAGE);
	int64_t freed;

	if (!area)
		return 1;
	fill(area, 4 * PAGE, 5);
	freed = skiff_report_free(area, 4 * PAGE);
	skiff_printf("freereport: a good report after them: %s\n",
		     freed >= 0 && reads_zero(area, 4 * PAGE) ? "accepted" : "REFUSED");
	return freed < 0 || !reads_zero(area, 4 * PAGE);
}

/*
 * spread: one word every 16 MiB of the heap, read (zero), written and read
 * back, then all of them checked again: a big guest's pages land wherever
 * Skiff's frames are, above 4 GiB too.
 */
static int spread(void)
{
	uintptr_t start = (skiff_heap_start() + 16 * MIB - 1) & ~(uintptr_t)(16 * MIB - 1);
	uintptr_t end = skiff_heap_end();
	unsigned touched = 0;

	for (uintptr_t a = start; a + 8 <= end; a += 16 * MIB, touched++) {
		volatile uint64_t *w = (volatile uint64_t *)a;

		if (*w != 0)
			return 1;
		*w = a ^ 0x5eedull;
	}
	for (uintptr_t a = start; a + 8 <= end; a += 16 * MIB)
		if (*(volatile uint64_t *)a != (a ^ 0x5eedull))
			return 1;
	skiff_printf("freereport: %u pages across %llu MiB hold their data\n", touched,
		     (unsigned long long)(skiff_mem_size() >> 20));
	return 0;
}

/*
 * bench: free-page reporting's cost, in TSC ticks (executed instructions
 * under QEMU -icount and Bochs sync=none): 16 MiB written page by page,
 * then reported in calls of 4096 pages; the best of three rounds.
 * Prints "bench: free_report pages=N tsc=T".
 */
static int bench(void)
{
	uint8_t *raw = sbrk((intptr_t)(16 * MIB + PAGE));
	uint8_t *area;
	uint64_t best = UINT64_MAX;
	int64_t pages = 0;

	if (raw == (void *)-1)
		return 1;
	area = (uint8_t *)(((uintptr_t)raw + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	for (int round = 0; round < 3; round++) {
		uint64_t t0, t1;

		for (size_t i = 0; i < 16 * MIB; i += PAGE)
			area[i] = 1;
		t0 = skiff_tsc();
		pages = skiff_report_free(area, 16 * MIB);
		t1 = skiff_tsc();
		if (pages <= 0)
			return 1;
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	skiff_printf("bench: free_report pages=%lld tsc=%llu\n", (long long)pages,
		     (unsigned long long)best);
	return 0;
}

int main(int argc, char **argv)
{
	int bad;

	if (argc == 2 && strcmp(argv[1], "hostile") == 0)
		bad = hostile_reports() + good_report();
	else if (argc == 2 && strcmp(argv[1], "reclaim") == 0)
		bad = reclaim();
	else if (argc == 2 && strcmp(argv[1], "spread") == 0)
		bad = spread();
	else if (argc == 2 && strcmp(argv[1], "bench") == 0)
		bad = bench();
	else if (argc == 2 && strcmp(argv[1], "write-text") == 0) {
		/* Text may be shared with other guests of this image: the write
		 * must end this guest and change nothing for them. */
		skiff_printf("freereport: writing to my own text\n");
		*(volatile uint8_t *)(uintptr_t)&hostile_reports = 0xcc;
		skiff_printf("freereport: the write to text went through\n");
		return 1;
	}
	else {
		skiff_printf("usage: freereport hostile|reclaim|spread|bench|write-text\n");
		return 1;
	}
	if (bad)
		return 1;
	skiff_printf("SUCCESS\n");
	return 0;
}
