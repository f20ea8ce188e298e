/*
 * vm_memory.c - a VM's RAM on first touch (vm_memory.h).
 *
 * Nothing is reserved when a VM is built: each page gets a frame when it
 * is first placed or touched (a zeroed 4 KiB frame, or a 2 MiB frame that
 * idle time zeroed), mapped in the VM's nested table and in its window in
 * Skiff's address space (host_window.h), so the sum of the guests' mem=
 * may exceed the machine's memory. A first touch maps where nothing was
 * present, and a not-present entry becoming present needs no TLB
 * invalidation (no CPU caches a translation that never existed; SDM vol.
 * 3C "Maintaining Information That May Be Used by Guest-Physical
 * Translations", AMD APM vol. 2 "Nested Paging"), so this path never
 * flushes.
 */
#include "hypervisor/vm/vm_memory.h"

#include "hypervisor/mem/frame_zero.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "hypervisor/panic.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp.h"
#include "hypervisor/time/time.h"
#include "hypervisor/smp/spinlock.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/clone/vm_clone.h"
#include "hypervisor/vm/reclaim/vm_evict.h"
#include "hypervisor/vm/reclaim/vm_share.h"
#include "lib/errno.h"
#include "lib/kstring.h"


/* Nested tables take their pages from the frame allocator (identity map). */
static void *np_frame_alloc(void *ctx, uint64_t *hpa)
{
	(void)ctx;
	*hpa = frame_alloc();
	return *hpa ? (void *)(uintptr_t)*hpa : NULL;
}

static void np_frame_free(void *ctx, void *table, uint64_t hpa)
{
	(void)ctx;
	(void)table;
	frames_free(hpa, FRAME_SIZE);
}

static const struct np_allocator vm_np_allocator = {
	.alloc_table = np_frame_alloc,
	.free_table = np_frame_free,
	.to_virt = NULL,  /* identity map: a table's hpa is its address */
};

/*
 * The zeroed pool: 2 MiB frames zeroed at idle time, so a first touch can
 * map a whole block without zeroing on the fault path. Refilled only while
 * plenty stays free, and given back before any first touch fails.
 */
#define POOL_FRAMES 4u
#define POOL_MIN_FREE (UINT64_C(64) << 20)
#define POOL_STEP (64u * 1024u)   /* per idle step, so a wake-up waits little */

/*
 * The memory lock (docs/smp.md): the zeroed pool, reclaim's cursor, and
 * Skiff's window table are shared by every CPU, so each entry point below
 * that may touch them holds it. A VM's own nested table and page record are
 * changed only by the CPU whose queue holds the VM (balancing hands a VM
 * over only while it does not run), under it too.
 */
static struct spinlock memory_lock;

static uint64_t pool[POOL_FRAMES];
static unsigned pool_count;
static uint64_t pool_filling, pool_filled;

static void pool_drain(void)
{
	while (pool_count)
		frames_free(pool[--pool_count], GP_BLOCK_SIZE);
	if (pool_filling) {
		frames_free(pool_filling, GP_BLOCK_SIZE);
		pool_filling = 0;
	}
}

/* pool_step: one bounded step of refilling. false when nothing to do. */
static bool pool_step(void)
{
	if (!pool_filling) {
		if (pool_count == POOL_FRAMES || frames_free_bytes() < POOL_MIN_FREE + GP_BLOCK_SIZE)
			return false;
		pool_filling = frames_alloc_contiguous(GP_BLOCK_SIZE, GP_BLOCK_SIZE);
		pool_filled = 0;
		if (!pool_filling)
			return false;
	}
	memset((void *)(uintptr_t)(pool_filling + pool_filled), 0, POOL_STEP);
	pool_filled += POOL_STEP;
	if (pool_filled == GP_BLOCK_SIZE) {
		pool[pool_count++] = pool_filling;
		pool_filling = 0;
	}
	return true;
}

bool vm_memory_idle_work(struct vm *const *vms, unsigned count)
{
	bool worked;

	(void)vms;
	(void)count;
	/* Skiff's own 4 KiB frames first: a clone's or a guest's build takes
	 * about ten of them (frames.c), a small step. */
	if (frames_zero_pool_step())
		return true;
	spin_lock(&memory_lock);
	worked = pool_step();
	spin_unlock(&memory_lock);
	return worked;
}

