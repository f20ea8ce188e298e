/*
 * test_elf_builder.c - in-memory Solo5 hvt guest images for host tests
 * (test_elf_builder.h). Field values follow the ELF64 gABI, the x86-64
 * psABI and Solo5's documented note formats; the loader's own constants
 * are deliberately not used, so a wrong constant there cannot hide here.
 */
#include "test_elf_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define PAGE 0x1000u
#define NOTE_NAME_PADDED 8u   /* "Solo5\0" padded to 4 */
#define ENTRY_SIZE 104u

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_checked(struct test_elf *elf, size_t off, uint64_t v,
			unsigned bytes)
{
	if (off > elf->len || bytes > elf->len - off) {
		fprintf(stderr, "test_elf: store at %zu outside %zu bytes\n",
			off, elf->len);
		abort();
	}
	put(elf->bytes + off, v, bytes);
}

void test_elf_put16(struct test_elf *elf, size_t offset, uint16_t v)
{
	put_checked(elf, offset, v, 2);
}

void test_elf_put32(struct test_elf *elf, size_t offset, uint32_t v)
{
	put_checked(elf, offset, v, 4);
}

void test_elf_put64(struct test_elf *elf, size_t offset, uint64_t v)
{
	put_checked(elf, offset, v, 8);
}

size_t test_elf_phdr(const struct test_elf *elf, unsigned i)
{
	return elf->phoff + (size_t)i * PHDR_SIZE;
}

size_t test_elf_manifest_entry(const struct test_elf *elf, unsigned i)
{
	return elf->manifest + 8 + (size_t)i * ENTRY_SIZE;
}

void test_elf_default_spec(struct test_elf_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->entry = 0x100010;
	spec->segment_count = 2;
	spec->segments[0] = (struct test_elf_segment){
		TEST_PT_LOAD, TEST_PF_R | TEST_PF_X, 0x100000, 0x1800, PAGE,
		0x1800, 0x11 };
	spec->segments[1] = (struct test_elf_segment){
		TEST_PT_LOAD, TEST_PF_R | TEST_PF_W, 0x102000, 0x3000, PAGE,
		0x100, 0x77 };
	spec->abi_note = true;
	spec->abi_target = 1;
	spec->abi_version = 2;
	spec->manifest_note = true;
	spec->device_count = 1;
	strcpy(spec->devices[0].name, "storage");
	spec->devices[0].type = 1;
}

/* note_header: a note header with the given owner (NUL included, <= 8). */
static size_t note_header(uint8_t *p, const char *owner, uint32_t descsz,
			  uint32_t type)
{
	size_t namesz = strlen(owner) + 1;

	put(p, namesz, 4);
	put(p + 4, descsz, 4);
	put(p + 8, type, 4);
	memcpy(p + 12, owner, namesz);
	return 12 + align_up(namesz, 4);
}

static size_t notes_size(const struct test_elf_spec *spec)
{
	size_t size = 12 + 8 + 4;                       /* foreign note */

	if (spec->abi_note)
		size += 12 + NOTE_NAME_PADDED + 16;
	if (spec->manifest_note)
		size += 12 + NOTE_NAME_PADDED + 4 + 8 +
			(spec->device_count + 1) * ENTRY_SIZE;
	return size;
}

static void write_manifest(const struct test_elf_spec *spec, uint8_t *m)
{
	put(m, 1, 4);
	put(m + 4, spec->device_count + 1, 4);
	put(m + 8 + 68, 1u << 30, 4);                   /* reserved entry 0 */
	for (unsigned i = 0; i < spec->device_count; i++) {
		uint8_t *e = m + 8 + (size_t)(i + 1) * ENTRY_SIZE;

		memcpy(e, spec->devices[i].name, sizeof(spec->devices[i].name));
		put(e + 68, spec->devices[i].type, 4);
	}
}

/* write_notes: the PT_NOTE contents at offset at; records where each note is. */
static size_t write_notes(const struct test_elf_spec *spec,
			  struct test_elf *out, size_t at)
{
	uint8_t *b = out->bytes;
	size_t start = at;

