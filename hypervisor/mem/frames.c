/*
 * frames.c - the physical frame allocator (frames.h) over Skiff's
 * identity-mapped first 4 GiB. The bookkeeping is frame_bitmap.c; this
 * file decides which frames start free.
 */
#include "hypervisor/mem/frames.h"

#include "hypervisor/mem/frame_bitmap.h"
#include "hypervisor/panic.h"
#include "hypervisor/smp/spinlock.h"
#include "lib/kstring.h"

#define MEMORY_LIMIT (4ull << 30)          /* what the boot page tables map */
#define LOW_MEMORY_END (1ull << 20)        /* BIOS, firmware tables: never used */
#define MB2_REGION_USABLE 1
#define FRAME_COUNT (MEMORY_LIMIT / FRAME_SIZE)

/* The image bounds, from the linker script. */
extern char skiff_image_start[], skiff_image_end[];

static uint64_t bitmap_words[FRAME_COUNT / 64];
static struct frame_bitmap frames;

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

void frames_init(const struct boot_info *info)
{
	frame_bitmap_init(&frames, bitmap_words, FRAME_COUNT);
	for (unsigned i = 0; i < info->region_count; i++) {
		if (info->regions[i].type == MB2_REGION_USABLE)
			free_inside(info->regions[i].base, info->regions[i].length);
	}
	/* Memory maps may overlap: whatever any entry reserves stays out. */
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

uint64_t frame_alloc(void)
{
	uint64_t frame;

	if (!locked_alloc(1, 1, &frame))
		return 0;
	memset((void *)(uintptr_t)(frame * FRAME_SIZE), 0, FRAME_SIZE);
	return frame * FRAME_SIZE;
}

uint64_t frames_alloc_contiguous(uint64_t bytes, uint64_t align)
{
	uint64_t frame;

	if (bytes == 0 || bytes > MEMORY_LIMIT || align < FRAME_SIZE ||
	    (align & (align - 1)) != 0 || align > MEMORY_LIMIT)
		return 0;
	if (!locked_alloc((bytes + FRAME_SIZE - 1) / FRAME_SIZE, align / FRAME_SIZE, &frame))
		return 0;
	return frame * FRAME_SIZE;
}

void frames_free(uint64_t hpa, uint64_t bytes)
{
	/* Bad frees are Skiff's own bugs: stop before memory gets shared. */
	ASSERT(hpa % FRAME_SIZE == 0 && bytes % FRAME_SIZE == 0);
	ASSERT(hpa >= LOW_MEMORY_END && hpa <= MEMORY_LIMIT && bytes <= MEMORY_LIMIT - hpa);
	spin_lock(&frames_lock);
	uint64_t double_freed = frame_bitmap_set_free(&frames, hpa / FRAME_SIZE, bytes / FRAME_SIZE);
	spin_unlock(&frames_lock);
	if (double_freed)
		panic("frames_free: %lu frame(s) in [0x%lx, +0x%lx) were already free",
		      double_freed, hpa, bytes);
}

uint64_t frames_free_bytes(void)
{
	return frames.free_count * FRAME_SIZE;
}
