/*
 * boot_multiboot2_test.c - host tests for hypervisor/boot/multiboot2.c: a good
 * block, every defect the header names, truncation at every length, huge
 * sizes, and random mutations. Blocks live in heap buffers of exactly the
 * length the parser is given, so ASan catches any read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_check.h"
#include "hypervisor/boot/multiboot2.h"
#include "lib/errno.h"

#define INFO_PHYS 0x10000ull

/* A block under construction. */
struct block {
	uint8_t bytes[65536];
	size_t len;
};

static void put32(struct block *b, size_t at, uint32_t v) { memcpy(b->bytes + at, &v, 4); }

static void block_start(struct block *b)
{
	memset(b, 0, sizeof *b);
	b->len = 8;
}

/* add_tag: a tag with data[0..len) and its size field = 8 + len; returns its offset. */
static size_t add_tag(struct block *b, uint32_t type, const void *data, size_t len)
{
	size_t at = b->len;

	put32(b, at, type);
	put32(b, at + 4, (uint32_t)(8 + len));
	if (len)
		memcpy(b->bytes + at + 8, data, len);
	b->len = (at + 8 + len + 7) & ~(size_t)7;
	return at;
}

static size_t add_module(struct block *b, uint32_t start, uint32_t end, const char *cmd)
{
	uint8_t data[256];
	size_t n = strlen(cmd) + 1;

	memcpy(data, &start, 4);
	memcpy(data + 4, &end, 4);
	memcpy(data + 8, cmd, n);
	return add_tag(b, 3, data, 8 + n);
}

/* add_mmap: count entries of 24 bytes; entry i is {base_i, len_i, type_i}. */
static size_t add_mmap(struct block *b, const uint64_t (*entries)[3], unsigned count)
{
	static uint8_t data[8 + 24 * 200];
	uint32_t entry_size = 24, version = 0;

	memcpy(data, &entry_size, 4);
	memcpy(data + 4, &version, 4);
	for (unsigned i = 0; i < count; i++) {
		uint32_t type = (uint32_t)entries[i][2], zero = 0;

		memcpy(data + 8 + 24 * i, &entries[i][0], 8);
		memcpy(data + 8 + 24 * i + 8, &entries[i][1], 8);
		memcpy(data + 8 + 24 * i + 16, &type, 4);
		memcpy(data + 8 + 24 * i + 20, &zero, 4);
	}
	return add_tag(b, 6, data, 8 + 24 * (size_t)count);
}

static void block_end(struct block *b)
{
	add_tag(b, 0, NULL, 0);
	put32(b, 0, (uint32_t)b->len);
}

static const uint64_t good_map[3][3] = {
	{ 0, 0x9fc00, 1 }, { 0xf0000, 0x10000, 2 }, { 0x100000, 0x7ee0000, 1 },
};

static void build_good(struct block *b)
{
	uint8_t rsdp[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

	block_start(b);
	add_tag(b, 1, "backend=svm", 12);
	add_tag(b, 2, "GRUB 2.06", 10);            /* a tag Skiff ignores */
	add_module(b, 0x400000, 0x403000, "hello -- a b");
	add_mmap(b, good_map, 3);
	add_module(b, 0x500000, 0x500000, "");     /* empty module, empty line */
	add_tag(b, 14, rsdp, sizeof rsdp);
	block_end(b);
}

static struct boot_info info;
static char err[160];

/*
 * parse_copy: parse the first len bytes of b from a heap copy of exactly
 * len bytes (max_len = len).
 */
static int parse_copy(const struct block *b, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, b->bytes, len);
	rc = mb2_parse(copy, INFO_PHYS, len, &info, err, sizeof err);
	/* Strings point into the copy: check them before it is freed. */
	if (rc == 0 && info.module_count > 0)
		CHECK(info.modules[0].cmdline >= (char *)copy &&
		      info.modules[0].cmdline < (char *)copy + len);
	free(copy);
	return rc;
}

/* expect_error: parsing b fails with -EINVAL and err contains what. */
static void expect_error(const struct block *b, const char *what)
{
	int rc = parse_copy(b, b->len);

	CHECK(rc == -EINVAL);
	CHECK(strstr(err, what) != NULL);
	if (rc != -EINVAL || !strstr(err, what))
		fprintf(stderr, "  rc %d err '%s', wanted '%s'\n", rc, err, what);
}

