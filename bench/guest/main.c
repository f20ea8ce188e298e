/*
 * bench_guest - exit-path and boot benchmarks, measured inside the guest.
 *
 * Contract: prints one line per figure, `bench: NAME VALUE [KEY=VALUE...]`,
 * then `bench: done` and exits 0 (bench/bench_report.py parses these).
 * VALUE is an integer: TSC ticks, which are executed instructions under
 * QEMU -icount shift=0,sleep=off and Bochs clock: sync=none.
 *
 * With an argument NAME, only the exit benchmark NAME runs (for profiling
 * one path, e.g. under QEMU -d exec); the boot lines are printed always.
 *
 * Each exit figure is min over REPS runs of a loop of N exiting
 * instructions, minus min over REPS runs of the same loop without the
 * exiting instruction, divided by N (rounded to nearest; the raw totals
 * are printed too). The minimum discards a repetition that a one-off
 * event (a log line flush, say) lengthened.
 */
#include "skiff.h"

#include "lib/kstring.h"

#define N 1000u
#define REPS 5u
#define TOUCH_PAGES 64u
#define BLOCK_2M (UINT64_C(2) << 20)
#define PAGE 4096u

/* The do-nothing byte PUTS sends: printable, so the log copy shows it. */
static const char puts_byte = '.';
static struct skiff_hc_puts puts_call;
static struct skiff_hc_walltime walltime_call;

enum loop_kind { LOOP_OUT, LOOP_CPUID };

/*
 * run_loop: ticks taken by n iterations of the loop; with_exit chooses
 * whether the exiting instruction is in the body. The two bodies differ
 * only in that instruction, so their difference is its round trip.
 */
static uint64_t run_loop(enum loop_kind kind, bool with_exit, uint16_t port,
			 uint32_t eax, uint32_t n)
{
	uint64_t t0, t1;

	t0 = skiff_tsc();
	if (kind == LOOP_OUT && with_exit)
		__asm__ volatile("1: outl %%eax, %%dx\n\tdecl %%esi\n\tjnz 1b"
				 : "+S"(n) : "a"(eax), "d"(port) : "memory");
	else if (kind == LOOP_OUT)
		__asm__ volatile("1: decl %%esi\n\tjnz 1b"
				 : "+S"(n) : "a"(eax), "d"(port) : "memory");
	else if (with_exit)
		__asm__ volatile("1: xorl %%eax, %%eax\n\tcpuid\n\tdecl %%esi\n\tjnz 1b"
				 : "+S"(n) : : "eax", "ebx", "ecx", "edx", "memory");
	else
		__asm__ volatile("1: xorl %%eax, %%eax\n\tdecl %%esi\n\tjnz 1b"
				 : "+S"(n) : : "eax", "ebx", "ecx", "edx", "memory");
	t1 = skiff_tsc();
	return t1 - t0;
}

static uint64_t min_of_reps(enum loop_kind kind, bool with_exit, uint16_t port,
			    uint32_t eax)
{
	uint64_t best = UINT64_MAX;

	for (unsigned r = 0; r < REPS; r++) {
		uint64_t t = run_loop(kind, with_exit, port, eax, N);

		if (t < best)
			best = t;
	}
	return best;
}

/* Set by main: the one exit benchmark to run, or NULL for all. */
static const char *only;

static void report_exit(const char *name, enum loop_kind kind, uint16_t port,
			uint32_t eax)
{
	if (only && strcmp(only, name) != 0)
		return;
	uint64_t with = min_of_reps(kind, true, port, eax);
	uint64_t without = min_of_reps(kind, false, port, eax);
	uint64_t per_op = (with - without + N / 2) / N;

	/* PUTS bytes end up on the console without a newline: finish the
	 * line so this report line starts at column 0. */
	if (port == SKIFF_HC_PORT(SKIFF_HC_PUTS))
		skiff_puts("\n");
	skiff_printf("bench: %s %llu with=%llu without=%llu n=%u reps=%u\n", name,
		     (unsigned long long)per_op, (unsigned long long)with,
		     (unsigned long long)without, N, REPS);
}

