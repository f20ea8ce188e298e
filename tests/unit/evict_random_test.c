/*
 * evict_random_test.c - a long random run of what eviction does (hypervisor/
 * vm/vm_evict.c), on the host: a guest of 64 pages runs on two CPUs of the
 * tagged-TLB model (tlb_model.c) with only 20 frames; when they run out, a
 * page is evicted (its contents stored in the LZ4 pool or on a RAM-disk
 * swap, then removed through the one invalidation path, mem_remove) and its
 * frame scribbled over, as reuse by another guest would; a nested fault on
 * an evicted page brings it back into a new frame. Every read is checked
 * against a shadow copy: a stale translation or a wrong restore shows as a
 * wrong word, and the model counts any frame released while a CPU could
 * still reach it. Run under ASan and UBSan, with both entry formats and
 * both invalidation mechanisms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/evict/swap_space.h"
#include "hypervisor/evict/zpool.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "lib/errno.h"
#include "nested_paging_testlib.h"
#include "tlb_model.h"

#define PAGE 4096u
#define GUEST_PAGES 64u
#define FRAMES 20u
#define STEPS 40000u
#define TAG 5u
#define RW (NP_READ | NP_WRITE)

enum place { NOWHERE, MAPPED, POOLED, SWAPPED };

struct run {
	struct test_alloc alloc;
	struct np_table table;
	struct tlb_model model;
	struct mem_space space;
	int at_once;
	uint8_t (*frames)[PAGE];   /* frame i is at hpa (uintptr_t)frames[i] */
	bool frame_used[FRAMES];
	enum place place[GUEST_PAGES];
	uint32_t handle[GUEST_PAGES];
	uint8_t shadow[GUEST_PAGES][PAGE];
	struct zpool pool;
	struct swap_space swap;
	unsigned clock;
	unsigned evicted, restored, to_swap;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- the backend: the model's flush, on both CPUs ---- */

static void model_flush_here(void *ctx, unsigned cpu)
{
	struct run *r = ctx;

	if (r->at_once)
		tlb_flush_now(&r->model, cpu, TAG);
	else
		tlb_flush_at_entry(&r->model, cpu, TAG);
}

/* A CPU in the guest leaves it (the kick IPI's exit). */
static void leave(struct run *r, unsigned cpu)
{
	tlb_leave(&r->model, cpu);
	mem_leave(cpu);
}

static void model_kick(void *ctx, unsigned cpu)
{
	leave(ctx, cpu);
}

/* enter: cpu (re-)enters the guest, leaving first if it was in it. */
static void enter(struct run *r, unsigned cpu)
{
	if (r->model.cpus[cpu].in_guest)
		leave(r, cpu);
	mem_enter(&r->space, cpu);
	tlb_enter(&r->model, cpu, TAG);
}

/* ---- stores: pool frames on the heap, a RAM disk for swap ---- */

static uint64_t pool_get(void *ctx)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)aligned_alloc(PAGE, PAGE);
}

static void pool_put(void *ctx, uint64_t hpa)
{
	(void)ctx;
	free((void *)(uintptr_t)hpa);
}

static uint8_t disk[GUEST_PAGES * PAGE];

static int disk_io(void *ctx, bool write, uint64_t offset, void *buf)
{
	(void)ctx;
	if (write)
		memcpy(disk + offset, buf, 512);
	else
		memcpy(buf, disk + offset, 512);
	return 0;
}

/* ---- frames of the "machine" ---- */

static uint64_t hpa_of(struct run *r, unsigned frame)
{
	return (uint64_t)(uintptr_t)r->frames[frame];
}

static int frame_of(struct run *r, uint64_t hpa)
{
	for (unsigned i = 0; i < FRAMES; i++)
		if (hpa_of(r, i) == (hpa & ~(uint64_t)(PAGE - 1)))
			return (int)i;
	return -1;
}

