/*
 * spin - burns CPU without hypercalls.
 *
 *   spin forever     loops until Skiff ends it (preemption must still let
 *                    every other guest run, and limit= must still end it)
 *   spin MS          loops for MS milliseconds of TSC time, then SUCCESS
 *   spin work N      a fixed amount of work (N million loop steps), then
 *                    prints the TSC time it took, in microseconds: the
 *                    figure of bench/smp_bench.sh (docs/benchmarks.md)
 *   spin sti-once    sets and clears its IF once, then loops as forever
 *   spin sti-loop    loops forever, setting and clearing its IF each time
 *                    round: the two show that Bochs's SVM model masks
 *                    physical interrupts by the guest's IF as of VMRUN
 *                    until the guest itself changes IF (docs/threat-model.md)
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

/* STI then CLI: the guest's IF changes twice, nothing else. Skiff never
 * injects interrupts, so IF=1 for one instruction lets nothing in. */
static void toggle_if(void)
{
	__asm__ volatile("sti\n\tcli" ::: "memory");
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Fixed work: the same instructions whatever else runs on the machine. */
static void work(unsigned long millions)
{
	uint64_t start = skiff_tsc();
	volatile uint64_t sum = 0;

	for (unsigned long i = 0; i < millions * 1000000ul; i++)
		sum += i;
	skiff_printf("spin: work %lu in %lu us\n", millions,
		     (unsigned long)((skiff_tsc() - start) / (skiff_tsc_hz() / 1000000)));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		skiff_puts("spin: expected 'forever' or a number of milliseconds\n");
		return 1;
	}
	skiff_printf("spin: started (%s)\n", argv[1]);
	if (argv[1][0] == 'w' && argc > 2) {
		work(parse_ms(argv[2]));
		skiff_puts("SUCCESS\n");
		return 0;
	}
	if (same(argv[1], "sti-loop")) {
		for (;;)
			toggle_if();
	}
	if (same(argv[1], "sti-once"))
		toggle_if();
	if (argv[1][0] == 'f' || same(argv[1], "sti-once")) {
		for (;;)
			burn(UINT64_MAX);
	}
	burn(skiff_tsc_hz() / 1000 * parse_ms(argv[1]));
	skiff_puts("spin: done\nSUCCESS\n");
	return 0;
}
