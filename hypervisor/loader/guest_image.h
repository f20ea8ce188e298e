/*
 * guest_image.h - checking and loading a guest image (Solo5 hvt ABI 2).
 *
 * Portable C: the checks run on untrusted bytes from a multiboot2 module,
 * and host unit tests and fuzzers run them on crafted input. Every offset
 * and size read from the image is bounds-checked, overflow included.
 * See ../shared/docs/GUEST_ABI.md and docs/guest-abi.md.
 */
#ifndef SKIFF_GUEST_IMAGE_H
#define SKIFF_GUEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MAX_SEGMENTS 16
#define GUEST_MANIFEST_MAX_ENTRIES 64
#define GUEST_MANIFEST_NAME_MAX 68     /* bytes, NUL included */
#define GUEST_MANIFEST_ENTRY_SIZE 104

/* Guest-physical layout fixed by the ABI. */
#define GUEST_PAGE_SIZE 0x1000u
#define GUEST_GDT_BASE 0x1000u
#define GUEST_PML4 0x2000u
#define GUEST_PDPT 0x3000u
#define GUEST_PD_BASE 0x4000u
#define GUEST_PT_LOW 0x8000u
#define GUEST_BOOT_INFO 0x10000u
#define GUEST_LOAD_MIN 0x100000u
#define GUEST_CMDLINE_MAX 8192u
#define GUEST_BOOT_INFO_SIZE 56u
#define GUEST_GDT_LIMIT 23u          /* null, code, data */
#define GUEST_CODE_SELECTOR 0x08u
#define GUEST_DATA_SELECTOR 0x10u
/*
 * TR's selector. Its busy-TSS descriptor is written just past the GDT's
 * limit (at GUEST_GDT_BASE + 0x18), so it documents TR's hidden state but
 * is not reachable through the guest's GDTR; the backend loads TR's hidden
 * state from guest_entry_state directly. See docs/guest-abi.md.
 */
#define GUEST_TSS_SELECTOR 0x18u

enum guest_device_type { GUEST_DEV_BLOCK = 1, GUEST_DEV_NET = 2 };

/* One loadable segment, page-rounded, with its nested-paging permissions. */
struct guest_segment {
	uint64_t start, end;   /* guest-physical, 4 KiB-aligned, end exclusive */
	unsigned perms;        /* NP_READ | NP_WRITE | NP_EXEC, never W and X */
	/* What guest_image_load copies: the ELF p_vaddr, p_offset, p_filesz, p_memsz. */
	uint64_t load_addr, file_offset, file_size, load_size;
	unsigned phdr_index;   /* program header number, as in messages */
};

struct guest_device {
	char name[GUEST_MANIFEST_NAME_MAX];
	uint32_t type;
};

/* What the checks learned about an image. */
struct guest_image {
	uint64_t entry;
	uint64_t kernel_end;
	unsigned segment_count;
	struct guest_segment segments[GUEST_MAX_SEGMENTS];
	unsigned device_count;   /* manifest entries after the reserved entry 0 */
	struct guest_device devices[GUEST_MANIFEST_MAX_ENTRIES];
	uint32_t manifest_entries;   /* entries in the note, entry 0 included */
	size_t manifest_offset;  /* file offset of {version, entries, ...} */
	size_t manifest_size;
};

/*
 * guest_image_check: validate the ELF image elf[0..len) for a guest with
 * mem_size bytes of RAM. Checks: ELF64, little-endian, ET_EXEC, x86-64,
 * header and program-header table inside the file; PT_LOAD segments with
 * p_filesz > 0 ascending, non-overlapping, inside the file, at or above
 * GUEST_LOAD_MIN, inside RAM, p_filesz <= p_memsz, p_align a power of two,
 * never writable and executable; entry inside an executable segment; the
 * Solo5 ABI note (target hvt, version 2) present; the manifest note present
 * and well-formed (version 1, 1..64 entries, entry 0 reserved, names
 * NUL-terminated within 68 bytes, types block or net, no duplicate names).
 * Returns 0 and fills *out, or -ENOEXEC with a message naming the defect in
 * err (errlen bytes).
 */
int guest_image_check(const void *elf, size_t len, uint64_t mem_size,
		      struct guest_image *out, char *err, size_t errlen);

/*
 * A device Skiff attaches to a guest, by manifest name: a block device, or
 * a net device when is_net (then capacity and block_size are unused).
 */
struct guest_attached_block {
	const char *name;
	uint64_t capacity;      /* bytes */
	uint16_t block_size;
	bool is_net;
	uint8_t mac[6];         /* net: the device's MAC */
	uint16_t mtu;           /* net: bytes of payload per frame */
};

/*
 * guest_image_load: lay out guest memory mem[0..mem_size) (zeroed by the
 * caller: whole .bss pages are not written again) for an image that passed
 * guest_image_check: the PT_LOAD segments,
 * the GDT and TSS descriptor, the guest page tables, the boot information
 * at GUEST_BOOT_INFO followed by the manifest copy (with the union and
 * 'attached' filled for each device in blocks[0..block_count)) and the
 * command line (cmdline, at most GUEST_CMDLINE_MAX - 1 bytes). Returns 0,
 * or -ENOEXEC with err filled when a declared device is not provided or the
 * boot information does not fit below GUEST_LOAD_MIN, or -E2BIG when
 * cmdline is too long.
 */
int guest_image_load(const void *elf, size_t len, const struct guest_image *img,
		     uint8_t *mem, uint64_t mem_size, const char *cmdline,
		     uint64_t tsc_hz, const struct guest_attached_block *blocks,
		     unsigned block_count, char *err, size_t errlen);

/* The register state at entry (GUEST_ABI: long mode, RDI = boot info, ...). */
struct guest_entry_state {
	uint64_t rip, rsp, rdi, rflags, cr0, cr3, cr4, efer, gdt_base;
	uint16_t gdt_limit, code_selector, data_selector, tss_selector;
	uint64_t tss_base;
	uint32_t tss_limit;
};

/* guest_entry_state: the ABI's entry state for img in mem_size bytes. */
void guest_entry_state(const struct guest_image *img, uint64_t mem_size,
		       struct guest_entry_state *out);

#endif
