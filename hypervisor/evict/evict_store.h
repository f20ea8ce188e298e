/*
 * evict_store.h - where evicted guest pages go: the compressed pool first
 * (zpool.h), then the swap partition named by swap=gpt:NAME (swap_space.h)
 * for pages that do not compress or when the pool is full. A page stored
 * here is named by its place (GP_COMPRESSED or GP_SWAPPED) and a 32-bit
 * handle, which the memory core keeps per guest page (vm/reclaim/vm_evict.c).
 */
#ifndef SKIFF_EVICT_STORE_H
#define SKIFF_EVICT_STORE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * evict_init: set up the pool (it may grow to a quarter of the memory free
 * now) and, when swap_spec is not empty, claim that GPT partition as swap
 * so no guest's block device can overlap it. A partition that is missing,
 * ambiguous, read-only or not whole 4 KiB slots is refused with a log line
 * naming it and the cause; Skiff then runs without swap. Call once, after
 * storage_init and before any guest is built.
 */
void evict_init(const char *swap_spec);

/*
 * evict_store_put: keep the 4 KiB at page; its place (enum gp_where) in
 * *where and its handle in *handle. 0; -E2BIG when it does not compress
 * and swap cannot take it (none, or full); -ENOSPC when the pool has no
 * room and swap cannot take it; -EIO when the swap write failed (logged).
 * Nothing is kept on failure.
 */
int evict_store_put(const void *page, uint8_t *where, uint32_t *handle);

/*
 * evict_store_get: the page at (where, handle) into page (4 KiB), and its
 * place freed. 0; -EIO when the swap read failed (logged; the slot keeps
 * the page); -EINVAL for a place that holds no page.
 */
int evict_store_get(uint8_t where, uint32_t handle, void *page);

/* evict_store_drop: free (where, handle) unread: its guest ended. */
void evict_store_drop(uint8_t where, uint32_t handle);

/* evict_store_swap_free_bytes: what swap can still take (0 without swap). */
uint64_t evict_store_swap_free_bytes(void);

/* evict_store_log: one line on the pool and one on swap, for the summary. */
void evict_store_log(void);

#endif
