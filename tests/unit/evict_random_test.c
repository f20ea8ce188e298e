/*
 * evict_random_test.c - a long random run of reclaim under pressure, every
 * kind in the order Skiff takes them (hypervisor/vm/reclaim/vm_reclaim.c, vm_share.c,
 * vm_free_report.c, vm_evict.c), on the host: a guest of 64 pages runs on
 * two CPUs of the tagged-TLB model (tlb_model.c) with only 24 frames. Its
 * pages 0-7 are two instances of one image's read-only pages (0-3 and 4-7,
 * the same bytes), which hypercalls make private now and then (a copy, and
 * sometimes a write into it) and reclaim merges back into one frame of the
 * share table (share_table.c) when the bytes still match; the rest is
 * plain RAM the guest writes, zeroes and reports free (taken at once).
 * When no frame is left, reclaim goes cheapest first: an all-zero page,
 * else a private copy merged into its shared frame, else a cold page
 * evicted (its contents stored in the LZ4 pool or on a RAM-disk swap).
 * Each page leaves through the one invalidation path (mem_remove) and a
 * freed frame is scribbled over, as reuse by another guest would; a
 * nested fault brings a page back. Every read is checked against a shadow
 * copy: a stale translation, a wrong restore, a merge of different bytes or
 * a shared frame freed too early shows as a wrong word, and the model
 * counts any frame released while a CPU could still reach it. Each kind
 * must have taken pages. Run under ASan and UBSan, with both entry formats
 * and both invalidation mechanisms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/evict/swap_space.h"
#include "hypervisor/evict/zpool.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/share_table.h"
#include "lib/errno.h"
#include "nested_paging_testlib.h"
#include "tlb_model.h"

#define PAGE 4096u
#define GUEST_PAGES 64u
#define RO_PAGES 4u                  /* pages of the image, per instance */
#define IMAGE_PAGES (2 * RO_PAGES)   /* both instances: pages 0-7 */
#define FRAMES 24u
#define STEPS 40000u
#define TAG 5u
#define RW (NP_READ | NP_WRITE)

enum place { NOWHERE, MAPPED, SHARED, POOLED, SWAPPED };

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
	struct share_table share;
	int image;
	unsigned clock, zero_clock, share_clock;
	unsigned evicted, restored, to_swap;
	unsigned zero_taken, reported, merged, adopted, copied, written;
};

static uint8_t image_bytes[RO_PAGES][PAGE];
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

static bool is_image(unsigned page)
{
	return page < IMAGE_PAGES;
}

/* key: the page of the image a page of either instance maps. */
static uint64_t key(unsigned page)
{
	return (uint64_t)(page % RO_PAGES) * PAGE;
}

/* How mem_remove's last step lets go of the frame. */
struct release {
	struct run *r;
	bool shared;
	unsigned page;
};

/* mem_remove's last step: a private frame is reused at once (scribbled);
 * a shared one only when this was its last reference. */
static void release_frame(void *ctx, uint64_t hpa, uint64_t size)
{
	struct release *rel = ctx;
	struct run *r = rel->r;
	int f;

	CHECK(size == PAGE);
	if (rel->shared && !(hpa = share_release(&r->share, r->image, key(rel->page))))
		return;
	f = frame_of(r, hpa);
	CHECK(f >= 0);
	r->model.due_mask = r->space.flush_due;
	r->model.due_tag = TAG;
	tlb_check_reusable(&r->model, hpa, size);
	memset(r->frames[f], 0xa5, PAGE);
	r->frame_used[f] = false;
}

static void remove_page(struct run *r, unsigned page)
{
	struct release rel = { r, r->place[page] == SHARED, page };

	CHECK(mem_remove(&r->space, (uint64_t)page * PAGE, PAGE, 0, release_frame, &rel) == 0);
}

static uint8_t *frame_at(struct run *r, unsigned page)
{
	uint64_t hpa;

	CHECK(np_lookup(&r->table, (uint64_t)page * PAGE, &hpa, NULL, NULL) == 0);
	return (uint8_t *)(uintptr_t)hpa;
}

