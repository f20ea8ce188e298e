/*
 * evict_store_test.c - the compressed pool (hypervisor/evict/zpool.c) and
 * swap's slots (swap_space.c) on the host: contents come back exactly,
 * frames and slots are counted and given back, and every refusal (an
 * incompressible page, a full pool, a full or failing disk, a bad handle)
 * leaves nothing behind.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hypervisor/evict/swap_space.h"
#include "hypervisor/evict/zpool.h"
#include "lib/errno.h"

#define PAGE 4096u

/* ---- frames for the pool: heap pages, at most `limit` at once ---- */

struct heap_frames {
	unsigned held, limit, gets, puts;
};

static uint64_t heap_get(void *ctx)
{
	struct heap_frames *h = ctx;
	void *p;

	if (h->held == h->limit)
		return 0;
	p = aligned_alloc(PAGE, PAGE);
	memset(p, 0xee, PAGE);   /* the pool must not rely on zeroed frames */
	h->held++;
	h->gets++;
	return (uint64_t)(uintptr_t)p;
}

static void heap_put(void *ctx, uint64_t hpa)
{
	struct heap_frames *h = ctx;
	const uint8_t *p = (const uint8_t *)(uintptr_t)hpa;

	for (unsigned i = 0; i < PAGE; i++)
		if (p[i] != 0) {
			CHECK(!"a frame went back unscrubbed");
			break;
		}
	free((void *)(uintptr_t)hpa);
	h->held--;
	h->puts++;
}

static uint64_t rng = 0x1234567;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill_random(uint8_t *page)
{
	for (unsigned i = 0; i < PAGE; i += 8) {
		uint64_t w = next_random();

		memcpy(page + i, &w, 8);
	}
}

/* fill_text: compressible, and different for every n. */
static void fill_text(uint8_t *page, unsigned n)
{
	for (unsigned i = 0; i < PAGE; i++)
		page[i] = (uint8_t)("page contents "[i % 14] + (i / 512 == n % 8 ? n : 0));
}

#define MANY 200u

static void test_pool(void)
{
	static uint64_t frame_hpa[64];
	static uint16_t chunks[64];
	struct heap_frames h = { 0, 8, 0, 0 };
	struct zpool_frames frames = { heap_get, heap_put, NULL, &h };
	static uint8_t pages[MANY][PAGE], back[PAGE];
	static uint32_t handles[MANY];
	struct zpool z;
	unsigned stored = 0;

	CHECK(zpool_init(&z, &frames, frame_hpa, chunks, 0) == -EINVAL);
	CHECK(zpool_init(&z, &frames, frame_hpa, chunks, 64) == 0);
	/* An incompressible page is refused and costs nothing. */
	fill_random(pages[0]);
	CHECK(zpool_store(&z, pages[0], &handles[0]) == -E2BIG);
	CHECK(z.refused == 1 && z.pages == 0 && h.held == 0);
	/* Compressible pages until the 8 frames are full. */
	for (unsigned n = 0; n < MANY; n++) {
		fill_text(pages[n], n);
		int rc = zpool_store(&z, pages[n], &handles[n]);

		if (rc == -ENOSPC)
			break;
		CHECK(rc == 0);
		stored++;
	}
	CHECK(stored > 8 * 4 && stored < MANY);   /* several pages per frame, then full */
	CHECK(h.held == 8 && z.frame_count == 8 && z.pages == stored);
	/* Back in a scrambled order (a step prime to stored visits each
	 * once), each exactly, each handle once. */
	unsigned step = stored % 37 ? 37 : 41;

	for (unsigned i = 0; i < stored; i++) {
		unsigned n = (i * step) % stored;

		memset(back, 0, PAGE);
		CHECK(zpool_load(&z, handles[n], back) == 0);
		CHECK(memcmp(back, pages[n], PAGE) == 0);
		CHECK(zpool_load(&z, handles[n], back) == -EINVAL);   /* already gone */
	}
	CHECK(z.pages == 0 && z.bytes == 0 && h.held == 0 && z.frame_count == 0);
	CHECK(z.peak_frames == 8);
	/* zpool_free forgets a page; bad handles are refused. */
	CHECK(zpool_store(&z, pages[1], &handles[1]) == 0);
	CHECK(zpool_free(&z, handles[1]) == 0);
	CHECK(zpool_free(&z, handles[1]) == -EINVAL);
	CHECK(zpool_load(&z, 0xffffffffu, back) == -EINVAL);
	CHECK(h.held == 0 && h.gets == h.puts);
}