static void test_good(void)
{
	struct block b;

	build_good(&b);
	uint8_t *copy = malloc(b.len);
	memcpy(copy, b.bytes, b.len);
	CHECK(mb2_parse(copy, INFO_PHYS, b.len, &info, err, sizeof err) == 0);
	CHECK(strcmp(info.cmdline, "backend=svm") == 0);
	CHECK(info.module_count == 2);
	CHECK(info.modules[0].start == 0x400000 && info.modules[0].end == 0x403000);
	CHECK(strcmp(info.modules[0].cmdline, "hello -- a b") == 0);
	CHECK(info.modules[1].start == 0x500000 && info.modules[1].end == 0x500000);
	CHECK(strcmp(info.modules[1].cmdline, "") == 0);
	CHECK(info.region_count == 3);
	CHECK(info.regions[2].base == 0x100000 && info.regions[2].length == 0x7ee0000);
	CHECK(info.regions[2].type == 1 && info.regions[1].type == 2);
	CHECK(info.info_start == INFO_PHYS && info.info_end == INFO_PHYS + b.len);
	CHECK(info.acpi_rsdp != 0);
	CHECK(memcmp(copy + (info.acpi_rsdp - INFO_PHYS), "RSD PTR ", 8) == 0);
	free(copy);
}

static void test_no_cmdline_is_empty(void)
{
	struct block b;

	block_start(&b);
	add_mmap(&b, good_map, 3);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0);
	CHECK(info.cmdline && info.cmdline[0] == '\0');
	CHECK(info.module_count == 0 && info.acpi_rsdp == 0);
}

static void test_defects(void)
{
	struct block b;
	size_t at;

	/* a tag size that runs past the block */
	build_good(&b);
	put32(&b, 8 + 4, 0x100);
	expect_error(&b, "runs past");

	/* total size larger than the memory given */
	build_good(&b);
	put32(&b, 0, (uint32_t)b.len + 8);
	expect_error(&b, "outside");

	/* total size too small to hold anything */
	build_good(&b);
	put32(&b, 0, 8);
	expect_error(&b, "outside");

	/* a tag size below its own header */
	build_good(&b);
	put32(&b, 8 + 4, 4);
	expect_error(&b, "below 8");

	/* a module that ends before it starts */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_module(&b, 0x500000, 0x4ff000, "x");
	block_end(&b);
	expect_error(&b, "before it starts");

	/* a module command line without a NUL */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	at = add_module(&b, 0x500000, 0x501000, "abcdefg");   /* 8 bytes with NUL */
	b.bytes[at + 16 + 7] = 'h';
	block_end(&b);
	expect_error(&b, "no NUL");

	/* Skiff's command line without a NUL */
	block_start(&b);
	add_tag(&b, 1, "abcdefgh", 8);
	add_mmap(&b, good_map, 3);
	block_end(&b);
	expect_error(&b, "no NUL");

	/* a module tag too short for its addresses */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_tag(&b, 3, "\0\0\0\0", 4);
	block_end(&b);
	expect_error(&b, "too short");

	/* no end tag: the last tag fills the block */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	put32(&b, 0, (uint32_t)b.len);
	expect_error(&b, "no end tag");

	/* an end tag with a wrong size */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	at = add_tag(&b, 0, "\0\0\0\0\0\0\0\0", 8);
	put32(&b, 0, (uint32_t)b.len);
	expect_error(&b, "end tag");

	/* no memory map */
	block_start(&b);
	add_tag(&b, 1, "x", 2);
	block_end(&b);
	expect_error(&b, "no memory map");

	/* two memory maps */
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_mmap(&b, good_map, 3);
	block_end(&b);
	expect_error(&b, "second memory-map");

	/* a memory-map entry size below 24 / not a multiple of 8 */
	block_start(&b);
	at = add_mmap(&b, good_map, 3);
	put32(&b, at + 8, 16);
	block_end(&b);
	expect_error(&b, "entry size");
	block_start(&b);
	at = add_mmap(&b, good_map, 3);
	put32(&b, at + 8, 28);
	block_end(&b);
	expect_error(&b, "entry size");

	/* a memory-map tag that is not a whole number of entries */
	block_start(&b);
	at = add_mmap(&b, good_map, 3);
	put32(&b, at + 4, 8 + 8 + 24 * 3 - 8);
	block_end(&b);
	expect_error(&b, "whole number");
}

