/*
 * gpt_test.c - gpt_parse on disks built in memory: a good table, then one
 * defect at a time (signature, CRCs, sizes, ranges), each refused with its
 * reason; gpt_crc32 against the standard check value.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drivers/disk/gpt.h"
#include "lib/errno.h"

#define SECTORS 4096u
#define ENTRIES 128u

static uint8_t disk[SECTORS * 512];

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static int read_disk(void *ctx, uint64_t lba, void *buf)
{
	if (lba >= SECTORS)
		return -EIO;
	memcpy(buf, disk + lba * 512, 512);
	return 0;
}

static void entry(unsigned i, const char *name, uint64_t first, uint64_t last)
{
	uint8_t *e = disk + 2 * 512 + i * 128;

	memset(e, 0, 128);
	e[0] = 0xa2;   /* a non-zero type GUID */
	put64(e + 32, first);
	put64(e + 40, last);
	for (unsigned c = 0; name[c]; c++)
		e[56 + 2 * c] = (uint8_t)name[c];
}

/* seal: the CRCs over what the test wrote (entry array, then header). */
static void seal(void)
{
	uint8_t *h = disk + 512;

	put32(h + 88, gpt_crc32(0, disk + 1024, ENTRIES * 128));
	put32(h + 16, 0);
	put32(h + 16, gpt_crc32(0, h, 92));
}

static void build(void)
{
	uint8_t *h = disk + 512;

	memset(disk, 0, sizeof disk);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 32, SECTORS - 1);
	put64(h + 40, 34);
	put64(h + 48, SECTORS - 34);
	put64(h + 72, 2);
	put32(h + 80, ENTRIES);
	put32(h + 84, 128);
	entry(0, "alpha", 2048, 2559);
	entry(3, "beta", 2560, 3071);
	seal();
}

static int parse(struct gpt_table *t, char *err)
{
	return gpt_parse(read_disk, NULL, SECTORS, t, err, 160);
}

/* refused: after build() and mutate(), parse fails with rc and err holds want. */
static void expect_refused(void (*mutate)(void), int rc, const char *want)
{
	static struct gpt_table t;
	char err[160] = "";
	int got;

	build();
	mutate();
	got = parse(&t, err);
	CHECK(got == rc);
	CHECK(strstr(err, want) != NULL);
	if (got != rc || !strstr(err, want))
		fprintf(stderr, "  got %d '%s', wanted %d '%s'\n", got, err, rc, want);
	CHECK(t.count == 0);
}

static void bad_header_crc(void) { disk[512 + 40] ^= 1; }
static void bad_entries_crc(void) { disk[1024 + 200] ^= 1; seal(); put32(disk + 512 + 88, 1); put32(disk + 512 + 16, 0); put32(disk + 512 + 16, gpt_crc32(0, disk + 512, 92)); }
static void bad_entry_range(void) { entry(1, "x", 100, 5000); seal(); }
static void bad_entry_order(void) { entry(1, "x", 3000, 2900); seal(); }
static void bad_header_size(void) { put32(disk + 512 + 12, 600); seal(); }
static void bad_entry_size(void) { put32(disk + 512 + 84, 100); seal(); }
static void bad_entry_count(void) { put32(disk + 512 + 80, 0x10000000); seal(); }
static void bad_array_lba(void) { put64(disk + 512 + 72, SECTORS - 1); seal(); }
static void bad_usable(void) { put64(disk + 512 + 48, SECTORS + 10); seal(); }
static void bad_my_lba(void) { put64(disk + 512 + 24, 7); seal(); }
static void bad_revision(void) { put32(disk + 512 + 8, 0x00020000); seal(); }

static void test_good(void)
{
	static struct gpt_table t;
	char err[160] = "";

	build();
	CHECK(parse(&t, err) == 0);
	CHECK(t.count == 2);
	CHECK(strcmp(t.parts[0].name, "alpha") == 0 && t.parts[0].first_lba == 2048 &&
	      t.parts[0].last_lba == 2559 && t.parts[0].index == 0);
	CHECK(strcmp(t.parts[1].name, "beta") == 0 && t.parts[1].index == 3);
	/* A disk without the signature has no GPT (not an error). */
	memset(disk + 512, 0, 8);
	CHECK(parse(&t, err) == -ENOENT);
	CHECK(gpt_parse(read_disk, NULL, 2, &t, err, 160) == -ENOENT);
}

static void test_non_ascii_name(void)
{
	static struct gpt_table t;
	char err[160];
	uint8_t *e = disk + 1024;

	build();
	e[56] = 0xe9;   /* U+00E9 */
	seal();
	CHECK(parse(&t, err) == 0);
	CHECK(strcmp(t.parts[0].name, "?lpha") == 0);
}

int main(void)
{
	CHECK(gpt_crc32(0, "123456789", 9) == 0xcbf43926u);
	test_good();
	test_non_ascii_name();
	expect_refused(bad_header_crc, -EINVAL, "header CRC32");
	expect_refused(bad_entries_crc, -EINVAL, "entry array CRC32");
	expect_refused(bad_entry_range, -EINVAL, "GPT entry 1: sectors 100..5000");
	expect_refused(bad_entry_order, -EINVAL, "GPT entry 1: sectors 3000..2900");
	expect_refused(bad_header_size, -EINVAL, "header size 600");
	expect_refused(bad_entry_size, -EINVAL, "entry size 100");
	expect_refused(bad_entry_count, -EINVAL, "larger than");
	expect_refused(bad_array_lba, -EINVAL, "does not fit the disk");
	expect_refused(bad_usable, -EINVAL, "usable sectors");
	expect_refused(bad_my_lba, -EINVAL, "at sector 7");
	expect_refused(bad_revision, -EINVAL, "revision");
	return check_report("gpt");
}