/*
 * First touch: ticks to write one byte in each of TOUCH_PAGES fresh pages,
 * minus the same writes again. The heap's first pages share a 2 MiB block
 * with the image, so each takes a 4 KiB first touch (a nested fault, a
 * zeroed page, a mapping).
 */
static void report_first_touch(void)
{
	volatile uint8_t *p = (volatile uint8_t *)skiff_heap_start();
	uint64_t t0, t1, t2;

	if (skiff_heap_end() - skiff_heap_start() < TOUCH_PAGES * PAGE) {
		skiff_puts("bench: first_touch_delta null reason=heap-too-small\n");
		return;
	}
	t0 = skiff_tsc();
	for (unsigned i = 0; i < TOUCH_PAGES; i++)
		p[i * PAGE] = 1;
	t1 = skiff_tsc();
	for (unsigned i = 0; i < TOUCH_PAGES; i++)
		p[i * PAGE] = 2;
	t2 = skiff_tsc();
	skiff_printf("bench: first_touch_delta %lld pages=%u\n",
		     (long long)((t1 - t0) - (t2 - t1)) / (long long)TOUCH_PAGES,
		     TOUCH_PAGES);
}

/*
 * First touch of a 2 MiB block: one write into a block of plain heap that
 * nothing has touched, after a sleep that lets Skiff zero it at idle time
 * (it then maps the block with one 2 MiB page), minus a second write. Needs a heap spanning two aligned blocks past its
 * start (mem=8M and more).
 */
static void report_first_touch_2m(void)
{
	uintptr_t block = (skiff_heap_start() + 2 * BLOCK_2M - 1) & ~(uintptr_t)(BLOCK_2M - 1);
	volatile uint8_t *p = (volatile uint8_t *)block;
	uint64_t t0, t1, t2;

	if (block + BLOCK_2M > skiff_heap_end()) {
		skiff_puts("bench: first_touch_2m_delta null reason=heap-too-small\n");
		return;
	}
	/* Idle time: Skiff zeroes untouched blocks, which first touch then
	 * maps whole (else it maps 4 KiB pages). */
	skiff_poll(100000000ull);
	t0 = skiff_tsc();
	p[64] = 1;
	t1 = skiff_tsc();
	p[128] = 2;
	t2 = skiff_tsc();
	skiff_printf("bench: first_touch_2m_delta %lld\n",
		     (long long)((t1 - t0) - (t2 - t1)));
}

int main(int argc, char **argv)
{
	/* Read first: everything main does before this line is boot time. */
	uint64_t main_tsc = skiff_tsc();

	only = argc > 1 ? argv[1] : NULL;
	skiff_printf("bench: entry_tsc %llu\n", (unsigned long long)skiff_entry_tsc);
	skiff_printf("bench: main_tsc %llu\n", (unsigned long long)main_tsc);
	puts_call.data = (uint64_t)(uintptr_t)&puts_byte;
	puts_call.len = 1;
	report_exit("null_hypercall", LOOP_OUT, SKIFF_CALL_NOP_PORT, 0);
	report_exit("puts_1", LOOP_OUT, SKIFF_HC_PORT(SKIFF_HC_PUTS),
		    (uint32_t)(uintptr_t)&puts_call);
	report_exit("walltime", LOOP_OUT, SKIFF_HC_PORT(SKIFF_HC_WALLTIME),
		    (uint32_t)(uintptr_t)&walltime_call);
	report_exit("cpuid", LOOP_CPUID, 0, 0);
	if (!only) {
		report_first_touch();
		report_first_touch_2m();
	}
	skiff_puts("bench: done\n");
	return SKIFF_EXIT_SUCCESS;
}
