/*
 * store.c - the record store of store.h: a linear scan over the slots.
 *
 * A scan reads every slot, which is cheap at the sizes a unikernel's
 * configuration store has (a 64 KiB disk is 127 slots) and needs no
 * index that could disagree with the disk.
 */
#include <stdio.h>
#include <string.h>

#include "crc32.h"
#include "skiff.h"
#include "store.h"

#define BLOCK 512u
#define MAGIC "SKIFFKV1"
#define VERSION 1u
#define IN_USE 0x4b56u  /* "VK": a zeroed slot is free */

struct header {
	char magic[8];
	uint32_t version;
	uint32_t reserved;
	uint64_t slots;
};

struct record {
	uint16_t in_use;
	uint8_t key_len;
	uint8_t reserved;
	uint16_t value_len;
	uint16_t reserved2;
	uint32_t crc;          /* over the head with crc = 0, key and value */
	char data[BLOCK - 12]; /* key, then value; no NULs stored */
};

_Static_assert(sizeof(struct record) == BLOCK, "a record is one block");
_Static_assert(KV_KEY_MAX + KV_VALUE_MAX <= BLOCK - 12, "key and value fit a block");

static union {
	uint8_t bytes[BLOCK];
	struct header h;
	struct record r;
} block;

static uint32_t record_crc(const struct record *r)
{
	struct record copy = *r;

	copy.crc = 0;
	return crc32(&copy, 12 + (size_t)r->key_len + r->value_len);
}

static int read_slot(struct kv_store *kv, uint64_t slot)
{
	return skiff_block_read(kv->handle, slot * BLOCK, block.bytes, BLOCK) == SKIFF_OK ? 0 : -1;
}

static int write_slot(struct kv_store *kv, uint64_t slot)
{
	return skiff_block_write(kv->handle, slot * BLOCK, block.bytes, BLOCK) == SKIFF_OK ? 0 : -1;
}

/* valid: the slot just read holds an intact record. */
static int valid(uint64_t slot)
{
	const struct record *r = &block.r;

	if (r->in_use != IN_USE)
		return 0;
	if (r->key_len == 0 || r->key_len > KV_KEY_MAX || r->value_len > KV_VALUE_MAX ||
	    record_crc(r) != r->crc) {
		printf("kvstore: slot %llu is damaged; skipped\n", (unsigned long long)slot);
		return 0;
	}
	return 1;
}

static int empty_block(void)
{
	for (unsigned i = 0; i < BLOCK; i++)
		if (block.bytes[i])
			return 0;
	return 1;
}

int kv_open(struct kv_store *kv, const char *name, int *formatted)
{
	struct skiff_block_info info;

	*formatted = 0;
	if (skiff_block_find(name, &kv->handle) != SKIFF_OK ||
	    skiff_block_info(kv->handle, &info) != SKIFF_OK) {
		printf("kvstore: no block device '%s' attached\n", name);
		return -1;
	}
	if (info.block_size != BLOCK || info.capacity < 2 * BLOCK) {
		printf("kvstore: the disk needs 512-byte blocks and at least 2 of them\n");
		return -1;
	}
	kv->slots = info.capacity / BLOCK - 1;
	if (read_slot(kv, 0) != 0)
		return printf("kvstore: cannot read block 0\n"), -1;
	if (empty_block()) {
		memcpy(block.h.magic, MAGIC, 8);
		block.h.version = VERSION;
		block.h.slots = kv->slots;
		if (write_slot(kv, 0) != 0)
			return printf("kvstore: cannot write block 0\n"), -1;
		*formatted = 1;
		return 0;
	}
	if (memcmp(block.h.magic, MAGIC, 8) != 0 || block.h.version != VERSION ||
	    block.h.slots > kv->slots) {
		printf("kvstore: the disk is not a kvstore (no %s header in block 0); "
		       "start from a zeroed image\n", MAGIC);
		return -1;
	}
	kv->slots = block.h.slots;
	return 0;
}

/*
 * find: the slot holding key (*slot, KV_OK) or KV_NOT_FOUND with *free_slot
 * the first free slot (0 when none). KV_IO when a read failed.
 */
static enum kv_result find(struct kv_store *kv, const char *key, uint64_t *slot,
			   uint64_t *free_slot)
{
	size_t len = strlen(key);

	*free_slot = 0;
	for (uint64_t s = 1; s <= kv->slots; s++) {
		if (read_slot(kv, s) != 0)
			return KV_IO;
		if (!valid(s)) {
			if (!*free_slot)
				*free_slot = s;
			continue;
		}
		if (block.r.key_len == len && memcmp(block.r.data, key, len) == 0) {
			*slot = s;
			return KV_OK;
		}
	}
	return KV_NOT_FOUND;
}

enum kv_result kv_put(struct kv_store *kv, const char *key, const char *value,
		      int *replaced)
{
	size_t key_len = strlen(key), value_len = strlen(value);
	uint64_t slot = 0, free_slot;
	enum kv_result r;

	if (key_len == 0 || key_len > KV_KEY_MAX || value_len > KV_VALUE_MAX)
		return KV_TOO_LONG;
	r = find(kv, key, &slot, &free_slot);
	if (r == KV_IO)
		return r;
	*replaced = r == KV_OK;
	if (r == KV_NOT_FOUND) {
		if (!free_slot)
			return KV_FULL;
		slot = free_slot;
	}
	memset(block.bytes, 0, BLOCK);
	block.r.in_use = IN_USE;
	block.r.key_len = (uint8_t)key_len;
	block.r.value_len = (uint16_t)value_len;
	memcpy(block.r.data, key, key_len);
	memcpy(block.r.data + key_len, value, value_len);
	block.r.crc = record_crc(&block.r);
	return write_slot(kv, slot) == 0 ? KV_OK : KV_IO;
}

enum kv_result kv_get(struct kv_store *kv, const char *key, char *value)
{
	uint64_t slot, free_slot;
	enum kv_result r = find(kv, key, &slot, &free_slot);

	if (r != KV_OK)
		return r;
	memcpy(value, block.r.data + block.r.key_len, block.r.value_len);
	value[block.r.value_len] = '\0';
	return KV_OK;
}

enum kv_result kv_del(struct kv_store *kv, const char *key)
{
	uint64_t slot, free_slot;
	enum kv_result r = find(kv, key, &slot, &free_slot);

	if (r != KV_OK)
		return r;
	memset(block.bytes, 0, BLOCK);
	return write_slot(kv, slot) == 0 ? KV_OK : KV_IO;
}

long kv_list(struct kv_store *kv, void (*visit)(const char *, const char *, void *),
	     void *arg)
{
	char key[KV_KEY_MAX + 1], value[KV_VALUE_MAX + 1];
	long count = 0;

	for (uint64_t s = 1; s <= kv->slots; s++) {
		if (read_slot(kv, s) != 0)
			return -1;
		if (!valid(s))
			continue;
		memcpy(key, block.r.data, block.r.key_len);
		key[block.r.key_len] = '\0';
		memcpy(value, block.r.data + block.r.key_len, block.r.value_len);
		value[block.r.value_len] = '\0';
		visit(key, value, arg);
		count++;
	}
	return count;
}

const char *kv_result_text(enum kv_result r)
{
	switch (r) {
	case KV_OK: return "ok";
	case KV_NOT_FOUND: return "not found";
	case KV_FULL: return "store full";
	case KV_TOO_LONG: return "key or value too long (or empty key)";
	case KV_IO: return "disk error";
	}
	return "?";
}
