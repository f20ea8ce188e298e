/*
 * acpi_tables.c - from the RSDP to the tables Skiff reads (acpi.h).
 *
 * ACPI 6.5, section 5.2: the RSDP (20 bytes, checksummed; from revision 2
 * 36 bytes with a second checksum over its length) points to the RSDT
 * (32-bit entries) and, from revision 2, to the XSDT (64-bit entries),
 * which Skiff prefers. Every table starts with a 36-byte header whose
 * length covers the whole table and whose bytes sum to zero.
 */
#include <stdarg.h>

#include "hypervisor/acpi/acpi_internal.h"
#include "lib/errno.h"
#include "lib/format.h"

/*
 * No table Skiff reads comes near this (a DSDT of a large server is a few
 * hundred KiB; an MADT of 10^4 entries 160 KiB): a longer one is a lie, and
 * checksumming it would read through device memory.
 */
#define TABLE_MAX_BYTES (UINT32_C(16) << 20)
#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36
#define NOTE_MAX 160

void acpi_refuse(struct acpi_parse *ps, const char *fmt, ...)
{
	char text[NOTE_MAX];
	size_t used;
	va_list ap;

	used = (size_t)format(text, sizeof text, "acpi: ");
	va_start(ap, fmt);
	format_v(text + used, sizeof text - used, fmt, ap);
	va_end(ap);
	ps->refused = true;
	if (ps->env->note)
		ps->env->note(ps->env->ctx, text);
}