static bool all_zero(const uint8_t *p)
{
	for (unsigned i = 0; i < PAGE; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- reclaim, cheapest first; each step looks at a bounded number of pages ---- */

/* reclaim_zero: a plain page whose frame reads as zero goes (vm_reclaim.c). */
static bool reclaim_zero(struct run *r)
{
	for (unsigned n = 0; n < GUEST_PAGES; n++) {
		unsigned page = r->zero_clock++ % GUEST_PAGES;

		if (is_image(page) || r->place[page] != MAPPED || !all_zero(frame_at(r, page)))
			continue;
		remove_page(r, page);
		r->place[page] = NOWHERE;
		r->zero_taken++;
		return true;
	}
	return false;
}

/* reclaim_shared: an image page's private copy merges into the table's
 * frame when the bytes match, or becomes that frame (vm_share_merge). */
static bool reclaim_shared(struct run *r)
{
	for (unsigned n = 0; n < IMAGE_PAGES; n++) {
		unsigned page = r->share_clock++ % IMAGE_PAGES;
		uint64_t gpa = (uint64_t)page * PAGE, own, shared;

		if (r->place[page] != MAPPED || !share_image_is_ro(&r->share, r->image, key(page)))
			continue;
		own = (uint64_t)(uintptr_t)frame_at(r, page);
		shared = share_frame(&r->share, r->image, key(page));
		if (!shared) {
			if (share_insert(&r->share, r->image, key(page), own)) {
				r->place[page] = SHARED;
				r->adopted++;
			}
			continue;
		}
		if (memcmp((void *)(uintptr_t)own, (void *)(uintptr_t)shared, PAGE) != 0)
			continue;
		CHECK(share_lookup(&r->share, r->image, key(page)) == shared);
		remove_page(r, page);
		r->place[page] = SHARED;
		CHECK(np_map(&r->table, gpa, shared, PAGE, NP_READ) == 0);
		r->merged++;
		return true;
	}
	return false;
}

/* evict: as vm_evict.c does: second chance by accessed bit, store, remove. */
static bool evict_one(struct run *r)
{
	for (unsigned tries = 0; tries < 2 * GUEST_PAGES; tries++) {
		unsigned page = r->clock++ % GUEST_PAGES;
		uint64_t gpa = (uint64_t)page * PAGE;
		uint8_t *frame;
		int rc;

		if (is_image(page) || r->place[page] != MAPPED)
			continue;
		if (np_take_accessed(&r->table, gpa) == 1)
			continue;
		frame = frame_at(r, page);
		rc = zpool_store(&r->pool, frame, &r->handle[page]);
		if (rc != 0) {
			CHECK(swap_space_write(&r->swap, frame, &r->handle[page]) == 0);
			r->to_swap++;
		}
		remove_page(r, page);
		r->place[page] = rc ? SWAPPED : POOLED;
		r->evicted++;
		return true;
	}
	return false;
}

/* take_frame: a free frame, reclaiming the cheapest kind first. */
static unsigned take_frame(struct run *r)
{
	int f = free_frame(r);

	if (f < 0) {
		CHECK(reclaim_zero(r) || reclaim_shared(r) || evict_one(r));
		f = free_frame(r);
	}
	CHECK(f >= 0);
	r->frame_used[f] = true;
	return (unsigned)f;
}

/* fault: map page gpa again with its contents (or zeros, first time). */
static void fault(struct run *r, unsigned page)
{
	unsigned f = take_frame(r);

	CHECK(!is_image(page));   /* image pages are always mapped */
	if (r->place[page] == NOWHERE)
		memset(r->frames[f], 0, PAGE);
	else if (r->place[page] == POOLED)
		CHECK(zpool_load(&r->pool, r->handle[page], r->frames[f]) == 0);
	else
		CHECK(swap_space_read(&r->swap, r->handle[page], r->frames[f]) == 0);
	if (r->place[page] != NOWHERE)
		r->restored++;
	r->place[page] = MAPPED;
	CHECK(np_map(&r->table, (uint64_t)page * PAGE, hpa_of(r, f), PAGE, RW) == 0);
}

/* access: one word, from one CPU, through the model; faults resolved. */
static void access_word(struct run *r, unsigned cpu, unsigned page, unsigned word, bool write,
			uint64_t value)
{
	uint64_t gpa = (uint64_t)page * PAGE + word * 8, hpa;

	/* A fault is handled out of the guest; the CPU stays in it after. */
	for (enter(r, cpu);
	     (hpa = tlb_access(&r->model, cpu, TAG, &r->table, gpa, write ? RW : NP_READ)) ==
	     TLB_NO_PAGE;
	     enter(r, cpu)) {
		leave(r, cpu);
		fault(r, page);
	}
	if (write) {
		memcpy((void *)(uintptr_t)hpa, &value, 8);
		memcpy(&r->shadow[page][word * 8], &value, 8);
	} else {
		memcpy(&value, (void *)(uintptr_t)hpa, 8);
		if (memcmp(&value, &r->shadow[page][word * 8], 8) != 0)
			CHECK(!"a read found another value than last written");
	}
}

/* guest_write: half the pages compress (small values), half do not. */
static void guest_write(struct run *r, unsigned cpu, unsigned page, unsigned word)
{
	uint64_t value = page % 2 ? next_random() : next_random() % 4;

	access_word(r, cpu, page, word, true, value);
}

/* zero_page: the guest clears a whole page (memset), a candidate for the
 * cheapest reclaim. */
static void zero_page(struct run *r, unsigned cpu, unsigned page)
{
	for (unsigned w = 0; w < PAGE / 8; w++)
		access_word(r, cpu, page, w, true, 0);
}

/* report_free: the guest reports page free; as vm_free_report.c does, it
 * is taken back at once, and reads as zero after. */
static void report_free(struct run *r, unsigned page)
{
	if (r->place[page] == MAPPED)
		remove_page(r, page);
	else if (r->place[page] == POOLED)
		CHECK(zpool_free(&r->pool, r->handle[page]) == 0);
	else if (r->place[page] == SWAPPED)
		CHECK(swap_space_free(&r->swap, r->handle[page]) == 0);
	if (r->place[page] != NOWHERE)
		r->reported++;
	r->place[page] = NOWHERE;
	memset(r->shadow[page], 0, PAGE);
}

/* hypercall_touch: a hypercall reaches an image page: a shared one turns
 * private first (a copy, vm_share_unshare); then, half the time, the call
 * writes a word into it (mostly the image's own value, one time in four
 * another), so its bytes may differ from the other instance's and must
 * not be merged then. */
static void hypercall_touch(struct run *r, unsigned page)
{
	unsigned word = (unsigned)(next_random() % (PAGE / 8));
	uint64_t value;

	if (r->place[page] == SHARED) {
		unsigned f = take_frame(r);

		memcpy(r->frames[f], frame_at(r, page), PAGE);
		remove_page(r, page);
		CHECK(np_map(&r->table, (uint64_t)page * PAGE, hpa_of(r, f), PAGE, NP_READ) == 0);
		r->place[page] = MAPPED;
		r->copied++;
	}
	if (next_random() % 2)
		return;
	value = next_random() % 4 == 0 ? next_random() : 0;
	if (!value)
		memcpy(&value, &image_bytes[page % RO_PAGES][word * 8], 8);
	memcpy(frame_at(r, page) + word * 8, &value, 8);
	memcpy(&r->shadow[page][word * 8], &value, 8);
	r->written++;
}

/* load_image: both instances' pages get private frames holding the image,
 * mapped read-only, as after hypercalls made every page private. */
static void load_image(struct run *r)
{
	static const char module[] = "the image's module bytes";

	r->image = share_image_get(&r->share, module, sizeof(module));
	CHECK(r->image >= 0);
	share_image_note_ro(&r->share, r->image, 0, RO_PAGES * PAGE);
	for (unsigned page = 0; page < IMAGE_PAGES; page++) {
		unsigned f = take_frame(r);

		memcpy(r->frames[f], image_bytes[page % RO_PAGES], PAGE);
		memcpy(r->shadow[page], image_bytes[page % RO_PAGES], PAGE);
		CHECK(np_map(&r->table, (uint64_t)page * PAGE, hpa_of(r, f), PAGE, NP_READ) == 0);
		r->place[page] = MAPPED;
	}
}

/* one_step: one random action of the guest or of a hypercall. */
static void one_step(struct run *r)
{
	unsigned cpu = (unsigned)(next_random() % 2), action = (unsigned)(next_random() % 1000);
	unsigned page = (unsigned)(next_random() % GUEST_PAGES);
	unsigned plain = IMAGE_PAGES + (unsigned)(next_random() % (GUEST_PAGES - IMAGE_PAGES));
	unsigned word = (unsigned)(next_random() % (PAGE / 8));

	if (action < 2)
		zero_page(r, cpu, plain);
	else if (action < 6)
		report_free(r, plain);
	else if (action < 40)
		hypercall_touch(r, page % IMAGE_PAGES);
	else if (action < 350 && !is_image(page))
		guest_write(r, cpu, page, word);
	else
		access_word(r, cpu, page, word, false, 0);
}

static void one_run(const struct np_format *f, int at_once)
{
	static uint64_t pool_hpa[4];
	static uint16_t pool_chunks[4];
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
	CHECK(zpool_init(&r->pool, &pool_frames, pool_hpa, pool_chunks, 4) == 0);
	swap_space_init(&r->swap, swap_words_buf, GUEST_PAGES, disk_io, NULL);
	load_image(r);
	/* Fill every plain page with its own contents first. */
	for (unsigned page = IMAGE_PAGES; page < GUEST_PAGES; page++)
		for (unsigned w = 0; w < PAGE / 8; w += 64)
			guest_write(r, page % 2, page, w);
	for (unsigned step = 0; step < STEPS; step++)
		one_step(r);
	/* Every word of every page is what was last written. */
	for (unsigned page = 0; page < GUEST_PAGES; page++)
		for (unsigned w = 0; w < PAGE / 8; w++)
			access_word(r, 0, page, w, false, 0);
	CHECK(r->model.violations == 0);
	/* Every kind took pages (a kind left out, or never reached, fails). */
	CHECK(r->evicted > 1000 && r->restored > 1000 && r->to_swap > 100 &&
	      r->evicted - r->to_swap > 100);
	CHECK(r->zero_taken > 100 && r->reported > 50 && r->merged > 10 && r->adopted > 20 &&
	      r->copied > 50 && r->written > 50);
	printf("%s %s: %u zero pages taken, %u reported free, %u merged (%u adopted, %u copied, "
	       "%u written), %u evicted (%u to swap), %u faulted back, %u invalidations\n",
	       f->name, at_once ? "at once" : "at entry", r->zero_taken, r->reported, r->merged,
	       r->adopted, r->copied, r->written, r->evicted, r->to_swap, r->restored,
	       (unsigned)r->space.invalidations);
	np_destroy(&r->table);
	for (unsigned page = 0; page < GUEST_PAGES; page++) {
		if (r->place[page] == POOLED)
			CHECK(zpool_free(&r->pool, r->handle[page]) == 0);
		if (r->place[page] == SHARED)
			(void)share_release(&r->share, r->image, key(page));
	}
	CHECK(r->pool.frame_count == 0 && r->share.frames == 0 && r->share.refs == 0);
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
	for (unsigned p = 0; p < RO_PAGES; p++)
		for (unsigned i = 0; i < PAGE; i++)
			image_bytes[p][i] = (uint8_t)(0x40 + p * 7 + i % 13);
	for (size_t i = 0; i < test_format_count; i++) {
		accessed_bits(test_formats[i]);
		one_run(test_formats[i], 1);
		one_run(test_formats[i], 0);
	}
	printf("evict_random_test: %u failures\n", test_failures);
	return test_failures ? 1 : 0;
}
