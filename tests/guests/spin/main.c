/*
 * spin - burns CPU without hypercalls.
 *
 *   spin forever     loops until Skiff ends it (preemption must still let
 *                    every other guest run, and limit= must still end it)
 *   spin MS          loops for MS milliseconds of TSC time, then SUCCESS
 *   spin work N      a fixed amount of work (N million loop steps), then
 *                    prints the TSC time it took, in microseconds: the
 *                    figure of bench/smp_bench.sh (docs/benchmarks.md)
 *   spin kicked      the guest of kick_bench=N (hypervisor/vm/vm_kick_bench.h):
 *                    writes the benchmark's word at its heap's first page,
 *                    reads it in a loop that only reads the TSC until
 *                    Skiff clears it, then prints the loop's shortest
 *                    round and every longer one (an exit: its host
 *                    instructions on Bochs with one instruction per tick)
 *   spin sti-once    sets and clears its IF once, then loops as forever
 *   spin sti-loop    loops forever, setting and clearing its IF each time
 *                    round: the two show that Bochs's SVM model masks
 *                    physical interrupts by the guest's IF as of VMRUN
 *                    until the guest itself changes IF (docs/threat-model.md)
 *   spin sti-for MS  loops for MS milliseconds of TSC time setting and
 *                    clearing its IF each round, then SUCCESS: a busy guest
 *                    that a kick can interrupt on Bochs too (the kick15
 *                    boot tests: a guest woken beside it runs at once)
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

#define KICK_BENCH_MAGIC UINT64_C(0x6b69636b62656e63)   /* vm_kick_bench.h */
#define GAP_SLOTS 16

/*
 * kicked: the loop's common path has no branch but its own, so each
 * round costs the same; a gap over 16 times the shortest seen is an exit
 * (the shortest exit, a kick's, takes some 300 instructions in the host).
 * Recording one lengthens the next round by up to ten times the shortest
 * on one CPU, which stays below that.
 */
static void kicked(void)
{
	volatile uint64_t *word = (volatile uint64_t *)skiff_heap_start();
	uint64_t gap[GAP_SLOTS], times[GAP_SLOTS], shortest = UINT64_MAX, others = 0;
	unsigned used = 0;
	uint64_t prev, now;

	*word = KICK_BENCH_MAGIC;
	prev = skiff_tsc();
	while (*word == KICK_BENCH_MAGIC) {
		now = skiff_tsc();
		uint64_t d = now - prev;

		prev = now;
		if (d < shortest)
			shortest = d;
		else if (d > 16 * shortest) {
			unsigned i = 0;

			while (i < used && gap[i] != d)
				i++;
			if (i == used && used < GAP_SLOTS)
				gap[used] = d, times[used++] = 0;
			if (i < used)
				times[i]++;
			else
				others++;
		}
		/* Bochs's SVM model lets a physical interrupt (the kick) end
		 * guest mode only after the guest changed IF since VMRUN
		 * (docs/threat-model.md): STI; CLI each round, as sti-loop. */
		toggle_if();
		__asm__ volatile("pause");
	}
	skiff_printf("spin: kicked: shortest round %lu ticks\n", (unsigned long)shortest);
	for (unsigned i = 0; i < used; i++)
		skiff_printf("spin: kicked: gap %lu x %lu\n", (unsigned long)gap[i],
			     (unsigned long)times[i]);
	skiff_printf("spin: kicked: %lu gaps of other lengths\n", (unsigned long)others);
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
	if (same(argv[1], "kicked")) {
		kicked();
		skiff_puts("SUCCESS\n");
		return 0;
	}
	if (same(argv[1], "sti-loop")) {
		for (;;)
			toggle_if();
	}
	if (same(argv[1], "sti-for") && argc > 2) {
		uint64_t start = skiff_tsc(), ticks = skiff_tsc_hz() / 1000 * parse_ms(argv[2]);

		while (skiff_tsc() - start < ticks)
			toggle_if();
		skiff_puts("spin: done\nSUCCESS\n");
		return 0;
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
