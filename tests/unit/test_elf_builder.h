/*
 * test_elf_builder.h - builds Solo5 hvt guest images in memory for the
 * loader's host tests and fuzzer seeds: an ELF64 header, PT_LOAD segments
 * with recognisable contents, and one PT_NOTE holding a foreign note, the
 * Solo5 ABI note and the Solo5 manifest note. Tests then break exactly
 * one thing in the bytes through the offsets recorded in struct test_elf.
 */
#ifndef SKIFF_TEST_ELF_BUILDER_H
#define SKIFF_TEST_ELF_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEST_ELF_MAX_SEGMENTS 20
#define TEST_ELF_MAX_DEVICES 70
#define TEST_PF_X 1u
#define TEST_PF_W 2u
#define TEST_PF_R 4u
#define TEST_PT_LOAD 1u

struct test_elf_segment {
	uint32_t type, flags;
	uint64_t vaddr, memsz, align;
	size_t filesz;          /* content bytes: (fill + i) & 0xff */
	uint8_t fill;
};

struct test_elf_device {
	char name[68];
	uint32_t type;          /* 1 block, 2 net */
};

struct test_elf_spec {
	uint64_t entry;
	unsigned segment_count;
	struct test_elf_segment segments[TEST_ELF_MAX_SEGMENTS];
	bool abi_note, manifest_note;
	uint32_t abi_target, abi_version;
	unsigned device_count;  /* manifest entries after the reserved entry 0 */
	struct test_elf_device devices[TEST_ELF_MAX_DEVICES];
};

struct test_elf {
	uint8_t *bytes;
	size_t len;
	size_t phoff;                    /* program-header table */
	unsigned note_phdr;              /* index of the PT_NOTE header */
	size_t segment_offset[TEST_ELF_MAX_SEGMENTS]; /* each segment's content */
	size_t abi_note;                 /* ABI note header, 0 when absent */
	size_t abi_desc;                 /* its descriptor */
	size_t manifest_note;            /* manifest note header, 0 when absent */
	size_t manifest;                 /* {version, entries, ...}, 0 when absent */
};

/*
 * test_elf_default_spec: a good image: text R+X at 0x100000 (0x1800 bytes,
 * entry 0x100010), data R+W at 0x102000 (0x100 file bytes, 0x3000 in
 * memory), ABI note hvt/2, manifest with one block device "storage".
 */
void test_elf_default_spec(struct test_elf_spec *spec);

/* test_elf_build: the image for spec in out (heap; aborts when out of memory). */
void test_elf_build(const struct test_elf_spec *spec, struct test_elf *out);

/* test_elf_free: release out->bytes. */
void test_elf_free(struct test_elf *elf);

/* test_elf_phdr: file offset of program header i. */
size_t test_elf_phdr(const struct test_elf *elf, unsigned i);

/* test_elf_manifest_entry: file offset of manifest entry i. */
size_t test_elf_manifest_entry(const struct test_elf *elf, unsigned i);

/* Little-endian stores into the image; abort when outside it. */
void test_elf_put16(struct test_elf *elf, size_t offset, uint16_t v);
void test_elf_put32(struct test_elf *elf, size_t offset, uint32_t v);
void test_elf_put64(struct test_elf *elf, size_t offset, uint64_t v);

#endif
