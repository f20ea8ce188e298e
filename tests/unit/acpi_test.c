/*
 * acpi_test.c - host tests for hypervisor/acpi/: a good set of tables (with
 * an XSDT and with only an RSDT), then lying ones, one defect at a time:
 * bad RSDP checksums, truncated tables at every length, an FADT shorter
 * than its revision says, an MADT with 10^4 entries, entries of length 0,
 * tables that point into each other, broken \_S5_ packages, and random
 * mutations. Memory is a heap buffer of exactly the given size, so ASan
 * catches a read past what map() allowed.
 */
#include <stdlib.h>
#include <string.h>

#include "acpi_builder.h"
#include "check.h"
#include "hypervisor/acpi/acpi.h"
#include "lib/errno.h"

/* Refusals of the last parse: how many, and all their text. */
static unsigned note_count;
static char notes[8192];

static void note(void *ctx, const char *text)
{
	(void)ctx;
	note_count++;
	if (strlen(notes) + strlen(text) + 2 < sizeof notes) {
		strcat(notes, text);
		strcat(notes, "\n");
	}
}

static struct acpi_info info;

/* parse: the tables of img with memory cut to size bytes (size <= img->size). */
static int parse_sized(const struct acpi_image *img, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct acpi_test_memory m = { copy, size };
	struct acpi_env env = { .map = acpi_test_map, .note = note, .ctx = &m };
	int rc;

	memcpy(copy, img->mem, size);
	note_count = 0;
	notes[0] = '\0';
	rc = acpi_parse(&env, img->rsdp, img->rsdp_len, &info);
	free(copy);
	return rc;
}

static int parse(const struct acpi_image *img) { return parse_sized(img, img->size); }

static void image(struct acpi_image *img, size_t size)
{
	img->mem = calloc(1, size);
	img->size = size;
	acpi_build(img);
}

static void check_good_result(void)
{
	CHECK(info.have_fadt && info.have_dsdt_s5 && info.have_madt);
	CHECK(info.can_power_off && info.pm1a_control == 0x604 && info.pm1b_control == 0);
	CHECK(info.slp_typ_a == 5 && info.slp_typ_b == 5);
	CHECK(info.can_reset && info.reset_register.space == ACPI_SPACE_IO &&
	      info.reset_register.address == 0xcf9 && info.reset_value == 6);
	CHECK(info.local_apic_address == 0xfee00000);
	CHECK(info.cpu_count == 3);
	CHECK(info.cpus[0].apic_id == 0 && info.cpus[0].enabled && !info.cpus[0].x2apic);
	CHECK(info.cpus[1].apic_id == 1 && info.cpus[1].uid == 1);
	CHECK(info.cpus[2].apic_id == 300 && info.cpus[2].x2apic && !info.cpus[2].enabled &&
	      info.cpus[2].uid == 7);
}

static void test_good(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	CHECK(parse(&img) == 0 && note_count == 0);
	CHECK(info.rsdp_revision == 2);
	check_good_result();
	acpi_build_v1(&img);
	CHECK(parse(&img) == 0 && note_count == 0);
	CHECK(info.rsdp_revision == 0);
	check_good_result();
	free(img.mem);
}

static void test_rsdp(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	img.rsdp[8] ^= 1;                          /* first checksum */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "RSDP: bad checksum"));
	CHECK(!info.have_fadt && !info.have_madt && info.cpu_count == 0);
	acpi_build(&img);
	img.rsdp[32] ^= 1;                         /* extended checksum */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "extended checksum"));
	acpi_build(&img);
	img.rsdp_len = 20;                         /* revision 2, but a 1.0-sized copy */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "below 36"));
	acpi_build(&img);
	memcpy(img.rsdp, "RSD PTX ", 8);
	acpi_fix_rsdp(&img);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "signature"));
	acpi_build(&img);
	memcpy(img.rsdp + 20, &(uint32_t){ 1000 }, 4);   /* length beyond the copy */
	acpi_fix_rsdp(&img);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "RSDP length 1000"));
	for (size_t n = 0; n < 20; n++) {          /* every truncated copy */
		acpi_build(&img);
		img.rsdp_len = n;
		CHECK(parse(&img) == -EINVAL && note_count == 1 && !info.have_fadt);
	}
	struct acpi_test_memory none = { NULL, 0 };
	struct acpi_env env = { .map = acpi_test_map, .note = note, .ctx = &none };
	note_count = 0;
	CHECK(acpi_parse(&env, NULL, 0, &info) == -EINVAL && note_count == 1);
	free(img.mem);
}

