/*
 * guest_manifest.c - the Solo5 manifest (MFT1): checking the image's
 * declaration of devices, and filling the guest's copy with the devices
 * Skiff attaches.
 *
 * Layout (Solo5 mft_abi.h): u32 version, u32 entries, then entries of 104
 * bytes: name[68], u32 type @68, union @72 (block: u64 capacity, u16
 * block_size; net: u8 mac[6], u16 mtu), private @88, bool attached @96.
 * Entry 0 is reserved.
 */
#include "hypervisor/loader/guest_elf.h"

#include "lib/kstring.h"

static const uint8_t *entry_at(const uint8_t *mft, unsigned i)
{
	return mft + SOLO5_MANIFEST_HEADER + (size_t)i * GUEST_MANIFEST_ENTRY_SIZE;
}

static const char *type_name(uint32_t type)
{
	return type == GUEST_DEV_NET ? "net" : "block";
}

/* check_header: version and entry count, and a size that matches them. */
static int check_header(const uint8_t *mft, uint64_t size, uint32_t *entries,
			char *err, size_t errlen)
{
	uint32_t version = guest_read_le32(mft);
	uint64_t want;

	*entries = guest_read_le32(mft + 4);
	if (version != SOLO5_MANIFEST_VERSION)
		return guest_fail(err, errlen,
				  "manifest version %u is not 1", (unsigned)version);
	if (*entries == 0 || *entries > GUEST_MANIFEST_MAX_ENTRIES)
		return guest_fail(err, errlen,
				  "manifest has %u entries (1..64 allowed, entry 0 reserved)",
				  (unsigned)*entries);
	want = SOLO5_MANIFEST_HEADER +
	       (uint64_t)*entries * GUEST_MANIFEST_ENTRY_SIZE;
	if (size != want)
		return guest_fail(err, errlen,
				  "manifest is %llu bytes, but %u entries need %llu",
				  (unsigned long long)size, (unsigned)*entries,
				  (unsigned long long)want);
	return 0;
}

static int check_reserved_entry(const uint8_t *e, char *err, size_t errlen)
{
	uint32_t type = guest_read_le32(e + MFT_ENTRY_TYPE);

	if (type != SOLO5_MANIFEST_RESERVED_TYPE)
		return guest_fail(err, errlen,
				  "manifest entry 0: type 0x%x is not the reserved type 0x40000000",
				  (unsigned)type);
	if (e[0] != '\0')
		return guest_fail(err, errlen,
				  "manifest entry 0: the reserved entry has a name");
	return 0;
}

/* check_device_entry: entry i >= 1: terminated, non-empty name and a known type. */
static int check_device_entry(const uint8_t *e, unsigned i,
			      struct guest_device *dev, char *err,
			      size_t errlen)
{
	char shown[GUEST_MANIFEST_NAME_MAX];
	uint32_t type = guest_read_le32(e + MFT_ENTRY_TYPE);

	if (guest_string_length((const char *)e, GUEST_MANIFEST_NAME_MAX) ==
	    GUEST_MANIFEST_NAME_MAX)
		return guest_fail(err, errlen,
				  "manifest entry %u: name is not NUL-terminated", i);
	if (e[0] == '\0')
		return guest_fail(err, errlen, "manifest entry %u: empty name",
				  i);
	memcpy(dev->name, e, GUEST_MANIFEST_NAME_MAX);
	guest_printable_name(dev->name, shown);
	if (type != GUEST_DEV_BLOCK && type != GUEST_DEV_NET)
		return guest_fail(err, errlen,
				  "manifest entry %u ('%s'): type %u is neither block (1) nor net (2)",
				  i, shown, (unsigned)type);
	dev->type = type;
	return 0;
}

static int check_unique(const struct guest_image *out, char *err, size_t errlen)
{
	char shown[GUEST_MANIFEST_NAME_MAX];

	for (unsigned i = 0; i < out->device_count; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(out->devices[i].name, out->devices[j].name) != 0)
				continue;
			guest_printable_name(out->devices[i].name, shown);
			return guest_fail(err, errlen,
					  "manifest entries %u and %u have the same name '%s'",
					  j + 1, i + 1, shown);
		}
	}
	return 0;
}

int guest_manifest_check(const uint8_t *elf, uint64_t offset, uint64_t size,
			 struct guest_image *out, char *err, size_t errlen)
{
	const uint8_t *mft = elf + offset;
	uint32_t entries;
	int rc;

