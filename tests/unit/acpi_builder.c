/*
 * acpi_builder.c - test ACPI tables (acpi_builder.h).
 */
#include "acpi_builder.h"

#include <string.h>

#define HEADER 36
#define FADT_LEN 244
#define MADT_FIXED 44

void acpi_put32(struct acpi_image *img, size_t at, uint32_t v) { memcpy(img->mem + at, &v, 4); }
void acpi_put64(struct acpi_image *img, size_t at, uint64_t v) { memcpy(img->mem + at, &v, 8); }

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

void acpi_fix_table(struct acpi_image *img, size_t at)
{
	uint32_t len;

	memcpy(&len, img->mem + at + 4, 4);
	if (len > img->size - at)
		return;    /* a length a test broke on purpose: no sum to fix */
	img->mem[at + 9] = 0;
	img->mem[at + 9] = (uint8_t)-sum(img->mem + at, len);
}

void acpi_fix_rsdp(struct acpi_image *img)
{
	img->rsdp[8] = 0;
	img->rsdp[8] = (uint8_t)-sum(img->rsdp, 20);
	if (img->rsdp_len >= ACPI_RSDP_V2) {
		img->rsdp[32] = 0;
		img->rsdp[32] = (uint8_t)-sum(img->rsdp, ACPI_RSDP_V2);
	}
}

static void header(struct acpi_image *img, size_t at, const char *sig, uint32_t len,
		   uint8_t revision)
{
	memcpy(img->mem + at, sig, 4);
	acpi_put32(img, at + 4, len);
	img->mem[at + 8] = revision;
	memcpy(img->mem + at + 10, "SKIFF ", 6);
}

static const uint8_t good_aml[] = {
	0x10, 0x0f, '\\', '_', 'S', 'B', '_',            /* Scope(\_SB_) { a method }: */
	0x14, 0x08, 'P', 'T', 'S', '_', 0x01, 0xa4, 0x00,  /* a method */
	0x08, '\\', '_', 'S', '5', '_',                  /* Name(\_S5_, */
	0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,  /* Package(4){5, 5, 0, 0}) */
	0x5b, 0x80,                                      /* trailing bytes */
};

static void build_tables(struct acpi_image *img)
{
	static const uint8_t cpus[] = {
		0, 8, 0, 0, 1, 0, 0, 0,          /* local APIC UID 0, ID 0, enabled */
		0, 8, 1, 1, 1, 0, 0, 0,          /* local APIC UID 1, ID 1, enabled */
		0, 8, 2, 2, 0, 0, 0, 0,          /* local APIC ID 2: neither flag, skipped */
		1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0,  /* an I/O APIC, ignored */
		9, 16, 0, 0, 0x2c, 1, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0,  /* x2APIC 300, online-capable */
	};

	memset(img->mem, 0, img->size);
	header(img, AT_XSDT, "XSDT", HEADER + 16, 1);
	acpi_put64(img, AT_XSDT + HEADER, ACPI_TEST_BASE + AT_FADT);
	acpi_put64(img, AT_XSDT + HEADER + 8, ACPI_TEST_BASE + AT_MADT);
	acpi_fix_table(img, AT_XSDT);
	header(img, AT_RSDT, "RSDT", HEADER + 8, 1);
	acpi_put32(img, AT_RSDT + HEADER, (uint32_t)(ACPI_TEST_BASE + AT_FADT));
	acpi_put32(img, AT_RSDT + HEADER + 4, (uint32_t)(ACPI_TEST_BASE + AT_MADT));
	acpi_fix_table(img, AT_RSDT);
	header(img, AT_FADT, "FACP", FADT_LEN, 3);
	acpi_put32(img, AT_FADT + 40, (uint32_t)(ACPI_TEST_BASE + AT_DSDT));
	acpi_put32(img, AT_FADT + 64, 0x604);      /* PM1a control */
	img->mem[AT_FADT + 89] = 2;                /* PM1 control length */
	acpi_put32(img, AT_FADT + 112, 1u << 10);  /* RESET_REG_SUP */
	img->mem[AT_FADT + 116] = 1;               /* reset register: I/O, 8 bits */
	img->mem[AT_FADT + 117] = 8;
	img->mem[AT_FADT + 119] = 1;
	acpi_put64(img, AT_FADT + 120, 0xcf9);
	img->mem[AT_FADT + 128] = 6;
	acpi_put64(img, AT_FADT + 140, ACPI_TEST_BASE + AT_DSDT);  /* X_DSDT */
	img->mem[AT_FADT + 172] = 1;               /* X_PM1a_CNT_BLK: I/O 0x604 */
	img->mem[AT_FADT + 173] = 16;
	img->mem[AT_FADT + 175] = 2;
	acpi_put64(img, AT_FADT + 176, 0x604);
	acpi_fix_table(img, AT_FADT);
	acpi_set_dsdt_aml(img, good_aml, sizeof good_aml);
	header(img, AT_MADT, "APIC", MADT_FIXED, 3);
	acpi_put32(img, AT_MADT + 36, 0xfee00000);
	acpi_put32(img, AT_MADT + 40, 1);
	acpi_set_madt_entries(img, cpus, sizeof cpus);
}

void acpi_set_madt_entries(struct acpi_image *img, const uint8_t *bytes, size_t len)
{
	memcpy(img->mem + AT_MADT + MADT_FIXED, bytes, len);
	acpi_put32(img, AT_MADT + 4, (uint32_t)(MADT_FIXED + len));
	acpi_fix_table(img, AT_MADT);
}

void acpi_set_dsdt_aml(struct acpi_image *img, const uint8_t *aml, size_t len)
{
	header(img, AT_DSDT, "DSDT", (uint32_t)(HEADER + len), 2);
	memcpy(img->mem + AT_DSDT + HEADER, aml, len);
	acpi_fix_table(img, AT_DSDT);
}

static void rsdp(struct acpi_image *img, uint8_t revision)
{
	memset(img->rsdp, 0, sizeof img->rsdp);
	memcpy(img->rsdp, "RSD PTR ", 8);
	memcpy(img->rsdp + 9, "SKIFF ", 6);
	img->rsdp[15] = revision;
	memcpy(img->rsdp + 16, &(uint32_t){ (uint32_t)(ACPI_TEST_BASE + AT_RSDT) }, 4);
	img->rsdp_len = revision >= 2 ? ACPI_RSDP_V2 : 20;
	if (revision >= 2) {
		memcpy(img->rsdp + 20, &(uint32_t){ ACPI_RSDP_V2 }, 4);
		memcpy(img->rsdp + 24, &(uint64_t){ ACPI_TEST_BASE + AT_XSDT }, 8);
	}
	acpi_fix_rsdp(img);
}

void acpi_build(struct acpi_image *img)
{
	build_tables(img);
	rsdp(img, 2);
}

void acpi_build_v1(struct acpi_image *img)
{
	build_tables(img);
	rsdp(img, 0);
}
