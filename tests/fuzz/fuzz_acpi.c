/*
 * fuzz_acpi.c - libFuzzer entry point for the ACPI table parser
 * (hypervisor/acpi/). Input: u8 RSDP copy length (taken modulo 37), 36
 * bytes of RSDP copy, then physical memory from ACPI_TEST_BASE (the
 * address the seeds' tables point into). The RSDP copy and the memory are
 * heap blocks of exactly their sizes, so ASan reports any read past what
 * map() handed out. What the parser accepts must keep its promises: a
 * result is 0 exactly when nothing was refused, sleep types fit 3 bits,
 * power-off has a PM1a port, the CPU list is within its limit with
 * distinct APIC IDs, and a refusal of the root leaves the result empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_builder.h"
#include "hypervisor/acpi/acpi.h"

#define RSDP_FIELD 36

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned notes;

static void note(void *ctx, const char *text)
{
	(void)ctx;
	if (text[0] == '\0' || strlen(text) >= 160)
		abort();
	notes++;
}

static void check_info(const struct acpi_info *info, int rc)
{
	if ((rc == 0) != (notes == 0))
		abort();
	if (info->slp_typ_a > 7 || info->slp_typ_b > 7 || info->cpu_count > ACPI_MAX_CPUS)
		abort();
	if (info->can_power_off && (info->pm1a_control == 0 || !info->have_dsdt_s5 ||
				    !info->have_fadt))
		abort();
	if (info->can_reset && (!info->have_fadt || info->reset_register.bit_width != 8))
		abort();
	if (!info->have_madt && info->cpu_count != 0)
		abort();
	for (unsigned i = 0; i < info->cpu_count; i++)
		for (unsigned j = i + 1; j < info->cpu_count; j++)
			if (info->cpus[i].apic_id == info->cpus[j].apic_id)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info;
	size_t rsdp_len, mem_size;
	uint8_t *rsdp, *mem;

	if (size < 1 + RSDP_FIELD)
		return 0;
	rsdp_len = data[0] % (RSDP_FIELD + 1);
	mem_size = size - 1 - RSDP_FIELD;
	rsdp = malloc(rsdp_len ? rsdp_len : 1);
	mem = malloc(mem_size ? mem_size : 1);
	if (!rsdp || !mem)
		abort();
	memcpy(rsdp, data + 1, rsdp_len);
	memcpy(mem, data + 1 + RSDP_FIELD, mem_size);

	struct acpi_test_memory m = { mem, mem_size };
	struct acpi_env env = { .map = acpi_test_map, .note = note, .ctx = &m };
	notes = 0;
	check_info(&info, acpi_parse(&env, rsdp, rsdp_len, &info));
	free(rsdp);
	free(mem);
	return 0;
}