	/* An unrelated note first: the loader must skip other owners. */
	at += note_header(b + at, "Skiff", 4, 1);
	at += 4;
	if (spec->abi_note) {
		out->abi_note = at;
		at += note_header(b + at, "Solo5", 16, 0x31494241);
		out->abi_desc = at;
		put(b + at, spec->abi_target, 4);
		put(b + at + 4, spec->abi_version, 4);
		at += 16;
	}
	if (spec->manifest_note) {
		size_t desc = 4 + 8 + (spec->device_count + 1) * ENTRY_SIZE;

		out->manifest_note = at;
		at += note_header(b + at, "Solo5", (uint32_t)desc, 0x3154464d);
		out->manifest = at + 4;
		write_manifest(spec, b + out->manifest);
		at += desc;
	}
	return at - start;
}

static void write_phdr(uint8_t *p, uint32_t type, uint32_t flags,
		       uint64_t offset, uint64_t vaddr, uint64_t filesz,
		       uint64_t memsz, uint64_t align)
{
	put(p, type, 4);
	put(p + 4, flags, 4);
	put(p + 8, offset, 8);
	put(p + 16, vaddr, 8);
	put(p + 24, vaddr, 8);
	put(p + 32, filesz, 8);
	put(p + 40, memsz, 8);
	put(p + 48, align, 8);
}

static void write_ehdr(uint8_t *b, uint64_t entry, unsigned phnum)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	memcpy(b, ident, sizeof(ident));
	put(b + 16, 2, 2);              /* ET_EXEC */
	put(b + 18, 62, 2);             /* EM_X86_64 */
	put(b + 20, 1, 4);
	put(b + 24, entry, 8);
	put(b + 32, EHDR_SIZE, 8);      /* phdrs follow the header */
	put(b + 52, EHDR_SIZE, 2);
	put(b + 54, PHDR_SIZE, 2);
	put(b + 56, phnum, 2);
}

/* layout: file offsets of the segments' contents; returns the file size. */
static size_t layout(const struct test_elf_spec *spec, struct test_elf *out,
		     size_t cursor)
{
	for (unsigned i = 0; i < spec->segment_count; i++) {
		const struct test_elf_segment *s = &spec->segments[i];

		/* Congruent to vaddr modulo the page, as linkers lay files out. */
		out->segment_offset[i] = align_up(cursor, PAGE) +
					 (size_t)(s->vaddr % PAGE);
		cursor = out->segment_offset[i] + s->filesz;
	}
	return cursor;
}

void test_elf_build(const struct test_elf_spec *spec, struct test_elf *out)
{
	unsigned phnum = spec->segment_count + 1;
	size_t notes_at = EHDR_SIZE + (size_t)phnum * PHDR_SIZE;
	size_t notes_len = notes_size(spec);

	memset(out, 0, sizeof(*out));
	out->len = layout(spec, out, notes_at + notes_len);
	out->bytes = calloc(1, out->len);
	if (out->bytes == NULL)
		abort();
	out->phoff = EHDR_SIZE;
	out->note_phdr = spec->segment_count;
	write_ehdr(out->bytes, spec->entry, phnum);
	for (unsigned i = 0; i < spec->segment_count; i++) {
		const struct test_elf_segment *s = &spec->segments[i];

		write_phdr(out->bytes + test_elf_phdr(out, i), s->type, s->flags,
			   out->segment_offset[i], s->vaddr, s->filesz,
			   s->memsz, s->align);
		for (size_t k = 0; k < s->filesz; k++)
			out->bytes[out->segment_offset[i] + k] =
				(uint8_t)(s->fill + k);
	}
	write_notes(spec, out, notes_at);
	write_phdr(out->bytes + test_elf_phdr(out, out->note_phdr), 4,
		   TEST_PF_R, notes_at, 0, notes_len, 0, 4);
}

void test_elf_free(struct test_elf *elf)
{
	free(elf->bytes);
	elf->bytes = NULL;
}
