/*
 * acpi_madt.c - the processors of the MADT (ACPI 6.5, section 5.2.12).
 *
 * After the 36-byte header: the local APIC address (u32) and flags (u32),
 * then entries {u8 type, u8 length, ...}. Skiff reads processor local APIC
 * entries (type 0, 8 bytes: UID u8, APIC ID u8, flags u32), x2APIC entries
 * (type 9, 16 bytes: reserved u16, x2APIC ID u32, flags u32, UID u32) and
 * the 64-bit local APIC address override (type 5, 12 bytes). Flags bit 0
 * is "enabled", bit 1 "online capable"; a processor with neither cannot be
 * used and is skipped. An entry that runs past the table, is shorter than
 * its type, repeats an APIC ID, or more usable processors than
 * ACPI_MAX_CPUS refuse the whole MADT: a partial list would start the
 * wrong CPUs.
 */
#include "hypervisor/acpi/acpi_internal.h"

#define MADT_ENTRIES 44
#define MADT_LOCAL_APIC 0
#define MADT_APIC_OVERRIDE 5
#define MADT_X2APIC 9
#define FLAG_ENABLED 1u
#define FLAG_ONLINE_CAPABLE 2u

/* add_cpu: record one processor; false after a refusal. */
static bool add_cpu(struct acpi_parse *ps, struct acpi_cpu cpu, uint32_t flags)
{
	struct acpi_info *out = ps->out;

	if (!(flags & (FLAG_ENABLED | FLAG_ONLINE_CAPABLE)))
		return true;
	for (unsigned i = 0; i < out->cpu_count; i++) {
		if (out->cpus[i].apic_id == cpu.apic_id) {
			acpi_refuse(ps, "APIC: APIC ID %u is listed twice", cpu.apic_id);
			return false;
		}
	}
	if (out->cpu_count >= ACPI_MAX_CPUS) {
		acpi_refuse(ps, "APIC: more than %u usable processors", ACPI_MAX_CPUS);
		return false;
	}
	cpu.enabled = flags & FLAG_ENABLED;
	out->cpus[out->cpu_count++] = cpu;
	return true;
}

/* parse_entry: one entry of type and length at e; false after a refusal. */
static bool parse_entry(struct acpi_parse *ps, const uint8_t *e, uint8_t type, uint8_t length,
			uint32_t offset)
{
	static const uint8_t min_length[] = { [MADT_LOCAL_APIC] = 8, [MADT_APIC_OVERRIDE] = 12,
					      [MADT_X2APIC] = 16 };

	if (type != MADT_LOCAL_APIC && type != MADT_APIC_OVERRIDE && type != MADT_X2APIC)
		return true;
	if (length < min_length[type]) {
		acpi_refuse(ps, "APIC: entry of type %u at offset %u has length %u, below %u",
			    type, offset, length, min_length[type]);
		return false;
	}
	if (type == MADT_APIC_OVERRIDE) {
		ps->out->local_apic_address = acpi_u64(e + 4);
		return true;
	}
	if (type == MADT_LOCAL_APIC)
		return add_cpu(ps, (struct acpi_cpu){ .apic_id = e[3], .uid = e[2] },
			       acpi_u32(e + 4));
	return add_cpu(ps, (struct acpi_cpu){ .apic_id = acpi_u32(e + 4),
					      .uid = acpi_u32(e + 12), .x2apic = true },
		       acpi_u32(e + 8));
}

void acpi_parse_madt(struct acpi_parse *ps, const uint8_t *t, uint32_t len)
{
	uint32_t at = MADT_ENTRIES;

	if (len < MADT_ENTRIES) {
		acpi_refuse(ps, "APIC: length %u is below %u", len, MADT_ENTRIES);
		return;
	}
	ps->out->local_apic_address = acpi_u32(t + 36);
	while (at < len) {
		uint8_t type, length;

		if (len - at < 2) {
			acpi_refuse(ps, "APIC: entry header at offset %u runs past the table", at);
			goto refused;
		}
		type = t[at];
		length = t[at + 1];
		if (length < 2 || length > len - at) {
			acpi_refuse(ps, "APIC: entry of type %u at offset %u has length %u (%u left)",
				    type, at, length, len - at);
			goto refused;
		}
		if (!parse_entry(ps, t + at, type, length, at))
			goto refused;
		at += length;
	}
	ps->out->have_madt = true;
	return;
refused:
	ps->out->cpu_count = 0;
	ps->out->local_apic_address = 0;
}
