/*
 * secret - one guest holds a secret, another hunts for it.
 *
 *   secret hold [MS]   build a random-looking secret string (a fixed prefix
 *                      and 48 hex digits derived from the TSC), write it to
 *                      COPIES places in RAM (.data, the heap's start,
 *                      middle and end, the stack), print its fingerprint
 *                      (never the secret), sleep MS ms (default 2000) in
 *                      POLL, then check every copy is intact: SUCCESS.
 *   secret hunt        scan its own RAM (from 0x10000, the lowest mapped
 *                      address, to the end; 8-byte words, as hold aligns
 *                      its copies to 8) for the secret's prefix: it
 *                      must find none ("scan: 0 matches"); then read
 *                      guest-physical addresses beyond its RAM through its
 *                      own page tables: Skiff must end it on the first.
 *
 * Run hold first, then hunt, in one boot. The prefix never exists in plain
 * text in the image: it is stored XORed with a mask that the compiler
 * cannot fold (a volatile), so the hunter cannot find its own copy. The
 * hunter prints "LEAKED" if it finds the prefix, "ESCAPED" if a read
 * beyond its RAM returns.
 */
#include "skiff.h"

#include "lib/kstring.h"
#include "lib/parse.h"

#include "../common/identity_map.h"

#define PREFIX_LEN 16u
#define RANDOM_HEX 48u
#define SECRET_LEN (PREFIX_LEN + RANDOM_HEX)
#define COPIES 5u
#define SCAN_START 0x10000u
#define DEFAULT_HOLD_MS 2000u
#define POLL_STEP_MS 50u

/*
 * The prefix "SKIFF-SECRET-v1:" XORed byte by byte with 0x5a. The mask is
 * volatile: the compiler must load it at run time, so no plain copy of the
 * prefix appears in the image, not even as an immediate.
 */
static const uint8_t prefix_masked[PREFIX_LEN] = {
	'S' ^ 0x5a, 'K' ^ 0x5a, 'I' ^ 0x5a, 'F' ^ 0x5a, 'F' ^ 0x5a, '-' ^ 0x5a,
	'S' ^ 0x5a, 'E' ^ 0x5a, 'C' ^ 0x5a, 'R' ^ 0x5a, 'E' ^ 0x5a, 'T' ^ 0x5a,
	'-' ^ 0x5a, 'v' ^ 0x5a, '1' ^ 0x5a, ':' ^ 0x5a,
};
static volatile uint8_t prefix_mask = 0x5a;

/* The secret's home in .data (one of the copies), 8-byte aligned. */
static char data_copy[SECRET_LEN + 1] __attribute__((aligned(8))) = { 1 };

