/*
 * acpi_builder.h - ACPI tables as QEMU's firmware lays them out, built in a
 * buffer that stands for physical memory, for the ACPI host tests and the
 * fuzzer's seeds. Tests then break one thing at a time.
 *
 * Layout (offsets into mem, physical address ACPI_TEST_BASE + offset):
 * XSDT, RSDT (both list the FADT and the MADT), FADT revision 3 (244
 * bytes: PM1a control 0x604, reset register I/O 0xcf9 value 6), DSDT with
 * Name(\_S5_, Package(4){5, 5, 0, 0}), MADT with two enabled local APICs
 * (IDs 0, 1), one unusable (ID 2, no flags) and an online-capable x2APIC
 * (ID 300).
 */
#ifndef SKIFF_TEST_ACPI_BUILDER_H
#define SKIFF_TEST_ACPI_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_TEST_BASE UINT64_C(0x100000)
#define AT_XSDT 0x100
#define AT_RSDT 0x200
#define AT_FADT 0x400
#define AT_DSDT 0x600
#define AT_MADT 0x800
#define AT_END 0x1000        /* the smallest memory holding the whole set */
#define ACPI_RSDP_V2 36

struct acpi_image {
	uint8_t *mem;            /* size bytes standing for ACPI_TEST_BASE.. */
	size_t size;
	uint8_t rsdp[ACPI_RSDP_V2];
	size_t rsdp_len;
};

/*
 * The physical memory a test hands the parser: size bytes at ACPI_TEST_BASE.
 * acpi_test_map is the parser's map callback over it (ctx: the memory):
 * NULL for any range not wholly inside, so a read past it is caught.
 */
struct acpi_test_memory {
	const uint8_t *bytes;
	size_t size;
};

static inline const void *acpi_test_map(void *ctx, uint64_t phys, uint64_t len)
{
	const struct acpi_test_memory *m = ctx;

	if (phys < ACPI_TEST_BASE || phys - ACPI_TEST_BASE > m->size ||
	    len > m->size - (phys - ACPI_TEST_BASE))
		return NULL;
	return m->bytes + (phys - ACPI_TEST_BASE);
}

/* acpi_build: the good set into img->mem (size >= AT_END), RSDP revision 2. */
void acpi_build(struct acpi_image *img);

/* acpi_build_v1: the same, with an ACPI 1.0 RSDP (20 bytes, RSDT only). */
void acpi_build_v1(struct acpi_image *img);

/* acpi_fix_table: set the checksum of the table at mem[at] (none when its length runs past mem). */
void acpi_fix_table(struct acpi_image *img, size_t at);

/* acpi_fix_rsdp: set both RSDP checksums. */
void acpi_fix_rsdp(struct acpi_image *img);

/* acpi_put32 / acpi_put64: little-endian writes into mem. */
void acpi_put32(struct acpi_image *img, size_t at, uint32_t v);
void acpi_put64(struct acpi_image *img, size_t at, uint64_t v);

/*
 * acpi_set_madt_entries: replace the MADT's entries by bytes[0..len) (the
 * memory must hold AT_MADT + 44 + len) and fix its length and checksum.
 */
void acpi_set_madt_entries(struct acpi_image *img, const uint8_t *bytes, size_t len);

/* acpi_set_dsdt_aml: replace the DSDT's AML by aml[0..len); fix length and checksum. */
void acpi_set_dsdt_aml(struct acpi_image *img, const uint8_t *aml, size_t len);

#endif
