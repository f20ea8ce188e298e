/*
 * block - block-device edges and hostile requests.
 *
 * Declares one block device, "storage". Modes (first argument):
 *
 *   edge CAPACITY [pattern]
 *       Checks the device's info (capacity CAPACITY bytes, 512-byte
 *       blocks); that misaligned, short, long and past-the-end requests
 *       and unknown handles get EINVAL and change nothing; with "pattern",
 *       that the disk holds ci/boot_cases.py's pattern fill; then writes a
 *       distinct pattern to every block and reads every block back. Prints
 *       one line per check group and SUCCESS; exits 1 on any failure.
 *   outside-read | outside-write | straddle
 *       Prints "attempting X", then moves a block to or from a buffer that
 *       is (partly) outside guest RAM. Skiff must end the guest; if the
 *       call returns, prints ESCAPED and exits 1.
 *
 * Uses only the runtime (no C library), like the other hostile guests.
 */
#include "skiff.h"

SKIFF_MANIFEST_BLOCK("storage");

#define BLOCK 512u

static uint8_t buf[BLOCK] __attribute__((aligned(64)));
static uint8_t big[2 * BLOCK] __attribute__((aligned(64)));
static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		failures++;
		skiff_printf("  FAIL %s\n", what);
	}
}

/* The fill of ci/boot_cases.py's "pattern" disks. */
static uint8_t disk_pattern(uint64_t offset)
{
	return (uint8_t)(offset + 7 * (offset / BLOCK));
}