bool acpi_checksum_ok(const uint8_t *p, uint64_t len)
{
	uint8_t sum = 0;

	for (uint64_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

const uint8_t *acpi_map_table(struct acpi_parse *ps, uint64_t phys, const char *sig,
			      uint32_t min_len, uint32_t *len)
{
	const uint8_t *header, *table;

	if (phys == 0) {
		acpi_refuse(ps, "%s: address is 0", sig);
		return NULL;
	}
	header = ps->env->map(ps->env->ctx, phys, ACPI_HEADER_SIZE);
	if (!header) {
		acpi_refuse(ps, "%s at 0x%lx: header is outside readable memory", sig,
			    (unsigned long)phys);
		return NULL;
	}
	if (memcmp(header, sig, 4) != 0) {
		acpi_refuse(ps, "%s at 0x%lx: signature is '%.4s'", sig, (unsigned long)phys,
			    (const char *)header);
		return NULL;
	}
	*len = acpi_u32(header + 4);
	if (*len < ACPI_HEADER_SIZE || *len < min_len) {
		acpi_refuse(ps, "%s at 0x%lx: length %u is below %u", sig, (unsigned long)phys,
			    *len, min_len > ACPI_HEADER_SIZE ? min_len : ACPI_HEADER_SIZE);
		return NULL;
	}
	if (*len > TABLE_MAX_BYTES) {
		acpi_refuse(ps, "%s at 0x%lx: length %u is above %u", sig, (unsigned long)phys, *len,
			    TABLE_MAX_BYTES);
		return NULL;
	}
	table = ps->env->map(ps->env->ctx, phys, *len);
	if (!table) {
		acpi_refuse(ps, "%s at 0x%lx: length %u runs outside readable memory", sig,
			    (unsigned long)phys, *len);
		return NULL;
	}
	if (!acpi_checksum_ok(table, *len)) {
		acpi_refuse(ps, "%s at 0x%lx: bad checksum", sig, (unsigned long)phys);
		return NULL;
	}
	return table;
}

/*
 * root_table: the XSDT (revision 2 and a nonzero address) or the RSDT from
 * a checked RSDP; *entry_size gets 8 or 4. NULL after a refusal.
 */
static const uint8_t *root_table(struct acpi_parse *ps, const uint8_t *rsdp, size_t rsdp_len,
				 uint32_t *len, unsigned *entry_size)
{
	if (rsdp_len < RSDP_V1_SIZE) {
		acpi_refuse(ps, "RSDP copy is %zu bytes, below %u", rsdp_len, RSDP_V1_SIZE);
		return NULL;
	}
	if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
		acpi_refuse(ps, "RSDP signature is not 'RSD PTR '");
		return NULL;
	}
	if (!acpi_checksum_ok(rsdp, RSDP_V1_SIZE)) {
		acpi_refuse(ps, "RSDP: bad checksum");
		return NULL;
	}
	ps->out->rsdp_revision = rsdp[15];
	if (rsdp[15] >= 2) {
		uint32_t length;

		if (rsdp_len < RSDP_V2_SIZE) {
			acpi_refuse(ps, "RSDP revision %u copy is %zu bytes, below %u", rsdp[15],
				    rsdp_len, RSDP_V2_SIZE);
			return NULL;
		}
		length = acpi_u32(rsdp + 20);
		if (length < RSDP_V2_SIZE || length > rsdp_len) {
			acpi_refuse(ps, "RSDP length %u is outside %u..%zu", length, RSDP_V2_SIZE,
				    rsdp_len);
			return NULL;
		}
		if (!acpi_checksum_ok(rsdp, length)) {
			acpi_refuse(ps, "RSDP: bad extended checksum");
			return NULL;
		}
		if (acpi_u64(rsdp + 24) != 0) {
			*entry_size = 8;
			return acpi_map_table(ps, acpi_u64(rsdp + 24), "XSDT", 0, len);
		}
	}
	*entry_size = 4;
	return acpi_map_table(ps, acpi_u32(rsdp + 16), "RSDT", 0, len);
}

/* visit_entry: read the table at phys if it is one Skiff uses (first of each kind). */
static void visit_entry(struct acpi_parse *ps, uint64_t phys, bool *seen_fadt, bool *seen_madt)
{
	const uint8_t *header = phys ? ps->env->map(ps->env->ctx, phys, ACPI_HEADER_SIZE) : NULL;
	const uint8_t *table;
	uint32_t len;

	if (!header) {
		acpi_refuse(ps, "root table entry 0x%lx is outside readable memory",
			    (unsigned long)phys);
		return;
	}
	if (memcmp(header, "FACP", 4) == 0 && !*seen_fadt) {
		*seen_fadt = true;
		table = acpi_map_table(ps, phys, "FACP", 0, &len);
		if (table)
			acpi_parse_fadt(ps, table, len);
	} else if (memcmp(header, "APIC", 4) == 0 && !*seen_madt) {
		*seen_madt = true;
		table = acpi_map_table(ps, phys, "APIC", 0, &len);
		if (table)
			acpi_parse_madt(ps, table, len);
	}
}

int acpi_parse(const struct acpi_env *env, const void *rsdp, size_t rsdp_len,
	       struct acpi_info *out)
{
	struct acpi_parse ps = { .env = env, .out = out };
	const uint8_t *root;
	uint32_t len, count;
	unsigned entry_size = 4;
	bool seen_fadt = false, seen_madt = false;

	memset(out, 0, sizeof *out);
	root = rsdp ? root_table(&ps, rsdp, rsdp_len, &len, &entry_size) : NULL;
	if (!rsdp)
		acpi_refuse(&ps, "no RSDP");
	if (!root)
		return -EINVAL;
	if ((len - ACPI_HEADER_SIZE) % entry_size != 0) {
		acpi_refuse(&ps, "%.4s length %u is not a whole number of %u-byte entries",
			    (const char *)root, len, entry_size);
		return -EINVAL;
	}
	count = (len - ACPI_HEADER_SIZE) / entry_size;
	if (count > ACPI_MAX_ROOT_ENTRIES) {
		acpi_refuse(&ps, "%.4s lists %u tables, more than %u", (const char *)root, count,
			    ACPI_MAX_ROOT_ENTRIES);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *entry = root + ACPI_HEADER_SIZE + (size_t)i * entry_size;

		visit_entry(&ps, entry_size == 8 ? acpi_u64(entry) : acpi_u32(entry),
			    &seen_fadt, &seen_madt);
	}
	if (!seen_fadt)
		acpi_refuse(&ps, "no FADT in the %.4s", (const char *)root);
	if (!seen_madt)
		acpi_refuse(&ps, "no MADT in the %.4s", (const char *)root);
	return ps.refused ? -EINVAL : 0;
}
