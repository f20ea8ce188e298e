/*
 * guest_image_test.c - guest_image_check on a good image and on one defect
 * at a time: each defect must be refused with -ENOEXEC and a message that
 * names it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guest_test.h"
#include "hypervisor/loader/guest_image.h"
#include "lib/errno.h"
#include "nested_paging/nested_paging.h"
#include "test_elf_builder.h"

#define MEM (UINT64_C(32) << 20)

static struct guest_image img;
static char err[256];

static int check(const struct test_elf *e, uint64_t mem)
{
	memset(err, 0, sizeof(err));
	return guest_image_check(e->bytes, e->len, mem, &img, err, sizeof(err));
}

/* refused: the image e must be refused with a message containing fragment. */
#define REFUSED(e, fragment)                                               \
	do {                                                               \
		CHECK_EQ(check((e), MEM), -ENOEXEC);                       \
		CHECK_MSG(err, fragment);                                  \
	} while (0)

/* refused_spec: build spec, expect refusal, free. */
#define REFUSED_SPEC(spec, fragment)                                       \
	do {                                                               \
		struct test_elf e_;                                        \
		test_elf_build((spec), &e_);                               \
		REFUSED(&e_, fragment);                                    \
		test_elf_free(&e_);                                        \
	} while (0)

static void build_default(struct test_elf *e)
{
	struct test_elf_spec spec;

	test_elf_default_spec(&spec);
	test_elf_build(&spec, e);
}

static void test_good_image(void)
{
	struct test_elf e;

	build_default(&e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(img.entry, 0x100010);
	CHECK_EQ(img.segment_count, 2);
	CHECK_EQ(img.segments[0].start, 0x100000);
	CHECK_EQ(img.segments[0].end, 0x102000);
	CHECK_EQ(img.segments[0].perms, NP_READ | NP_EXEC);
	CHECK_EQ(img.segments[1].start, 0x102000);
	CHECK_EQ(img.segments[1].end, 0x105000);
	CHECK_EQ(img.segments[1].perms, NP_READ | NP_WRITE);
	CHECK_EQ(img.segments[1].file_offset, e.segment_offset[1]);
	CHECK_EQ(img.kernel_end, 0x105000);
	CHECK_EQ(img.manifest_entries, 2);
	CHECK_EQ(img.device_count, 1);
	CHECK(strcmp(img.devices[0].name, "storage") == 0);
	CHECK_EQ(img.devices[0].type, GUEST_DEV_BLOCK);
	CHECK_EQ(img.manifest_offset, e.manifest);
	CHECK_EQ(img.manifest_size, 8 + 2 * 104);
	/* The smallest memory that holds it, and a 4 GiB one, are fine too. */
	CHECK_EQ(check(&e, UINT64_C(2) << 20), 0);
	CHECK_EQ(check(&e, UINT64_C(4) << 30), 0);
	test_elf_free(&e);
}

static void test_bad_memory_size(void)
{
	struct test_elf e;

	build_default(&e);
	CHECK_EQ(check(&e, UINT64_C(3) << 20), -ENOEXEC);
	CHECK_MSG(err, "not a multiple of 2 MiB");
	CHECK_EQ(check(&e, 0), -ENOEXEC);
	CHECK_EQ(check(&e, (UINT64_C(4) << 30) + (UINT64_C(2) << 20)), -ENOEXEC);
	test_elf_free(&e);
}

static void test_header_defects(void)
{
	struct test_elf e;

	build_default(&e);
	e.bytes[0] = 0;
	REFUSED(&e, "not an ELF file (bad magic)");
	e.bytes[0] = 0x7f;
	e.bytes[4] = 1;
	REFUSED(&e, "ELF class 1 is not ELF64");
	e.bytes[4] = 2;
	e.bytes[5] = 2;
	REFUSED(&e, "not little-endian");
	e.bytes[5] = 1;
	test_elf_put16(&e, 16, 3);
	REFUSED(&e, "ELF type 3 is not ET_EXEC");
	test_elf_put16(&e, 16, 2);
	test_elf_put16(&e, 18, 183);
	REFUSED(&e, "ELF machine 183 is not x86-64");
	test_elf_put16(&e, 18, 62);
	CHECK_EQ(check(&e, MEM), 0);

	/* Too short for a header, magic intact. */
	CHECK_EQ(guest_image_check(e.bytes, 20, MEM, &img, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_MSG(err, "ELF header truncated");
	CHECK_EQ(guest_image_check(e.bytes, 0, MEM, &img, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_MSG(err, "bad magic");
	test_elf_free(&e);
}

static void test_program_header_defects(void)
{
	struct test_elf e;

	build_default(&e);
	test_elf_put64(&e, 32, e.len - 10);
	REFUSED(&e, "program headers [");
	CHECK_MSG(err, "lie outside the file");
	test_elf_put64(&e, 32, UINT64_MAX - 8);
	REFUSED(&e, "lie outside the file");
	test_elf_put64(&e, 32, 64);
	test_elf_put16(&e, 54, 32);
	REFUSED(&e, "program header size 32 is not 56");
	test_elf_put16(&e, 54, 56);
	test_elf_put16(&e, 56, 0);
	REFUSED(&e, "no usable program headers");
	test_elf_put16(&e, 56, 0xffff);
	REFUSED(&e, "no usable program headers");
	test_elf_free(&e);
}

static void test_segment_bounds(void)
{
	struct test_elf e;

	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 8, e.len);
	REFUSED(&e, "segment 1: file bytes");
	CHECK_MSG(err, "lie outside the file");
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 8, UINT64_MAX);
	REFUSED(&e, "lie outside the file");
	test_elf_free(&e);

	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 40, 0x80);
	REFUSED(&e, "segment 1: file size 0x100 exceeds memory size 0x80");
	test_elf_free(&e);

	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 48, 3);
	REFUSED(&e, "segment 1: p_align 0x3 is not a power of two");
	test_elf_free(&e);

	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 40, UINT64_MAX - 0x101000);
	REFUSED(&e, "segment 1: address 0x102000 + size");
	CHECK_MSG(err, "overflows");
	test_elf_free(&e);

	/* Rounding the end up to the alignment overflows. */
	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 16, UINT64_MAX - 0x200);
	test_elf_put64(&e, test_elf_phdr(&e, 1) + 40, 0x100);
	REFUSED(&e, "overflows");
	test_elf_free(&e);
}

