/*
 * clonetest - copy-on-write clones seen from inside a guest.
 *
 *   clonetest cow      (clone=N) writes 1 MiB of state, then SNAPSHOT.
 *                      Each clone prints its number and the TSC at its
 *                      first instruction, checks the 1 MiB, writes its
 *                      own marker over a shared page and a slice of the
 *                      state, yields a few times (the other clones write
 *                      theirs meanwhile) and checks it still reads only
 *                      its own marker and the rest of the state.
 *   clonetest poll     (clone=N) the same state, no SNAPSHOT call: the
 *                      first POLL is the snapshot.
 *   clonetest hostile  (clone=N) SNAPSHOT with bad flags is refused
 *                      (the guest goes on), then the real one; in each
 *                      clone a second SNAPSHOT is refused.
 *   clonetest unasked  (no clone=) SNAPSHOT is refused, twice.
 *   clonetest outside  SNAPSHOT with its struct outside RAM: Skiff ends it.
 *   clonetest bench    (clone=N) 1 MiB of state, SNAPSHOT; each clone prints
 *                      the TSC at its first instruction, stays 20 ms (so
 *                      clones coexist), checks every 64th byte of the state
 *                      and writes its marker (bench/mem_bench.py).
 *
 * Prints SUCCESS and exits 0, or says what was wrong and exits 1.
 */
#include <stdint.h>
#include <string.h>

#include "skiff.h"

#define PAGE 4096u
#define STATE_BYTES (1u << 20)
#define YIELDS 4

static uint8_t state[STATE_BYTES] __attribute__((aligned(PAGE)));
static volatile uint64_t shared_page[PAGE / 8] __attribute__((aligned(PAGE)));

static uint8_t state_byte(size_t i)
{
	return (uint8_t)(i * 7 + i / PAGE + 1);
}

static void write_state(void)
{
	for (size_t i = 0; i < STATE_BYTES; i++)
		state[i] = state_byte(i);
	for (size_t i = 0; i < PAGE / 8; i++)
		shared_page[i] = 0x5eed0000u + i;
	skiff_printf("clonetest: 1 MiB of state written\n");
}

/* state_intact: the pre-snapshot bytes, except [skip, skip + PAGE). */
static int state_intact(size_t skip)
{
	for (size_t i = 0; i < STATE_BYTES; i++)
		if ((i < skip || i >= skip + PAGE) && state[i] != state_byte(i)) {
			skiff_printf("clonetest: state byte %u is 0x%x, not 0x%x\n", (unsigned)i,
				     state[i], state_byte(i));
			return 0;
		}
	return 1;
}

static int fail(const char *why)
{
	skiff_printf("clonetest: FAILED: %s\n", why);
	return 1;
}

/* own_marker_kept: k's marker on the shared page and its state slice,
 * written, then read back after the other clones ran. */
static int own_marker_kept(unsigned k)
{
	size_t slice = (size_t)k * PAGE;   /* k <= 255: inside the 1 MiB */

	for (size_t i = 0; i < PAGE / 8; i++)
		shared_page[i] = 0xc10e000000000000ull | ((uint64_t)k << 16) | i;
	memset(state + slice, (int)(0xa0 + k), PAGE);
	for (int y = 0; y < YIELDS; y++)
		(void)skiff_poll(1000000);   /* 1 ms: the other clones run */
	for (size_t i = 0; i < PAGE / 8; i++)
		if (shared_page[i] != (0xc10e000000000000ull | ((uint64_t)k << 16) | i)) {
			skiff_printf("clonetest: shared word %u reads 0x%llx\n", (unsigned)i,
				     (unsigned long long)shared_page[i]);
			return 0;
		}
	for (size_t i = 0; i < PAGE; i++)
		if (state[slice + i] != (uint8_t)(0xa0 + k))
			return 0;
	return state_intact(slice);
}

static int run_clone(unsigned k, uint64_t first_tsc)
{
	skiff_printf("clonetest: clone number %u first_insn_tsc=%llu\n", k,
		     (unsigned long long)first_tsc);
	if (k == 0 || k > 255)
		return fail("no clone number");
	if (!state_intact(STATE_BYTES))
		return fail("pre-snapshot state changed");
	skiff_printf("clonetest: pre-snapshot state intact\n");
	if (shared_page[7] != 0x5eed0000u + 7)
		return fail("shared page lost its pre-snapshot contents");
	if (!own_marker_kept(k))
		return fail("another clone's write is visible");
	skiff_printf("clonetest: own marker kept across yields\n");
	skiff_printf("SUCCESS\n");
	return 0;
}

static int cow(void)
{
	unsigned k;
	uint64_t t;

	write_state();
	k = skiff_snapshot();
	t = skiff_tsc();   /* as near the clone's first instruction as C gets */
	return run_clone(k, t);
}

static int bench(void)
{
	unsigned k;
	uint64_t t;

	write_state();
	k = skiff_snapshot();
	t = skiff_tsc();
	skiff_printf("clonetest: clone number %u first_insn_tsc=%llu\n", k, (unsigned long long)t);
	(void)skiff_poll(20000000);
	for (size_t i = 0; i < STATE_BYTES; i += 64)
		if (state[i] != state_byte(i))
			return fail("pre-snapshot state changed");
	shared_page[0] = k;
	skiff_printf("SUCCESS\n");
	return 0;
}

static int poll_snapshot(void)
{
	write_state();
	(void)skiff_poll(1000);   /* the snapshot: each clone returns from it */
	if (!state_intact(STATE_BYTES))
		return fail("pre-snapshot state changed");
	skiff_printf("clonetest: pre-snapshot state intact after the POLL snapshot\n");
	skiff_printf("SUCCESS\n");
	return 0;
}

static int refused(const char *what, uint64_t flags)
{
	int32_t ret = -1;
	unsigned k = skiff_snapshot_raw(flags, &ret);

	skiff_printf("clonetest: %s: number=%u ret=%d %s\n", what, k, (int)ret,
		     k == 0 && ret == SKIFF_EINVAL ? "refused" : "ACCEPTED");
	return k == 0 && ret == SKIFF_EINVAL;
}

static int hostile(void)
{
	unsigned k;

	if (!refused("flags 1", 1) || !refused("flags 2^63", 1ull << 63))
		return fail("a snapshot with bad flags was taken");
	write_state();
	k = skiff_snapshot();
	if (k == 0)
		return fail("the good snapshot was refused");
	skiff_printf("clonetest: clone number %u\n", k);
	if (!refused("snapshot from a clone", 0) || !refused("again from a clone", 0))
		return fail("a clone took a snapshot");
	if (!state_intact(STATE_BYTES))
		return fail("pre-snapshot state changed");
	skiff_printf("SUCCESS\n");
	return 0;
}

static int unasked(void)
{
	if (!refused("without clone=", 0) || !refused("without clone=, twice", 0))
		return fail("a snapshot without clone= was taken");
	skiff_printf("SUCCESS\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "cow") == 0)
		return cow();
	if (strcmp(mode, "bench") == 0)
		return bench();
	if (strcmp(mode, "poll") == 0)
		return poll_snapshot();
	if (strcmp(mode, "hostile") == 0)
		return hostile();
	if (strcmp(mode, "unasked") == 0)
		return unasked();
	if (strcmp(mode, "outside") == 0) {
		skiff_hypercall_raw(SKIFF_CALL_SNAPSHOT_PORT, 0xfffff000u);
		return fail("a SNAPSHOT with its struct outside RAM returned");
	}
	return fail("usage: clonetest cow|poll|hostile|unasked|outside|bench");
}
