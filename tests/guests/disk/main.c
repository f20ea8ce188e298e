/*
 * disk - a guest for block devices that are disk regions (ci/disk_test.py).
 *
 * Declares one block device, "storage". Modes (first argument):
 *
 *   ack COUNT
 *       Writes blocks 0, 1, 2, ... (up to COUNT, at most the capacity), each
 *       filled with ack_pattern(block), and prints "ack N" after block N's
 *       write returned OK: a promise that block N is on the disk. The test
 *       cuts the machine's power (SIGKILL to the emulator) as soon as it
 *       reads a chosen ack line and then finds every acknowledged block in
 *       the file. Ends with "acked COUNT".
 *   own TAG FILL CAPACITY
 *       Checks the capacity, that every block holds the byte FILL (what the
 *       test wrote into this guest's partition: another partition's fill
 *       would mean a wrong region), then writes the byte TAG into every
 *       block and reads it back. Prints SUCCESS.
 *   readonly
 *       Reads block 0, then checks that a write answers EINVAL and changed
 *       nothing. Prints SUCCESS.
 *   solo5
 *       The contract of Solo5's block test (tests/test_blk): every tenth
 *       sector, from 0, is written with the bytes '0' + i % 10 and read
 *       back; a write at the capacity and a read of half a block answer
 *       EINVAL. Prints SUCCESS; the test then checks the file.
 *   errors BAD
 *       The test makes the device fail every access to block BAD (QEMU's
 *       blkdebug). A write and a read of BAD must answer EUNSPEC, and the
 *       guest must go on: block BAD + 1 is written, read back and compared.
 *       Prints SUCCESS.
 *   bench COUNT
 *       Block-path benchmarks (bench/disk_bench.py): `bench: NAME VALUE`
 *       lines in TSC ticks (instructions under QEMU -icount and Bochs
 *       sync=none): one read and one write round trip (minimum over 5 runs
 *       of 16 calls, per call), then COUNT blocks written and read
 *       sequentially and at pseudo-random offsets, as blocks per 10^9
 *       ticks. Ends with `bench: done`.
 *
 * Uses only the runtime, like the other test guests.
 */
#include "skiff.h"

SKIFF_MANIFEST_BLOCK("storage");

#define BLOCK 512u

static uint8_t buf[BLOCK] __attribute__((aligned(64)));
static uint8_t copy[BLOCK] __attribute__((aligned(64)));

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Byte i of block n in ack mode; ci/disk_test.py computes the same. */
static uint8_t ack_pattern(uint64_t n, unsigned i)
{
	return (uint8_t)(n * 131u + i * 7u + 1u);
}

static int open_storage(uint64_t *h, struct skiff_block_info *info)
{
	if (skiff_block_find("storage", h) != SKIFF_OK || skiff_block_info(*h, info) != SKIFF_OK) {
		skiff_puts("FAIL storage is not attached\n");
		return -1;
	}
	return 0;
}

static int ack(uint64_t count)
{
	struct skiff_block_info info;
	uint64_t h, n;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	for (n = 0; n < count && (n + 1) * BLOCK <= info.capacity; n++) {
		enum skiff_result r;

		for (unsigned i = 0; i < BLOCK; i++)
			buf[i] = ack_pattern(n, i);
		r = skiff_block_write(h, n * BLOCK, buf, BLOCK);
		if (r != SKIFF_OK) {
			skiff_printf("FAIL write of block %llu: %d\n", (unsigned long long)n, (int)r);
			return SKIFF_EXIT_FAILURE;
		}
		skiff_printf("ack %llu\n", (unsigned long long)n);
	}
	skiff_printf("acked %llu\n", (unsigned long long)n);
	return SKIFF_EXIT_SUCCESS;
}

static int fill_is(uint8_t byte)
{
	for (unsigned i = 0; i < BLOCK; i++)
		if (buf[i] != byte)
			return 0;
	return 1;
}

