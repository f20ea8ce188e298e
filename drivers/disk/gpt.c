/*
 * gpt.c - GUID Partition Table reader (gpt.h).
 */
#include "drivers/disk/gpt.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define SECTOR 512u
#define HEADER_LBA 1u
#define HEADER_MIN_SIZE 92u
#define ENTRY_MIN_SIZE 128u
#define REVISION_1_0 0x00010000u

/* Header field offsets. */
enum {
	H_SIGNATURE = 0, H_REVISION = 8, H_SIZE = 12, H_CRC = 16, H_MY_LBA = 24,
	H_FIRST_USABLE = 40, H_LAST_USABLE = 48, H_ENTRIES_LBA = 72,
	H_ENTRY_COUNT = 80, H_ENTRY_SIZE = 84, H_ENTRIES_CRC = 88,
};

/* Entry field offsets. */
enum { E_TYPE = 0, E_FIRST = 32, E_LAST = 40, E_NAME = 56 };

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

uint32_t gpt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

struct header {
	uint64_t first_usable, last_usable, entries_lba;
	uint32_t entry_count, entry_size, entries_crc;
};

static int check_header(const uint8_t *h, uint64_t sectors, struct header *out, char *err,
			size_t errlen)
{
	uint32_t size = get32(h + H_SIZE), crc = get32(h + H_CRC);
	uint8_t copy[SECTOR];
	uint64_t entry_bytes, entry_sectors;

	if (get32(h + H_REVISION) >> 16 != 1)
		return format_error(-EINVAL, err, errlen, "GPT revision 0x%x is not 1.x", get32(h + H_REVISION));
	if (size < HEADER_MIN_SIZE || size > SECTOR)
		return format_error(-EINVAL, err, errlen, "GPT header size %u is outside 92..512", size);
	memcpy(copy, h, SECTOR);
	memset(copy + H_CRC, 0, 4);
	if (gpt_crc32(0, copy, size) != crc)
		return format_error(-EINVAL, err, errlen, "GPT header CRC32 does not match (stored 0x%08x)", crc);
	if (get64(h + H_MY_LBA) != HEADER_LBA)
		return format_error(-EINVAL, err, errlen, "GPT header says it is at sector %llu, not 1",
			      (unsigned long long)get64(h + H_MY_LBA));
	*out = (struct header){
		.first_usable = get64(h + H_FIRST_USABLE), .last_usable = get64(h + H_LAST_USABLE),
		.entries_lba = get64(h + H_ENTRIES_LBA), .entry_count = get32(h + H_ENTRY_COUNT),
		.entry_size = get32(h + H_ENTRY_SIZE), .entries_crc = get32(h + H_ENTRIES_CRC),
	};
	if (out->first_usable > out->last_usable || out->last_usable >= sectors ||
	    out->first_usable <= HEADER_LBA)
		return format_error(-EINVAL, err, errlen, "GPT usable sectors %llu..%llu do not fit a disk of %llu sectors",
			      (unsigned long long)out->first_usable,
			      (unsigned long long)out->last_usable,
			      (unsigned long long)sectors);
	if (out->entry_size < ENTRY_MIN_SIZE || out->entry_size > SECTOR ||
	    (out->entry_size & (out->entry_size - 1)) != 0)
		return format_error(-EINVAL, err, errlen, "GPT entry size %u is not 128, 256 or 512", out->entry_size);
	entry_bytes = (uint64_t)out->entry_count * out->entry_size;
	if (entry_bytes > GPT_MAX_ENTRY_BYTES)
		return format_error(-EINVAL, err, errlen, "GPT entry array of %u entries is larger than %u bytes",
			      out->entry_count, GPT_MAX_ENTRY_BYTES);
	entry_sectors = (entry_bytes + SECTOR - 1) / SECTOR;
	if (out->entries_lba <= HEADER_LBA || out->entries_lba >= sectors ||
	    entry_sectors > sectors - out->entries_lba)
		return format_error(-EINVAL, err, errlen, "GPT entry array at sector %llu does not fit the disk",
			      (unsigned long long)out->entries_lba);
	return 0;
}