/* Table pages a new mapping may need: three levels in the nested table
 * and three in Skiff's window table. */
#define TABLE_HEADROOM 6u

/* One bounded step of a kind of reclaim (vm_reclaim_zero_pages, ...). */
typedef unsigned (*reclaim_step_fn)(const struct vm *spare, uint64_t *passed);

/* reclaim_until: steps of one kind until want bytes are free (true), or
 * until rounds whole rounds of guest pages found nothing (false). */
static bool reclaim_until(reclaim_step_fn step, const struct vm *spare, uint64_t want,
			  uint64_t rounds)
{
	for (uint64_t seen = 0; frames_free_bytes() < want;) {
		uint64_t passed;

		if (step(spare, &passed) == 0 && (seen += passed) >= rounds * vm_reclaim_round_pages())
			return false;
	}
	return true;
}

/*
 * ensure_free: at least frames free frames (the low-water mark a new
 * mapping needs). When short, the pool goes back first, then, cheapest
 * first and in bounded steps, zero pages (one round), guests' own copies
 * of their image's read-only pages merged into one shared frame (one
 * round) and cold pages to the compressed pool or swap (two rounds: the
 * first may only clear accessed bits), sparing spare. Pages guests
 * reported free are no step here: their report freed them already
 * (vm_free_report.c). false when that was not enough.
 */
static bool ensure_free(const struct vm *spare, uint64_t frames)
{
	uint64_t want = frames * FRAME_SIZE;

	if (frames_free_bytes() >= want)
		return true;
	pool_drain();
	return reclaim_until(vm_reclaim_zero_pages, spare, want, 1) ||
	       reclaim_until(vm_reclaim_shared_pages, spare, want, 1) ||
	       reclaim_until(vm_evict_cold_pages, spare, want, 2);
}

/* frame_for: a zeroed 4 KiB frame, with room left for the tables that map it. */
static uint64_t frame_for(const struct vm *spare)
{
	(void)ensure_free(spare, 1 + TABLE_HEADROOM);
	return frame_alloc_high();
}

/*
 * vm_memory_map_own (vm_memory.h): hand the frame at hpa to the page (4 KiB
 * or 2 MiB) at gpa: Skiff's window first, then the record (so teardown
 * finds and frees the frame whatever fails next), then the nested table.
 */
int vm_memory_map_own(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		      unsigned perms)
{
	int rc = host_window_map((uint64_t)(uintptr_t)vm->mem.base + gpa, hpa, size);

	if (rc) {
		frames_free(hpa, size);
		return rc;
	}
	gp_set_own(&vm->pages, gpa, size);
	return np_map(&vm->nested, gpa, hpa, size, perms);
}

/*
 * place: give [gpa, gpa+size) (4 KiB-aligned, inside RAM) zeroed 4 KiB
 * frames; reclaim spares spare (vm itself when it must keep what it has).
 */
static int place(struct vm *vm, uint64_t gpa, uint64_t size, unsigned perms,
		 const struct vm *spare)
{
	for (uint64_t page = gpa; page < gpa + size; page += GP_PAGE_SIZE) {
		uint64_t hpa = frame_for(spare);
		int rc;

		if (!hpa)
			return -ENOMEM;
		if ((rc = vm_memory_map_own(vm, page, hpa, GP_PAGE_SIZE, perms)) != 0)
			return rc;
	}
	return 0;
}

/* fault_back: an evicted page is touched: a frame with its old contents. */
static int fault_back(struct vm *vm, uint64_t gpa, const struct vm *spare)
{
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);
	uint64_t hpa = frame_for(spare);
	int rc;

	if (!hpa)
		return -ENOMEM;
	if ((rc = vm_evict_restore(vm, page, hpa)) != 0) {
		frames_free(hpa, FRAME_SIZE);
		return rc;
	}
	return vm_memory_map_own(vm, page, hpa, GP_PAGE_SIZE, PLAIN_RAM_PERMS);
}

