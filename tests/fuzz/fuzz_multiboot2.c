/*
 * fuzz_multiboot2.c - libFuzzer entry point for the multiboot2 information
 * parser: the input is the whole block, its first u32 the total size the
 * parser must not trust. The block lives in a heap buffer of exactly the
 * input's length (8-byte aligned, as the loader guarantees), so ASan
 * reports any read past what the parser was given. An accepted block must
 * give results that point only inside it; Skiff's own command line from it
 * then goes through options_parse, as main.c does at boot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/boot/multiboot2.h"
#include "hypervisor/options.h"

/* An aligned, nonzero address the bootloader could have placed it at. */
#define INFO_PHYS UINT64_C(0x10000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* in_block: s is a NUL-terminated string lying wholly inside block[0..len). */
static int in_block(const char *s, const uint8_t *block, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;

	if (p < block || p >= block + len)
		return 0;
	return memchr(p, 0, len - (size_t)(p - block)) != NULL;
}

static void check_info(const struct boot_info *info, const uint8_t *block,
		       size_t max_len)
{
	size_t total = (size_t)(info->info_end - info->info_start);

	if (info->info_start != INFO_PHYS || info->info_end < info->info_start ||
	    total < 16 || total > max_len || info->module_count > MB2_MAX_MODULES ||
	    info->region_count > MB2_MAX_REGIONS)
		abort();
	/* "" when absent is a literal outside the block; anything else is inside. */
	if (info->cmdline[0] != '\0' && !in_block(info->cmdline, block, total))
		abort();
	for (unsigned i = 0; i < info->module_count; i++)
		if (info->modules[i].end < info->modules[i].start ||
		    !in_block(info->modules[i].cmdline, block, total))
			abort();
	/* The RSDP copy is a tag's data: after its 8-byte header, wholly inside the block. */
	if (info->acpi_rsdp != 0 &&
	    (info->acpi_rsdp < INFO_PHYS + 16 || info->acpi_rsdp_len < 20 ||
	     info->acpi_rsdp_len > info->info_end - info->acpi_rsdp))
		abort();
	if (info->acpi_rsdp == 0 && info->acpi_rsdp_len != 0)
		abort();
	/* A map from tag 17 says so, and such a boot is an EFI one; no region wraps. */
	if (info->efi_memory_map && !info->efi)
		abort();
	for (unsigned i = 0; i < info->region_count; i++)
		if (info->efi_memory_map &&
		    info->regions[i].base + info->regions[i].length < info->regions[i].base)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info info;
	struct skiff_options opts;
	char err[128], opt_err[128];
	/* malloc's alignment (16 on x86-64) meets the parser's 8-byte rule. */
	uint8_t *block = malloc(size ? size : 1);

	if (block == NULL)
		return 0;
	memcpy(block, data, size);
	if (mb2_parse(block, INFO_PHYS, size, &info, err, sizeof(err)) != 0) {
		/* A refusal always says why, within the buffer. */
		if (err[0] == '\0' || memchr(err, 0, sizeof(err)) == NULL)
			abort();
	} else {
		check_info(&info, block, size);
		if (options_parse(info.cmdline, &opts, opt_err, sizeof(opt_err)) == 0 &&
		    opts.backend != NULL && strcmp(opts.backend, "svm") != 0 &&
		    strcmp(opts.backend, "vmx") != 0)
			abort();
	}
	free(block);
	return 0;
}
