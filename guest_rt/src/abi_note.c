/*
 * abi_note.c - the Solo5 ABI note: this image speaks hvt ABI version 2.
 * Skiff refuses images without it (as Solo5's hvt tender does).
 */
#include "skiff_abi.h"

/* All fields are 32-bit, so the note is naturally 4-aligned and unpadded. */
struct abi_note {
	struct skiff_note_header h;
	uint32_t target;
	uint32_t version;
	uint32_t reserved[2];
};

_Static_assert(sizeof(struct abi_note) == 36, "ABI note is 20 + 16 bytes");

__attribute__((section(".note.solo5.abi"), used, aligned(4)))
const struct abi_note skiff_abi_note = {
	.h = {
		.namesz = sizeof(SKIFF_NOTE_OWNER),
		.descsz = sizeof(struct abi_note) - sizeof(struct skiff_note_header),
		.type = SKIFF_NOTE_ABI_TYPE,
		.name = SKIFF_NOTE_OWNER,
	},
	.target = SKIFF_ABI_TARGET_HVT,
	.version = SKIFF_ABI_VERSION,
};