static int first_touch(struct vm *vm, uint64_t gpa, const struct vm *spare)
{
	uint64_t base, size;
	enum gp_where where = gp_at(&vm->pages, gpa);

	if (gpa < vm->mem.size && (where == GP_COMPRESSED || where == GP_SWAPPED))
		return fault_back(vm, gpa, spare);
	if (gpa < vm->mem.size && where == GP_NOWHERE && vm->clone.index) {
		int rc;

		(void)ensure_free(spare, TABLE_HEADROOM);
		if ((rc = vm_clone_fault_in(vm, gpa)) != -ENOENT)
			return rc;   /* the snapshot's page, read-only */
	}

	/* A pool frame only while there is room for its tables: when memory
	 * is short the pool goes back and 4 KiB pages take its place. */
	bool allow_2m = pool_count > 0 && frames_free_bytes() >= TABLE_HEADROOM * FRAME_SIZE &&
			vm_clone_takes_2m(vm);

	if (!gp_first_touch_plan(&vm->pages, gpa, allow_2m, &base, &size))
		return -ENOENT;
	if (size == GP_BLOCK_SIZE) {
		vm->prezeroed_bytes += GP_BLOCK_SIZE;
		return vm_memory_map_own(vm, base, pool[--pool_count], size, PLAIN_RAM_PERMS);
	}
	return place(vm, base, size, PLAIN_RAM_PERMS, spare);
}

/* From a nested page fault: the guest is between two instructions, so
 * its own zero pages may be reclaimed too. */
int vm_first_touch(struct vm *vm, uint64_t gpa)
{
	int rc;

	spin_lock(&memory_lock);
	rc = first_touch(vm, gpa, NULL);
	vm->fresh_pages[vm->fresh_next++ % 8] = gpa & ~(GP_PAGE_SIZE - 1);
	spin_unlock(&memory_lock);
	return rc;
}