static int free_frame(struct run *r)
{
	for (unsigned i = 0; i < FRAMES; i++)
		if (!r->frame_used[i])
			return (int)i;
	return -1;
}

/* mem_remove's last step: the frame is reused at once (scribbled). */
static void release_frame(void *ctx, uint64_t hpa, uint64_t size)
{
	struct run *r = ctx;
	int f = frame_of(r, hpa);

	CHECK(size == PAGE && f >= 0);
	r->model.due_mask = r->space.flush_due;
	r->model.due_tag = TAG;
	tlb_check_reusable(&r->model, hpa, size);
	memset(r->frames[f], 0xa5, PAGE);
	r->frame_used[f] = false;
}

/* evict: as vm_evict.c does: second chance by accessed bit, store, remove. */
static void evict_one(struct run *r)
{
	for (unsigned tries = 0; tries < 2 * GUEST_PAGES; tries++) {
		unsigned page = r->clock++ % GUEST_PAGES;
		uint64_t gpa = (uint64_t)page * PAGE, hpa;
		uint8_t *frame;
		int rc;

		if (r->place[page] != MAPPED)
			continue;
		if (np_take_accessed(&r->table, gpa) == 1)
			continue;
		CHECK(np_lookup(&r->table, gpa, &hpa, NULL, NULL) == 0);
		frame = (uint8_t *)(uintptr_t)hpa;
		rc = zpool_store(&r->pool, frame, &r->handle[page]);
		r->place[page] = POOLED;
		if (rc != 0) {
			CHECK(swap_space_write(&r->swap, frame, &r->handle[page]) == 0);
			r->place[page] = SWAPPED;
			r->to_swap++;
		}
		CHECK(mem_remove(&r->space, gpa, PAGE, 0, release_frame, r) == 0);
		r->evicted++;
		return;
	}
	CHECK(!"no page to evict");
}

/* fault: map page gpa again with its contents (or zeros, first time). */
static void fault(struct run *r, unsigned page)
{
	int f = free_frame(r);

	if (f < 0) {
		evict_one(r);
		f = free_frame(r);
	}
	CHECK(f >= 0);
	r->frame_used[f] = true;
	if (r->place[page] == NOWHERE)
		memset(r->frames[f], 0, PAGE);
	else if (r->place[page] == POOLED)
		CHECK(zpool_load(&r->pool, r->handle[page], r->frames[f]) == 0);
	else
		CHECK(swap_space_read(&r->swap, r->handle[page], r->frames[f]) == 0);
	if (r->place[page] != NOWHERE)
		r->restored++;
	r->place[page] = MAPPED;
	CHECK(np_map(&r->table, (uint64_t)page * PAGE, hpa_of(r, (unsigned)f), PAGE, RW) == 0);
}

/* access: one word, from one CPU, through the model; faults resolved. */
static void access_word(struct run *r, unsigned cpu, unsigned page, unsigned word, bool write)
{
	uint64_t gpa = (uint64_t)page * PAGE + word * 8, hpa, value;

	/* A fault is handled out of the guest; the CPU stays in it after. */
	for (enter(r, cpu);
	     (hpa = tlb_access(&r->model, cpu, TAG, &r->table, gpa, write ? RW : NP_READ)) ==
	     TLB_NO_PAGE;
	     enter(r, cpu)) {
		leave(r, cpu);
		fault(r, page);
	}
	if (write) {
		/* Half the pages compress (small values), half do not. */
		value = page % 2 ? next_random() : (uint64_t)(next_random() % 4);
		memcpy((void *)(uintptr_t)hpa, &value, 8);
		memcpy(&r->shadow[page][word * 8], &value, 8);
	} else {
		memcpy(&value, (void *)(uintptr_t)hpa, 8);
		if (memcmp(&value, &r->shadow[page][word * 8], 8) != 0)
			CHECK(!"a read found another value than last written");
	}
}

