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

/* add_efi_mmap: tag 17 with count descriptors of desc_size bytes {type, base, pages}. */
static size_t add_efi_mmap(struct block *b, const uint64_t (*d)[3], unsigned count,
			   uint32_t desc_size)
{
	static uint8_t data[8 + 64 * 300];
	uint32_t version = 1;

	memset(data, 0, sizeof data);
	memcpy(data, &desc_size, 4);
	memcpy(data + 4, &version, 4);
	for (unsigned i = 0; i < count; i++) {
		uint8_t *e = data + 8 + (size_t)desc_size * i;
		uint32_t type = (uint32_t)d[i][0];

		memcpy(e, &type, 4);
		memcpy(e + 8, &d[i][1], 8);        /* physical start */
		memcpy(e + 16, &d[i][1], 8);       /* virtual start: unused */
		memcpy(e + 24, &d[i][2], 8);       /* pages */
	}
	return add_tag(b, 17, data, 8 + (size_t)desc_size * count);
}

/* An OVMF-like map: conventional, boot-services and loader memory merge. */
static const uint64_t efi_map[7][3] = {
	{ 7, 0, 0xa0 },            /* conventional 0..640K */
	{ 0, 0xa0000, 0x60 },      /* reserved */
	{ 7, 0x100000, 0x700 },    /* conventional 1M..8M */
	{ 4, 0x800000, 0x100 },    /* boot-services data: usable after ExitBootServices */
	{ 2, 0x900000, 0x10 },     /* loader data (GRUB's, the modules) */
	{ 9, 0x910000, 0x10 },     /* ACPI reclaimable */
	{ 10, 0x920000, 0x1 },     /* ACPI NVS */
};

static void test_efi_memory_map(void)
{
	struct block b;
	size_t at;

	block_start(&b);
	add_tag(&b, 12, "\0\0\0\0\0\0\0\0", 8);   /* EFI64 system table pointer */
	add_efi_mmap(&b, efi_map, 7, 48);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0);
	CHECK(info.efi && info.efi_memory_map);
	CHECK(info.region_count == 5);
	CHECK(info.regions[0].base == 0 && info.regions[0].length == 0xa0000 &&
	      info.regions[0].type == 1);
	CHECK(info.regions[1].type == 2);
	CHECK(info.regions[2].base == 0x100000 && info.regions[2].length == 0x810000 &&
	      info.regions[2].type == 1);
	CHECK(info.regions[3].type == 3 && info.regions[4].type == 4);

	/* With a BIOS-style map too (as GRUB gives under OVMF), tag 6 wins, either order. */
	block_start(&b);
	add_efi_mmap(&b, efi_map, 7, 40);
	add_mmap(&b, good_map, 3);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0 && info.region_count == 3 && !info.efi_memory_map);
	CHECK(info.efi && info.regions[2].length == 0x7ee0000);
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_efi_mmap(&b, efi_map, 7, 40);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0 && info.region_count == 3 && !info.efi_memory_map);

	/* BIOS boots say nothing of EFI. */
	build_good(&b);
	CHECK(parse_copy(&b, b.len) == 0 && !info.efi && !info.efi_memory_map);

	block_start(&b);
	at = add_efi_mmap(&b, efi_map, 7, 48);
	put32(&b, at + 8, 36);                      /* descriptor below 40 bytes */
	block_end(&b);
	expect_error(&b, "descriptor size 36");
	block_start(&b);
	at = add_efi_mmap(&b, efi_map, 7, 48);
	put32(&b, at + 4, 16 + 48 * 7 - 8);         /* a partial descriptor */
	block_end(&b);
	expect_error(&b, "whole number");
	block_start(&b);
	add_efi_mmap(&b, efi_map, 7, 48);
	add_efi_mmap(&b, efi_map, 7, 48);
	block_end(&b);
	expect_error(&b, "second EFI memory-map");

	/* Pages that wrap around the address space */
	static uint64_t wrap[1][3] = { { 7, 0x100000, UINT64_C(1) << 52 } };
	block_start(&b);
	add_efi_mmap(&b, wrap, 1, 40);
	block_end(&b);
	expect_error(&b, "wraps around");

	/* More regions than the limit, none mergeable */
	static uint64_t many[MB2_MAX_REGIONS + 1][3];
	for (unsigned i = 0; i <= MB2_MAX_REGIONS; i++) {
		many[i][0] = i % 2 ? 7 : 0;
		many[i][1] = 0x1000ull * i;
		many[i][2] = 1;
	}
	block_start(&b);
	add_efi_mmap(&b, many, MB2_MAX_REGIONS + 1, 40);
	block_end(&b);
	expect_error(&b, "more than 128 regions");
	/* ...but 129 mergeable ones are one region */
	for (unsigned i = 0; i <= MB2_MAX_REGIONS; i++)
		many[i][0] = 7;
	block_start(&b);
	add_efi_mmap(&b, many, MB2_MAX_REGIONS + 1, 40);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0 && info.region_count == 1 &&
	      info.regions[0].length == 0x1000ull * (MB2_MAX_REGIONS + 1));
}

/* ACPI tags must hold the RSDP they claim to carry; the 2.0 copy is preferred. */
static void test_acpi_tags(void)
{
	uint8_t rsdp[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	struct block b;
	size_t at14, at15;

	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_tag(&b, 14, NULL, 0);                  /* an empty RSDP tag */
	block_end(&b);
	expect_error(&b, "ACPI tag 14 at offset");
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_tag(&b, 14, rsdp, 19);
	block_end(&b);
	expect_error(&b, "holds 19 bytes, an RSDP needs 20");
	block_start(&b);
	add_mmap(&b, good_map, 3);
	add_tag(&b, 15, rsdp, 20);                 /* a 2.0 tag with a 1.0-sized copy */
	block_end(&b);
	expect_error(&b, "an RSDP needs 36");

	block_start(&b);
	add_mmap(&b, good_map, 3);
	at15 = add_tag(&b, 15, rsdp, 36);
	at14 = add_tag(&b, 14, rsdp, 20);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0);
	CHECK(info.acpi_rsdp == INFO_PHYS + at15 + 8 && info.acpi_rsdp_len == 36);
	block_start(&b);
	add_mmap(&b, good_map, 3);
	at14 = add_tag(&b, 14, rsdp, 20);
	block_end(&b);
	CHECK(parse_copy(&b, b.len) == 0);
	CHECK(info.acpi_rsdp == INFO_PHYS + at14 + 8 && info.acpi_rsdp_len == 20);
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
	test_efi_memory_map();
	test_acpi_tags();
	test_huge_sizes();
	test_alignment();
	test_truncation();
	test_mutations();
	test_err_buffer_small();
	return check_report("boot_multiboot2_test");
}
