/*
 * swaptest - write more data than the machine's memory can hold, then read
 * every byte back.
 *
 *   swaptest [MODE] [MIB] [HOLD_MS]
 *
 * MODE says what each 4 KiB page holds: "random" (words from a
 * deterministic generator seeded by the address: LZ4 finds nothing to
 * compress), "compressible" (a short record naming the page, repeated),
 * "both" (default: alternating 1 MiB stretches of the two). MIB (default:
 * all free RAM) caps how much is written. Every page is written once, then
 * every word is read back and checked, last first. Prints the first bad
 * address and exits 1, or prints SUCCESS.
 */
#include <stdbool.h>

#include "skiff.h"
#include "lib/kstring.h"
#include "lib/parse.h"

#define PAGE 4096u
#define STRETCH (1u << 20)

enum mode { RANDOM, COMPRESSIBLE, BOTH };

/* splitmix64 of the address: incompressible, and the same on every pass. */
static uint64_t random_word(uintptr_t addr)
{
	uint64_t z = (uint64_t)addr + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The compressible page: one 32-byte record, naming its page, repeated. */
static uint64_t record_word(uintptr_t addr)
{
	uint64_t page = addr / PAGE;

	switch ((addr / 8) % 4) {
	case 0: return 0x5357415054455354ull;   /* "SWAPTEST" */
	case 1: return page;
	case 2: return ~page;
	default: return 0x0123456789abcdefull;
	}
}

static bool is_random(enum mode mode, uintptr_t addr)
{
	return mode == RANDOM || (mode == BOTH && (addr / STRETCH) % 2 == 0);
}

static uint64_t expected(enum mode mode, uintptr_t addr)
{
	return is_random(mode, addr) ? random_word(addr) : record_word(addr);
}

typedef volatile uint64_t word_t;

/*
 * check_backwards: read every word, last written first. Under memory
 * pressure the pages written last are still resident and the first ones
 * were evicted, so this order faults each evicted page back about once
 * (a forward pass would chase its own evictions around the clock).
 */
static int check_backwards(enum mode mode, uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = end - sizeof(word_t); a >= start; a -= sizeof(word_t)) {
		uint64_t got = *(word_t *)a;

		if (got != expected(mode, a)) {
			skiff_printf("swaptest: read back: at 0x%llx want 0x%llx got 0x%llx\n",
				     (unsigned long long)a, (unsigned long long)expected(mode, a),
				     (unsigned long long)got);
			return SKIFF_EXIT_FAILURE;
		}
	}
	skiff_printf("swaptest: read back: %llu MiB checked\n",
		     (unsigned long long)((end - start) >> 20));
	return SKIFF_EXIT_SUCCESS;
}

static enum mode parse_mode(const char *word)
{
	if (word[0] == 'r')
		return RANDOM;
	return word[0] == 'c' ? COMPRESSIBLE : BOTH;
}

int main(int argc, char **argv)
{
	uintptr_t start = (skiff_heap_start() + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t end = skiff_heap_end() & ~(uintptr_t)(PAGE - 1);
	enum mode mode = argc > 1 ? parse_mode(argv[1]) : BOTH;
	uint64_t mib, hold_ms;

	if (argc > 2 && parse_u64(argv[2], strlen(argv[2]), &mib) && start + (mib << 20) < end)
		end = start + (mib << 20);
	if (end <= start) {
		skiff_puts("swaptest: no free RAM\n");
		return SKIFF_EXIT_FAILURE;
	}
	for (uintptr_t a = start; a < end; a += sizeof(word_t))
		*(word_t *)a = expected(mode, a);
	skiff_printf("swaptest: wrote %llu MiB (%s)\n", (unsigned long long)((end - start) >> 20),
		     mode == RANDOM ? "random" : mode == COMPRESSIBLE ? "compressible" : "both");
	/* A third argument holds the pages HOLD_MS milliseconds before the
	 * read-back, so another CPU's pressure can take them meanwhile. */
	if (argc > 3 && parse_u64(argv[3], strlen(argv[3]), &hold_ms) && hold_ms) {
		skiff_puts("swaptest: holding\n");
		skiff_poll(hold_ms * 1000000ull);
	}
	if (check_backwards(mode, start, end) != SKIFF_EXIT_SUCCESS)
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}
