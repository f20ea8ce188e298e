/*
 * sleeper COUNT MS - sleeps COUNT times for MS milliseconds each through
 * POLL, printing "sleeper: tick N" after each sleep, then SUCCESS. Exits 1
 * if a sleep returned early (POLL must sleep at least its timeout).
 */
#include "skiff.h"

static unsigned long parse_number(const char *s)
{
	unsigned long v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	return v;
}

int main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? parse_number(argv[1]) : 5;
	unsigned long ms = argc > 2 ? parse_number(argv[2]) : 20;
	uint64_t want = skiff_tsc_hz() / 1000 * ms;

	for (unsigned long i = 1; i <= count; i++) {
		uint64_t start = skiff_tsc();

		skiff_poll(ms * 1000000ull);
		if (skiff_tsc() - start < want) {
			skiff_printf("sleeper: tick %lu came early\n", i);
			return 1;
		}
		skiff_printf("sleeper: tick %lu\n", i);
	}
	skiff_puts("SUCCESS\n");
	return 0;
}
