/*
 * clock - the guest's two clocks and its sleep agree.
 *
 * Reads the TSC and WALLTIME, sleeps 200 ms with POLL, reads both again.
 * Each WALLTIME is bracketed by two TSC reads and taken again when they
 * lie more than a millisecond apart: under an emulator on a loaded host
 * the CPU can stall between the two reads for longer than the 2% allowed
 * below, and that stall says nothing about either clock.
 * Passes when both moved forward, the TSC delta converted with the
 * boot information's cpu_cycle_freq matches the WALLTIME delta within 2%,
 * the sleep lasted at least 200 ms and less than 2 s, and the wall clock
 * reads later than 2017-01-01. Prints the figures, then SUCCESS; exits 1
 * on the first failed check.
 */
#include "skiff.h"

#define NS_PER_S 1000000000ull
#define SLEEP_NS (200ull * 1000000ull)
#define MAX_SLEEP_NS (2ull * NS_PER_S)
#define JAN_1_2017_NS (1483228800ull * NS_PER_S)
#define TOLERANCE_PERCENT 2u

/* check: print a failed check and say so. */
static bool check(bool ok, const char *what)
{
	if (!ok)
		skiff_printf("clock: FAILED: %s\n", what);
	return ok;
}

/* ticks_to_ns: ticks at hz per second, in nanoseconds, without overflow. */
static uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * NS_PER_S / hz);
}

static uint64_t difference(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

#define BRACKET_TRIES 20

/*
 * read_both: WALLTIME into *wall and the TSC at the middle of the two TSC
 * reads around it into *tsc, retried while those lie more than 1 ms apart
 * (the last try is kept when none is that tight).
 */
static void read_both(uint64_t hz, uint64_t *tsc, uint64_t *wall)
{
	for (unsigned try = 0; try < BRACKET_TRIES; try++) {
		uint64_t before = skiff_tsc();

		*wall = skiff_walltime_ns();
		uint64_t after = skiff_tsc();

		*tsc = before + (after - before) / 2;
		if (after - before <= hz / 1000)
			return;
	}
}

int main(int argc, char **argv)
{
	uint64_t hz = skiff_tsc_hz();
	uint64_t tsc0, wall0, tsc1, wall1, wall_ns, tsc_ns;

	read_both(hz, &tsc0, &wall0);
	skiff_poll(SLEEP_NS);
	read_both(hz, &tsc1, &wall1);

	skiff_printf("clock: cpu_cycle_freq %llu Hz\n", (unsigned long long)hz);
	skiff_printf("clock: walltime %llu ns -> %llu ns\n",
		     (unsigned long long)wall0, (unsigned long long)wall1);
	skiff_printf("clock: tsc %llu -> %llu\n", (unsigned long long)tsc0,
		     (unsigned long long)tsc1);
	if (!check(hz != 0, "cpu_cycle_freq is 0") ||
	    !check(tsc1 > tsc0, "the TSC did not move forward") ||
	    !check(wall1 > wall0, "WALLTIME did not move forward"))
		return SKIFF_EXIT_FAILURE;

	wall_ns = wall1 - wall0;
	tsc_ns = ticks_to_ns(tsc1 - tsc0, hz);
	skiff_printf("clock: slept %llu us by walltime, %llu us by tsc\n",
		     (unsigned long long)(wall_ns / 1000),
		     (unsigned long long)(tsc_ns / 1000));
	if (!check(difference(tsc_ns, wall_ns) * 100 <= wall_ns * TOLERANCE_PERCENT,
		   "tsc and walltime deltas differ by more than 2%") ||
	    !check(wall_ns >= SLEEP_NS && tsc_ns >= SLEEP_NS,
		   "the 200 ms sleep was shorter") ||
	    !check(wall_ns < MAX_SLEEP_NS && tsc_ns < MAX_SLEEP_NS,
		   "the 200 ms sleep lasted 2 s or more") ||
	    !check(wall0 > JAN_1_2017_NS, "the wall clock is before 2017"))
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}