/* Hypercalls reach RAM through guest_ptr, which calls this for new pages. */
static int populate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);

	for (; page < gpa + len; page += GP_PAGE_SIZE) {
		int rc = 0;

		/* Pages populated for this call must stay until it is done. */
		enum gp_where where = gp_at(&vm->pages, page);

		if (gp_is_away(where) || where == GP_SHARED) {
			spin_lock(&memory_lock);
			if (where != GP_SHARED) {
				rc = first_touch(vm, page, vm);
				/* A shadow fill reaches its page here, not
				 * through vm_first_touch: kept from reclaim
				 * elsewhere until the guest's retry, too. */
				vm->fresh_pages[vm->fresh_next++ % 8] = page;
			}
			/* A shared page turns private: a call may write it (a
			 * clone's touch may have just mapped one). */
			if (rc == 0 && gp_at(&vm->pages, page) == GP_SHARED)
				rc = vm_share_unshare(vm, page);
			spin_unlock(&memory_lock);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int record_alloc(struct vm *vm)
{
	uint64_t bytes = vm->mem.size / GP_PAGE_SIZE;

	bytes = (bytes + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
	vm->pages_hpa = frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!vm->pages_hpa)
		return -ENOMEM;
	vm->pages_bytes = bytes;
	/* Whole frames: frame_zero's 16-byte stores take half memset's count. */
	frame_zero((void *)(uintptr_t)vm->pages_hpa, bytes);
	gp_init_zeroed(&vm->pages, (uint8_t *)(uintptr_t)vm->pages_hpa, vm->mem.size);
	vm->mem.where = vm->pages.where;
	vm->mem.populate = populate;
	vm->mem.populate_ctx = vm;
	return 0;
}

/*
 * boot_info_span: bytes from GUEST_BOOT_INFO the loader writes (boot
 * information, manifest, command line and its NUL), in whole pages. The
 * rest of the area reads as zero on first touch, as the loader would
 * have left it.
 */
static uint64_t boot_info_span(const struct guest_image *img, size_t cmdline_len)
{
	uint64_t bytes = GUEST_BOOT_INFO_SIZE + (uint64_t)img->manifest_size + cmdline_len + 1;
	uint64_t limit = GUEST_LOAD_MIN - GUEST_BOOT_INFO;

	bytes = (bytes + GP_PAGE_SIZE - 1) & ~(GP_PAGE_SIZE - 1);
	return bytes < limit ? bytes : limit;
}

/*
 * The three parts of the backend's invalidation for this VM (the core runs
 * the cross-CPU protocol, mem_invalidate.h). Shadows map frames too: they
 * go first. A CPU about to enter the VM flushes its own cached
 * translations through the HAL, which acts on the calling CPU; a CPU in
 * the guest is sent the kick IPI, whose arrival exits to the host on both
 * backends.
 */
static void zap_vm(void *ctx)
{
	shadow_zap_all(ctx);
}

/* zap_page_vm: one page taken: only the shadow leaves that map it go. */
static bool zap_page_vm(void *ctx, uint64_t gpa, uint64_t size)
{
	return shadow_page_removed(ctx, gpa, size);
}

/*
 * may_zap_vm: dropping every shadow (zap_vm) frees shadow tables, which
 * the guest may be walking in guest mode on its own CPU until the kick:
 * only that CPU, in host code, may. Elsewhere mem_remove drops exactly the
 * page's shadow leaves first, under the VM's claim (mem_invalidate.h).
 */
static bool may_zap_vm(void *ctx)
{
	struct vm *vm = ctx;

	return !vm->shadow || vm_cpu(vm) == this_cpu_index();
}

static void flush_vm_here(void *ctx, unsigned cpu)
{
	struct vm *vm = ctx;

	ASSERT(cpu == this_cpu_index());
	if (vm->vcpu_ready)
		hal->flush_nested_tlb(&vm->vcpu);
}

static void kick_cpu(void *ctx, unsigned cpu)
{
	(void)ctx;
	smp_kick(cpu);
}

static unsigned self_cpu(void)
{
	return this_cpu_index();
}

/* setup_locked: vm's page record (all GP_NOWHERE) and empty nested table. */
static int setup_locked(struct vm *vm)
{
	int rc = record_alloc(vm);

	if (rc)
		return rc;
	/* hal->nested_format is set before any VM is built. */
	if ((rc = np_init(&vm->nested, hal->nested_format, &vm_np_allocator)) != 0)
		return rc;
	vm->nested_ready = true;
	vm->space = (struct mem_space){
		.table = &vm->nested,
		.invalidator = { zap_vm, flush_vm_here, kick_cpu, self_cpu, tsc_read, vm, zap_page_vm,
				 may_zap_vm },
	};
	vm_reclaim_track(vm, true);
	return 0;
}

/*
 * place_boot_tables: the GDT, PML4, PDPT, the page directories that map
 * RAM and the first 2 MiB's page table (guest_layout_page_tables). A
 * directory for a GiB wholly above RAM would stay all zero: it is left to
 * first touch, which gives the same zeroed page if a walk ever reads it.
 */
static int place_boot_tables(struct vm *vm)
{
	uint64_t directories = (vm->mem.size + (UINT64_C(1) << 30) - 1) >> 30;
	uint64_t low_end = GUEST_PD_BASE + directories * GP_PAGE_SIZE;
	int rc = place(vm, GUEST_GDT_BASE, low_end - GUEST_GDT_BASE, PLAIN_RAM_PERMS, vm);

	return rc ? rc : place(vm, GUEST_PT_LOW, GP_PAGE_SIZE, PLAIN_RAM_PERMS, vm);
}

static int prepare_locked(struct vm *vm, const struct guest_image *img, size_t cmdline_len)
{
	int rc = setup_locked(vm);

	if (rc)
		return rc;
	/* The GDT and the guest's page tables, then the boot information, the
	 * manifest and the command line: all the loader writes below
	 * GUEST_LOAD_MIN (hypervisor/loader/). */
	rc = place_boot_tables(vm);
	if (rc == 0)
		rc = place(vm, GUEST_BOOT_INFO, boot_info_span(img, cmdline_len), PLAIN_RAM_PERMS, vm);
	for (unsigned i = 0; rc == 0 && i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		/* Read-only segments: one frame per page for all guests of the image. */
		rc = (s->perms & NP_WRITE) ? -ENOENT : vm_share_place(vm, s->start, s->end - s->start, s->perms);
		if (rc == -ENOENT)
			rc = place(vm, s->start, s->end - s->start, s->perms, vm);
	}
	vm->nested.stale = false;  /* no vCPU has used the table yet */
	return rc;
}

/*
 * release_frames: mem_teardown's last step, once no CPU can reach the
 * guest's frames through its nested table: scrub each frame (nothing a
 * guest wrote may outlive it in free memory), free it, then take the
 * window down.
 */
static void release_frames(void *ctx, uint64_t unused_hpa, uint64_t unused_size)
{
	struct vm *vm = ctx;
	uint64_t window = (uint64_t)(uintptr_t)vm->mem.base;
	uint64_t gpa = 0;

	(void)unused_hpa;
	(void)unused_size;
	while (gpa < vm->mem.size) {
		uint64_t hpa, size = GP_PAGE_SIZE;

		if (gp_at(&vm->pages, gpa) == GP_SHARED) {
			vm_share_release_page(vm, gpa);
			gpa += GP_PAGE_SIZE;
			continue;
		}
		if (gp_at(&vm->pages, gpa) != GP_NOWHERE &&
		    host_window_lookup(window + gpa, &hpa, &size) == 0) {
			memset((void *)(uintptr_t)hpa, 0, size);
			frames_free(hpa, size);
		}
		gpa += size;
	}
	host_window_unmap(window, vm->mem.size);
}

static void release_locked(struct vm *vm);

int vm_memory_prepare_clone(struct vm *vm)
{
	int rc;

	spin_lock(&memory_lock);
	rc = setup_locked(vm);
	vm->nested.stale = false;  /* no vCPU has used the table yet */
	spin_unlock(&memory_lock);
	return rc;
}

int vm_memory_locked(int (*fn)(struct vm *vm, uint64_t arg), struct vm *vm, uint64_t arg)
{
	int rc;

	spin_lock(&memory_lock);
	rc = fn(vm, arg);
	spin_unlock(&memory_lock);
	return rc;
}

/* cow_locked: a frame for the copy first, reclaiming as a first touch would. */
static int cow_locked(struct vm *vm, uint64_t gpa)
{
	(void)ensure_free(NULL, 1 + TABLE_HEADROOM);
	if (gp_at(&vm->pages, gpa) == GP_SHARED)
		return vm_share_unshare(vm, gpa);
	return vm_clone_copy_in(vm, gpa);
}

int vm_memory_cow(struct vm *vm, uint64_t gpa)
{
	return vm_memory_locked(cow_locked, vm, gpa);
}

int vm_memory_prepare(struct vm *vm, const struct guest_image *img, size_t cmdline_len)
{
	int rc;

	spin_lock(&memory_lock);
	rc = prepare_locked(vm, img, cmdline_len);
	spin_unlock(&memory_lock);
	return rc;
}

void vm_memory_release(struct vm *vm)
{
	spin_lock(&memory_lock);
	release_locked(vm);
	spin_unlock(&memory_lock);
}

static void release_locked(struct vm *vm)
{
	/* Through the one path: the table goes, then the flush, and only then
	 * are the frames scrubbed and freed. On SVM the flush is due at the
	 * vCPU's next VMRUN, which never comes; its ASID is handed out again
	 * only after a flush of every ASID (hal/tag_pool.h). */
	if (vm->nested_ready) {
		vm_reclaim_track(vm, false);
		mem_teardown(&vm->space, release_frames, vm);
		vm->nested_ready = false;
	}
	/* The teardown zapped and flushed the shadows: their tables may go. */
	pv_destroy(vm);
	shadow_log_summary(vm);
	shadow_destroy(vm);
	vm_evict_release(vm);   /* its pages in the pool or swap, unread */
	vm_share_end(vm);
	vm_clone_release(vm);   /* after its shared pages: they name the snapshot */
	if (vm->pages_hpa) {
		frames_free(vm->pages_hpa, vm->pages_bytes);
		vm->pages_hpa = 0;
		vm->mem.where = NULL;
		vm->mem.populate = NULL;
	}
}