static int own(uint8_t tag, uint8_t fill, uint64_t capacity)
{
	struct skiff_block_info info;
	uint64_t h, off;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	skiff_printf("capacity %llu\n", (unsigned long long)info.capacity);
	if (info.capacity != capacity) {
		skiff_printf("FAIL capacity %llu, expected %llu\n",
			     (unsigned long long)info.capacity, (unsigned long long)capacity);
		return SKIFF_EXIT_FAILURE;
	}
	for (off = 0; off < capacity; off += BLOCK)
		if (skiff_block_read(h, off, buf, BLOCK) != SKIFF_OK || !fill_is(fill)) {
			skiff_printf("FAIL block at %llu does not hold this partition's fill 0x%02x (first byte 0x%02x)\n",
				     (unsigned long long)off, fill, buf[0]);
			return SKIFF_EXIT_FAILURE;
		}
	skiff_printf("every block holds fill 0x%02x\n", fill);
	for (unsigned i = 0; i < BLOCK; i++)
		buf[i] = tag;
	for (off = 0; off < capacity; off += BLOCK)
		if (skiff_block_write(h, off, buf, BLOCK) != SKIFF_OK) {
			skiff_printf("FAIL write at %llu\n", (unsigned long long)off);
			return SKIFF_EXIT_FAILURE;
		}
	for (off = 0; off < capacity; off += BLOCK)
		if (skiff_block_read(h, off, buf, BLOCK) != SKIFF_OK || !fill_is(tag)) {
			skiff_printf("FAIL block at %llu lost tag 0x%02x\n", (unsigned long long)off, tag);
			return SKIFF_EXIT_FAILURE;
		}
	skiff_printf("wrote tag 0x%02x to %llu blocks\n", tag, (unsigned long long)(capacity / BLOCK));
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int readonly(void)
{
	struct skiff_block_info info;
	uint64_t h;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	if (skiff_block_read(h, 0, copy, BLOCK) != SKIFF_OK) {
		skiff_puts("FAIL read of block 0\n");
		return SKIFF_EXIT_FAILURE;
	}
	for (unsigned i = 0; i < BLOCK; i++)
		buf[i] = (uint8_t)~copy[i];
	if (skiff_block_write(h, 0, buf, BLOCK) != SKIFF_EINVAL) {
		skiff_puts("FAIL a write to a read-only device did not answer EINVAL\n");
		return SKIFF_EXIT_FAILURE;
	}
	if (skiff_block_read(h, 0, buf, BLOCK) != SKIFF_OK) {
		skiff_puts("FAIL read of block 0 after the refused write\n");
		return SKIFF_EXIT_FAILURE;
	}
	for (unsigned i = 0; i < BLOCK; i++)
		if (buf[i] != copy[i]) {
			skiff_puts("FAIL the refused write changed block 0\n");
			return SKIFF_EXIT_FAILURE;
		}
	skiff_puts("write: EINVAL, block 0 unchanged\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int solo5_blk(void)
{
	struct skiff_block_info info;
	uint64_t h, written = 0;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	for (uint64_t sector = 0; sector * BLOCK < info.capacity; sector += 10) {
		for (unsigned i = 0; i < BLOCK; i++) {
			buf[i] = (uint8_t)('0' + i % 10);
			copy[i] = 0;
		}
		if (skiff_block_write(h, sector * BLOCK, buf, BLOCK) != SKIFF_OK ||
		    skiff_block_read(h, sector * BLOCK, copy, BLOCK) != SKIFF_OK) {
			skiff_printf("FAIL sector %llu\n", (unsigned long long)sector);
			return SKIFF_EXIT_FAILURE;
		}
		for (unsigned i = 0; i < BLOCK; i++)
			if (copy[i] != buf[i]) {
				skiff_printf("FAIL sector %llu reads back wrong\n", (unsigned long long)sector);
				return SKIFF_EXIT_FAILURE;
			}
		written++;
	}
	if (skiff_block_write(h, info.capacity, buf, BLOCK) != SKIFF_EINVAL ||
	    skiff_block_read(h, 0, copy, BLOCK / 2) != SKIFF_EINVAL) {
		skiff_puts("FAIL a bad request was not EINVAL\n");
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("%llu sectors written and read back\nSUCCESS\n", (unsigned long long)written);
	return SKIFF_EXIT_SUCCESS;
}

static int errors(uint64_t bad)
{
	struct skiff_block_info info;
	enum skiff_result w, r;
	uint64_t h;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	for (unsigned i = 0; i < BLOCK; i++)
		buf[i] = (uint8_t)(i ^ 0x3c);
	w = skiff_block_write(h, bad * BLOCK, buf, BLOCK);
	r = skiff_block_read(h, bad * BLOCK, copy, BLOCK);
	skiff_printf("block %llu: write %d, read %d\n", (unsigned long long)bad, (int)w, (int)r);
	if (w != SKIFF_EUNSPEC || r != SKIFF_EUNSPEC) {
		skiff_puts("FAIL a failing device did not answer EUNSPEC\n");
		return SKIFF_EXIT_FAILURE;
	}
	if (skiff_block_write(h, (bad + 1) * BLOCK, buf, BLOCK) != SKIFF_OK ||
	    skiff_block_read(h, (bad + 1) * BLOCK, copy, BLOCK) != SKIFF_OK) {
		skiff_puts("FAIL the next block failed too\n");
		return SKIFF_EXIT_FAILURE;
	}
	for (unsigned i = 0; i < BLOCK; i++)
		if (copy[i] != buf[i]) {
			skiff_puts("FAIL the next block did not read back\n");
			return SKIFF_EXIT_FAILURE;
		}
	skiff_printf("block %llu: written and read back\nSUCCESS\n", (unsigned long long)(bad + 1));
	return SKIFF_EXIT_SUCCESS;
}

#define BENCH_CALLS 16u
#define BENCH_REPS 5u

/* round_trip: ticks per call of BENCH_CALLS calls on block 0, min of reps. */
static uint64_t round_trip(uint64_t h, bool write)
{
	uint64_t best = UINT64_MAX;

	for (unsigned r = 0; r < BENCH_REPS; r++) {
		uint64_t t0 = skiff_tsc(), t;

		for (unsigned i = 0; i < BENCH_CALLS; i++)
			if (write)
				(void)skiff_block_write(h, 0, buf, BLOCK);
			else
				(void)skiff_block_read(h, 0, buf, BLOCK);
		t = skiff_tsc() - t0;
		if (t < best)
			best = t;
	}
	return (best + BENCH_CALLS / 2) / BENCH_CALLS;
}

/* blocks_per_1e9: count blocks moved in ticks, scaled to 10^9 ticks. */
static uint64_t blocks_per_1e9(uint64_t count, uint64_t ticks)
{
	return ticks ? count * 1000000000u / ticks : 0;
}

/* pattern_run: count transfers at sequential or pseudo-random blocks; ticks. */
static uint64_t pattern_run(uint64_t h, uint64_t blocks, uint64_t count, bool random,
			    bool write, unsigned *errors)
{
	uint64_t x = 12345, t0 = skiff_tsc();

	for (uint64_t i = 0; i < count; i++) {
		uint64_t block = i % blocks;

		if (random) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			block = (x >> 33) % blocks;
		}
		if ((write ? skiff_block_write(h, block * BLOCK, buf, BLOCK)
			   : skiff_block_read(h, block * BLOCK, buf, BLOCK)) != SKIFF_OK)
			(*errors)++;
	}
	return skiff_tsc() - t0;
}

static int bench(uint64_t count)
{
	static const char *const names[4] = { "seq_read", "seq_write", "random_read", "random_write" };
	struct skiff_block_info info;
	unsigned errors = 0;
	uint64_t h, blocks;

	if (open_storage(&h, &info))
		return SKIFF_EXIT_FAILURE;
	blocks = info.capacity / BLOCK;
	skiff_printf("bench: read_round_trip %llu\n", (unsigned long long)round_trip(h, false));
	skiff_printf("bench: write_round_trip %llu\n", (unsigned long long)round_trip(h, true));
	for (unsigned k = 0; k < 4; k++) {
		uint64_t ticks = pattern_run(h, blocks, count, k >= 2, k % 2 == 1, &errors);

		skiff_printf("bench: %s_blocks_per_1e9 %llu blocks=%llu ticks=%llu\n", names[k],
			     (unsigned long long)blocks_per_1e9(count, ticks),
			     (unsigned long long)count, (unsigned long long)ticks);
	}
	if (errors) {
		skiff_printf("FAIL %u block calls failed\n", errors);
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("bench: done\n");
	return SKIFF_EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	if (argc > 2 && is(argv[1], "ack"))
		return ack(parse_u64(argv[2]));
	if (argc > 4 && is(argv[1], "own"))
		return own((uint8_t)parse_u64(argv[2]), (uint8_t)parse_u64(argv[3]),
			   parse_u64(argv[4]));
	if (argc > 1 && is(argv[1], "readonly"))
		return readonly();
	if (argc > 1 && is(argv[1], "solo5"))
		return solo5_blk();
	if (argc > 2 && is(argv[1], "errors"))
		return errors(parse_u64(argv[2]));
	if (argc > 2 && is(argv[1], "bench"))
		return bench(parse_u64(argv[2]));
	skiff_puts("usage: disk ack COUNT | own TAG FILL CAPACITY | readonly | solo5 | errors BAD | bench COUNT\n");
	return SKIFF_EXIT_FAILURE;
}
