/*
 * multiboot2.c - parsing and checking the multiboot2 information block
 * (multiboot2.h). Portable: host tests run it on crafted blocks.
 *
 * Layout (multiboot2 specification, "Boot information format"): a u32 total
 * size and a u32 reserved word, then tags, each {u32 type, u32 size, data},
 * each starting 8-byte aligned, closed by an end tag {0, 8}. Every size and
 * offset is checked against the block before it is used, and every field
 * is read with memcpy so unaligned or hostile input is never dereferenced
 * through a misaligned pointer.
 */
#include "hypervisor/boot/multiboot2.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define TAG_END 0
#define TAG_CMDLINE 1
#define TAG_MODULE 3
#define TAG_MMAP 6
#define TAG_ACPI_OLD 14
#define TAG_EFI64_SYSTEM_TABLE 12
#define TAG_ACPI_NEW 15
#define TAG_EFI_MMAP 17

#define TAG_HEADER_SIZE 8
#define MODULE_FIXED_SIZE 16       /* header + mod_start + mod_end */
#define MMAP_FIXED_SIZE 16         /* header + entry_size + entry_version */
#define MMAP_ENTRY_MIN 24          /* base, length, type, reserved */
#define EFI_MMAP_FIXED_SIZE 16     /* header + descriptor size + version */
#define EFI_DESCRIPTOR_MIN 40      /* type, pad, physical, virtual, pages, attributes */
#define EFI_PAGE_SHIFT 12
#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36

/* multiboot2 memory types (the EFI map is translated into these). */
#define MB2_USABLE 1
#define MB2_RESERVED 2
#define MB2_ACPI_RECLAIMABLE 3
#define MB2_ACPI_NVS 4

/* A parse in progress: the block and where to report. */
struct parser {
	const uint8_t *block;
	size_t size;                /* the block's total size, checked */
	uint64_t phys;
	struct boot_info *out;
	char *err;
	size_t errlen;
	bool have_mmap, have_efi_mmap, have_end, have_cmdline;
};

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (ps->errlen > 0)
		format_v(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * string_in_tag: the NUL-terminated string at data[0..len), or NULL when
 * no NUL lies inside the tag.
 */
static const char *string_in_tag(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == 0)
			return (const char *)data;
	}
	return NULL;
}

static int parse_cmdline(struct parser *ps, const uint8_t *tag, uint32_t size,
			 size_t offset)
{
	const char *s = string_in_tag(tag + TAG_HEADER_SIZE, size - TAG_HEADER_SIZE);

	if (!s)
		return fail(ps, "command-line tag at offset %zu has no NUL", offset);
	if (ps->have_cmdline)
		return fail(ps, "second command-line tag at offset %zu", offset);
	ps->have_cmdline = true;
	ps->out->cmdline = s;
	return 0;
}

static int parse_module(struct parser *ps, const uint8_t *tag, uint32_t size,
			size_t offset)
{
	struct mb2_module *m;
	const char *s;

	if (size < MODULE_FIXED_SIZE)
		return fail(ps, "module tag at offset %zu too short (%u bytes)", offset, size);
	if (ps->out->module_count >= MB2_MAX_MODULES)
		return fail(ps, "more than %u modules", MB2_MAX_MODULES);
	s = string_in_tag(tag + MODULE_FIXED_SIZE, size - MODULE_FIXED_SIZE);
	if (!s)
		return fail(ps, "module tag at offset %zu: command line has no NUL", offset);
	m = &ps->out->modules[ps->out->module_count];
	m->start = read_u32(tag + 8);
	m->end = read_u32(tag + 12);
	m->cmdline = s;
	if (m->end < m->start)
		return fail(ps, "module %u ends (0x%lx) before it starts (0x%lx)",
			    ps->out->module_count, (unsigned long)m->end,
			    (unsigned long)m->start);
	ps->out->module_count++;
	return 0;
}

