/*
 * vm_clone.c - the snapshot of a clone= guest and its clones (vm_clone.h).
 *
 * Frames: at the snapshot every frame of the parent's own becomes the
 * snapshot image's frame for its page in the share table (vm_share.h),
 * referenced by the parent (until its end a moment later), by the
 * snapshot itself (until its last clone ends) and by each clone that maps
 * it. Read-only image pages the parent shared stay the module's, with one
 * reference more held by the snapshot. Reclaim, eviction and free-page
 * reports take only frames a guest owns alone (GP_OWN), so a frame the
 * clones share is never taken from under another clone; a clone's free
 * report of a shared page only drops its own reference (vm_clone_forget).
 *
 * Registers: the snapshot is taken at an exit (the SNAPSHOT call's OUT, or
 * POLL's), after RIP moved past it, so each clone resumes at the next
 * instruction with the parent's general registers, control registers,
 * FS/GS bases and FPU state; after the SNAPSHOT call its RAX holds its
 * number (1..N), so the guest can tell which clone it is.
 */
#include "hypervisor/vm/vm_clone.h"

#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/clone/snap_pages.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/vm/vm_share.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

struct vm_snapshot {
	uint8_t fpu[512] __attribute__((aligned(16)));
	char parent[GUEST_NAME_MAX];
	unsigned clones;          /* N of clone=N */
	unsigned users;           /* the parent and the clones not yet ended */
	bool taken, set_rax;      /* set_rax: taken at the SNAPSHOT call */
	int image;                /* its frames in the share table */
	int base_image;           /* the module's image while taken, -1 when none */
	uint64_t mem_size, kernel_end;
	uint64_t self_bytes;      /* this record and pages.bytes, in frames */
	uint64_t cow_pages, image_pages;
	struct hal_boot_state boot;
	uint64_t gpr[HAL_GPR_COUNT];
	uint64_t fs_base, gs_base;
	struct snap_pages pages;
};

static struct vm_snapshot *taken_snap(const struct vm *vm)
{
	struct vm_snapshot *s = vm->clone.snap;

	return s && s->taken ? s : NULL;
}

int vm_clone_begin(struct vm *vm, const struct guest_config *cfg,
		   const struct hal_boot_state *boot)
{
	uint64_t pages = vm->mem.size / GP_PAGE_SIZE;
	uint64_t bytes = (sizeof(struct vm_snapshot) + pages + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	struct vm_snapshot *s;
	uint64_t hpa;

	if (cfg->block_count || cfg->net_count) {
		vm_end(vm, 1, VM_END_REFUSED,
		       "clone=%u with block or net devices: clones cannot share a device and "
		       "Skiff does not copy them (start clones of a guest without devices)",
		       cfg->clone_count);
		return -EINVAL;
	}
	if (vm->vcpu.shadow_paging) {
		vm_end(vm, 1, VM_END_REFUSED, "clone=%u needs nested paging (not paging=shadow)",
		       cfg->clone_count);
		return -EINVAL;
	}
	hpa = frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!hpa) {
		vm_end(vm, 1, VM_END_REFUSED, "clone=%u: no memory left for its snapshot record",
		       cfg->clone_count);
		return -ENOMEM;
	}
	s = (struct vm_snapshot *)(uintptr_t)hpa;
	memset(s, 0, sizeof(*s));
	s->image = vm_share_new_image();
	if (s->image < 0) {
		frames_free(hpa, bytes);
		vm_end(vm, 1, VM_END_REFUSED, "clone=%u: the share table has no image slot left",
		       cfg->clone_count);
		return -ENOSPC;
	}
	format(s->parent, sizeof(s->parent), "%s", vm->name);
	s->clones = cfg->clone_count;
	s->users = 1;
	s->base_image = -1;
	s->mem_size = vm->mem.size;
	s->kernel_end = vm->kernel_end;
	s->self_bytes = bytes;
	s->boot = *boot;
	snap_pages_init(&s->pages, (uint8_t *)(s + 1), pages);
	vm->clone.snap = s;
	log_printf("guest %s: will be cloned %u times at its snapshot (SNAPSHOT call or first POLL)",
		   vm->name, s->clones);
	return 0;
}