/* Cutting memory short at every length: never a read past it, always a refusal. */
static void test_truncated_memory(void)
{
	struct acpi_image img;

	uint32_t madt_len;

	image(&img, AT_END);
	memcpy(&madt_len, img.mem + AT_MADT + 4, 4);
	for (size_t size = 0; size < AT_MADT + madt_len; size++) {
		CHECK(parse_sized(&img, size) == -EINVAL && note_count >= 1);
		CHECK(!info.have_madt);
	}
	CHECK(parse_sized(&img, AT_MADT + madt_len) == 0);
	free(img.mem);
}

static void test_fadt_lies(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	acpi_put32(&img, AT_FADT + 4, 116);        /* revision 3 promises 244 bytes */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "shorter than revision 3 defines (244)"));
	CHECK(!info.have_fadt && !info.can_power_off && !info.can_reset);
	CHECK(info.have_madt && info.cpu_count == 3);   /* the MADT still counts */
	acpi_build(&img);
	img.mem[AT_FADT + 8] = 1;                  /* revision 1 with 116 bytes is fine */
	acpi_put32(&img, AT_FADT + 4, 116);
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == 0 && info.can_power_off && !info.can_reset);
	acpi_build(&img);
	img.mem[AT_FADT + 9] ^= 0x55;              /* checksum */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "FACP at 0x100400: bad checksum"));
	acpi_build(&img);
	acpi_put32(&img, AT_FADT + 4, 0x7fffffff);  /* a length no table has */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "length 2147483647 is above 16777216"));
	acpi_build(&img);
	acpi_put32(&img, AT_FADT + 4, AT_END - AT_FADT + 1);  /* one byte past memory */
	CHECK(parse(&img) == -EINVAL && strstr(notes, "runs outside readable memory"));
	acpi_build(&img);
	acpi_put64(&img, AT_FADT + 176, 0x12345);   /* PM1a beyond the I/O space */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "beyond the I/O space") && !info.can_power_off);
	acpi_build(&img);
	img.mem[AT_FADT + 172] = 0;                 /* PM1a memory-mapped */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "only I/O") && !info.can_power_off);
	acpi_build(&img);
	img.mem[AT_FADT + 117] = 16;                /* reset register two bytes wide */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && !info.can_reset && info.can_power_off);
	acpi_build(&img);
	acpi_put32(&img, AT_FADT + 112, 1u << 20);  /* hardware-reduced */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "hardware-reduced") && !info.can_power_off);
	free(img.mem);
}

/* Tables pointing into each other, or into themselves. */
static void test_overlaps(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	acpi_put64(&img, AT_FADT + 140, ACPI_TEST_BASE + AT_FADT);   /* DSDT = the FADT */
	acpi_fix_table(&img, AT_FADT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "DSDT at 0x100400: signature is 'FACP'"));
	CHECK(info.have_fadt && !info.can_power_off && info.can_reset);
	acpi_build(&img);
	acpi_put64(&img, AT_XSDT + 36, ACPI_TEST_BASE + AT_XSDT);    /* XSDT lists itself */
	acpi_fix_table(&img, AT_XSDT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "no FADT") && info.have_madt);
	acpi_build(&img);
	acpi_put64(&img, AT_XSDT + 44, ACPI_TEST_BASE + AT_FADT);    /* the FADT twice */
	acpi_fix_table(&img, AT_XSDT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "no MADT") && info.can_power_off);
	acpi_build(&img);
	acpi_put32(&img, AT_XSDT + 4, AT_FADT + 40 - AT_XSDT);       /* XSDT runs over the FADT */
	acpi_fix_table(&img, AT_XSDT);
	CHECK(parse(&img) == -EINVAL && note_count >= 1);
	acpi_build(&img);
	acpi_put32(&img, AT_XSDT + 4, 36 + 12);                      /* half an entry */
	acpi_fix_table(&img, AT_XSDT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "whole number"));
	acpi_build(&img);
	acpi_put64(&img, AT_MADT - 8, 0);
	acpi_put64(&img, AT_XSDT + 36, UINT64_MAX - 8);               /* wraps around */
	acpi_fix_table(&img, AT_XSDT);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "outside readable memory"));
	free(img.mem);
}

