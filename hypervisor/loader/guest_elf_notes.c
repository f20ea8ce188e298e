/*
 * guest_elf_notes.c - finding the Solo5 ABI and manifest notes in a guest
 * image's PT_NOTE segments.
 *
 * Notes are walked with 4-byte padding of name and descriptor, as Solo5's
 * toolchain lays them out (also for ELF64). Other owners' notes are
 * skipped; each Solo5 note must appear once.
 */
#include "hypervisor/loader/guest_elf.h"

#include "lib/kstring.h"

#define NOTE_HEADER 12u
#define NOTE_OWNER_SIZE 6u   /* "Solo5" and its NUL */

static uint64_t pad4(uint64_t n)
{
	return (n + 3) & ~UINT64_C(3);
}

/* One note inside a PT_NOTE segment: where its descriptor is, and its kind. */
struct note {
	uint32_t type, descsz;
	uint64_t desc;           /* file offset of the descriptor */
	bool solo5;              /* owner is "Solo5" */
};

/*
 * read_note: the note at file offset *at, in a segment ending at end.
 * Advances *at past it. -ENOEXEC when the note runs past the segment.
 */
static int read_note(const uint8_t *elf, uint64_t *at, uint64_t end,
		     unsigned seg, struct note *n, char *err, size_t errlen)
{
	uint64_t namesz, size;

	if (end - *at < NOTE_HEADER)
		return guest_fail(err, errlen,
				  "segment %u (notes): note at offset 0x%llx is truncated (header runs past the segment)",
				  seg, (unsigned long long)*at);
	namesz = guest_read_le32(elf + *at);
	n->descsz = guest_read_le32(elf + *at + 4);
	n->type = guest_read_le32(elf + *at + 8);
	size = NOTE_HEADER + pad4(namesz) + pad4(n->descsz);
	if (size > end - *at)
		return guest_fail(err, errlen,
				  "segment %u (notes): note at offset 0x%llx is truncated (0x%llx bytes, 0x%llx left in the segment)",
				  seg, (unsigned long long)*at,
				  (unsigned long long)size,
				  (unsigned long long)(end - *at));
	n->solo5 = namesz == NOTE_OWNER_SIZE &&
		   memcmp(elf + *at + NOTE_HEADER, SOLO5_NOTE_OWNER,
			  NOTE_OWNER_SIZE) == 0;
	n->desc = *at + NOTE_HEADER + pad4(namesz);
	*at += size;
	return 0;
}

/* take_abi_note: check the ABI note's descriptor {target, version, 0, 0}. */
static int take_abi_note(const uint8_t *elf, const struct note *n,
			 struct guest_notes *notes, char *err, size_t errlen)
{
	uint32_t target, version;

	if (notes->have_abi)
		return guest_fail(err, errlen, "two Solo5 ABI notes");
	if (n->descsz != SOLO5_ABI_NOTE_SIZE)
		return guest_fail(err, errlen,
				  "Solo5 ABI note has %u bytes, not 16",
				  (unsigned)n->descsz);
	target = guest_read_le32(elf + n->desc);
	version = guest_read_le32(elf + n->desc + 4);
	if (target != SOLO5_ABI_TARGET_HVT)
		return guest_fail(err, errlen,
				  "Solo5 ABI note: target %u is not hvt (1); rebuild the guest for hvt",
				  (unsigned)target);
	if (version != SOLO5_ABI_VERSION)
		return guest_fail(err, errlen,
				  "Solo5 ABI note: hvt ABI version %u, Skiff implements version 2",
				  (unsigned)version);
	notes->have_abi = true;
	notes->abi_offset = n->desc;
	return 0;
}

static int take_manifest_note(const struct note *n, struct guest_notes *notes,
			      char *err, size_t errlen)
{
	if (notes->have_manifest)
		return guest_fail(err, errlen, "two Solo5 manifest notes");
	if (n->descsz < SOLO5_MANIFEST_PAD + SOLO5_MANIFEST_HEADER)
		return guest_fail(err, errlen,
				  "Solo5 manifest note is truncated (%u bytes)",
				  (unsigned)n->descsz);
	notes->have_manifest = true;
	notes->manifest_offset = n->desc + SOLO5_MANIFEST_PAD;
	notes->manifest_size = n->descsz - SOLO5_MANIFEST_PAD;
	return 0;
}

/* walk_segment: every note in the PT_NOTE file range [offset, end). */
static int walk_segment(const uint8_t *elf, uint64_t offset, uint64_t end,
			unsigned seg, struct guest_notes *notes, char *err,
			size_t errlen)
{
	struct note n = { 0, 0, 0, false };
	int rc = 0;

	while (rc == 0 && offset < end) {
		rc = read_note(elf, &offset, end, seg, &n, err, errlen);
		if (rc < 0 || !n.solo5)
			continue;
		if (n.type == SOLO5_ABI_NOTE_TYPE)
			rc = take_abi_note(elf, &n, notes, err, errlen);
		else if (n.type == SOLO5_MANIFEST_NOTE_TYPE)
			rc = take_manifest_note(&n, notes, err, errlen);
	}
	return rc;
}

int guest_elf_find_notes(const uint8_t *elf, size_t len, uint64_t phoff,
			 unsigned phnum, struct guest_notes *notes, char *err,
			 size_t errlen)
{
	memset(notes, 0, sizeof(*notes));
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *p = elf + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint64_t offset = guest_read_le64(p + 8);
		uint64_t size = guest_read_le64(p + 32);
		int rc;

		if (guest_read_le32(p) != ELF_PT_NOTE)
			continue;
		if (!guest_range_in(offset, size, len))
			return guest_fail(err, errlen,
					  "segment %u (notes): [0x%llx, +0x%llx) lies outside the file (%zu bytes)",
					  i, (unsigned long long)offset,
					  (unsigned long long)size, len);
		rc = walk_segment(elf, offset, offset + size, i, notes, err,
				  errlen);
		if (rc < 0)
			return rc;
	}
	if (!notes->have_abi)
		return guest_fail(err, errlen,
				  "no Solo5 ABI note (owner \"Solo5\", type 0x31494241): not a Solo5 hvt image");
	if (!notes->have_manifest)
		return guest_fail(err, errlen,
				  "no Solo5 manifest note (owner \"Solo5\", type 0x3154464d)");
	return 0;
}