static void test_segment_placement(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x1fff000;
	REFUSED_SPEC(&spec,
		     "segment 1 [0x1fff000, 0x2002000) ends beyond guest memory (0x2000000 bytes");

	/* Boundaries: ending exactly at the end of memory is fine. */
	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x1ffd000;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.kernel_end, MEM);
	test_elf_free(&e);
	spec.segments[1].vaddr = 0x1ffe000;
	REFUSED_SPEC(&spec, "segment 1 [0x1ffe000, 0x2001000) ends beyond");

	test_elf_default_spec(&spec);
	spec.segments[0].vaddr = 0xff000;
	spec.entry = 0xff010;
	REFUSED_SPEC(&spec, "segment 0 [0xff000, 0x101000) starts below 0x100000");

	/* Rounding to p_align decides: 2 MiB alignment reaches below 1 MiB. */
	test_elf_default_spec(&spec);
	spec.segments[0].align = 0x200000;
	REFUSED_SPEC(&spec, "segment 0 [0x0, 0x200000) starts below 0x100000");

	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x101000;
	REFUSED_SPEC(&spec,
		     "segment 1 [0x101000, 0x104000) overlaps segment 0 [0x100000, 0x102000)");

	/* Sharing a page counts as overlapping: the page has one permission. */
	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x101900;
	REFUSED_SPEC(&spec, "overlaps segment 0");

	test_elf_default_spec(&spec);
	spec.segments[0].vaddr = 0x200000;
	spec.entry = 0x200010;
	spec.segments[1].vaddr = 0x100000;
	REFUSED_SPEC(&spec, "segment 1 [0x100000, 0x103000) comes after segment 0");
	CHECK_MSG(err, "ascending order");

	/* A p_vaddr inside a page loads fine; bounds round out to pages. */
	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x102010;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segments[1].start, 0x102000);
	CHECK_EQ(img.segments[1].end, 0x106000);
	test_elf_free(&e);
}

static void test_segment_alignment_rounding(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	/* Data aligned to 64 KiB, text far below: kernel_end rounds up. */
	test_elf_default_spec(&spec);
	spec.segments[1].vaddr = 0x110010;
	spec.segments[1].align = 0x10000;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segments[1].start, 0x110000);
	CHECK_EQ(img.segments[1].end, 0x120000);
	CHECK_EQ(img.segments[1].load_addr, 0x110010);
	CHECK_EQ(img.kernel_end, 0x120000);
	test_elf_free(&e);
}

static void test_permissions(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	test_elf_default_spec(&spec);
	spec.segments[0].flags = TEST_PF_R | TEST_PF_W | TEST_PF_X;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), -ENOEXEC);
	CHECK(strcmp(err, "segment 0 [0x100000, 0x102000) is writable and executable") == 0);
	test_elf_free(&e);

	/* Without R in p_flags a segment is still readable; W alone is R+W. */
	test_elf_default_spec(&spec);
	spec.segments[0].flags = TEST_PF_X;
	spec.segments[1].flags = TEST_PF_W;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segments[0].perms, NP_READ | NP_EXEC);
	CHECK_EQ(img.segments[1].perms, NP_READ | NP_WRITE);
	test_elf_free(&e);

	test_elf_default_spec(&spec);
	spec.segments[1].flags = TEST_PF_R;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segments[1].perms, NP_READ);
	test_elf_free(&e);
}

