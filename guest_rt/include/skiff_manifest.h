/*
 * skiff_manifest.h - declaring the devices an appliance needs.
 *
 * Every image carries a manifest note listing the devices it wants; Skiff
 * refuses to start a guest whose devices are not all provided, and a
 * device's handle is its index in the list. Without a declaration the
 * runtime links a default manifest with no devices (only the reserved
 * entry 0). To declare devices, write exactly once in one source file:
 *
 *     SKIFF_MANIFEST_BLOCK("storage");                  one block device
 *     SKIFF_MANIFEST(SKIFF_DEVICE_BLOCK("storage"),     several devices,
 *                    SKIFF_DEVICE_NET("service"));      handles 1, 2, ...
 *
 * How the default steps aside: the startup code refers to the symbol
 * skiff_manifest_note. An appliance that declares a manifest defines that
 * symbol itself, so the linker never pulls the runtime archive's default
 * definition; one that does not gets the default. Two declarations are a
 * duplicate-symbol link error.
 */
#ifndef SKIFF_MANIFEST_H
#define SKIFF_MANIFEST_H

#include "skiff_abi.h"

/*
 * A device entry; name is a string literal of at most 67 characters. The
 * zero-sized-array trick makes a longer name a compile error: C would
 * silently accept a 68-character literal without its NUL.
 */
#define SKIFF_DEVICE_(name_, type_)                                           \
	{ .name = name_,                                                      \
	  .type = (type_) + 0 * sizeof(char[sizeof(name_) <= SKIFF_MFT_NAME_SIZE \
						? 1 : -1]) }
#define SKIFF_DEVICE_BLOCK(name) SKIFF_DEVICE_(name, SKIFF_MFT_BLOCK)
#define SKIFF_DEVICE_NET(name) SKIFF_DEVICE_(name, SKIFF_MFT_NET)

/* The number of device entries given to SKIFF_MANIFEST. */
#define SKIFF_DEVICE_COUNT_(...)                                              \
	(sizeof((const struct skiff_mft_entry[]){ __VA_ARGS__ }) /           \
	 sizeof(struct skiff_mft_entry))

/*
 * The note's layout: header (20 bytes), 4 bytes of padding so the manifest
 * sits 8-aligned inside the note, then {version, entries, e[]}. Packed with
 * 4-byte alignment so the note section, and its PT_NOTE, are 4-aligned like
 * every other note (a note walker then agrees with the 4-byte padding);
 * the linker script places it at an 8-aligned address regardless.
 */
#define SKIFF_MANIFEST_TYPE_(count)                                           \
	struct __attribute__((packed, aligned(4))) {                          \
		struct skiff_note_header h;                                   \
		uint32_t padding;                                             \
		uint32_t version;                                             \
		uint32_t entries;                                             \
		struct skiff_mft_entry e[(count)];                            \
	}

/* SKIFF_MANIFEST(device entries...): the manifest note of this image. */
#define SKIFF_MANIFEST(...)                                                   \
	const SKIFF_MANIFEST_TYPE_(1 + SKIFF_DEVICE_COUNT_(__VA_ARGS__))      \
	skiff_manifest_note                                                   \
	__attribute__((section(".note.solo5.manifest"), used, aligned(4))) = {\
		.h = {                                                        \
			.namesz = sizeof(SKIFF_NOTE_OWNER),                   \
			.descsz = sizeof(skiff_manifest_note) -               \
				  sizeof(struct skiff_note_header),           \
			.type = SKIFF_NOTE_MANIFEST_TYPE,                     \
			.name = SKIFF_NOTE_OWNER,                             \
		},                                                            \
		.version = SKIFF_MFT_VERSION,                                 \
		.entries = 1 + SKIFF_DEVICE_COUNT_(__VA_ARGS__),              \
		.e = { { .name = "", .type = SKIFF_MFT_RESERVED_FIRST },      \
		       __VA_ARGS__ },                                         \
	};                                                                    \
	_Static_assert(1 + SKIFF_DEVICE_COUNT_(__VA_ARGS__) <=                \
		       SKIFF_MFT_MAX_ENTRIES, "at most 63 devices")

/* SKIFF_MANIFEST_BLOCK(name): a manifest with one block device, handle 1. */
#define SKIFF_MANIFEST_BLOCK(name) SKIFF_MANIFEST(SKIFF_DEVICE_BLOCK(name))

/* SKIFF_MANIFEST_NONE: the default, spelled out (no devices). */
#define SKIFF_MANIFEST_NONE                                                   \
	const SKIFF_MANIFEST_TYPE_(1) skiff_manifest_note                     \
	__attribute__((section(".note.solo5.manifest"), used, aligned(4))) = {\
		.h = {                                                        \
			.namesz = sizeof(SKIFF_NOTE_OWNER),                   \
			.descsz = sizeof(skiff_manifest_note) -               \
				  sizeof(struct skiff_note_header),           \
			.type = SKIFF_NOTE_MANIFEST_TYPE,                     \
			.name = SKIFF_NOTE_OWNER,                             \
		},                                                            \
		.version = SKIFF_MFT_VERSION,                                 \
		.entries = 1,                                                 \
		.e = { { .name = "", .type = SKIFF_MFT_RESERVED_FIRST } },    \
	}

#endif
