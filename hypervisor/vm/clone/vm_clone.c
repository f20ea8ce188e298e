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
#include "hypervisor/vm/clone/vm_clone.h"
#include "hypervisor/vm/clone/vm_clone_snapshot.h"

#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/mem/shadow/guest_walk.h"
#include "hypervisor/mem/clone/snap_pages.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/vm/reclaim/vm_share.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

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

#define CR0_WP (UINT64_C(1) << 16)

/* precopy_one: the snapshot's page at gpa copied into the clone now, if
 * the snapshot holds it for copy-on-write and the clone has not got it. */
static int precopy_one(struct vm *vm, uint64_t gpa)
{
	struct vm_snapshot *s = vm->clone.snap;

	if (gpa >= s->mem_size || snap_kind_at(&s->pages, gpa) != SNAP_COW ||
	    gp_at(&vm->pages, gpa) != GP_NOWHERE)
		return 0;
	return vm_clone_copy_in(vm, gpa);
}

/* precopy_entry: guest_walk's reader: each table page it walks becomes
 * the clone's own copy first, then is read through the clone's window. */
static uint64_t *precopy_entry(void *ctx, uint64_t gpa)
{
	struct vm *vm = ctx;
	uint64_t page = gpa & ~(GP_PAGE_SIZE - 1);

	if (gpa >= vm->mem.size || precopy_one(vm, page) != 0 || gp_at(&vm->pages, page) != GP_OWN)
		return NULL;
	return (uint64_t *)(vm->mem.base + gpa);
}

/*
 * precopy_locked: what every clone does within its first instructions,
 * done while it is built. The CPU's first walks of the guest's page
 * tables write their accessed bits through the nested table, and its
 * first push writes the stack: each of those pages, taken as a fault,
 * costs an exit and a copy; its first fetch costs an exit and a map. Here
 * the tables on the walks to RIP and to the stack are copied, the stack
 * page too, and the code page mapped as a touch would map it. Nothing was
 * mapped before, so nothing is invalidated. A walk that ends early (a
 * page the snapshot lacks, tables the guest broke) or a copy that finds
 * no free frame only leaves the rest to the faults, which can reclaim:
 * never an error that would refuse the clone.
 */
static int precopy_locked(struct vm *vm, uint64_t unused)
{
	const struct vm_snapshot *s = vm->clone.snap;
	struct gw_mem mem = { precopy_entry, vm };
	struct gw_regs regs = { .cr3 = s->boot.cr3, .nxe = (s->boot.efer & EFER_NXE) != 0,
				.wp = (s->boot.cr0 & CR0_WP) != 0, .phys_bits = 52 };
	struct gw_result code, stack;
	int rc = 0;

	(void)unused;
	/* The page a push at RSP writes (RSP - 8: the stack grows down). */
	if (guest_walk(&mem, &regs, s->boot.rsp - 8, PF_WRITE | GW_PEEK, &stack) == GW_OK)
		rc = precopy_one(vm, stack.gpa & ~(GP_PAGE_SIZE - 1));
	if (rc == 0 && guest_walk(&mem, &regs, s->boot.rip, PF_FETCH | GW_PEEK, &code) == GW_OK &&
	    code.gpa < vm->mem.size && gp_at(&vm->pages, code.gpa) == GP_NOWHERE)
		(void)vm_clone_fault_in(vm, code.gpa);
	return 0;
}

bool vm_clone_room(struct vm *parent, unsigned index)
{
	/* A clone of the benchmark appliance takes about 12 KiB more than its
	 * build once it runs (copies, table pages), and some end before the
	 * last starts: 8 KiB each, and never less than 4 MiB. */
	uint64_t reserve = (uint64_t)(index - 1) * 8192, free = frames_free_bytes();

	if (reserve < (UINT64_C(4) << 20))
		reserve = UINT64_C(4) << 20;
	if (free >= reserve)
		return true;
	log_printf("guest %s: clones %u to %u not started: %llu KiB free, below the %llu KiB the %u started need to run",
		   parent->name, index, parent->clone.snap->clones, (unsigned long long)(free >> 10),
		   (unsigned long long)(reserve >> 10), index - 1);
	return false;
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
	if ((rc = clone_memory(vm, s)) != 0 || (rc = clone_vcpu(vm, s, index)) != 0 ||
	    (rc = vm_memory_locked(precopy_locked, vm, 0)) != 0) {
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
	struct vm_snapshot *s = snapshot_taken(vm);
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
	struct vm_snapshot *s = snapshot_taken(vm);

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
	struct vm_snapshot *s = snapshot_taken(vm);
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
	struct vm_snapshot *s = snapshot_taken(vm);

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