static void one_run(const struct np_format *f, int at_once)
{
	static uint64_t pool_hpa[16];
	static uint16_t pool_chunks[16];
	static uint64_t swap_words_buf[1];
	static const struct zpool_frames pool_frames = { pool_get, pool_put, NULL, NULL };
	struct run *r = calloc(1, sizeof(*r));

	r->frames = aligned_alloc(PAGE, FRAMES * PAGE);
	test_alloc_init(&r->alloc);
	CHECK(np_init(&r->table, f, &r->alloc.ops) == 0);
	tlb_model_init(&r->model);
	r->at_once = at_once;
	r->space = (struct mem_space){ .table = &r->table,
				       .invalidator = { NULL, model_flush_here, model_kick, NULL, NULL, r } };
	leave(r, 0);
	leave(r, 1);
	CHECK(zpool_init(&r->pool, &pool_frames, pool_hpa, pool_chunks, 16) == 0);
	swap_space_init(&r->swap, swap_words_buf, GUEST_PAGES, disk_io, NULL);
	/* Fill every page with its own contents first. */
	for (unsigned page = 0; page < GUEST_PAGES; page++)
		for (unsigned w = 0; w < PAGE / 8; w += 64)
			access_word(r, page % 2, page, w, true);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned page = (unsigned)(next_random() % GUEST_PAGES);

		access_word(r, (unsigned)(next_random() % 2), page,
			    (unsigned)(next_random() % (PAGE / 8)), next_random() % 3 == 0);
	}
	/* Every word of every page is what was last written. */
	for (unsigned page = 0; page < GUEST_PAGES; page++)
		for (unsigned w = 0; w < PAGE / 8; w++)
			access_word(r, 0, page, w, false);
	CHECK(r->model.violations == 0);
	CHECK(r->evicted > 1000 && r->restored > 1000 && r->to_swap > 100 &&
	      r->evicted - r->to_swap > 100);
	printf("%s %s: %u evicted (%u to swap), %u faulted back, %u invalidations\n", f->name,
	       at_once ? "at once" : "at entry", r->evicted, r->to_swap, r->restored,
	       (unsigned)r->space.invalidations);
	np_destroy(&r->table);
	for (unsigned page = 0; page < GUEST_PAGES; page++)
		if (r->place[page] == POOLED)
			CHECK(zpool_free(&r->pool, r->handle[page]) == 0);
	CHECK(r->pool.frame_count == 0);
	free(r->frames);
	free(r);
}

/* np_take_accessed on what the model cannot show: a bit set by a CPU. */
static void accessed_bits(const struct np_format *f)
{
	struct test_alloc alloc;
	struct np_table t;
	uint64_t *root;

	test_alloc_init(&alloc);
	CHECK(np_init(&t, f, &alloc.ops) == 0);
	CHECK(np_take_accessed(&t, 0) == -ENOENT);
	CHECK(np_map(&t, 0, UINT64_C(1) << 32, PAGE, RW) == 0);
	CHECK(np_map(&t, 2u << 20, UINT64_C(2) << 32, 2u << 20, RW) == 0);
	CHECK(np_take_accessed(&t, 2u << 20) == -ENOENT);   /* a 2 MiB leaf */
	CHECK(np_take_accessed(&t, 0) == 0 && !t.stale);
	/* Walk to the 4 KiB leaf by hand and set its accessed bit, as a CPU would. */
	root = t.root;
	uint64_t *e = root;
	for (int level = 4; level > 1; level--)
		e = (uint64_t *)(uintptr_t)(e[0] & f->address_mask);
	e[0] |= f->accessed;
	CHECK(np_take_accessed(&t, 0) == 1 && t.stale);
	CHECK((e[0] & f->accessed) == 0);
	CHECK(np_take_accessed(&t, 0) == 0);
	np_destroy(&t);
}

int main(void)
{
	for (size_t i = 0; i < test_format_count; i++) {
		accessed_bits(test_formats[i]);
		one_run(test_formats[i], 1);
		one_run(test_formats[i], 0);
	}
	printf("evict_random_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
