/*
 * acpi.h - the ACPI tables Skiff needs, parsed and checked: the RSDP (a copy
 * in the multiboot2 information), the RSDT or XSDT, the FADT (power-off and
 * reset registers), the DSDT's \_S5_ package (the sleep type of soft-off)
 * and the MADT (the processors a later SMP bring-up will start).
 *
 * The parser is portable C: host tests and a fuzzer run it over crafted
 * memory. Firmware tables are input like any other: every signature,
 * length and checksum is checked before a field is read, every pointer goes
 * through env->map, and a bad table is refused with a message (through
 * env->note) while what was valid elsewhere is kept. It never panics.
 */
#ifndef SKIFF_ACPI_H
#define SKIFF_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256        /* processors Skiff records from the MADT */
#define ACPI_MAX_ROOT_ENTRIES 256 /* tables an RSDT or XSDT may list */

/* Generic Address Structure address spaces Skiff can write. */
#define ACPI_SPACE_MEMORY 0
#define ACPI_SPACE_IO 1
#define ACPI_SPACE_PCI_CONFIG 2

/* A register given as a Generic Address Structure. */
struct acpi_gas {
	uint8_t space;       /* ACPI_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* A processor from the MADT. */
struct acpi_cpu {
	uint32_t apic_id;    /* local APIC or x2APIC ID */
	uint32_t uid;        /* ACPI processor UID */
	bool x2apic;         /* listed as an x2APIC entry (type 9) */
	bool enabled;        /* usable now; else only online-capable */
};

/* What Skiff takes from the tables; every "have_" says the part was valid. */
struct acpi_info {
	uint8_t rsdp_revision;        /* 0 for ACPI 1.0, 2 and up for an XSDT */
	bool have_fadt, have_dsdt_s5, have_madt;

	/* Soft-off (S5): write SLP_TYP | SLP_EN to PM1a (and PM1b if nonzero). */
	bool can_power_off;
	uint16_t pm1a_control, pm1b_control;   /* I/O ports; pm1b 0 if none */
	uint8_t slp_typ_a, slp_typ_b;          /* from \_S5_, 3 bits each */

	/* Reset: write reset_value to reset_register. */
	bool can_reset;
	struct acpi_gas reset_register;
	uint8_t reset_value;

	/* Processors: the enabled and online-capable ones, in MADT order. */
	uint64_t local_apic_address;
	unsigned cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
};

/*
 * Where the tables are and where refusals go.
 *
 * map(ctx, phys, len): a pointer to the len bytes at physical address phys,
 * or NULL when they are not all readable (outside memory, or phys + len
 * overflows). note(ctx, text): one line saying what was refused and why.
 */
struct acpi_env {
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void (*note)(void *ctx, const char *text);
	void *ctx;
};

/*
 * acpi_parse: parse the tables reachable from the RSDP copy rsdp[0..rsdp_len)
 * into *out (cleared first). Returns 0 when every table Skiff reads was
 * valid, -EINVAL when anything was refused: each refusal was reported
 * through env->note and its part of *out stays absent (have_* false, no
 * CPUs), while valid parts are kept (a bad MADT leaves power-off working).
 * A bad RSDP or root table leaves *out empty. Never reads outside what
 * env->map returned.
 */
int acpi_parse(const struct acpi_env *env, const void *rsdp, size_t rsdp_len,
	       struct acpi_info *out);

#endif
