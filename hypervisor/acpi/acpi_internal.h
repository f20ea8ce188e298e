/*
 * acpi_internal.h - what the ACPI table parsers share: a parse in progress,
 * little-endian reads through memcpy (tables need not be aligned) and the
 * checked mapping of a whole table. Private to hypervisor/acpi/.
 */
#ifndef SKIFF_ACPI_INTERNAL_H
#define SKIFF_ACPI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/acpi/acpi.h"
#include "lib/kstring.h"

#define ACPI_HEADER_SIZE 36

/* A parse in progress. */
struct acpi_parse {
	const struct acpi_env *env;
	struct acpi_info *out;
	bool refused;          /* something was refused: acpi_parse returns -EINVAL */
};

static inline uint8_t acpi_u8(const uint8_t *p) { return p[0]; }

static inline uint16_t acpi_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint32_t acpi_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint64_t acpi_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* acpi_refuse: report "acpi: <text>" through env->note and remember the refusal. */
__attribute__((format(printf, 2, 3)))
void acpi_refuse(struct acpi_parse *ps, const char *fmt, ...);

/* acpi_checksum_ok: the bytes p[0..len) sum to 0 modulo 256. */
bool acpi_checksum_ok(const uint8_t *p, uint64_t len);

/*
 * acpi_map_table: the whole table with signature sig (4 characters) at
 * phys, after checking that its header and its length (at least the
 * header, at least min_len) are readable and its checksum holds. Returns
 * NULL after a refusal naming the table and the reason; *len gets the
 * table's length.
 */
const uint8_t *acpi_map_table(struct acpi_parse *ps, uint64_t phys, const char *sig,
			      uint32_t min_len, uint32_t *len);

/* acpi_parse_fadt: the FADT table[0..len), then its DSDT's \_S5_ (acpi_fadt.c). */
void acpi_parse_fadt(struct acpi_parse *ps, const uint8_t *table, uint32_t len);

/*
 * acpi_find_s5: the SLP_TYPa and SLP_TYPb values of the \_S5_ package in
 * the AML aml[0..len) (acpi_s5.c). Returns 0, or -EINVAL with a reason in
 * err (errlen bytes) when no well-formed package is found.
 */
int acpi_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typ_a, uint8_t *typ_b,
		 char *err, size_t errlen);

/* acpi_parse_madt: the MADT table[0..len) into the CPU list (acpi_madt.c). */
void acpi_parse_madt(struct acpi_parse *ps, const uint8_t *table, uint32_t len);

#endif