static void put_x2apic(uint8_t *e, uint32_t id, uint32_t flags)
{
	memset(e, 0, 16);
	e[0] = 9;
	e[1] = 16;
	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &id, 4);
}

static void test_madt(void)
{
	enum { MANY = 10000 };
	size_t size = AT_MADT + 44 + (size_t)MANY * 16;
	uint8_t *entries = calloc(MANY, 16);
	struct acpi_image img;

	image(&img, size);
	for (uint32_t i = 0; i < MANY; i++)       /* 10^4 usable x2APICs */
		put_x2apic(entries + 16 * i, i, 1);
	acpi_set_madt_entries(&img, entries, (size_t)MANY * 16);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "more than 256 usable processors"));
	CHECK(!info.have_madt && info.cpu_count == 0 && info.can_power_off);
	for (uint32_t i = 0; i < MANY; i++)       /* 10^4 entries, 200 usable */
		put_x2apic(entries + 16 * i, i, i % 50 == 0 ? 1 : 0);
	acpi_set_madt_entries(&img, entries, (size_t)MANY * 16);
	CHECK(parse(&img) == 0 && info.have_madt && info.cpu_count == 200);
	CHECK(info.cpus[199].apic_id == 9950);
	memset(entries, 0, (size_t)MANY * 8);     /* 10^4 local APICs, all ID 0 */
	for (uint32_t i = 0; i < MANY; i++) {
		entries[8 * i + 1] = 8;
		entries[8 * i + 4] = 1;
	}
	acpi_set_madt_entries(&img, entries, (size_t)MANY * 8);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "APIC ID 0 is listed twice"));
	CHECK(!info.have_madt && info.cpu_count == 0);
	const uint8_t zero_length[] = { 0, 8, 0, 0, 1, 0, 0, 0, 0, 0 };
	acpi_set_madt_entries(&img, zero_length, sizeof zero_length);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "has length 0") && info.cpu_count == 0);
	const uint8_t short_x2apic[] = { 9, 8, 0, 0, 1, 0, 0, 0 };
	acpi_set_madt_entries(&img, short_x2apic, sizeof short_x2apic);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "below 16"));
	const uint8_t past_end[] = { 0, 8, 0, 0, 1, 0, 0, 0, 9, 16, 0 };
	acpi_set_madt_entries(&img, past_end, sizeof past_end);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "(3 left)"));
	const uint8_t odd_byte[] = { 0, 8, 0, 0, 1, 0, 0, 0, 9 };
	acpi_set_madt_entries(&img, odd_byte, sizeof odd_byte);
	CHECK(parse(&img) == -EINVAL && strstr(notes, "entry header"));
	const uint8_t override[] = { 5, 12, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	acpi_set_madt_entries(&img, override, sizeof override);
	CHECK(parse(&img) == 0 && info.local_apic_address == UINT64_C(0x100000000) &&
	      info.cpu_count == 0);
	free(entries);
	free(img.mem);
}

/* s5: parse with the DSDT's AML replaced; returns acpi_parse's result. */
static int s5(struct acpi_image *img, const uint8_t *aml, size_t len)
{
	acpi_build(img);
	acpi_set_dsdt_aml(img, aml, len);
	return parse(img);
}

