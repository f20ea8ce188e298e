/*
 * gpt.h - reading a GUID Partition Table (UEFI specification, chapter 5).
 *
 * Portable: the disk is reached through a sector-reading callback, so host
 * tests and a fuzzer (tests/fuzz/fuzz_gpt.c) feed it any bytes. Everything
 * on the disk is untrusted: the primary header's CRC32 and the entry array's
 * CRC32 must match, every field must be in range, and every partition must
 * lie inside the usable area and inside the disk. The backup header is not
 * read (a damaged primary table is refused, not repaired).
 */
#ifndef SKIFF_DRIVERS_GPT_H
#define SKIFF_DRIVERS_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_MAX_PARTITIONS 128
#define GPT_NAME_MAX 36          /* UTF-16 code units in an entry's name */
#define GPT_MAX_ENTRY_BYTES (256u * 1024u)

struct gpt_partition {
	unsigned index;                  /* entry number in the array, from 0 */
	char name[GPT_NAME_MAX + 1];     /* ASCII; other characters become '?' */
	uint64_t first_lba, last_lba;    /* inclusive */
	uint8_t type_guid[16];
};

struct gpt_table {
	unsigned count;                  /* used entries (non-zero type GUID) */
	struct gpt_partition parts[GPT_MAX_PARTITIONS];
};

/* read_sector: 512 bytes of sector lba into buf; 0 or a negative error. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, void *buf);

/*
 * gpt_parse: read the table of a disk of `sectors` 512-byte sectors.
 * Returns 0 with *out filled; -ENOENT when the disk has no GPT signature
 * at sector 1 (not an error for a whole-disk user); -EINVAL with the
 * reason in err for a table that is damaged or lies; -EIO when a read
 * failed. More than GPT_MAX_PARTITIONS used entries is -E2BIG.
 */
int gpt_parse(gpt_read_fn read_sector, void *ctx, uint64_t sectors, struct gpt_table *out,
	      char *err, size_t errlen);

/* gpt_crc32: the CRC-32 GPT uses (IEEE 802.3, reflected), continuing from
 * crc (start with 0). */
uint32_t gpt_crc32(uint32_t crc, const void *data, size_t len);

#endif
