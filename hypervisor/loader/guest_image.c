/*
 * guest_image.c - checking and loading a guest image (guest_image.h).
 *
 * The check runs every test on the untrusted module bytes once and
 * records what the load needs, so the load itself only copies. The pieces
 * live beside this file: guest_elf.c (header, segments), guest_elf_notes.c
 * (Solo5 notes), guest_manifest.c (devices), guest_layout.c (GDT, page
 * tables, entry state).
 */
#include "hypervisor/loader/guest_image.h"

#include "hypervisor/loader/guest_elf.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

/* Boot information field offsets (GUEST_ABI.md). */
#define BI_MEM_SIZE 0u
#define BI_KERNEL_END 8u
#define BI_CPU_CYCLE_FREQ 16u
#define BI_CMDLINE 24u
#define BI_MFT 32u
#define BI_HOST_FEATURES 40u
#define BI_GUEST_FEATURES 44u
#define BI_NET_RING 48u

int guest_image_check(const void *elf, size_t len, uint64_t mem_size,
		      struct guest_image *out, char *err, size_t errlen)
{
	const uint8_t *bytes = elf;
	struct guest_notes notes;
	uint64_t phoff;
	unsigned phnum;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (!guest_mem_size_valid(mem_size))
		return guest_fail(err, errlen,
				  "guest memory size 0x%llx is not a multiple of 2 MiB from 2 MiB to 4 GiB",
				  (unsigned long long)mem_size);
	rc = guest_elf_check_header(bytes, len, &phoff, &phnum, err, errlen);
	if (rc == 0)
		rc = guest_elf_check_segments(bytes, len, phoff, phnum,
					      mem_size, out, err, errlen);
	if (rc == 0)
		rc = guest_elf_find_notes(bytes, len, phoff, phnum, &notes,
					  err, errlen);
	if (rc == 0)
		rc = guest_manifest_check(bytes, notes.manifest_offset,
					  notes.manifest_size, out, err, errlen);
	return rc;
}

/*
 * load_segments: copy each segment's file bytes and zero the rest of the
 * page their last byte lies in. The whole pages of .bss after it are the
 * caller's zeroed memory, not written again: zeroing them twice would cost
 * every guest's start as much as placing them (a 100 KiB .bss is some
 * 13,000 instructions). The bounds were checked by guest_image_check; they
 * are checked again because a mismatched (img, elf) pair would otherwise
 * write outside guest memory.
 */
static int load_segments(const uint8_t *elf, size_t len,
			 const struct guest_image *img, uint8_t *mem,
			 uint64_t mem_size, char *err, size_t errlen)
{
	for (unsigned i = 0; i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		if (!guest_range_in(s->file_offset, s->file_size, len) ||
		    !guest_range_in(s->load_addr, s->load_size, mem_size) ||
		    s->file_size > s->load_size)
			return guest_fail(err, errlen,
					  "segment %u does not match the image it was checked with",
					  s->phdr_index);
		memcpy(mem + s->load_addr, elf + s->file_offset,
		       (size_t)s->file_size);
		uint64_t file_end = s->load_addr + s->file_size;
		uint64_t page_end = (file_end + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);
		uint64_t load_end = s->load_addr + s->load_size;

		memset(mem + file_end, 0, (size_t)((page_end < load_end ? page_end : load_end) - file_end));
	}
	return 0;
}

static void write_boot_info(uint8_t *mem, const struct guest_image *img,
			    uint64_t mem_size, uint64_t tsc_hz,
			    uint64_t cmdline_gpa, uint64_t mft_gpa)
{
	uint8_t *bi = mem + GUEST_BOOT_INFO;

	memset(bi, 0, GUEST_BOOT_INFO_SIZE);
	guest_write_le64(bi + BI_MEM_SIZE, mem_size);
	guest_write_le64(bi + BI_KERNEL_END, img->kernel_end);
	guest_write_le64(bi + BI_CPU_CYCLE_FREQ, tsc_hz);
	guest_write_le64(bi + BI_CMDLINE, cmdline_gpa);
	guest_write_le64(bi + BI_MFT, mft_gpa);
	guest_write_le32(bi + BI_HOST_FEATURES, 0);
	guest_write_le32(bi + BI_GUEST_FEATURES, 0);
	guest_write_le64(bi + BI_NET_RING, 0);
}

/* check_load_args: what guest_image_load can refuse before touching memory. */
static int check_load_args(const struct guest_image *img, uint64_t mem_size,
			   size_t cmdline_len, char *err, size_t errlen)
{
	uint64_t end = GUEST_BOOT_INFO + GUEST_BOOT_INFO_SIZE +
		       (uint64_t)img->manifest_size + cmdline_len + 1;

	if (cmdline_len > GUEST_CMDLINE_MAX - 1) {
		if (errlen > 0)
			format(err, errlen,
			       "guest command line is %zu bytes, more than %u",
			       cmdline_len, GUEST_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	if (!guest_mem_size_valid(mem_size))
		return guest_fail(err, errlen,
				  "guest memory size 0x%llx is not a multiple of 2 MiB from 2 MiB to 4 GiB",
				  (unsigned long long)mem_size);
	if (img->manifest_size == 0 || end > GUEST_LOAD_MIN)
		return guest_fail(err, errlen,
				  "boot information, manifest and command line do not fit below 0x100000");
	return 0;
}

int guest_image_load(const void *elf, size_t len, const struct guest_image *img,
		     uint8_t *mem, uint64_t mem_size, const char *cmdline,
		     uint64_t tsc_hz, const struct guest_attached_block *blocks,
		     unsigned block_count, char *err, size_t errlen)
{
	const uint8_t *bytes = elf;
	size_t cmdline_len = guest_string_length(cmdline, GUEST_CMDLINE_MAX);
	uint64_t mft_gpa = GUEST_BOOT_INFO + GUEST_BOOT_INFO_SIZE;
	uint64_t cmdline_gpa = mft_gpa + img->manifest_size;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	rc = check_load_args(img, mem_size, cmdline_len, err, errlen);
	if (rc == 0 && !guest_range_in(img->manifest_offset,
				       img->manifest_size, len))
		rc = guest_fail(err, errlen,
				"manifest does not match the image it was checked with");
	if (rc == 0) {
		memcpy(mem + mft_gpa, bytes + img->manifest_offset,
		       img->manifest_size);
		rc = guest_manifest_attach(mem + mft_gpa, img, blocks,
					   block_count, err, errlen);
	}
	if (rc == 0)
		rc = load_segments(bytes, len, img, mem, mem_size, err, errlen);
	if (rc < 0)
		return rc;
	guest_layout_gdt(mem);
	guest_layout_page_tables(mem, mem_size);
	write_boot_info(mem, img, mem_size, tsc_hz, cmdline_gpa, mft_gpa);
	memcpy(mem + cmdline_gpa, cmdline, cmdline_len);
	mem[cmdline_gpa + cmdline_len] = '\0';
	return 0;
}
