/*
 * regions_test.c - region specs, resolution against model disks, and the
 * one-guest-per-region rule with its messages.
 */
#include <string.h>

#include "check.h"
#include "hypervisor/storage/regions.h"
#include "lib/errno.h"

static struct gpt_table table0, table1;

static void setup(void)
{
	table0 = (struct gpt_table){ .count = 2 };
	table0.parts[0] = (struct gpt_partition){ .index = 0, .name = "alpha", .first_lba = 2048, .last_lba = 4095 };
	table0.parts[1] = (struct gpt_partition){ .index = 1, .name = "beta", .first_lba = 4096, .last_lba = 6143 };
	table1 = (struct gpt_table){ .count = 1 };
	table1.parts[0] = (struct gpt_partition){ .index = 0, .name = "beta", .first_lba = 34, .last_lba = 99 };
}

static void test_specs(void)
{
	struct region_spec s;
	char err[160];

	CHECK(region_is_spec("disk:0") && region_is_spec("gpt:x") && !region_is_spec("/boot/disk.img"));
	CHECK(region_parse_spec("disk:12", &s, err, sizeof err) == 0 && s.kind == REGION_DISK &&
	      s.disk == 12 && !s.read_only);
	CHECK(region_parse_spec("disk:1,ro", &s, err, sizeof err) == 0 && s.disk == 1 && s.read_only);
	CHECK(region_parse_spec("gpt:alpha,ro", &s, err, sizeof err) == 0 && s.kind == REGION_GPT &&
	      strcmp(s.name, "alpha") == 0 && s.read_only);
	CHECK(region_parse_spec("disk:", &s, err, sizeof err) == -EINVAL && strstr(err, "disk number"));
	CHECK(region_parse_spec("disk:x1", &s, err, sizeof err) == -EINVAL);
	CHECK(region_parse_spec("disk:1234", &s, err, sizeof err) == -EINVAL);
	CHECK(region_parse_spec("gpt:", &s, err, sizeof err) == -EINVAL && strstr(err, "partition name"));
	CHECK(region_parse_spec("gpt:0123456789012345678901234567890123456", &s, err, sizeof err) == -EINVAL);
	CHECK(region_parse_spec("/x", &s, err, sizeof err) == -EINVAL);
}

static void test_resolve_and_claim(void)
{
	const uint64_t sectors[2] = { 8192, 100 };
	const struct gpt_table *gpt[2] = { &table0, &table1 };
	struct region_disks disks = { 2, sectors, gpt };
	static struct region_claims claims;
	struct region_spec s;
	struct region r, whole;
	char err[200];

	setup();
	region_parse_spec("gpt:alpha", &s, err, sizeof err);
	CHECK(region_resolve(&s, &disks, &r, err, sizeof err) == 0);
	CHECK(r.disk == 0 && r.first_lba == 2048 && r.sectors == 2048);
	region_parse_spec("gpt:beta", &s, err, sizeof err);
	CHECK(region_resolve(&s, &disks, &r, err, sizeof err) == -EEXIST && strstr(err, "unique"));
	region_parse_spec("gpt:gamma", &s, err, sizeof err);
	CHECK(region_resolve(&s, &disks, &r, err, sizeof err) == -ENOENT && strstr(err, "'gamma'"));
	region_parse_spec("disk:2", &s, err, sizeof err);
	CHECK(region_resolve(&s, &disks, &r, err, sizeof err) == -ENOENT && strstr(err, "no disk 2"));
	region_parse_spec("disk:0", &s, err, sizeof err);
	CHECK(region_resolve(&s, &disks, &whole, err, sizeof err) == 0 && whole.sectors == 8192);

	/* Two partitions side by side: both fit; the whole disk then overlaps. */
	r = (struct region){ 0, 2048, 2048, false };
	CHECK(region_claim(&claims, &r, "first", "gpt:alpha", err, sizeof err) == 0);
	r = (struct region){ 0, 4096, 2048, false };
	CHECK(region_claim(&claims, &r, "second", "gpt:beta", err, sizeof err) == 0);
	CHECK(region_claim(&claims, &whole, "third", "disk:0", err, sizeof err) == -EBUSY);
	CHECK(strstr(err, "region disk:0 (disk 0, sectors 0..8191) overlaps gpt:alpha (sectors 2048..4095), which backs guest first") != NULL);
	r = (struct region){ 0, 4095, 1, false };   /* one shared sector */
	CHECK(region_claim(&claims, &r, "third", "x", err, sizeof err) == -EBUSY);
	r = (struct region){ 1, 0, 100, false };    /* another disk */
	CHECK(region_claim(&claims, &r, "third", "disk:1", err, sizeof err) == 0);
	r = (struct region){ 1, 0, 0, false };
	CHECK(region_claim(&claims, &r, "fourth", "empty", err, sizeof err) == -EINVAL);
}

int main(void)
{
	test_specs();
	test_resolve_and_claim();
	return check_report("regions");
}