/* give_page: the parent's page gpa enters the snapshot (memory lock held). */
static int give_page(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = vm->clone.snap;
	enum gp_where where = gp_at(&vm->pages, gpa);
	uint64_t hpa;
	unsigned perms;

	if (where != GP_OWN && where != GP_SHARED)
		return 0;   /* never touched: reads as zero in every clone */
	if (np_lookup(&vm->nested, gpa, &hpa, &perms, NULL) != 0)
		return -EFAULT;
	if (where == GP_SHARED) {
		snap_record(&s->pages, gpa, SNAP_IMAGE, perms);
		(void)vm_share_ref(s->base_image, gpa);   /* the snapshot's reference */
		s->image_pages++;
		return 0;
	}
	if (!vm_share_adopt(s->image, gpa, hpa & ~(GP_PAGE_SIZE - 1)))
		return -ENOSPC;
	/* From here the parent's frame is the snapshot's: the parent's end
	 * drops its reference instead of freeing the frame. */
	gp_set_nowhere(&vm->pages, gpa);
	vm->pages.where[gpa / GP_PAGE_SIZE] = GP_SHARED;
	vm->shared_pages++;
	snap_record(&s->pages, gpa, SNAP_COW, perms);
	(void)vm_share_ref(s->image, gpa);
	s->cow_pages++;
	return 0;
}

static int give_all_pages(struct vm *vm, uint64_t unused)
{
	(void)unused;
	for (uint64_t gpa = 0; gpa < vm->mem.size; gpa += GP_PAGE_SIZE) {
		int rc = give_page(vm, gpa);

		if (rc)
			return rc;
	}
	return 0;
}

/* bring_back: evicted pages return first, so the snapshot holds frames only. */
static int bring_back(struct vm *vm)
{
	for (uint64_t gpa = 0; gpa < vm->mem.size; gpa += GP_PAGE_SIZE) {
		enum gp_where w = gp_at(&vm->pages, gpa);
		int rc = 0;

		if (w == GP_COMPRESSED || w == GP_SWAPPED)
			rc = vm_first_touch(vm, gpa);
		if (rc)
			return rc;
	}
	return 0;
}

static void save_registers(struct vm *vm, struct vm_snapshot *s)
{
	struct vcpu *c = &vm->vcpu;

	memcpy(s->gpr, c->gpr, sizeof(s->gpr));
	s->boot.rip = hal->reg_read(c, HAL_REG_RIP);
	s->boot.rsp = hal->reg_read(c, HAL_REG_RSP);
	s->boot.rflags = hal->reg_read(c, HAL_REG_RFLAGS);
	s->boot.cr0 = hal->reg_read(c, HAL_REG_CR0);
	s->boot.cr3 = hal->reg_read(c, HAL_REG_CR3);
	s->boot.cr4 = hal->reg_read(c, HAL_REG_CR4);
	s->boot.efer = hal->reg_read(c, HAL_REG_EFER);
	s->fs_base = hal->reg_read(c, HAL_REG_FS_BASE);
	s->gs_base = hal->reg_read(c, HAL_REG_GS_BASE);
	/* Its x87/SSE registers are live in this CPU: save them first. */
	if (this_cpu()->fpu_owner == vm)
		fpu_switch(vm->fpu, vm->fpu);
	memcpy(s->fpu, vm->fpu, sizeof(s->fpu));
}

/* take: the snapshot of vm (RIP past the call), then vm ends. false. */
static bool take(struct vm *vm, bool set_rax)
{
	struct vm_snapshot *s = vm->clone.snap;
	int rc = bring_back(vm);

	s->taken = true;
	s->set_rax = set_rax;
	if (vm->sharing) {
		s->base_image = vm->share_image;
		vm_share_hold_image(s->base_image);
	}
	if (rc == 0)
		rc = vm_memory_locked(give_all_pages, vm, 0);
	if (rc) {
		s->clones = 0;
		vm_end(vm, 1, VM_END_KILLED,
		       "snapshot failed (error %d%s): no clones started", rc,
		       rc == -ENOSPC ? ": more pages than the share table holds" : "");
		return false;
	}
	save_registers(vm, s);
	vm->clone.start_pending = true;
	vm_end(vm, 0, VM_END_HALT, "snapshot taken");
	log_printf("guest %s: snapshot taken: %llu pages by reference, %llu image pages; starting %u clones",
		   vm->name, (unsigned long long)s->cow_pages,
		   (unsigned long long)s->image_pages, s->clones);
	return false;
}

/* refuse: one refused SNAPSHOT call; the guest goes on with ret EINVAL. */
static bool refuse(struct vm *vm, const struct hal_exit *exit, uint64_t arg_gpa,
		   const char *why)
{
	int32_t *ret = guest_ptr(&vm->mem, arg_gpa + 8, sizeof(*ret));

	log_printf("guest %s: snapshot refused: %s", vm->name, why);
	if (ret)
		*ret = HC_EINVAL;
	vm->vcpu.gpr[HAL_REG_RAX] = 0;
	hal->advance(&vm->vcpu, exit);
	return true;
}