static int parse_mmap(struct parser *ps, const uint8_t *tag, uint32_t size,
		      size_t offset)
{
	uint32_t entry_size, count;

	if (size < MMAP_FIXED_SIZE)
		return fail(ps, "memory-map tag at offset %zu too short (%u bytes)", offset, size);
	if (ps->have_mmap)
		return fail(ps, "second memory-map tag at offset %zu", offset);
	entry_size = read_u32(tag + 8);
	if (entry_size < MMAP_ENTRY_MIN || entry_size % 8 != 0)
		return fail(ps, "memory-map entry size %u is invalid", entry_size);
	if ((size - MMAP_FIXED_SIZE) % entry_size != 0)
		return fail(ps, "memory-map tag size %u is not a whole number of %u-byte entries",
			    size, entry_size);
	count = (size - MMAP_FIXED_SIZE) / entry_size;
	if (count > MB2_MAX_REGIONS)
		return fail(ps, "memory map has %u regions, more than %u", count, MB2_MAX_REGIONS);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = tag + MMAP_FIXED_SIZE + (size_t)i * entry_size;
		struct mb2_region *r = &ps->out->regions[i];

		r->base = read_u64(e);
		r->length = read_u64(e + 8);
		r->type = read_u32(e + 16);
	}
	ps->out->region_count = count;
	ps->out->efi_memory_map = false;   /* the BIOS-style map wins over tag 17 */
	ps->have_mmap = true;
	return 0;
}

/* efi_region_type: the multiboot2 type of an EFI memory type (UEFI 2.10, 7.2). */
static uint32_t efi_region_type(uint32_t efi_type)
{
	switch (efi_type) {
	case 1: case 2:     /* loader code and data: GRUB's, and Skiff's modules */
	case 3: case 4:     /* boot-services code and data: free after ExitBootServices */
	case 7:             /* conventional memory */
		return MB2_USABLE;
	case 9:
		return MB2_ACPI_RECLAIMABLE;
	case 10:
		return MB2_ACPI_NVS;
	default:
		return MB2_RESERVED;
	}
}

/* add_efi_region: append [base, base + length) of type, merged with its predecessor. */
static int add_efi_region(struct parser *ps, uint64_t base, uint64_t length, uint32_t type)
{
	struct boot_info *out = ps->out;
	struct mb2_region *last = out->region_count ? &out->regions[out->region_count - 1] : NULL;

	if (last && last->type == type && last->base + last->length == base) {
		last->length += length;
		return 0;
	}
	if (out->region_count >= MB2_MAX_REGIONS)
		return fail(ps, "EFI memory map has more than %u regions after merging",
			    MB2_MAX_REGIONS);
	out->regions[out->region_count++] = (struct mb2_region){ base, length, type };
	return 0;
}

/*
 * parse_efi_mmap: tag 17, the firmware's own map. Used only when the block
 * has no tag 6; checked either way.
 */
static int parse_efi_mmap(struct parser *ps, const uint8_t *tag, uint32_t size,
			  size_t offset)
{
	uint32_t desc_size, count;
	bool fill = !ps->have_mmap;

	if (size < EFI_MMAP_FIXED_SIZE)
		return fail(ps, "EFI memory-map tag at offset %zu too short (%u bytes)", offset, size);
	if (ps->have_efi_mmap)
		return fail(ps, "second EFI memory-map tag at offset %zu", offset);
	ps->have_efi_mmap = true;
	desc_size = read_u32(tag + 8);
	if (desc_size < EFI_DESCRIPTOR_MIN || desc_size % 8 != 0)
		return fail(ps, "EFI memory-descriptor size %u is invalid", desc_size);
	if ((size - EFI_MMAP_FIXED_SIZE) % desc_size != 0)
		return fail(ps, "EFI memory-map tag size %u is not a whole number of %u-byte descriptors",
			    size, desc_size);
	count = (size - EFI_MMAP_FIXED_SIZE) / desc_size;
	if (fill)
		ps->out->region_count = 0;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *d = tag + EFI_MMAP_FIXED_SIZE + (size_t)i * desc_size;
		uint64_t base = read_u64(d + 8), pages = read_u64(d + 24);

		if (pages > (UINT64_MAX >> EFI_PAGE_SHIFT) ||
		    base > UINT64_MAX - (pages << EFI_PAGE_SHIFT))
			return fail(ps, "EFI memory descriptor %u (0x%lx, %lu pages) wraps around",
				    i, (unsigned long)base, (unsigned long)pages);
		if (fill && pages != 0) {
			int rc = add_efi_region(ps, base, pages << EFI_PAGE_SHIFT,
						efi_region_type(read_u32(d)));
			if (rc)
				return rc;
		}
	}
	ps->out->efi = true;
	if (fill)
		ps->out->efi_memory_map = true;
	return 0;
}

