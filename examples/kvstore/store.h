/*
 * store.h - a key-value store on one Skiff block device.
 *
 * Layout (512-byte blocks): block 0 is the header ("SKIFFKV1", the format
 * version, the number of record slots); every later block is one slot
 * holding at most one record: a 12-byte head (in-use mark, key length,
 * value length, CRC-32 of head fields, key and value) then the key and
 * the value. One block per record keeps every update a single block
 * write, so a record is never half old, half new.
 *
 * A disk whose block 0 is all zeroes is formatted on open; any other
 * content without the header is refused, so the store never overwrites
 * a disk that holds something else.
 */
#ifndef KVSTORE_STORE_H
#define KVSTORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#define KV_KEY_MAX 64
#define KV_VALUE_MAX 400

enum kv_result {
	KV_OK,
	KV_NOT_FOUND,
	KV_FULL,        /* no free slot */
	KV_TOO_LONG,    /* key or value longer than KV_KEY_MAX / KV_VALUE_MAX, or empty key */
	KV_IO,          /* the device refused a request */
};

struct kv_store {
	uint64_t handle;
	uint64_t slots;   /* record slots: blocks 1..slots */
};

/*
 * kv_open: open the store on the block device called name. Returns 0,
 * or -1 after printing why (no such device, not a kvstore disk, too
 * small). *formatted is set to 1 when an empty disk was formatted.
 */
int kv_open(struct kv_store *kv, const char *name, int *formatted);

/* kv_put: insert or replace key; *replaced tells which. */
enum kv_result kv_put(struct kv_store *kv, const char *key, const char *value,
		      int *replaced);

/* kv_get: copy key's value (NUL-terminated) into value[KV_VALUE_MAX + 1]. */
enum kv_result kv_get(struct kv_store *kv, const char *key, char *value);

/* kv_del: remove key. */
enum kv_result kv_del(struct kv_store *kv, const char *key);

/*
 * kv_list: call visit(key, value, arg) for every record in slot order;
 * returns the number of records, or -1 on an I/O error. Damaged records
 * (bad CRC) are reported on the console and skipped.
 */
long kv_list(struct kv_store *kv, void (*visit)(const char *, const char *, void *),
	     void *arg);

/* kv_result_text: a short word for r, for the console. */
const char *kv_result_text(enum kv_result r);

#endif