bool vm_clone_snapshot_call(struct vm *vm, const struct hal_exit *exit,
			    uint64_t arg_gpa, uint64_t flags)
{
	int32_t *ret;

	if (vm->clone.index)
		return refuse(vm, exit, arg_gpa, "a clone cannot take a snapshot (only the guest "
			      "started with clone= can, once)");
	if (!vm->clone.snap)
		return refuse(vm, exit, arg_gpa, "it was not started with clone=N");
	if (flags) {
		char why[96];

		format(why, sizeof(why), "flags 0x%llx are not 0 (no flags are defined)",
		       (unsigned long long)flags);
		return refuse(vm, exit, arg_gpa, why);
	}
	/* Every clone sees ret 0 in the struct: written before the pages go. */
	ret = guest_ptr(&vm->mem, arg_gpa + 8, sizeof(*ret));
	if (ret)
		*ret = HC_OK;
	hal->advance(&vm->vcpu, exit);
	return take(vm, true);
}

bool vm_clone_poll_snapshot(struct vm *vm)
{
	if (!vm->clone.snap || vm->clone.index || vm->clone.snap->taken)
		return false;
	(void)take(vm, false);
	return true;
}

unsigned vm_clone_pending(const struct vm *vm)
{
	return vm->clone.start_pending ? vm->clone.snap->clones : 0;
}

void vm_clone_started(struct vm *parent)
{
	parent->clone.start_pending = false;
	vm_clone_release(parent);   /* its memory went at its end: now its part */
}

/* clone_memory: the clone's empty RAM: bitmap, page record, nested table. */
static int clone_memory(struct vm *vm, const struct vm_snapshot *s)
{
	uint64_t bytes = snap_bitmap_bytes(s->pages.page_count);
	uint64_t hpa;

	bytes = (bytes + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	hpa = frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!hpa)
		return -ENOMEM;
	memset((void *)(uintptr_t)hpa, 0, snap_bitmap_bytes(s->pages.page_count));
	vm->clone.detached = (uint8_t *)(uintptr_t)hpa;
	vm->clone.detached_bytes = bytes;
	return vm_memory_prepare_clone(vm);
}

static int clone_vcpu(struct vm *vm, const struct vm_snapshot *s, unsigned index)
{
	struct vcpu *c = &vm->vcpu;
	int rc;

	c->nested = &vm->nested;
	c->id = vm->id;
	if ((rc = hal->vcpu_create(c, &s->boot)) != 0)
		return rc;
	vm->vcpu_ready = true;
	for (unsigned r = 0; r < HAL_GPR_COUNT; r++)
		if (r != HAL_REG_RSP)   /* RSP lives in the VMCB / VMCS: in boot */
			c->gpr[r] = s->gpr[r];
	if (s->set_rax)
		c->gpr[HAL_REG_RAX] = index;
	hal->reg_write(c, HAL_REG_FS_BASE, s->fs_base);
	hal->reg_write(c, HAL_REG_GS_BASE, s->gs_base);
	memcpy(vm->fpu, s->fpu, sizeof(vm->fpu));
	return 0;
}

struct vm *vm_clone_start(struct vm *parent, unsigned index, unsigned id, const char *name)
{
	/* Benchmarks: clone_to_first_insn counts from here. */
	uint64_t decided = tsc_read();
	struct vm_snapshot *s = parent->clone.snap;
	struct vm *vm = vm_alloc(name, id);
	int rc;

	if (!vm)
		return NULL;
	if (id >= HOST_WINDOW_COUNT) {
		vm_end(vm, 1, VM_END_REFUSED, "clone %u of %s: no address window left", index,
		       s->parent);
		return vm;
	}
	vm->mem.base = host_window_of(id);
	vm->mem.size = s->mem_size;
	vm->kernel_end = s->kernel_end;
	vm->clone.snap = s;
	vm->clone.index = index;
	s->users++;
	if (s->base_image >= 0) {
		vm_share_hold_image(s->base_image);
		vm->sharing = true;
		vm->share_image = s->base_image;
	}
	if ((rc = clone_memory(vm, s)) != 0 || (rc = clone_vcpu(vm, s, index)) != 0) {
		vm_end(vm, 1, VM_END_REFUSED, "clone %u of %s: cannot build it (error %d)", index,
		       s->parent, rc);
		return vm;
	}
	/* No log line here: with hundreds of clones the UART would dominate
	 * their start; the summary says when each was decided (vm_clone_log). */
	vm->clone.decided_tsc = decided;
	return vm;
}