/* ---- a RAM disk for swap, with failures on demand ---- */

#define DISK_SECTORS 64u

struct ram_disk {
	uint8_t bytes[DISK_SECTORS * 512];
	int fail_writes_at, fail_reads_at;   /* sector offset, -1: never */
	unsigned ios;
};

static int ram_io(void *ctx, bool write, uint64_t offset, void *buf)
{
	struct ram_disk *d = ctx;

	d->ios++;
	CHECK(offset % 512 == 0 && offset < sizeof d->bytes);
	if ((write ? d->fail_writes_at : d->fail_reads_at) == (int)(offset / 512))
		return -EIO;
	if (write)
		memcpy(d->bytes + offset, buf, 512);
	else
		memcpy(buf, d->bytes + offset, 512);
	return 0;
}

static void test_swap_plan(void)
{
	char err[120];
	uint64_t slots = 0;

	CHECK(swap_plan(9, &slots, err, sizeof err) == -EINVAL);
	CHECK(strcmp(err, "it holds 9 sectors (4608 bytes), not a whole number of 4096-byte slots") == 0);
	CHECK(swap_plan(0, &slots, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(swap_plan(16, &slots, err, sizeof err) == 0 && slots == 2);
}

static void test_swap(void)
{
	static struct ram_disk d;
	static uint8_t pages[8][PAGE], back[PAGE];
	uint64_t words[1];
	uint32_t slots[8], extra;
	struct swap_space s;

	d.fail_writes_at = d.fail_reads_at = -1;
	swap_space_init(&s, words, DISK_SECTORS / 8, ram_io, &d);
	for (unsigned i = 0; i < 8; i++) {
		fill_random(pages[i]);
		CHECK(swap_space_write(&s, pages[i], &slots[i]) == 0);
	}
	CHECK(s.used == 8 && s.peak == 8);
	CHECK(swap_space_write(&s, pages[0], &extra) == -ENOSPC);
	for (unsigned i = 0; i < 8; i += 2) {   /* every other one back */
		CHECK(swap_space_read(&s, slots[i], back) == 0);
		CHECK(memcmp(back, pages[i], PAGE) == 0);
		CHECK(swap_space_read(&s, slots[i], back) == -EINVAL);
	}
	CHECK(s.used == 4);
	/* A failing write keeps nothing; a failing read keeps the page. */
	d.fail_writes_at = (int)(slots[0] * 8 + 3);
	CHECK(swap_space_write(&s, pages[0], &extra) == -EIO);
	CHECK(s.used == 4 && s.errors == 1);
	d.fail_writes_at = -1;
	d.fail_reads_at = (int)(slots[1] * 8 + 7);
	CHECK(swap_space_read(&s, slots[1], back) == -EIO);
	CHECK(s.used == 4);
	d.fail_reads_at = -1;
	CHECK(swap_space_read(&s, slots[1], back) == 0 && memcmp(back, pages[1], PAGE) == 0);
	CHECK(swap_space_free(&s, slots[3]) == 0 && swap_space_free(&s, slots[3]) == -EINVAL);
	CHECK(swap_space_free(&s, DISK_SECTORS) == -EINVAL);   /* beyond the slots */
	CHECK(s.used == 2);
}

int main(void)
{
	test_pool();
	test_swap_plan();
	test_swap();
	return check_report("evict_store_test");
}
