/*
 * vm_clone_snapshot.c - taking the snapshot of a clone= guest (vm_clone.h):
 * the record made when the guest is built, the SNAPSHOT call and the
 * first-POLL trigger, the guest's frames handed to the snapshot by
 * reference, its registers and FPU state by value. docs/clones.md.
 */
#include "hypervisor/vm/clone/vm_clone.h"
#include "hypervisor/vm/clone/vm_clone_snapshot.h"

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
#include "hypervisor/vm/reclaim/vm_share.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

struct vm_snapshot *snapshot_taken(const struct vm *vm)
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
		vm_end(vm, 1, VM_END_REFUSED, "clone=%u needs nested paging (not paging=shadow or pv)",
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

