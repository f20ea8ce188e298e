/*
 * vm_create.c - building a VM from a guest image module.
 *
 * Order matters for clean failure: everything that can be refused (command
 * line, memory, image checks) is decided before the vCPU exists, and each
 * step that fails releases what the earlier ones took (vm_end does that).
 */
#include "hypervisor/vm/vm.h"

#include <stdarg.h>

#include "hypervisor/smp/percpu.h"
#include "hypervisor/console.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/evict/evict_store.h"
#include "hypervisor/vm/reclaim/vm_share.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/pv/pv.h"
#include "hypervisor/mem/shadow/shadow.h"
#include "hypervisor/cpu.h"
#include "hypervisor/loader/guest_image.h"
#include "hypervisor/time/time.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"

/* Free memory when the VM being built started (one VM is built at a
 * time): the "overhead" log line for benchmarks subtracts from it. */
static uint64_t build_free_before;

struct vm *vm_alloc(const char *name, unsigned id)
{
	uint64_t page = frame_alloc();
	struct vm *vm;

	if (!page) {
		log_printf("guest %s: refused: no memory left for its bookkeeping", name);
		return NULL;
	}
	vm = (struct vm *)(uintptr_t)page;
	format(vm->name, sizeof(vm->name), "%s", name);
	vm->id = id;
	vm->cpu = this_cpu_index();   /* built where it will run first (docs/smp.md) */
	vm->vcpu_cpu = vm->cpu;
	vm->state = VM_RUNNABLE;
	fpu_clean_image(vm->fpu);
	return vm;
}

/*
 * vm_take_ram: RAM is taken page by page on first touch (vm_memory.c), so
 * nothing is reserved: the guest may start when its RAM would fit in what
 * is free now (with swap, in what is free and what swap can still take),
 * and the sum of the guests' RAM may exceed the machine's.
 */
static int vm_take_ram(struct vm *vm, uint64_t size)
{
	uint64_t room = frames_free_bytes() + evict_store_swap_free_bytes();

	if (size > room || vm->id >= HOST_WINDOW_COUNT) {
		vm_end(vm, 1, VM_END_REFUSED,
		       "asks for %llu MiB of RAM but only %llu MiB are free",
		       (unsigned long long)(size >> 20), (unsigned long long)(room >> 20));
		return -ENOMEM;
	}
	vm->mem.base = host_window_of(vm->id);
	vm->mem.size = size;
	return 0;
}

static void boot_state_from_entry(const struct guest_entry_state *e,
				  struct hal_boot_state *b)
{
	*b = (struct hal_boot_state){
		.rip = e->rip, .rsp = e->rsp, .rdi = e->rdi, .rflags = e->rflags,
		.cr0 = e->cr0, .cr3 = e->cr3, .cr4 = e->cr4, .efer = e->efer,
		.gdt_base = e->gdt_base, .gdt_limit = e->gdt_limit,
		.code_selector = e->code_selector, .data_selector = e->data_selector,
		.tss_base = e->tss_base, .tss_limit = e->tss_limit,
		.tss_selector = e->tss_selector,
	};
}

/*
 * The loader has checked that every disk is declared as a block device in
 * the manifest; a device's handle is its manifest index (entry 0 is
 * reserved, so device d is handle d + 1).
 */
static void vm_attach_disks(struct vm *vm, const struct guest_image *img,
			    const struct vm_disk_backing *disks, unsigned disk_count)
{
	for (unsigned i = 0; i < disk_count; i++) {
		for (unsigned d = 0; d < img->device_count; d++) {
			if (strcmp(img->devices[d].name, disks[i].device) != 0)
				continue;
			vm->disks[vm->disk_count++] = (struct vm_disk){
				.handle = d + 1,
				.dev = { disks[i].data, disks[i].size & ~(uint64_t)(VM_BLOCK_SIZE - 1),
					 VM_BLOCK_SIZE, disks[i].read_only, disks[i].io,
					 disks[i].io_ctx },
			};
		}
	}
}

const struct hypercall_block *vm_block(struct vm *vm, uint64_t handle)
{
	for (unsigned i = 0; i < vm->disk_count; i++)
		if (vm->disks[i].handle == handle)
			return &vm->disks[i].dev;
	return NULL;
}

/*
 * choose_paging: the guest's memory mode (paging= or the CPU's default).
 * For shadow paging the first shadow root becomes the CPU's CR3 and EFER.NXE
 * is set underneath the guest (shadows deny execution where Skiff does).
 * 0, or a negative errno after ending vm as refused.
 */
static int choose_paging(struct vm *vm, const struct guest_config *cfg,
			 struct hal_boot_state *boot)
{
	bool nested_ok = hal->has_nested_paging();
	enum guest_paging mode = cfg->paging;
	uint64_t root;