/* xorshift64: a small generator, seeded from the TSC. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* fingerprint: FNV-1a over len bytes, so the secret itself is never printed. */
static uint64_t fingerprint(const char *bytes, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		hash ^= (uint8_t)bytes[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}

static void make_secret(char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t state = skiff_tsc() | 1;

	for (unsigned i = 0; i < PREFIX_LEN; i++)
		out[i] = (char)(prefix_masked[i] ^ prefix_mask);
	for (unsigned i = 0; i < RANDOM_HEX; i++)
		out[PREFIX_LEN + i] = hex[next_random(&state) >> 60];
	out[SECRET_LEN] = '\0';
}

static int hold(uint64_t ms)
{
	char stack_copy[SECRET_LEN + 1] __attribute__((aligned(8)));
	uintptr_t heap = skiff_heap_start(), heap_end = skiff_heap_end();
	char *copies[COPIES];
	uint64_t print;
	unsigned intact = 0;

	if (heap_end - heap < 3 * 4096u) {
		skiff_puts("secret: needs at least 12 KiB of heap\n");
		return SKIFF_EXIT_FAILURE;
	}
	copies[0] = data_copy;
	copies[1] = (char *)heap;
	copies[2] = (char *)(heap + ((heap_end - heap) / 2 & ~(uintptr_t)4095));
	copies[3] = (char *)((heap_end - 4096u) & ~(uintptr_t)4095);
	copies[4] = stack_copy;
	make_secret(data_copy);
	for (unsigned i = 1; i < COPIES; i++)
		memcpy(copies[i], data_copy, SECRET_LEN + 1);
	print = fingerprint(data_copy, SECRET_LEN);
	skiff_printf("secret: holding %u copies, fingerprint 0x%016llx\n", COPIES,
		     (unsigned long long)print);
	for (uint64_t slept = 0; slept < ms; slept += POLL_STEP_MS)
		skiff_poll(POLL_STEP_MS * 1000000ull);
	for (unsigned i = 0; i < COPIES; i++) {
		/* The compiler must reread memory the sleep could have changed. */
		__asm__ volatile("" : : : "memory");
		if (fingerprint(copies[i], SECRET_LEN) == print && copies[i][SECRET_LEN] == '\0')
			intact++;
		else
			skiff_printf("FAILED: copy %u at %p changed\n", i, (void *)copies[i]);
	}
	skiff_printf("secret: %u of %u copies intact\n", intact, COPIES);
	if (intact != COPIES)
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* prefix_at: true when the PREFIX_LEN bytes at p are the prefix. */
static bool prefix_at(const volatile uint8_t *p)
{
	uint8_t mask = prefix_mask;

	for (unsigned i = 0; i < PREFIX_LEN; i++) {
		if ((uint8_t)(p[i] ^ mask) != prefix_masked[i])
			return false;
	}
	return true;
}

static int hunt(void)
{
	uint64_t mem = skiff_mem_size(), matches = 0, nonzero = 0;
	uint64_t mask8 = prefix_mask * 0x0101010101010101ull, first8;
	const uint64_t beyond[] = { mem, mem + (2u << 20), 256ull << 20, 1ull << 30 };

	/* The prefix's first 8 bytes, still masked: word ^ mask8 == first8 finds them. */
	memcpy(&first8, prefix_masked, sizeof(first8));
	uint64_t guard = skiff_stack_guard();

	/* Every 8-byte word from SCAN_START up (hold aligns its copies to 8),
	 * but the runtime's unmapped guard page below the stack. */
	for (uint64_t addr = SCAN_START; addr + PREFIX_LEN <= mem; addr += 8) {
		if (guard && addr >= guard && addr < guard + SKIFF_STACK_GUARD) {
			addr = guard + SKIFF_STACK_GUARD - 8;
			continue;
		}
		uint64_t word = *(const volatile uint64_t *)(uintptr_t)addr;

		if (word != 0)
			nonzero++;
		if ((word ^ mask8) == first8 && prefix_at((const volatile uint8_t *)(uintptr_t)addr)) {
			if (matches++ == 0)
				skiff_printf("LEAKED: the secret's prefix at 0x%llx\n",
					     (unsigned long long)addr);
		}
	}
	skiff_printf("scan: 0x%llx bytes from 0x%x, %llu non-zero words\n",
		     (unsigned long long)(mem - SCAN_START), SCAN_START,
		     (unsigned long long)nonzero);
	skiff_printf("scan: %llu matches\n", (unsigned long long)matches);
	if (matches != 0)
		return SKIFF_EXIT_FAILURE;
	if (mem + (2u << 20) > (1ull << 30)) {
		skiff_puts("secret: hunt needs less than 1 GiB of RAM\n");
		return SKIFF_EXIT_FAILURE;
	}
	identity_map_4g();
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		volatile const uint64_t *p = (volatile const uint64_t *)(uintptr_t)beyond[i];

		skiff_printf("attempting read beyond RAM at 0x%llx\n",
			     (unsigned long long)beyond[i]);
		skiff_printf("ESCAPED: read 0x%llx\n", (unsigned long long)*p);
	}
	return SKIFF_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "hold") == 0) {
		uint64_t ms = DEFAULT_HOLD_MS;

		if (argc > 2 && !parse_u64(argv[2], strlen(argv[2]), &ms))
			ms = DEFAULT_HOLD_MS;
		return hold(ms);
	}
	if (argc > 1 && strcmp(argv[1], "hunt") == 0)
		return hunt();
	skiff_puts("usage: secret hold [MS] | secret hunt\n");
	return SKIFF_EXIT_FAILURE;
}
