/*
 * guest_elf.h - internal interface between the guest loader's files
 * (guest_image.c, guest_elf.c, guest_elf_notes.c, guest_manifest.c,
 * guest_layout.c). Not for other parts of Skiff: use guest_image.h.
 *
 * The image is untrusted bytes at any alignment, so every field is read
 * through the little-endian byte readers below, never through a struct
 * overlaid on the buffer.
 */
#ifndef SKIFF_GUEST_ELF_H
#define SKIFF_GUEST_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/loader/guest_image.h"

/* ELF64 facts (System V gABI, x86-64 psABI). */
#define ELF_HEADER_SIZE 64u
#define ELF_PHDR_SIZE 56u
#define ELF_CLASS_64 2u
#define ELF_DATA_LSB 1u
#define ELF_VERSION_CURRENT 1u
#define ELF_TYPE_EXEC 2u
#define ELF_MACHINE_X86_64 62u
#define ELF_PT_LOAD 1u
#define ELF_PT_NOTE 4u
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PN_XNUM 0xffffu

/* Ehdr field offsets. */
#define ELF_OFF_CLASS 4u
#define ELF_OFF_DATA 5u
#define ELF_OFF_IDVERSION 6u
#define ELF_OFF_TYPE 16u
#define ELF_OFF_MACHINE 18u
#define ELF_OFF_ENTRY 24u
#define ELF_OFF_PHOFF 32u
#define ELF_OFF_PHENTSIZE 54u
#define ELF_OFF_PHNUM 56u

/* Solo5 note facts (Solo5's include/elf_abi.h and mft_abi.h). */
#define SOLO5_NOTE_OWNER "Solo5"
#define SOLO5_ABI_NOTE_TYPE 0x31494241u      /* "ABI1" */
#define SOLO5_MANIFEST_NOTE_TYPE 0x3154464du /* "MFT1" */
#define SOLO5_ABI_TARGET_HVT 1u
#define SOLO5_ABI_VERSION 2u
#define SOLO5_ABI_NOTE_SIZE 16u
/* The manifest is 8-aligned inside its note: 4 bytes of descriptor padding. */
#define SOLO5_MANIFEST_PAD 4u
#define SOLO5_MANIFEST_VERSION 1u
#define SOLO5_MANIFEST_HEADER 8u             /* u32 version, u32 entries */
#define SOLO5_MANIFEST_RESERVED_TYPE (1u << 30)

/* Offsets inside one 104-byte manifest entry. */
#define MFT_ENTRY_TYPE 68u
#define MFT_ENTRY_BLOCK_CAPACITY 72u
#define MFT_ENTRY_BLOCK_SIZE 80u
#define MFT_ENTRY_NET_MAC 72u
#define MFT_ENTRY_NET_MTU 78u
#define MFT_ENTRY_UNION_SIZE 16u
#define MFT_ENTRY_PRIVATE 88u
#define MFT_ENTRY_PRIVATE_SIZE 8u
#define MFT_ENTRY_ATTACHED 96u

uint16_t guest_read_le16(const uint8_t *p);
uint32_t guest_read_le32(const uint8_t *p);
uint64_t guest_read_le64(const uint8_t *p);
void guest_write_le16(uint8_t *p, uint16_t v);
void guest_write_le32(uint8_t *p, uint32_t v);
void guest_write_le64(uint8_t *p, uint64_t v);

/*
 * guest_string_length: strlen(s) when s has a NUL in its first max bytes,
 * else max. (strnlen, which strict C11 host headers do not declare.)
 */
size_t guest_string_length(const char *s, size_t max);

/* guest_range_in: true when [off, off + size) lies inside [0, len), overflow included. */
bool guest_range_in(uint64_t off, uint64_t size, uint64_t len);

/*
 * guest_fail: write a formatted defect message into err (errlen bytes,
 * may be 0) and return -ENOEXEC, so checks can `return guest_fail(...)`.
 */
int guest_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * guest_printable_name: copy the NUL-terminated name (at most
 * GUEST_MANIFEST_NAME_MAX bytes) into out[GUEST_MANIFEST_NAME_MAX] with
 * bytes outside printable ASCII replaced by '?', so an image's names can go
 * into a log line without sending control characters to the terminal.
 */
void guest_printable_name(const char *name, char *out);

/* guest_mem_size_valid: the ABI's memory sizes: 2 MiB multiple, 2 MiB..4 GiB. */
bool guest_mem_size_valid(uint64_t mem_size);

/*
 * guest_elf_check_header: the ELF header and program-header table of
 * elf[0..len). Sets *phoff and *phnum. 0 or -ENOEXEC with err.
 */
int guest_elf_check_header(const uint8_t *elf, size_t len, uint64_t *phoff,
			   unsigned *phnum, char *err, size_t errlen);

/*
 * guest_elf_check_segments: the PT_LOAD segments (p_filesz > 0) and the
 * entry point; fills out->segments, segment_count, entry, kernel_end.
 * Needs a header that passed guest_elf_check_header. 0 or -ENOEXEC.
 */
int guest_elf_check_segments(const uint8_t *elf, size_t len, uint64_t phoff,
			     unsigned phnum, uint64_t mem_size,
			     struct guest_image *out, char *err, size_t errlen);

/* Where the two Solo5 notes' descriptors are in the file. */
struct guest_notes {
	bool have_abi, have_manifest;
	uint64_t abi_offset;                  /* descriptor, 16 bytes */
	uint64_t manifest_offset, manifest_size; /* descriptor minus padding */
};

/*
 * guest_elf_find_notes: walk every PT_NOTE segment, find the Solo5 ABI
 * and manifest notes, check the ABI note (target hvt, version 2). Refuses
 * truncated notes, notes outside the file, a note given twice, a missing
 * note. 0 or -ENOEXEC.
 */
int guest_elf_find_notes(const uint8_t *elf, size_t len, uint64_t phoff,
			 unsigned phnum, struct guest_notes *notes, char *err,
			 size_t errlen);

/*
 * guest_manifest_check: the manifest at elf[offset..offset+size): version
 * 1, 1..64 entries, size matching, entry 0 reserved, names terminated,
 * unique and non-empty, types block or net. Fills out's device list and
 * manifest fields. 0 or -ENOEXEC.
 */
int guest_manifest_check(const uint8_t *elf, uint64_t offset, uint64_t size,
			 struct guest_image *out, char *err, size_t errlen);

/*
 * guest_manifest_attach: in the manifest copy mft (already copied from
 * the image), fill every declared device from blocks[0..block_count)
 * (block devices and, with is_net, net devices) and mark it attached.
 * -ENOEXEC with err when a declared device is not provided or a provided
 * device is not declared, or declared with the other type.
 */
int guest_manifest_attach(uint8_t *mft, const struct guest_image *img,
			  const struct guest_attached_block *blocks,
			  unsigned block_count, char *err, size_t errlen);

/* guest_layout_gdt: the GDT (and the TSS descriptor beyond its limit) in mem. */
void guest_layout_gdt(uint8_t *mem);

/* guest_layout_page_tables: PML4, PDPT, PDs and the low PT in mem. */
void guest_layout_page_tables(uint8_t *mem, uint64_t mem_size);

#endif
