/*
 * multiboot2.h - the multiboot2 boot information, parsed and checked.
 *
 * The parser is portable C (host unit tests and fuzzers run it on crafted
 * input): it never trusts a size or an offset from the information block.
 */
#ifndef SKIFF_MULTIBOOT2_H
#define SKIFF_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_MAX_MODULES 512
#define MB2_MAX_REGIONS 128

/* A module: the bytes [start, end) and its command line (NUL-terminated). */
struct mb2_module {
	uint64_t start, end;
	const char *cmdline;
};

/* A memory-map entry; type 1 is usable RAM. */
struct mb2_region {
	uint64_t base, length;
	uint32_t type;
};

struct boot_info {
	const char *cmdline;        /* Skiff's own command line ("" when absent) */
	unsigned module_count;
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned region_count;
	struct mb2_region regions[MB2_MAX_REGIONS];
	uint64_t info_start, info_end;  /* the information block itself */
	uint64_t acpi_rsdp;             /* address of the RSDP copy, 0 if none */
	uint32_t acpi_rsdp_len;         /* its length (at least 20; 36 for tag 15) */
	bool efi;                       /* booted by UEFI firmware (tag 12 or 17) */
	bool efi_memory_map;            /* regions came from the EFI map (tag 17) */
};

/*
 * mb2_parse: parse the information block at info (total length first, as
 * the specification says), which lies at physical address info_phys and
 * may be at most max_len bytes. Fills *out. Returns 0, or -EINVAL with a
 * precise reason in err (errlen bytes) for a malformed block: a size field
 * that runs past the block, a tag that is not 8-byte aligned, a module whose
 * end precedes its start, a command line without a NUL, no end tag, no
 * memory map, more modules or regions than the limits above, or an ACPI
 * tag too short for the RSDP it carries (20 bytes in tag 14, 36 in 15).
 *
 * The memory map is the BIOS-style one (tag 6) when the block has it, else
 * the EFI one (tag 17, as GRUB passes it under UEFI): EFI types are turned
 * into multiboot2 ones (loader, boot-services and conventional memory are
 * usable after ExitBootServices; ACPI reclaim is 3, ACPI NVS 4, the rest
 * reserved) and neighbouring regions of one type are merged.
 */
int mb2_parse(const void *info, uint64_t info_phys, size_t max_len,
	      struct boot_info *out, char *err, size_t errlen);

#endif