/* The pattern this guest writes: different from the disk's in every block. */
static uint8_t own_pattern(uint64_t offset)
{
	return (uint8_t)(offset * 3 + (offset / BLOCK) * 11 + 0x5a);
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static void check_bad_requests(uint64_t h, uint64_t capacity)
{
	for (unsigned i = 0; i < BLOCK; i++)
		buf[i] = 0xee;
	expect(skiff_block_read(h, 1, buf, BLOCK) == SKIFF_EINVAL, "misaligned offset: EINVAL");
	expect(skiff_block_read(h, BLOCK / 2, buf, BLOCK) == SKIFF_EINVAL, "half-block offset: EINVAL");
	expect(skiff_block_read(h, 0, buf, BLOCK / 2) == SKIFF_EINVAL, "short length: EINVAL");
	expect(skiff_block_read(h, 0, buf, 0) == SKIFF_EINVAL, "zero length: EINVAL");
	expect(skiff_block_read(h, 0, big, 2 * BLOCK) == SKIFF_EINVAL, "two blocks at once: EINVAL");
	expect(skiff_block_read(h, capacity, buf, BLOCK) == SKIFF_EINVAL, "offset = capacity: EINVAL");
	expect(skiff_block_read(h, UINT64_MAX - BLOCK + 1, buf, BLOCK) == SKIFF_EINVAL,
	       "offset near 2^64 (would wrap): EINVAL");
	expect(skiff_block_write(h, capacity, buf, BLOCK) == SKIFF_EINVAL, "write past the end: EINVAL");
	expect(skiff_block_write(h, 3, buf, BLOCK) == SKIFF_EINVAL, "misaligned write: EINVAL");
	expect(skiff_block_read(0, 0, buf, BLOCK) == SKIFF_EINVAL, "handle 0 (reserved): EINVAL");
	expect(skiff_block_read(h + 1, 0, buf, BLOCK) == SKIFF_EINVAL, "undeclared handle: EINVAL");
	expect(skiff_block_read(~(uint64_t)0, 0, buf, BLOCK) == SKIFF_EINVAL, "handle ~0: EINVAL");
	for (unsigned i = 0; i < BLOCK; i++)
		if (buf[i] != 0xee) {
			expect(0, "a refused read left the buffer alone");
			break;
		}
	skiff_printf("bad requests: done\n");
}

static void check_pattern(uint64_t h, uint64_t capacity)
{
	for (uint64_t off = 0; off < capacity; off += BLOCK) {
		int same = skiff_block_read(h, off, buf, BLOCK) == SKIFF_OK;

		for (unsigned i = 0; same && i < BLOCK; i++)
			same = buf[i] == disk_pattern(off + i);
		if (!same) {
			skiff_printf("  FAIL block at %llu does not hold the pattern fill\n",
				     (unsigned long long)off);
			failures++;
			return;
		}
	}
	skiff_printf("pattern: every block holds the disk's fill\n");
}

/* Write every block first, then read them all: a request that reached the
 * wrong block would show as another block's pattern. */
static void check_write_read(uint64_t h, uint64_t capacity)
{
	uint64_t bad = 0;

	for (uint64_t off = 0; off < capacity; off += BLOCK) {
		for (unsigned i = 0; i < BLOCK; i++)
			buf[i] = own_pattern(off + i);
		bad += skiff_block_write(h, off, buf, BLOCK) != SKIFF_OK;
	}
	for (uint64_t off = 0; off < capacity; off += BLOCK) {
		bad += skiff_block_read(h, off, buf, BLOCK) != SKIFF_OK;
		for (unsigned i = 0; i < BLOCK; i++)
			bad += buf[i] != own_pattern(off + i);
	}
	expect(bad == 0, "every block reads back what was written");
	skiff_printf("write-read: %llu blocks\n", (unsigned long long)(capacity / BLOCK));
}

static int edge(int argc, char **argv)
{
	struct skiff_block_info info = { 0, 0 }, other_info;
	uint64_t h = 0, capacity = argc > 2 ? parse_u64(argv[2]) : 0;
	uint64_t other;

	expect(skiff_block_find("storage", &h) == SKIFF_OK, "storage is attached");
	expect(skiff_block_find("nothing", &other) == SKIFF_EINVAL, "an undeclared name: EINVAL");
	expect(skiff_block_info(h, &info) == SKIFF_OK, "info of storage");
	expect(skiff_block_info(h + 1, &other_info) == SKIFF_EINVAL,
	       "info of an undeclared handle: EINVAL");
	skiff_printf("info: capacity %llu, block size %llu\n",
		     (unsigned long long)info.capacity, (unsigned long long)info.block_size);
	expect(info.capacity == capacity, "capacity is the disk size rounded down to 512");
	expect(info.block_size == BLOCK, "block size is 512");
	if (failures)
		return SKIFF_EXIT_FAILURE;
	check_bad_requests(h, capacity);
	if (argc > 3 && argv[3][0] == 'p')
		check_pattern(h, capacity);
	check_write_read(h, capacity);
	if (failures)
		return SKIFF_EXIT_FAILURE;
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

/* is: the strings are equal (no C library here). */
static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int hostile(const char *mode)
{
	uint64_t h = 0, ram = skiff_mem_size();
	enum skiff_result r;

	if (skiff_block_find("storage", &h) != SKIFF_OK) {
		skiff_puts("storage is not attached\n");
		return SKIFF_EXIT_FAILURE;
	}
	skiff_printf("attempting %s\n", mode);
	if (is(mode, "straddle"))  /* the block's last half lies past the end of RAM */
		r = skiff_block_read(h, 0, (void *)(uintptr_t)(ram - BLOCK / 2), BLOCK);
	else if (is(mode, "outside-write"))
		r = skiff_block_write(h, 0, (const void *)(uintptr_t)(ram + 4096), BLOCK);
	else
		r = skiff_block_read(h, 0, (void *)(uintptr_t)(ram + 4096), BLOCK);
	skiff_printf("ESCAPED: %s returned %d\n", mode, (int)r);
	return SKIFF_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	if (argc > 1 && is(argv[1], "edge"))
		return edge(argc, argv);
	if (argc > 1 && (is(argv[1], "outside-read") || is(argv[1], "outside-write") ||
			 is(argv[1], "straddle")))
		return hostile(argv[1]);
	skiff_puts("usage: block edge CAPACITY [pattern] | outside-read | outside-write | straddle\n");
	return SKIFF_EXIT_FAILURE;
}