/* parse_acpi: tag 14 (ACPI 1.0 RSDP) or 15 (2.0 and later); prefer 15. */
static int parse_acpi(struct parser *ps, uint32_t type, uint32_t size, size_t offset)
{
	uint32_t len = size - TAG_HEADER_SIZE;
	uint32_t need = type == TAG_ACPI_NEW ? RSDP_V2_SIZE : RSDP_V1_SIZE;

	if (len < need)
		return fail(ps, "ACPI tag %u at offset %zu holds %u bytes, an RSDP needs %u",
			    type, offset, len, need);
	if (type == TAG_ACPI_NEW || ps->out->acpi_rsdp == 0) {
		ps->out->acpi_rsdp = ps->phys + offset + TAG_HEADER_SIZE;
		ps->out->acpi_rsdp_len = len;
	}
	return 0;
}

/* parse_tag: one tag of the given type and size (already bounds-checked). */
static int parse_tag(struct parser *ps, size_t offset, uint32_t type, uint32_t size)
{
	const uint8_t *tag = ps->block + offset;

	switch (type) {
	case TAG_END:
		if (size != TAG_HEADER_SIZE)
			return fail(ps, "end tag at offset %zu has size %u, not 8", offset, size);
		ps->have_end = true;
		return 0;
	case TAG_CMDLINE:
		return parse_cmdline(ps, tag, size, offset);
	case TAG_MODULE:
		return parse_module(ps, tag, size, offset);
	case TAG_MMAP:
		return parse_mmap(ps, tag, size, offset);
	case TAG_ACPI_OLD:
	case TAG_ACPI_NEW:
		return parse_acpi(ps, type, size, offset);
	case TAG_EFI_MMAP:
		return parse_efi_mmap(ps, tag, size, offset);
	case TAG_EFI64_SYSTEM_TABLE:
		ps->out->efi = true;
		return 0;
	default:
		return 0;   /* tags Skiff does not use are skipped */
	}
}

static int walk_tags(struct parser *ps)
{
	size_t offset = 8;   /* after total_size and reserved */

	while (!ps->have_end) {
		uint32_t type, size;

		if (offset > ps->size || ps->size - offset < TAG_HEADER_SIZE)
			return fail(ps, "no end tag within the block's %zu bytes", ps->size);
		type = read_u32(ps->block + offset);
		size = read_u32(ps->block + offset + 4);
		if (size < TAG_HEADER_SIZE)
			return fail(ps, "tag %u at offset %zu has size %u, below 8", type, offset, size);
		if (size > ps->size - offset)
			return fail(ps, "tag %u at offset %zu: size %u runs past the block (%zu bytes)",
				    type, offset, size, ps->size);
		int rc = parse_tag(ps, offset, type, size);
		if (rc)
			return rc;
		/* The next tag starts at the next 8-byte boundary. */
		offset += ((size_t)size + 7) & ~(size_t)7;
	}
	return 0;
}

int mb2_parse(const void *info, uint64_t info_phys, size_t max_len,
	      struct boot_info *out, char *err, size_t errlen)
{
	struct parser ps = { .block = info, .phys = info_phys, .out = out,
			     .err = err, .errlen = errlen };
	uint32_t total;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	memset(out, 0, sizeof *out);
	out->cmdline = "";
	if (!info || (info_phys & 7) != 0 || ((uintptr_t)info & 7) != 0)
		return fail(&ps, "information block at 0x%lx is not 8-byte aligned",
			    (unsigned long)info_phys);
	if (max_len < 16)
		return fail(&ps, "information block too small (%zu bytes available)", max_len);
	total = read_u32(ps.block);
	if (total < 16 || total > max_len)
		return fail(&ps, "information block size %u is outside 16..%zu", total, max_len);
	ps.size = total;
	rc = walk_tags(&ps);
	if (rc)
		return rc;
	if (!ps.have_mmap && !ps.have_efi_mmap)
		return fail(&ps, "no memory map (tag 6 or 17) in the information block");
	out->info_start = info_phys;
	out->info_end = info_phys + total;
	return 0;
}