static void test_entry(void)
{
	struct test_elf_spec spec;

	test_elf_default_spec(&spec);
	spec.entry = 0x102000;
	REFUSED_SPEC(&spec, "entry point 0x102000 is not inside an executable segment");
	spec.entry = 0;
	REFUSED_SPEC(&spec, "entry point 0x0 is not inside");
	spec.entry = 0x101800;   /* just past the text */
	REFUSED_SPEC(&spec, "entry point 0x101800");
}

static void test_segment_counts(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	/* p_filesz == 0 segments are ignored entirely, even W+X below 1 MiB. */
	test_elf_default_spec(&spec);
	spec.segments[2] = (struct test_elf_segment){
		TEST_PT_LOAD, TEST_PF_R | TEST_PF_W | TEST_PF_X, 0x1000, 0x1000,
		0x1000, 0, 0 };
	spec.segment_count = 3;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segment_count, 2);
	CHECK_EQ(img.kernel_end, 0x105000);
	test_elf_free(&e);

	test_elf_default_spec(&spec);
	spec.segments[0].filesz = 0;
	spec.segments[1].filesz = 0;
	REFUSED_SPEC(&spec, "no loadable segment");

	test_elf_default_spec(&spec);
	for (unsigned i = 0; i < 17; i++)
		spec.segments[i] = (struct test_elf_segment){
			TEST_PT_LOAD, TEST_PF_R | TEST_PF_X,
			0x100000 + 0x1000 * (uint64_t)i, 0x1000, 0x1000, 0x10,
			1 };
	spec.segment_count = 16;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.segment_count, 16);
	test_elf_free(&e);
	spec.segment_count = 17;
	REFUSED_SPEC(&spec, "more than 16 loadable segments");
}

static void test_abi_note(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	test_elf_default_spec(&spec);
	spec.abi_note = false;
	REFUSED_SPEC(&spec, "no Solo5 ABI note");

	test_elf_default_spec(&spec);
	spec.abi_target = 3;
	REFUSED_SPEC(&spec, "Solo5 ABI note: target 3 is not hvt (1)");

	test_elf_default_spec(&spec);
	spec.abi_version = 1;
	REFUSED_SPEC(&spec, "hvt ABI version 1, Skiff implements version 2");

	/* A note of another owner with the ABI type does not count. */
	build_default(&e);
	e.bytes[e.abi_note + 12] = 's';
	REFUSED(&e, "no Solo5 ABI note");
	test_elf_free(&e);

	build_default(&e);
	test_elf_put32(&e, e.abi_note + 8, 0x12345678);
	REFUSED(&e, "no Solo5 ABI note");
	test_elf_free(&e);
}

/* notes_end: the PT_NOTE size of the default image's notes. */
static size_t notes_end(const struct test_elf *e)
{
	return e->manifest + 8 + 2 * 104 - (e->phoff + 3 * 56);
}

static void test_truncated_notes(void)
{
	size_t filesz_at;
	struct test_elf e;

	build_default(&e);
	filesz_at = test_elf_phdr(&e, e.note_phdr) + 32;
	/* End the segment inside the manifest note. */
	test_elf_put64(&e, filesz_at, e.manifest + 8 - (e.phoff + 3 * 56));
	REFUSED(&e, "segment 2 (notes): note at offset");
	CHECK_MSG(err, "is truncated");
	/* End it inside a note header. */
	test_elf_put64(&e, filesz_at, e.abi_note + 6 - (e.phoff + 3 * 56));
	REFUSED(&e, "header runs past the segment");
	/* One byte short of the last note. */
	test_elf_put64(&e, filesz_at, notes_end(&e) - 1);
	REFUSED(&e, "is truncated");
	test_elf_put64(&e, filesz_at, notes_end(&e));
	CHECK_EQ(check(&e, MEM), 0);
	/* A name size that runs past everything. */
	test_elf_free(&e);
	build_default(&e);
	test_elf_put32(&e, e.abi_note, 0xfffffff0u);
	REFUSED(&e, "is truncated");
	test_elf_free(&e);

	build_default(&e);
	test_elf_put64(&e, test_elf_phdr(&e, e.note_phdr) + 8, e.len - 4);
	REFUSED(&e, "segment 2 (notes): [");
	CHECK_MSG(err, "lies outside the file");
	test_elf_free(&e);
}

