/*
 * main.c - skiff_main, where the boot path (boot/entry.S) hands over to C:
 * bring up the console, exception handling and memory, pick the backend,
 * run every guest and power off with the final status.
 */
#include <stdint.h>

#include "drivers/ata/ata.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio_blk/virtio_blk.h"
#include "hal/hal.h"
#include "hypervisor/acpi/acpi_boot.h"
#include "hypervisor/boot/descriptors.h"
#include "hypervisor/boot/idt.h"
#include "hypervisor/boot/legacy_pic.h"
#include "hypervisor/console.h"
#include "hypervisor/evict/evict_store.h"
#include "hypervisor/vm/reclaim/vm_evict.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/sched/guests.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/boot/multiboot2.h"
#include "hypervisor/options.h"
#include "hypervisor/panic.h"
#include "hypervisor/power.h"
#include "hypervisor/storage/storage.h"
#include "hypervisor/smp/smp.h"
#include "hypervisor/time/time.h"
#include "net/uplink.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define IDENTITY_MAP_END (UINT64_C(4) << 30)
#define MIB (UINT64_C(1) << 20)

/* The parsed boot information: large (module and region tables), so static. */
static struct boot_info boot_info;

/* skiff_main: called once by entry.S on the boot stack; never returns. */
__attribute__((noreturn)) void skiff_main(uint32_t magic, uint64_t info_phys);

/* log_nmis: physical NMIs are counted, never fatal; say how many came. */
static void log_nmis(void)
{
	if (nmi_count)
		log_printf("nmi: %llu physical NMIs counted", (unsigned long long)nmi_count);
}

/* stop: end without a final status line (log readers report a failure). */
__attribute__((noreturn)) static void stop(void)
{
	power_off(PANIC_POWER_CODE);
}

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	char err[160];

	/* entry.S checks the magic too; this catches a caller that did not. */
	if (magic != MB2_BOOTLOADER_MAGIC) {
		log_printf("bad multiboot2 magic 0x%x", magic);
		stop();
	}
	if (info_phys == 0 || info_phys >= IDENTITY_MAP_END) {
		log_printf("multiboot2 information at 0x%lx is outside mapped memory", info_phys);
		stop();
	}
	if (mb2_parse((const void *)(uintptr_t)info_phys, info_phys,
		      IDENTITY_MAP_END - info_phys, &boot_info, err, sizeof err) != 0) {
		log_printf("bad multiboot2 information: %s", err);
		stop();
	}
}

static void log_boot_info(const struct boot_info *info)
{
	uint64_t usable = 0;

	log_printf("command line '%s'", info->cmdline);
	if (info->efi_memory_map)
		log_printf("memory map from the EFI memory-map tag (no BIOS-style map)");
	for (unsigned i = 0; i < info->region_count; i++) {
		const struct mb2_region *r = &info->regions[i];

		log_printf("memory 0x%016lx-0x%016lx type %u", r->base,
			   r->base + r->length - (r->length != 0), r->type);
		if (r->type == 1)
			usable += r->length;
	}
	log_printf("memory: %lu MiB usable", usable / MIB);
	for (unsigned i = 0; i < info->module_count; i++) {
		const struct mb2_module *m = &info->modules[i];

		log_printf("module %u: 0x%lx-0x%lx (%lu bytes) '%s'", i, m->start,
			   m->end, m->end - m->start, m->cmdline);
	}
}

static void parse_options(const char *cmdline)
{
	char err[160];

	if (options_parse(cmdline, &skiff_options, err, sizeof err) != 0) {
		log_printf("bad command line: %s", err);
		stop();
	}
}

static void start_backend(void)
{
	int rc;

	hal = hal_select(skiff_options.backend);
	if (!hal)
		stop();   /* hal_select has logged what is missing */
	log_printf("backend %s", hal->name);
	rc = hal->cpu_init();
	if (rc != 0) {
		log_printf("backend %s: cpu_init failed (%d)", hal->name, rc);
		stop();
	}
}

void skiff_main(uint32_t magic, uint64_t info_phys)
{
	uint8_t status;

	console_init();
	legacy_pic_mask_all();
	tss_init();
	idt_init();
	/* Parsed before the first line: under UEFI the markers must come first. */
	parse_boot_info(magic, info_phys);
	if (boot_info.efi)
		console_mark_start();
	log_printf("Skiff starting%s", boot_info.efi ? " (UEFI)" : "");
	log_boot_info(&boot_info);
	acpi_init(&boot_info);
	frames_init(&boot_info);
	log_printf("frames: %lu MiB free, memory managed up to 0x%lx", frames_free_bytes() / MIB,
		   frames_limit());
	time_init();
	parse_options(boot_info.cmdline);
	if (skiff_options.selftest_clock)
		time_selftest_clock();
	if (skiff_options.selftest_dirty_ram)
		frames_dirty_all();
	/* Before the backend: VMXON fixes CR4's bits, and VMX copies the host's. */
	fpu_init();
	smp_start_cpus(&boot_info);   /* before VMX operation, which blocks INIT */
	start_backend();
	smp_enable_backends();
	pci_init();
	ata_init();
	virtio_blk_init();
	storage_init();
	evict_init(skiff_options.swap);   /* claims swap before any guest's disk */
	uplink_init();
	status = guests_run_all(&boot_info);
	evict_store_log();
	vm_evict_log_cost();
	uplink_log_stats();
	log_nmis();
	log_printf("at the end: %s", skiff_options.on_end == ON_END_REBOOT ? "reboot" :
		   skiff_options.on_end == ON_END_HALT ? "halt" : "power off");
	log_printf("final status %u", status);
	power_end(skiff_options.on_end, status);
}
