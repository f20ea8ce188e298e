/*
 * frames.c - the physical frame allocator (frames.h) over every usable
 * frame of the memory map, up to the identity map's ceiling (512 GiB).
 * The bookkeeping is frame_bitmap.c; this file decides which frames start
 * free. The first 4 GiB are tracked in a static bitmap from the start;
 * when the map reports memory above, a bitmap for all of it is taken from
 * that memory below 4 GiB and the identity map is extended to cover it.
 */
#include "hypervisor/mem/frames.h"

#include "hypervisor/boot/identity_map.h"
#include "hypervisor/mem/frame_bitmap.h"
#include "hypervisor/mem/frame_bitmap_top.h"
#include "hypervisor/mem/frame_zero.h"
#include "hypervisor/panic.h"
#include "hypervisor/smp/spinlock.h"
#include "lib/kstring.h"

#define LOW_LIMIT IDENTITY_MAP_BOOT_END   /* what the boot page tables map */
#define LOW_MEMORY_END (1ull << 20)        /* BIOS, firmware tables: never used */
#define MB2_REGION_USABLE 1
#define LOW_FRAME_COUNT (LOW_LIMIT / FRAME_SIZE)

/* The image bounds, from the linker script. */
extern char skiff_image_start[], skiff_image_end[];

static uint64_t low_words[LOW_FRAME_COUNT / 64];
static struct frame_bitmap frames;
static uint64_t memory_limit = LOW_LIMIT;   /* end of what frames tracks */
static uint64_t high_in_use, high_peak;     /* frames at or above 4 GiB */

/* free_inside: mark the whole frames inside [base, base+length) free. */
static void free_inside(uint64_t base, uint64_t length)
{
	uint64_t end = length > UINT64_MAX - base ? UINT64_MAX : base + length;
	uint64_t first, last;

	if (base > UINT64_MAX - (FRAME_SIZE - 1))
		return;
	first = (base + FRAME_SIZE - 1) / FRAME_SIZE;   /* round inwards */
	last = end / FRAME_SIZE;
	if (last > first)
		frame_bitmap_set_free(&frames, first, last - first);
}

/* use_covering: mark every frame that touches [start, end) used. */
static void use_covering(uint64_t start, uint64_t end)
{
	uint64_t first = start / FRAME_SIZE;
	uint64_t last = end / FRAME_SIZE + (end % FRAME_SIZE != 0);

	if (end > start)
		frame_bitmap_set_used(&frames, first, last - first);
}

/*
 * mark_reserved: take out whatever is not free to use: what any entry of
 * the map reserves (maps may overlap), the first MiB, Skiff, the boot
 * information and the modules. Marking a used frame used again is harmless.
 */
static void mark_reserved(const struct boot_info *info)
{
	for (unsigned i = 0; i < info->region_count; i++) {
		const struct mb2_region *r = &info->regions[i];
		uint64_t end = r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;

		if (r->type != MB2_REGION_USABLE)
			use_covering(r->base, end);
	}
	use_covering(0, LOW_MEMORY_END);
	use_covering((uint64_t)(uintptr_t)skiff_image_start, (uint64_t)(uintptr_t)skiff_image_end);
	use_covering(info->info_start, info->info_end);
	for (unsigned i = 0; i < info->module_count; i++)
		use_covering(info->modules[i].start, info->modules[i].end);
}

/* usable_end: the end of the highest usable region, below the ceiling. */
static uint64_t usable_end(const struct boot_info *info)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < info->region_count; i++) {
		const struct mb2_region *r = &info->regions[i];
		uint64_t end = r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;

		if (r->type == MB2_REGION_USABLE && end > top)
			top = end;
	}
	return top < IDENTITY_MAP_CEILING ? top : IDENTITY_MAP_CEILING;
}

/* mark_regions: free what the map calls usable, then take out the rest. */
static void mark_regions(const struct boot_info *info)
{
	for (unsigned i = 0; i < info->region_count; i++) {
		if (info->regions[i].type == MB2_REGION_USABLE)
			free_inside(info->regions[i].base, info->regions[i].length);
	}
	mark_reserved(info);
}

/*
 * track_high: memory above 4 GiB. Map it, take a bitmap for everything
 * from below 4 GiB, and mark the map's regions in it again. Without room
 * for either, the first 4 GiB are all Skiff uses (logged by the caller).
 */
