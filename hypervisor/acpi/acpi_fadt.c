/*
 * acpi_fadt.c - the FADT's power-off and reset registers, and the sleep
 * type of soft-off from its DSDT (ACPI 6.5, section 5.2.9).
 *
 * A FADT's length must cover what its revision defines (ACPI 1.0: 116
 * bytes; 2.0: 244; 5.0: 268; 6.0: 276): a table shorter than its revision
 * says is lying about its fields and is refused as a whole.
 */
#include "hypervisor/acpi/acpi_internal.h"

#define FADT_DSDT 40
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM1_CNT_LEN 89
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184

#define FLAG_RESET_REG_SUP (1u << 10)
#define FLAG_HW_REDUCED (1u << 20)
#define GAS_SIZE 12
#define IO_PORT_MAX 0xffffu

/* fadt_min_length: the length the FADT's header revision promises. */
static uint32_t fadt_min_length(uint8_t revision)
{
	if (revision <= 1)
		return 116;
	if (revision == 2)
		return 129;      /* through RESET_VALUE */
	if (revision <= 4)
		return 244;
	if (revision == 5)
		return 268;
	return 276;
}

static struct acpi_gas read_gas(const uint8_t *p)
{
	return (struct acpi_gas){ .space = p[0], .bit_width = p[1], .bit_offset = p[2],
				  .access_size = p[3], .address = acpi_u64(p + 4) };
}

/*
 * pm1_port: the I/O port of a PM1 control block: the 64-bit GAS when the
 * table has it and it is set, else the 32-bit field. Returns false after
 * a refusal (memory-mapped, or beyond the I/O space).
 */
static bool pm1_port(struct acpi_parse *ps, const uint8_t *t, uint32_t len,
		     unsigned legacy_at, unsigned gas_at, const char *name, uint16_t *port)
{
	uint64_t address = acpi_u32(t + legacy_at);

	if (len >= gas_at + GAS_SIZE) {
		struct acpi_gas gas = read_gas(t + gas_at);

		if (gas.address != 0) {
			if (gas.space != ACPI_SPACE_IO) {
				acpi_refuse(ps, "FACP: %s in address space %u, only I/O is supported",
					    name, gas.space);
				return false;
			}
			address = gas.address;
		}
	}
	if (address > IO_PORT_MAX) {
		acpi_refuse(ps, "FACP: %s port 0x%lx is beyond the I/O space", name,
			    (unsigned long)address);
		return false;
	}
	*port = (uint16_t)address;
	return true;
}

/* parse_reset: the reset register, when the FADT has one and says so. */
static void parse_reset(struct acpi_parse *ps, const uint8_t *t, uint32_t len, uint32_t flags)
{
	struct acpi_gas gas;

	if (len <= FADT_RESET_VALUE || !(flags & FLAG_RESET_REG_SUP))
		return;     /* none: power.c falls back to the keyboard controller */
	gas = read_gas(t + FADT_RESET_REG);
	if (gas.space != ACPI_SPACE_MEMORY && gas.space != ACPI_SPACE_IO &&
	    gas.space != ACPI_SPACE_PCI_CONFIG) {
		acpi_refuse(ps, "FACP: reset register in address space %u", gas.space);
		return;
	}
	if (gas.bit_width != 8 || gas.bit_offset != 0) {
		acpi_refuse(ps, "FACP: reset register is %u bits at bit %u, not one byte",
			    gas.bit_width, gas.bit_offset);
		return;
	}
	if (gas.space == ACPI_SPACE_IO && gas.address > IO_PORT_MAX) {
		acpi_refuse(ps, "FACP: reset port 0x%lx is beyond the I/O space",
			    (unsigned long)gas.address);
		return;
	}
	ps->out->reset_register = gas;
	ps->out->reset_value = t[FADT_RESET_VALUE];
	ps->out->can_reset = true;
}

/* parse_dsdt: the \_S5_ sleep types from the DSDT the FADT names. */
static void parse_dsdt(struct acpi_parse *ps, const uint8_t *t, uint32_t len)
{
	uint64_t phys = acpi_u32(t + FADT_DSDT);
	const uint8_t *dsdt;
	uint32_t dsdt_len;
	char err[96];

	if (len >= FADT_X_DSDT + 8 && acpi_u64(t + FADT_X_DSDT) != 0)
		phys = acpi_u64(t + FADT_X_DSDT);
	dsdt = acpi_map_table(ps, phys, "DSDT", 0, &dsdt_len);
	if (!dsdt)
		return;
	if (acpi_find_s5(dsdt + ACPI_HEADER_SIZE, dsdt_len - ACPI_HEADER_SIZE,
			 &ps->out->slp_typ_a, &ps->out->slp_typ_b, err, sizeof err) != 0) {
		acpi_refuse(ps, "DSDT: %s", err);
		return;
	}
	ps->out->have_dsdt_s5 = true;
}

void acpi_parse_fadt(struct acpi_parse *ps, const uint8_t *t, uint32_t len)
{
	uint8_t revision = t[8];
	uint32_t flags;
	uint16_t pm1a = 0, pm1b = 0;

	if (len < fadt_min_length(revision)) {
		acpi_refuse(ps, "FACP: length %u is shorter than revision %u defines (%u)", len,
			    revision, fadt_min_length(revision));
		return;
	}
	ps->out->have_fadt = true;
	flags = acpi_u32(t + FADT_FLAGS);
	parse_reset(ps, t, len, flags);
	if (flags & FLAG_HW_REDUCED) {
		acpi_refuse(ps, "FACP: hardware-reduced ACPI (no PM1 block) is not supported");
		return;
	}
	if (!pm1_port(ps, t, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT, "PM1a control", &pm1a) ||
	    !pm1_port(ps, t, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT, "PM1b control", &pm1b))
		return;
	if (pm1a == 0 || t[FADT_PM1_CNT_LEN] < 2) {
		acpi_refuse(ps, "FACP: no PM1a control block (port 0x%x, %u bytes)", pm1a,
			    t[FADT_PM1_CNT_LEN]);
		return;
	}
	ps->out->pm1a_control = pm1a;
	ps->out->pm1b_control = pm1b;
	parse_dsdt(ps, t, len);
	ps->out->can_power_off = ps->out->have_dsdt_s5;
}