static void test_s5(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	const uint8_t plain[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00 };
	CHECK(s5(&img, plain, sizeof plain) == 0 && info.slp_typ_a == 0 && info.slp_typ_b == 1);
	const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x07, 0x00 };
	CHECK(s5(&img, one, sizeof one) == 0 && info.slp_typ_a == 7 && info.slp_typ_b == 0);
	const uint8_t reference_first[] = { 0x70, '_', 'S', '5', '_', 0x60,   /* Store(_S5_, Local0) */
					    0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x03, 0x01 };
	CHECK(s5(&img, reference_first, sizeof reference_first) == 0 && info.slp_typ_a == 3);
	const uint8_t two_byte_length[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x04, 0x02, 0x0c,
					    0x02, 0, 0, 0, 0x0e, 0x03, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t big[200] = { 0 };
	memcpy(big, two_byte_length, sizeof two_byte_length);
	CHECK(s5(&img, big, 0x47 + 6) == 0 && info.slp_typ_a == 2 && info.slp_typ_b == 3);
	CHECK(s5(&img, big, 0x47 + 5) == -EINVAL && strstr(notes, "runs past the table"));
	const uint8_t none[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x01, 0x00, 0x00 };
	CHECK(s5(&img, none, sizeof none) == -EINVAL && strstr(notes, "no \\_S5_ package"));
	CHECK(!info.can_power_off && info.can_reset);
	const uint8_t not_package[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
	CHECK(s5(&img, not_package, sizeof not_package) == -EINVAL && strstr(notes, "not a package"));
	const uint8_t too_big[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00 };
	CHECK(s5(&img, too_big, sizeof too_big) == -EINVAL && strstr(notes, "exceed 3 bits"));
	const uint8_t empty[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	CHECK(s5(&img, empty, sizeof empty) == -EINVAL && strstr(notes, "no integer"));
	const uint8_t string_elem[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0d, 'a', 0 };
	CHECK(s5(&img, string_elem, sizeof string_elem) == -EINVAL);
	const uint8_t element_cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0c, 0x01, 0x00,
					0x00, 0x00 };
	CHECK(s5(&img, element_cut, sizeof element_cut) == -EINVAL);   /* DWord past the package */
	for (size_t n = 0; n < sizeof plain; n++)  /* every truncation of the AML */
		CHECK(s5(&img, plain, n) == -EINVAL && !info.can_power_off);
	free(img.mem);
}

/* Random byte changes anywhere: any result, but only sane ones and no bad reads. */
static void test_mutations(void)
{
	struct acpi_image img;

	image(&img, AT_END);
	srand(16);
	for (int round = 0; round < 20000; round++) {
		acpi_build(&img);
		for (int k = 0; k < 1 + rand() % 4; k++) {
			size_t at = (size_t)rand() % (AT_END + 36);
			uint8_t v = (uint8_t)rand();
			if (at < AT_END)
				img.mem[at] = v;
			else
				img.rsdp[at - AT_END] = v;
		}
		if (rand() % 2) {               /* keep checksums right, so deeper code runs */
			acpi_fix_rsdp(&img);
			acpi_fix_table(&img, AT_XSDT);
			acpi_fix_table(&img, AT_FADT);
			acpi_fix_table(&img, AT_DSDT);
			acpi_fix_table(&img, AT_MADT);
		}
		int rc = parse(&img);
		CHECK((rc == 0) == (note_count == 0));
		CHECK(info.cpu_count <= ACPI_MAX_CPUS && info.slp_typ_a <= 7 && info.slp_typ_b <= 7);
		CHECK(!info.can_power_off || info.pm1a_control != 0);
	}
	free(img.mem);
}

int main(void)
{
	test_good();
	test_rsdp();
	test_truncated_memory();
	test_fadt_lies();
	test_overlaps();
	test_madt();
	test_s5();
	test_mutations();
	return check_report("acpi_test");
}