static void track_high(const struct boot_info *info, uint64_t top)
{
	uint64_t mapped, count, bytes, words_hpa, low_free, low_first;

	mapped = identity_map_extend(top, frame_alloc);
	if (mapped < top)
		top = mapped;
	if (top <= LOW_LIMIT)
		return;
	count = ((top / FRAME_SIZE) + 63) & ~UINT64_C(63);
	bytes = (count / 64 * sizeof(uint64_t) + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
	words_hpa = frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!words_hpa)
		return;
	low_free = frames.free_count;
	low_first = frames.first_maybe_free;
	frame_bitmap_init(&frames, (uint64_t *)(uintptr_t)words_hpa, count);
	memcpy(frames.words, low_words, sizeof(low_words));
	frames.free_count = low_free;
	frames.first_maybe_free = low_first;
	memory_limit = count * FRAME_SIZE;
	/* The low part is as before; this adds what lies above 4 GiB. */
	for (unsigned i = 0; i < info->region_count; i++) {
		const struct mb2_region *r = &info->regions[i];
		uint64_t end = r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;

		if (r->type == MB2_REGION_USABLE && end > LOW_LIMIT)
			free_inside(r->base > LOW_LIMIT ? r->base : LOW_LIMIT,
				    end - (r->base > LOW_LIMIT ? r->base : LOW_LIMIT));
	}
	mark_reserved(info);
}

void frames_init(const struct boot_info *info)
{
	uint64_t top = usable_end(info);

	frame_bitmap_init(&frames, low_words, LOW_FRAME_COUNT);
	mark_regions(info);
	if (top > LOW_LIMIT)
		track_high(info, top);
	/* No guest runs yet: time to fill the zeroed pool once. */
	while (frames_zero_pool_step())
		;
}

/* count_high: frames of [hpa, hpa+bytes) at or above 4 GiB taken or given back. */
static void count_high(uint64_t hpa, uint64_t bytes, bool taken)
{
	uint64_t end = hpa + bytes, start = hpa > LOW_LIMIT ? hpa : LOW_LIMIT;
	uint64_t n = end > start ? (end - start) / FRAME_SIZE : 0;

	uint64_t now;

	/* Atomic: CPUs allocate outside the frames lock's hold here. The peak
	 * is a statistic; two CPUs racing on it may each keep its own. */
	if (taken)
		now = __atomic_add_fetch(&high_in_use, n, __ATOMIC_RELAXED);
	else
		now = __atomic_sub_fetch(&high_in_use, n, __ATOMIC_RELAXED);
	if (now > high_peak)
		high_peak = now;
}

/* The bitmap is shared by every CPU (docs/smp.md, the frames lock). */
static struct spinlock frames_lock;

static bool locked_alloc(uint64_t count, uint64_t align, uint64_t *frame)
{
	bool ok;

	spin_lock(&frames_lock);
	ok = frame_bitmap_alloc(&frames, count, align, frame);
	spin_unlock(&frames_lock);
	return ok;
}

/*
 * The zeroed 4 KiB pool: frames zeroed ahead of need (at init and at idle
 * time, frames_zero_pool_step) that frame_alloc hands out without the 512
 * stores of zeroing, so building a VM or a clone (its record, VMCB or
 * VMCS, nested and window table pages) rarely zeroes. A pool frame is
 * taken in the bitmap, so nothing else can take or write it, but counts
 * as free: frames_free_bytes includes it, frame_alloc takes it when the
 * bitmap has none left, and an allocation of a run that finds none gives
 * the pool back first. Guest pages (frame_alloc_high) zero their own:
 * they are many and would empty it at once (the 2 MiB pool of vm_memory.c
 * serves their first touches). Under frames_lock.
 */
#define ZERO_POOL_MAX 64u
#define ZERO_POOL_STEP 16u   /* frames per idle step: 64 KiB of stores */
#define ZERO_POOL_MIN_FREE (UINT64_C(4) << 20)   /* refill only above this */
static uint64_t zero_pool[ZERO_POOL_MAX];
static unsigned zero_pool_count;

/* zero_pool_take: a zeroed frame of the pool (counted in use), or 0. */
static uint64_t zero_pool_take(void)
{
	uint64_t hpa = 0;

	spin_lock(&frames_lock);
	if (zero_pool_count)
		hpa = zero_pool[--zero_pool_count];
	spin_unlock(&frames_lock);
	if (hpa)
		count_high(hpa, FRAME_SIZE, true);
	return hpa;
}

/* zero_pool_give_back: every pool frame free in the bitmap again; how many. */
static unsigned zero_pool_give_back(void)
{
	unsigned n;

	spin_lock(&frames_lock);
	n = zero_pool_count;
	while (zero_pool_count)
		frame_bitmap_set_free(&frames, zero_pool[--zero_pool_count] / FRAME_SIZE, 1);
	spin_unlock(&frames_lock);
	return n;
}

