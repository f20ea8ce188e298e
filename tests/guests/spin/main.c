/*
 * spin - burns CPU without hypercalls.
 *
 *   spin forever     loops until Skiff ends it (preemption must still let
 *                    every other guest run, and limit= must still end it)
 *   spin MS          loops for MS milliseconds of TSC time, then SUCCESS
 */
#include "skiff.h"

static unsigned long parse_ms(const char *s)
{
	unsigned long v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	return v;
}

/* Busy-wait without any exit: reading the TSC does not leave the guest. */
static void burn(uint64_t ticks)
{
	uint64_t start = skiff_tsc();

	while (skiff_tsc() - start < ticks)
		__asm__ volatile("pause");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		skiff_puts("spin: expected 'forever' or a number of milliseconds\n");
		return 1;
	}
	skiff_printf("spin: started (%s)\n", argv[1]);
	if (argv[1][0] == 'f') {
		for (;;)
			burn(UINT64_MAX);
	}
	burn(skiff_tsc_hz() / 1000 * parse_ms(argv[1]));
	skiff_puts("spin: done\nSUCCESS\n");
	return 0;
}