static bool guid_is_zero(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

static void copy_name(const uint8_t *utf16, char *out)
{
	int i;

	for (i = 0; i < GPT_NAME_MAX; i++) {
		uint16_t c = (uint16_t)(utf16[2 * i] | utf16[2 * i + 1] << 8);

		if (c == 0)
			break;
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
}

/* add_entry: one used entry, checked against the usable area. */
static int add_entry(const uint8_t *e, unsigned index, const struct header *h,
		     struct gpt_table *out, char *err, size_t errlen)
{
	struct gpt_partition *p;
	uint64_t first = get64(e + E_FIRST), last = get64(e + E_LAST);

	if (guid_is_zero(e + E_TYPE))
		return 0;
	if (first > last || first < h->first_usable || last > h->last_usable)
		return format_error(-EINVAL, err, errlen, "GPT entry %u: sectors %llu..%llu are outside the usable %llu..%llu",
			      index, (unsigned long long)first, (unsigned long long)last,
			      (unsigned long long)h->first_usable,
			      (unsigned long long)h->last_usable);
	if (out->count == GPT_MAX_PARTITIONS)
		return format_error(-E2BIG, err, errlen, "GPT has more than %u partitions", GPT_MAX_PARTITIONS);
	p = &out->parts[out->count++];
	p->index = index;
	p->first_lba = first;
	p->last_lba = last;
	memcpy(p->type_guid, e + E_TYPE, 16);
	copy_name(e + E_NAME, p->name);
	return 0;
}

/* read_entries: walk the array sector by sector, CRC over exactly
 * entry_count * entry_size bytes. Entry sizes divide 512, so no entry
 * straddles two sectors. */
static int read_entries(gpt_read_fn read_sector, void *ctx, const struct header *h,
			struct gpt_table *out, char *err, size_t errlen)
{
	uint8_t sector[SECTOR];
	uint64_t remaining = (uint64_t)h->entry_count * h->entry_size;
	uint32_t crc = 0;
	unsigned index = 0;
	int rc;

	for (uint64_t lba = h->entries_lba; remaining > 0; lba++) {
		uint32_t n = remaining < SECTOR ? (uint32_t)remaining : SECTOR;

		if (read_sector(ctx, lba, sector) != 0)
			return format_error(-EIO, err, errlen, "cannot read GPT entries at sector %llu",
				      (unsigned long long)lba);
		crc = gpt_crc32(crc, sector, n);
		for (uint32_t off = 0; off < n; off += h->entry_size, index++)
			if ((rc = add_entry(sector + off, index, h, out, err, errlen)) != 0)
				return rc;
		remaining -= n;
	}
	if (crc != h->entries_crc)
		return format_error(-EINVAL, err, errlen, "GPT entry array CRC32 does not match (stored 0x%08x)",
			      h->entries_crc);
	return 0;
}

int gpt_parse(gpt_read_fn read_sector, void *ctx, uint64_t sectors, struct gpt_table *out,
	      char *err, size_t errlen)
{
	uint8_t sector[SECTOR];
	struct header h = { 0 };
	int rc;

	out->count = 0;
	if (sectors < 3)
		return -ENOENT;
	if (read_sector(ctx, HEADER_LBA, sector) != 0)
		return format_error(-EIO, err, errlen, "cannot read the GPT header (sector 1)");
	if (memcmp(sector + H_SIGNATURE, "EFI PART", 8) != 0)
		return -ENOENT;
	if ((rc = check_header(sector, sectors, &h, err, errlen)) != 0)
		return rc;
	rc = read_entries(read_sector, ctx, &h, out, err, errlen);
	if (rc != 0)
		out->count = 0;
	return rc;
}
