/*
 * acpi_boot.h - ACPI in the running hypervisor: the tables read once at
 * boot, and the two things Skiff does with them at the end of a run.
 */
#ifndef SKIFF_ACPI_BOOT_H
#define SKIFF_ACPI_BOOT_H

#include "hypervisor/acpi/acpi.h"
#include "hypervisor/boot/multiboot2.h"

/* What acpi_init found (all absent until it ran, or when it refused). */
extern struct acpi_info acpi_info;

/*
 * acpi_init: parse the tables from the RSDP copy in info (identity-mapped
 * memory below 4 GiB only) and log what Skiff will use: the power-off and
 * reset registers and the processors. Each refused table is logged as
 * "skiff: acpi: <reason>"; Skiff then falls back (power.h), it never stops.
 * Call once, after the multiboot2 information was parsed and before frames
 * are handed out (the tables may lie in usable RAM).
 */
void acpi_init(const struct boot_info *info);

/*
 * acpi_power_off: write SLP_TYPx | SLP_EN to PM1a (and PM1b) control and
 * wait up to about a second for the machine to go. Returns when the tables
 * gave no way to power off, or when it did not take effect.
 */
void acpi_power_off(void);

/*
 * acpi_reset: write the FADT's reset value to its reset register and wait
 * up to about a second. Returns when there is none or nothing happened.
 */
void acpi_reset(void);

#endif
