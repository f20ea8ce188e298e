/*
 * evict_store.c - the compressed pool and the swap partition behind
 * eviction (evict_store.h).
 */
#include "hypervisor/evict/evict_store.h"

#include "hypervisor/console.h"
#include "hypervisor/evict/swap_space.h"
#include "hypervisor/evict/zpool.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/storage/storage.h"
#include "lib/errno.h"

/* At most 64 MiB of pool frames, whatever the machine (the tables below
 * are static). */
#define POOL_FRAMES_MAX 16384u

static uint64_t pool_frame_hpa[POOL_FRAMES_MAX];
static uint16_t pool_chunks_used[POOL_FRAMES_MAX];
static struct zpool pool;
static bool pool_ready;

static struct swap_space swap;
static bool swap_ready;
static char swap_name[48];

/* Pool frames come straight from the allocator: never through reclaim,
 * which is what is asking for them. */
static uint64_t pool_get_frame(void *ctx)
{
	(void)ctx;
	return frame_alloc();
}

static void pool_put_frame(void *ctx, uint64_t hpa)
{
	(void)ctx;
	frames_free(hpa, FRAME_SIZE);
}

static void pool_init(void)
{
	static const struct zpool_frames frames = { pool_get_frame, pool_put_frame, NULL, NULL };
	uint64_t quarter = frames_free_bytes() / FRAME_SIZE / 4;
	uint32_t max = quarter < POOL_FRAMES_MAX ? (uint32_t)quarter : POOL_FRAMES_MAX;

	if (max == 0 || zpool_init(&pool, &frames, pool_frame_hpa, pool_chunks_used, max) != 0) {
		log_printf("evict: no compressed pool (too little memory)");
		return;
	}
	pool_ready = true;
	log_printf("evict: compressed pool of up to %u KiB (LZ4)", max * 4u);
}

static void swap_init(const char *spec)
{
	struct vm_disk_backing b;
	struct region r;
	char why[200];
	uint64_t slots, words_bytes, words_hpa;

	if (storage_claim(spec, "swap", false, &r, &b, why, sizeof why) != 0) {
		log_printf("swap: swap=%s refused: %s; running without swap", spec, why);
		return;
	}
	if (b.read_only) {
		log_printf("swap: swap=%s refused: swap must be writable (no ,ro); running without swap", spec);
		return;
	}
	if (swap_plan(r.sectors, &slots, why, sizeof why) != 0) {
		log_printf("swap: swap=%s refused: %s; running without swap", spec, why);
		return;
	}
	words_bytes = swap_words(slots) * sizeof(uint64_t);
	words_hpa = frames_alloc_contiguous((words_bytes + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1),
					    FRAME_SIZE);
	if (!words_hpa) {
		log_printf("swap: swap=%s refused: no memory for its slot bitmap (%llu bytes); running without swap",
			   spec, (unsigned long long)words_bytes);
		return;
	}
	swap_space_init(&swap, (uint64_t *)(uintptr_t)words_hpa, slots, b.io, b.io_ctx);
	swap_ready = true;
	for (unsigned i = 0; spec[i] && i + 1 < sizeof swap_name; i++)
		swap_name[i] = spec[i];
	log_printf("swap: %s is swap: disk %u sectors %llu..%llu, %llu slots of 4 KiB", spec, r.disk,
		   (unsigned long long)r.first_lba,
		   (unsigned long long)(r.first_lba + r.sectors - 1), (unsigned long long)slots);
}

void evict_init(const char *swap_spec)
{
	pool_init();
	if (swap_spec && swap_spec[0])
		swap_init(swap_spec);
}

int evict_store_put(const void *page, uint8_t *where, uint32_t *handle)
{
	int rc = pool_ready ? zpool_store(&pool, page, handle) : -ENOSPC;

	if (rc == 0) {
		*where = GP_COMPRESSED;
		return 0;
	}
	if (!swap_ready || swap.used == swap.slot_count)
		return rc == -E2BIG ? -E2BIG : -ENOSPC;
	rc = swap_space_write(&swap, page, handle);
	if (rc == -EIO)
		log_printf("swap: writing a page to %s failed (disk error)", swap_name);
	if (rc == 0)
		*where = GP_SWAPPED;
	return rc;
}

int evict_store_get(uint8_t where, uint32_t handle, void *page)
{
	int rc;

	if (where == GP_COMPRESSED && pool_ready)
		return zpool_load(&pool, handle, page);
	if (where != GP_SWAPPED || !swap_ready)
		return -EINVAL;
	rc = swap_space_read(&swap, handle, page);
	if (rc == -EIO)
		log_printf("swap: reading slot %u of %s failed (disk error)", handle, swap_name);
	return rc;
}

void evict_store_drop(uint8_t where, uint32_t handle)
{
	if (where == GP_COMPRESSED && pool_ready)
		(void)zpool_free(&pool, handle);
	else if (where == GP_SWAPPED && swap_ready)
		(void)swap_space_free(&swap, handle);
}

uint64_t evict_store_swap_free_bytes(void)
{
	return swap_ready ? (swap.slot_count - swap.used) * SWAP_SLOT_SIZE : 0;
}

void evict_store_log(void)
{
	if (pool_ready)
		log_printf("evict: pool stored=%llu loaded=%llu incompressible=%llu peak=%u KiB now=%u KiB",
			   (unsigned long long)pool.stored, (unsigned long long)pool.loaded,
			   (unsigned long long)pool.refused, pool.peak_frames * 4u,
			   pool.frame_count * 4u);
	if (swap_ready)
		log_printf("evict: swap %s written=%llu read=%llu errors=%llu peak=%llu KiB now=%llu KiB",
			   swap_name, (unsigned long long)swap.written, (unsigned long long)swap.read,
			   (unsigned long long)swap.errors, (unsigned long long)(swap.peak * 4),
			   (unsigned long long)(swap.used * 4));
}
