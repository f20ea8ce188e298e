/*
 * vm_memory.c - a VM's RAM on first touch (vm_memory.h).
 *
 * The RAM block is still reserved whole when the VM is built; what first
 * touch saves is zeroing and mapping RAM the guest never uses. A first
 * touch maps where nothing was present, and a not-present entry becoming
 * present needs no TLB invalidation (no CPU can cache a translation that
 * never existed; SDM vol. 3C "Maintaining Information That May Be Used by
 * Guest-Physical Translations", AMD APM vol. 2 "Nested Paging"), so this
 * path never flushes.
 */
#include "hypervisor/vm/vm_memory.h"

#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/panic.h"
#include "hypervisor/vm/vm.h"
#include "lib/errno.h"
#include "lib/kstring.h"

#define PLAIN_RAM_PERMS (NP_READ | NP_WRITE)

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
 * place: zero [gpa, gpa+size) (4 KiB-aligned, inside RAM) unless idle time
 * already did, map it, record it.
 */
static int place(struct vm *vm, uint64_t gpa, uint64_t size, unsigned perms)
{
	int rc;

	if (!gp_range_zeroed(&vm->pages, gpa, size))
		memset(vm->mem.base + gpa, 0, size);
	rc = np_map(&vm->nested, gpa, vm->mem_hpa + gpa, size, perms);
	if (rc == 0)
		gp_set_own(&vm->pages, gpa, size);
	return rc;
}

int vm_first_touch(struct vm *vm, uint64_t gpa)
{
	uint64_t block = gpa & ~(GP_BLOCK_SIZE - 1);
	uint64_t base, size;
	/* A 2 MiB page only where idle time already zeroed the block: zeroing
	 * 2 MiB on the fault path costs as much as booting a guest, and a
	 * guest that touches one word of a block must not pay for it. */
	bool allow_2m = gp_range_zeroed(&vm->pages, block, GP_BLOCK_SIZE);

	if (!gp_first_touch_plan(&vm->pages, gpa, allow_2m, &base, &size))
		return -ENOENT;
	return place(vm, base, size, PLAIN_RAM_PERMS);
}

/* Hypercalls reach RAM through guest_ptr, which calls this for new pages. */
static int populate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);

	for (; page < gpa + len; page += GP_PAGE_SIZE) {
		int rc = 0;

		if (gp_at(&vm->pages, page) == GP_NOWHERE)
			rc = vm_first_touch(vm, page);
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
	gp_init(&vm->pages, (uint8_t *)(uintptr_t)vm->pages_hpa, vm->mem.size);
	vm->mem.where = vm->pages.where;
	vm->mem.populate = populate;
	vm->mem.populate_ctx = vm;
	return 0;
}

/* boot_info_span: bytes from GUEST_BOOT_INFO the loader may write, in pages. */
static uint64_t boot_info_span(const struct guest_image *img)
{
	uint64_t bytes = GUEST_BOOT_INFO_SIZE + (uint64_t)img->manifest_size + GUEST_CMDLINE_MAX;
	uint64_t limit = GUEST_LOAD_MIN - GUEST_BOOT_INFO;

	bytes = (bytes + GP_PAGE_SIZE - 1) & ~(GP_PAGE_SIZE - 1);
	return bytes < limit ? bytes : limit;
}

/*
 * The backend's invalidation for this VM's translations. One CPU today:
 * the set holds CPU 0 only, and the HAL's flush acts on the CPU that runs
 * Skiff, which is that CPU. A VM without a vCPU has never run, so no CPU
 * can hold its translations.
 */
static void invalidate_vm(void *ctx, const struct mem_cpu_set *cpus)
{
	struct vm *vm = ctx;

	ASSERT(cpus->bits == 1);
	if (vm->vcpu_ready)
		hal->flush_nested_tlb(&vm->vcpu);
}

int vm_memory_prepare(struct vm *vm, const struct guest_image *img)
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
		.invalidator = { invalidate_vm, vm },
		.cpus = { 1 },
	};
	/* The GDT and the guest's page tables, then the boot information, the
	 * manifest and the command line (at most GUEST_CMDLINE_MAX bytes):
	 * all the loader writes below GUEST_LOAD_MIN (hypervisor/loader/). */
	rc = place(vm, GUEST_GDT_BASE, GUEST_PT_LOW + GP_PAGE_SIZE - GUEST_GDT_BASE,
		   PLAIN_RAM_PERMS);
	if (rc == 0)
		rc = place(vm, GUEST_BOOT_INFO, boot_info_span(img), PLAIN_RAM_PERMS);
	for (unsigned i = 0; rc == 0 && i < img->segment_count; i++) {
		const struct guest_segment *s = &img->segments[i];

		rc = place(vm, s->start, s->end - s->start, s->perms);
	}
	vm->nested.stale = false;  /* no vCPU has used the table yet */
	return rc;
}

void vm_memory_release(struct vm *vm)
{
	/* Through the one path: the table goes, then the flush, and only
	 * after that may vm_end scrub and free the RAM. On SVM the flush is
	 * due at the vCPU's next VMRUN, which never comes; its ASID is handed
	 * out again only after a flush of every ASID (hal/tag_pool.h). */
	if (vm->nested_ready) {
		mem_teardown(&vm->space, NULL, NULL);
		vm->nested_ready = false;
	}
	if (vm->pages_hpa) {
		frames_free(vm->pages_hpa, vm->pages_bytes);
		vm->pages_hpa = 0;
		vm->mem.where = NULL;
		vm->mem.populate = NULL;
	}
}

/* Idle-time zeroing works in steps this size, so a wake-up waits little. */
#define PREZERO_STEP (64u * 1024u)
/* Blocks looked at per step while searching for one to zero. */
#define PREZERO_SCAN 64u

static bool prezero_candidate(const struct vm *vm, uint64_t block)
{
	return gp_block_untouched(&vm->pages, block) &&
	       !gp_range_zeroed(&vm->pages, block, GP_BLOCK_SIZE);
}

bool vm_memory_prezero_step(struct vm *vm)
{
	uint64_t *block = &vm->prezero_block, *offset = &vm->prezero_offset;
	unsigned scanned = 0;

	if (!vm->pages_hpa)
		return false;
	/* A block touched meanwhile was zeroed by its own first touch. */
	if (*offset && !gp_block_untouched(&vm->pages, *block)) {
		*block += GP_BLOCK_SIZE;
		*offset = 0;
	}
	while (*offset == 0 && *block < vm->mem.size && !prezero_candidate(vm, *block)) {
		*block += GP_BLOCK_SIZE;
		if (++scanned == PREZERO_SCAN)
			return true;  /* bounded: go on at the next idle moment */
	}
	if (*block >= vm->mem.size)
		return false;
	memset(vm->mem.base + *block + *offset, 0, PREZERO_STEP);
	*offset += PREZERO_STEP;
	vm->prezeroed_bytes += PREZERO_STEP;
	if (*offset == GP_BLOCK_SIZE) {
		gp_mark_zeroed(&vm->pages, *block, GP_BLOCK_SIZE);
		*block += GP_BLOCK_SIZE;
		*offset = 0;
	}
	return true;
}

bool vm_memory_idle_work(struct vm *const *vms, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (vms[i]->state != VM_ENDED && vm_memory_prezero_step(vms[i]))
			return true;
	return false;
}