static void test_manifest_presence(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	test_elf_default_spec(&spec);
	spec.manifest_note = false;
	REFUSED_SPEC(&spec, "no Solo5 manifest note");

	build_default(&e);
	test_elf_put32(&e, e.manifest_note + 4, 8);   /* descsz */
	REFUSED(&e, "manifest note is truncated (8 bytes)");
	test_elf_free(&e);
}

static void test_manifest_header(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	build_default(&e);
	test_elf_put32(&e, e.manifest, 2);
	REFUSED(&e, "manifest version 2 is not 1");
	test_elf_put32(&e, e.manifest, 1);
	test_elf_put32(&e, e.manifest + 4, 0);
	REFUSED(&e, "manifest has 0 entries");
	test_elf_put32(&e, e.manifest + 4, 3);
	REFUSED(&e, "manifest is 216 bytes, but 3 entries need 320");
	test_elf_free(&e);

	test_elf_default_spec(&spec);
	spec.device_count = 64;
	for (unsigned i = 0; i < spec.device_count; i++) {
		snprintf(spec.devices[i].name, sizeof(spec.devices[i].name),
			 "d%u", i);
		spec.devices[i].type = 1;
	}
	REFUSED_SPEC(&spec, "manifest has 65 entries");
	spec.device_count = 63;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.manifest_entries, 64);
	CHECK_EQ(img.device_count, 63);
	CHECK(strcmp(img.devices[62].name, "d62") == 0);
	test_elf_free(&e);

	/* Only the reserved entry: a guest without devices. */
	test_elf_default_spec(&spec);
	spec.device_count = 0;
	test_elf_build(&spec, &e);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(img.device_count, 0);
	test_elf_free(&e);
}

static void test_manifest_entries(void)
{
	struct test_elf_spec spec;
	struct test_elf e;

	build_default(&e);
	test_elf_put32(&e, test_elf_manifest_entry(&e, 0) + 68, 1);
	REFUSED(&e, "manifest entry 0: type 0x1 is not the reserved type");
	test_elf_put32(&e, test_elf_manifest_entry(&e, 0) + 68, 1u << 30);
	e.bytes[test_elf_manifest_entry(&e, 0)] = 'x';
	REFUSED(&e, "manifest entry 0: the reserved entry has a name");
	test_elf_free(&e);

	build_default(&e);
	memset(e.bytes + test_elf_manifest_entry(&e, 1), 'a', 68);
	REFUSED(&e, "manifest entry 1: name is not NUL-terminated");
	e.bytes[test_elf_manifest_entry(&e, 1)] = '\0';
	REFUSED(&e, "manifest entry 1: empty name");
	test_elf_free(&e);

	/* 67 characters and a NUL is the longest name. */
	build_default(&e);
	memset(e.bytes + test_elf_manifest_entry(&e, 1), 'a', 67);
	CHECK_EQ(check(&e, MEM), 0);
	CHECK_EQ(strlen(img.devices[0].name), 67);
	test_elf_free(&e);

	test_elf_default_spec(&spec);
	spec.devices[0].type = 7;
	REFUSED_SPEC(&spec, "manifest entry 1 ('storage'): type 7 is neither block (1) nor net (2)");

	test_elf_default_spec(&spec);
	spec.device_count = 3;
	strcpy(spec.devices[1].name, "net0");
	spec.devices[1].type = 2;
	strcpy(spec.devices[2].name, "storage");
	spec.devices[2].type = 2;
	REFUSED_SPEC(&spec, "manifest entries 1 and 3 have the same name 'storage'");

	/* Names from the image go to the log with control bytes masked. */
	test_elf_default_spec(&spec);
	spec.device_count = 2;
	strcpy(spec.devices[0].name, "\x1b[2J");
	strcpy(spec.devices[1].name, "\x1b[2J");
	spec.devices[1].type = 1;
	REFUSED_SPEC(&spec, "have the same name '?[2J'");
}

static void test_small_error_buffer(void)
{
	char small[8];
	struct test_elf e;

	build_default(&e);
	e.bytes[0] = 0;
	memset(small, 'z', sizeof(small));
	CHECK_EQ(guest_image_check(e.bytes, e.len, MEM, &img, small,
				   sizeof(small)), -ENOEXEC);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	CHECK_EQ(guest_image_check(e.bytes, e.len, MEM, &img, NULL, 0),
		 -ENOEXEC);
	test_elf_free(&e);
}

int main(void)
{
	test_good_image();
	test_bad_memory_size();
	test_header_defects();
	test_program_header_defects();
	test_segment_bounds();
	test_segment_placement();
	test_segment_alignment_rounding();
	test_permissions();
	test_entry();
	test_segment_counts();
	test_abi_note();
	test_truncated_notes();
	test_manifest_presence();
	test_manifest_header();
	test_manifest_entries();
	test_small_error_buffer();
	return guest_test_result("guest_image_test");
}