	if (mode == GUEST_PAGING_DEFAULT)
		mode = nested_ok ? GUEST_PAGING_NESTED : GUEST_PAGING_SHADOW;
	if (mode == GUEST_PAGING_NESTED && !nested_ok) {
		vm_end(vm, 1, VM_END_REFUSED,
		       "paging=nested needs NPT or EPT, which this CPU lacks (use paging=shadow)");
		return -EINVAL;
	}
	if (mode == GUEST_PAGING_NESTED)
		return 0;
	if (shadow_create(vm, cfg->shadow_cache, boot->cr3, boot->efer, &root) != 0) {
		vm_end(vm, 1, VM_END_REFUSED, "no memory left for its shadow page tables");
		return -ENOMEM;
	}
	if (mode == GUEST_PAGING_PV && pv_create(vm) != 0) {
		vm_end(vm, 1, VM_END_REFUSED, "no memory left for its PV MMU records");
		return -ENOMEM;
	}
	boot->cr3 = root;
	boot->efer |= EFER_NXE;
	vm->vcpu.shadow_paging = true;
	log_printf("guest %s: %s (%u cached roots)", vm->name,
		   mode == GUEST_PAGING_PV ? "paravirtual MMU over shadow paging" : "shadow paging",
		   cfg->shadow_cache ? cfg->shadow_cache : SHADOW_CACHE_DEFAULT);
	return 0;
}

static int vm_load(struct vm *vm, const struct guest_config *cfg,
		   const void *image, uint64_t image_len,
		   const struct vm_disk_backing *disks, unsigned disk_count)
{
	static struct guest_image img;  /* large; one VM is built at a time */
	struct guest_attached_block blocks[GUEST_MAX_BLOCKS + GUEST_MAX_NETS];
	unsigned device_count = disk_count;
	struct guest_entry_state entry;
	struct hal_boot_state boot;
	char err[256];
	int rc;

	for (unsigned i = 0; i < disk_count; i++)
		blocks[i] = (struct guest_attached_block){
			.name = disks[i].device,
			.capacity = disks[i].size & ~(uint64_t)(VM_BLOCK_SIZE - 1),
			.block_size = VM_BLOCK_SIZE,
		};
	for (unsigned i = 0; i < cfg->net_count; i++) {
		struct guest_attached_block *n = &blocks[device_count++];

		*n = (struct guest_attached_block){
			.name = cfg->nets[i].device, .is_net = true, .mtu = NET_MTU,
		};
		vm_net_mac(vm->name, &cfg->nets[i], n->mac);
	}
	if (guest_image_check(image, image_len, cfg->mem_size, &img, err, sizeof(err))) {
		vm_end(vm, 1, VM_END_REFUSED, "%s", err);
		return -ENOEXEC;
	}
	vm->kernel_end = img.kernel_end;
	vm_share_begin(vm, image, image_len);
	/* Zero and map only what the loader writes; the rest comes on first touch. */
	if ((rc = vm_memory_prepare(vm, &img, strlen(cfg->args))) != 0) {
		vm_end(vm, 1, VM_END_REFUSED, "cannot build its nested page table (error %d)", rc);
		return rc;
	}
	if (guest_image_load(image, image_len, &img, vm->mem.base, vm->mem.size,
			     cfg->args, tsc_hz(), blocks, device_count, err, sizeof(err))) {
		vm_end(vm, 1, VM_END_REFUSED, "%s", err);
		return -ENOEXEC;
	}
	if ((rc = vm_net_attach(vm, cfg, &img)) != 0)
		return rc;
	guest_entry_state(&img, vm->mem.size, &entry);
	boot_state_from_entry(&entry, &boot);
	vm->vcpu.nested = &vm->nested;
	vm->vcpu.id = vm->id;
	if ((rc = choose_paging(vm, cfg, &boot)) != 0)
		return rc;
	if (cfg->clone_count && (rc = vm_clone_begin(vm, cfg, &boot)) != 0)
		return rc;
	if ((rc = hal->vcpu_create(&vm->vcpu, &boot)) != 0) {
		vm_end(vm, 1, VM_END_REFUSED, "cannot create its vCPU (error %d)", rc);
		return rc;
	}
	vm->vcpu_ready = true;
	/* Benchmarks: what this VM cost Skiff beyond the RAM it was given at
	 * start (bookkeeping page, page record, nested tables, VMCB/VMCS,
	 * window tables and the like). */
	log_printf("guest %s: overhead %llu bytes", vm->name,
		   (unsigned long long)(build_free_before - frames_free_bytes() -
					vm->pages.resident * FRAME_SIZE));
	vm_attach_disks(vm, &img, disks, disk_count);
	log_printf("guest %s: started (mem %lluM, entry 0x%llx, %u segments)", vm->name,
		   (unsigned long long)(vm->mem.size >> 20),
		   (unsigned long long)img.entry, img.segment_count);
	return 0;
}

struct vm *vm_refuse(const char *name, unsigned id, const char *fmt, ...)
{
	struct vm *vm = vm_alloc(name, id);
	char why[320];
	va_list ap;

	if (!vm)
		return NULL;
	va_start(ap, fmt);
	format_v(why, sizeof(why), fmt, ap);
	va_end(ap);
	vm_end(vm, 1, VM_END_REFUSED, "%s", why);
	return vm;
}

struct vm *vm_create(const char *name, unsigned id, const struct guest_config *cfg,
		     const void *image, uint64_t image_len,
		     const struct vm_disk_backing *disks, unsigned disk_count)
{
	/* Benchmarks: boot time counts from here (docs/benchmarks.md). */
	uint64_t build_tsc = tsc_read();
	struct vm *vm;

	build_free_before = frames_free_bytes();
	log_printf("guest %s: build started at tsc %llu", name, (unsigned long long)build_tsc);
	vm = vm_alloc(name, id);
	if (!vm)
		return NULL;
	if (vm_take_ram(vm, cfg->mem_size) == 0)
		vm_load(vm, cfg, image, image_len, disks, disk_count);
	return vm;
}