	rc = check_header(mft, size, &entries, err, errlen);
	if (rc == 0)
		rc = check_reserved_entry(entry_at(mft, 0), err, errlen);
	if (rc < 0)
		return rc;
	out->device_count = 0;
	for (unsigned i = 1; i < entries; i++) {
		rc = check_device_entry(entry_at(mft, i), i,
					&out->devices[out->device_count], err,
					errlen);
		if (rc < 0)
			return rc;
		out->device_count++;
	}
	out->manifest_entries = entries;
	out->manifest_offset = (size_t)offset;
	out->manifest_size = (size_t)size;
	return check_unique(out, err, errlen);
}

/* find_block: the provided block device called name, or NULL. */
static const struct guest_attached_block *
find_block(const char *name, const struct guest_attached_block *blocks,
	   unsigned block_count)
{
	for (unsigned i = 0; i < block_count; i++)
		if (strcmp(blocks[i].name, name) == 0)
			return &blocks[i];
	return NULL;
}

/* check_all_declared: every provided device names a declared device of its type. */
static int check_all_declared(const struct guest_image *img,
			      const struct guest_attached_block *blocks,
			      unsigned block_count, char *err, size_t errlen)
{
	for (unsigned i = 0; i < block_count; i++) {
		unsigned d;

		for (d = 0; d < img->device_count; d++)
			if (strcmp(img->devices[d].name, blocks[i].name) == 0)
				break;
		uint32_t want = blocks[i].is_net ? GUEST_DEV_NET : GUEST_DEV_BLOCK;

		if (d == img->device_count)
			return guest_fail(err, errlen,
					  "%s device '%s' is provided but the image declares no device of that name",
					  type_name(want), blocks[i].name);
		if (img->devices[d].type != want)
			return guest_fail(err, errlen,
					  "device '%s' is declared by the image as %s, not %s",
					  blocks[i].name, type_name(img->devices[d].type),
					  type_name(want));
	}
	return 0;
}

/* attach_entry: fill device d's entry (index d + 1) from its provider. */
static int attach_entry(uint8_t *e, const struct guest_device *dev,
			const struct guest_attached_block *blocks,
			unsigned block_count, char *err, size_t errlen)
{
	const struct guest_attached_block *b =
		find_block(dev->name, blocks, block_count);
	char shown[GUEST_MANIFEST_NAME_MAX];

	/* The union, private data and flag belong to Skiff: never trust the image's. */
	memset(e + MFT_ENTRY_BLOCK_CAPACITY, 0,
	       MFT_ENTRY_UNION_SIZE + MFT_ENTRY_PRIVATE_SIZE + 1);
	if (b == NULL) {
		guest_printable_name(dev->name, shown);
		if (dev->type == GUEST_DEV_NET)
			return guest_fail(err, errlen,
					  "device '%s' (net) is declared by the image but not provided (add net.%s=NETWORK to the module command line)",
					  shown, shown);
		return guest_fail(err, errlen,
				  "device '%s' (%s) is declared by the image but not provided (add block.%s=FILE to the module command line)",
				  shown, type_name(dev->type), shown);
	}
	if (b->is_net) {
		memcpy(e + MFT_ENTRY_NET_MAC, b->mac, 6);
		guest_write_le16(e + MFT_ENTRY_NET_MTU, b->mtu);
	} else {
		guest_write_le64(e + MFT_ENTRY_BLOCK_CAPACITY, b->capacity);
		guest_write_le16(e + MFT_ENTRY_BLOCK_SIZE, b->block_size);
	}
	e[MFT_ENTRY_ATTACHED] = 1;
	return 0;
}

int guest_manifest_attach(uint8_t *mft, const struct guest_image *img,
			  const struct guest_attached_block *blocks,
			  unsigned block_count, char *err, size_t errlen)
{
	int rc = check_all_declared(img, blocks, block_count, err, errlen);

	for (unsigned d = 0; rc == 0 && d < img->device_count; d++) {
		uint8_t *e = mft + SOLO5_MANIFEST_HEADER +
			     (size_t)(d + 1) * GUEST_MANIFEST_ENTRY_SIZE;

		rc = attach_entry(e, &img->devices[d], blocks, block_count,
				  err, errlen);
	}
	return rc;
}