int vm_clone_fault_in(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = taken_snap(vm);
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);
	unsigned perms;
	int rc;

	if (!s || !vm->clone.index)
		return -ENOENT;
	if (!snap_takes_from(&s->pages, vm->clone.detached, page)) {
		if (!snap_is_detached(vm->clone.detached, s->pages.page_count, page)) {
			vm->clone.fresh_pages++;   /* a page the snapshot never had */
			snap_detach(vm->clone.detached, s->pages.page_count, page);
		}
		return -ENOENT;
	}
	perms = snap_perms_at(&s->pages, page);
	if (snap_kind_at(&s->pages, page) == SNAP_COW)
		rc = vm_share_map_from(vm, s->image, page, perms & ~(unsigned)NP_WRITE);
	else
		rc = vm_share_map_from(vm, s->base_image, page, perms);
	/* The snapshot holds a reference to each of its frames: a missing one
	 * is a broken snapshot, never a zero page. */
	return rc == -ENOENT ? -EFAULT : rc;
}

bool vm_clone_is_cow(const struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = taken_snap(vm);

	return s && snap_kind_at(&s->pages, gpa) == SNAP_COW;
}

/* Nothing was mapped, so nothing to invalidate (memory lock held). */
int vm_clone_copy_in(struct vm *vm, uint64_t page)
{
	struct vm_snapshot *s = vm->clone.snap;
	int rc = vm_share_copy_from(vm, s->image, page, snap_perms_at(&s->pages, page));

	if (rc == 0)
		vm_clone_note_copied(vm, page);
	return rc == -ENOENT ? -EFAULT : rc;
}

int vm_clone_write_fault(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = taken_snap(vm);
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);
	enum gp_where where = gp_at(&vm->pages, page);

	if (!s || !vm->clone.index || snap_kind_at(&s->pages, page) != SNAP_COW)
		return -ENOENT;
	if (where == GP_SHARED ||
	    (where == GP_NOWHERE && snap_takes_from(&s->pages, vm->clone.detached, page)))
		return vm_memory_cow(vm, page);
	return -ENOENT;
}

bool vm_clone_forget(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = taken_snap(vm);

	if (!s || !vm->clone.index || !snap_takes_from(&s->pages, vm->clone.detached, gpa))
		return false;
	if (gp_at(&vm->pages, gpa) == GP_SHARED && vm_share_drop_page(vm, gpa) != 0)
		return true;   /* still mapped: it keeps the snapshot's contents */
	snap_detach(vm->clone.detached, s->pages.page_count, gpa);
	vm->clone.dropped_pages++;
	return true;
}

int vm_clone_image(const struct vm *vm)
{
	return vm->clone.snap ? vm->clone.snap->image : -1;
}

unsigned vm_clone_perms(const struct vm *vm, uint64_t gpa)
{
	return vm->clone.snap ? snap_perms_at(&vm->clone.snap->pages, gpa) : 0;
}

void vm_clone_note_copied(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = vm->clone.snap;

	if (!vm->clone.index)
		return;
	snap_detach(vm->clone.detached, s->pages.page_count, gpa);
	vm->clone.cow_copies++;
}

bool vm_clone_takes_2m(const struct vm *vm)
{
	return vm->clone.index == 0;
}

/* snapshot_free: the last user is gone: its references, then its record. */
static void snapshot_free(struct vm_snapshot *s)
{
	for (uint64_t gpa = 0; s->taken && gpa < s->mem_size; gpa += GP_PAGE_SIZE) {
		enum snap_kind kind = snap_kind_at(&s->pages, gpa);

		if (kind == SNAP_COW)
			vm_share_drop(s->image, gpa);
		else if (kind == SNAP_IMAGE)
			vm_share_drop(s->base_image, gpa);
	}
	vm_share_put_image(s->image);
	if (s->base_image >= 0)
		vm_share_put_image(s->base_image);
	frames_free((uint64_t)(uintptr_t)s, s->self_bytes);
}

void vm_clone_release(struct vm *vm)
{
	struct vm_snapshot *s = vm->clone.snap;

	if (vm->clone.detached) {
		frames_free((uint64_t)(uintptr_t)vm->clone.detached, vm->clone.detached_bytes);
		vm->clone.detached = NULL;
	}
	if (!s || vm->clone.start_pending)
		return;   /* the parent's clones still need it: vm_clone_started */
	vm->clone.snap = NULL;
	if (--s->users == 0)
		snapshot_free(s);
}

void vm_clone_log(const struct vm *vm)
{
	const struct vm_clone_state *c = &vm->clone;

	if (!c->index)
		return;
	log_printf("memory %s clone=%u dirty=%llu KiB cow_copies=%llu fresh=%llu dropped=%llu decided_tsc=%llu",
		   vm->name, c->index,
		   (unsigned long long)((c->cow_copies + c->fresh_pages) * 4),
		   (unsigned long long)c->cow_copies, (unsigned long long)c->fresh_pages,
		   (unsigned long long)c->dropped_pages, (unsigned long long)c->decided_tsc);
}