static void test_limits(void)
{
	struct block b;
	static uint64_t many[MB2_MAX_REGIONS + 1][3];

	/* exactly the limits: accepted */
	for (unsigned i = 0; i <= MB2_MAX_REGIONS; i++) {
		many[i][0] = 0x100000ull * (i + 1);
		many[i][1] = 0x1000;
		many[i][2] = 1;
	}
	block_start(&b);
	add_mmap(&b, many, MB2_MAX_REGIONS);
	for (unsigned i = 0; i < MB2_MAX_MODULES; i++)
		add_module(&b, 0x1000u * i, 0x1000u * i + 1, "m");
	block_end(&b);
	CHECK(b.len < sizeof b.bytes);
	CHECK(parse_copy(&b, b.len) == 0);
	CHECK(info.module_count == MB2_MAX_MODULES && info.region_count == MB2_MAX_REGIONS);

	/* one more module */
	block_start(&b);
	add_mmap(&b, many, 3);
	for (unsigned i = 0; i <= MB2_MAX_MODULES; i++)
		add_module(&b, 0, 1, "m");
	block_end(&b);
	expect_error(&b, "more than 512 modules");

	/* one more region */
	block_start(&b);
	add_mmap(&b, many, MB2_MAX_REGIONS + 1);
	block_end(&b);
	expect_error(&b, "more than 128");
}

static void test_huge_sizes(void)
{
	struct block b;
	size_t at;

	build_good(&b);
	put32(&b, 0, 0xffffffffu);
	expect_error(&b, "outside");

	build_good(&b);
	put32(&b, 8 + 4, 0xffffffffu);
	expect_error(&b, "runs past");

	build_good(&b);
	put32(&b, 8 + 4, 0xfffffff8u);
	expect_error(&b, "runs past");

	block_start(&b);
	at = add_mmap(&b, good_map, 3);
	put32(&b, at + 8, 0xfffffff8u);
	block_end(&b);
	expect_error(&b, "whole number");

	/* max_len smaller than the header itself */
	build_good(&b);
	CHECK(parse_copy(&b, 4) == -EINVAL);
	CHECK(parse_copy(&b, 0) == -EINVAL);
}

static void test_alignment(void)
{
	struct block b;
	uint8_t *copy;

	build_good(&b);
	copy = malloc(b.len + 8);
	memcpy(copy, b.bytes, b.len);
	CHECK(mb2_parse(copy, INFO_PHYS + 4, b.len, &info, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "aligned") != NULL);
	memcpy(copy + 4, b.bytes, b.len);
	CHECK(mb2_parse(copy + 4, INFO_PHYS, b.len, &info, err, sizeof err) == -EINVAL);
	free(copy);
}

/*
 * test_truncation: the good block cut at every length, with total_size
 * either kept (then larger than max_len) or set to the cut length.
 */
static void test_truncation(void)
{
	struct block b, cut;

	build_good(&b);
	for (size_t len = 0; len < b.len; len++) {
		CHECK(parse_copy(&b, len) == -EINVAL);
		cut = b;
		put32(&cut, 0, (uint32_t)len);
		CHECK(parse_copy(&cut, len) == -EINVAL);
	}
	CHECK(parse_copy(&b, b.len) == 0);
}

/* test_mutations: random byte changes must never crash or read out of bounds. */
static void test_mutations(void)
{
	struct block b, m;
	unsigned accepted = 0;

	build_good(&b);
	srand(12345);
	for (int round = 0; round < 20000; round++) {
		m = b;
		for (int k = 0; k < 1 + rand() % 4; k++)
			m.bytes[rand() % m.len] = (uint8_t)rand();
		if (parse_copy(&m, m.len) == 0)
			accepted++;
	}
	/* Some mutations hit don't-care bytes (addresses, strings): both outcomes occur. */
	CHECK(accepted > 0 && accepted < 20000);
}

static void test_err_buffer_small(void)
{
	struct block b;
	char tiny[4] = "zzz";

	block_start(&b);
	block_end(&b);
	CHECK(mb2_parse(b.bytes, INFO_PHYS, b.len, &info, tiny, sizeof tiny) == -EINVAL);
	CHECK(strlen(tiny) == 3);
	CHECK(mb2_parse(b.bytes, INFO_PHYS, b.len, &info, NULL, 0) == -EINVAL);
}

int main(void)
{
	test_good();
	test_no_cmdline_is_empty();
	test_defects();
	test_limits();
	test_huge_sizes();
	test_alignment();
	test_truncation();
	test_mutations();
	test_err_buffer_small();
	return check_report("boot_multiboot2_test");
}