bool frames_zero_pool_step(void)
{
	unsigned added = 0;
	uint64_t frame;

	while (added < ZERO_POOL_STEP && zero_pool_count < ZERO_POOL_MAX &&
	       frames.free_count * FRAME_SIZE > ZERO_POOL_MIN_FREE && locked_alloc(1, 1, &frame)) {
		uint64_t *page = (uint64_t *)(uintptr_t)(frame * FRAME_SIZE);

		/* Zeroed outside the lock: the frame is taken, nobody else sees it. */
		frame_zero(page, FRAME_SIZE);
		spin_lock(&frames_lock);
		if (zero_pool_count < ZERO_POOL_MAX) {
			zero_pool[zero_pool_count++] = frame * FRAME_SIZE;
			frame = 0;
		}
		spin_unlock(&frames_lock);
		if (frame)   /* another CPU filled it meanwhile */
			frames_free(frame * FRAME_SIZE, FRAME_SIZE);
		added++;
	}
	return added != 0;
}

/* zeroing_alloc: one frame of the bitmap, zeroed here; 0 when none. */
static uint64_t zeroing_alloc(void)
{
	uint64_t frame;

	if (!locked_alloc(1, 1, &frame))
		return 0;
	count_high(frame * FRAME_SIZE, FRAME_SIZE, true);
	frame_zero((void *)(uintptr_t)(frame * FRAME_SIZE), FRAME_SIZE);
	return frame * FRAME_SIZE;
}

uint64_t frame_alloc(void)
{
	uint64_t hpa = zero_pool_take();

	return hpa ? hpa : zeroing_alloc();
}

/* low_guest_frame: a guest page below 4 GiB: zeroed here, the pool last. */
static uint64_t low_guest_frame(void)
{
	uint64_t hpa = zeroing_alloc();

	return hpa ? hpa : zero_pool_take();
}

uint64_t frame_alloc_high(void)
{
	uint64_t frame;

	bool ok;

	if (memory_limit <= LOW_LIMIT)
		return low_guest_frame();
	spin_lock(&frames_lock);
	ok = frame_bitmap_alloc_top(&frames, LOW_FRAME_COUNT, &frame);
	spin_unlock(&frames_lock);
	if (!ok)
		return low_guest_frame();
	count_high(frame * FRAME_SIZE, FRAME_SIZE, true);
	frame_zero((void *)(uintptr_t)(frame * FRAME_SIZE), FRAME_SIZE);
	return frame * FRAME_SIZE;
}

uint64_t frames_limit(void)
{
	return memory_limit;
}

void frames_high_use(uint64_t *now, uint64_t *peak)
{
	*now = high_in_use * FRAME_SIZE;
	*peak = high_peak * FRAME_SIZE;
}

uint64_t frames_alloc_contiguous(uint64_t bytes, uint64_t align)
{
	uint64_t frame;

	if (bytes == 0 || bytes > memory_limit || align < FRAME_SIZE ||
	    (align & (align - 1)) != 0 || align > memory_limit)
		return 0;
	if (!locked_alloc((bytes + FRAME_SIZE - 1) / FRAME_SIZE, align / FRAME_SIZE, &frame) &&
	    (zero_pool_give_back() == 0 ||
	     !locked_alloc((bytes + FRAME_SIZE - 1) / FRAME_SIZE, align / FRAME_SIZE, &frame)))
		return 0;
	count_high(frame * FRAME_SIZE, bytes, true);
	return frame * FRAME_SIZE;
}

void frames_free(uint64_t hpa, uint64_t bytes)
{
	/* Bad frees are Skiff's own bugs: stop before memory gets shared. */
	ASSERT(hpa % FRAME_SIZE == 0 && bytes % FRAME_SIZE == 0);
	ASSERT(hpa >= LOW_MEMORY_END && hpa <= memory_limit && bytes <= memory_limit - hpa);
	spin_lock(&frames_lock);
	uint64_t double_freed = frame_bitmap_set_free(&frames, hpa / FRAME_SIZE, bytes / FRAME_SIZE);
	spin_unlock(&frames_lock);
	if (double_freed)
		panic("frames_free: %lu frame(s) in [0x%lx, +0x%lx) were already free",
		      double_freed, hpa, bytes);
	count_high(hpa, bytes, false);
}

uint64_t frames_free_bytes(void)
{
	return (frames.free_count + zero_pool_count) * FRAME_SIZE;
}
