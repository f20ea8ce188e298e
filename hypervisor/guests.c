/*
 * guests.c - from multiboot2 modules to finished guests.
 *
 * Scheduling is round robin over runnable VMs; a VM runs until it sleeps in
 * POLL or ends. When every remaining VM sleeps, the CPU waits for the
 * earliest wake-up time.
 */
#include "hypervisor/guests.h"

#include "hal/hal.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/fpu.h"
#include "hypervisor/guest_cmdline.h"
#include "hypervisor/time.h"
#include "hypervisor/vm.h"
#include "lib/format.h"

#define MAX_VMS 1024

static struct vm *vms[MAX_VMS];
static unsigned vm_count;
static struct vm *fpu_owner;  /* whose x87/SSE state is in the registers */

static void add_vm(struct vm *vm)
{
	if (vm)
		vms[vm_count++] = vm;
}

static void create_from_module(unsigned index, const struct mb2_module *mod)
{
	static struct guest_config cfg;  /* large; modules are handled one by one */
	char err[256], name[GUEST_NAME_MAX];

	if (guest_cmdline_parse(mod->cmdline, &cfg, err, sizeof(err)) != 0) {
		format(name, sizeof(name), "module%u", index);
		add_vm(vm_refuse(name, vm_count, "bad module command line '%s': %s",
				 mod->cmdline, err));
		return;
	}
	for (unsigned i = 0; i < cfg.count && vm_count < MAX_VMS; i++) {
		if (cfg.count > 1)
			format(name, sizeof(name), "%s.%u", cfg.name, i + 1);
		else
			format(name, sizeof(name), "%s", cfg.name);
		add_vm(vm_create(name, vm_count, &cfg, (const void *)(uintptr_t)mod->start,
				 mod->end - mod->start));
	}
}

/* The next VM to run after position *cursor, or NULL when none is runnable. */
static struct vm *next_runnable(unsigned *cursor, uint64_t now)
{
	for (unsigned n = 0; n < vm_count; n++) {
		struct vm *vm = vms[(*cursor + n) % vm_count];

		if (vm->state == VM_SLEEPING && now >= vm->wake_tsc)
			vm->state = VM_RUNNABLE;
		if (vm->state == VM_RUNNABLE) {
			*cursor = (*cursor + n + 1) % vm_count;
			return vm;
		}
	}
	return NULL;
}

static bool any_alive(void)
{
	for (unsigned i = 0; i < vm_count; i++)
		if (vms[i]->state != VM_ENDED)
			return true;
	return false;
}

static void run_one(struct vm *vm)
{
	if (fpu_owner != vm) {
		fpu_switch(fpu_owner ? fpu_owner->fpu : NULL, vm->fpu);
		fpu_owner = vm;
	}
	vm_run(vm);
	if (vm->state == VM_ENDED)
		fpu_owner = NULL;  /* its registers are nobody's now: never saved */
}

static void schedule(void)
{
	unsigned cursor = 0;

	while (any_alive()) {
		struct vm *vm = next_runnable(&cursor, tsc_read());

		if (vm)
			run_one(vm);
		else
			__asm__ volatile("pause");
	}
}

static uint8_t summarize(void)
{
	uint8_t final = 0;

	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vms[i];
		uint64_t exits = 0;

		for (unsigned r = 0; r <= HAL_EXIT_UNHANDLED; r++)
			exits += vm->exit_count[r];
		log_printf("summary %s status=%u reason=%s exits=%llu io=%llu cpuid=%llu npf=%llu",
			   vm->name, vm->status, vm_end_reason_name(vm->end_reason),
			   (unsigned long long)exits,
			   (unsigned long long)vm->exit_count[HAL_EXIT_IO],
			   (unsigned long long)vm->exit_count[HAL_EXIT_CPUID],
			   (unsigned long long)vm->exit_count[HAL_EXIT_NESTED_FAULT]);
		if (vm->status > final)
			final = vm->status;
	}
	return final;
}

uint8_t guests_run_all(const struct boot_info *info)
{
	fpu_init();
	if (info->module_count == 0) {
		log_printf("no guest modules: nothing to run");
		return 0;
	}
	for (unsigned i = 0; i < info->module_count; i++)
		create_from_module(i, &info->modules[i]);
	schedule();
	return summarize();
}
