/*
 * boot_info.c - the facts Skiff passes at entry: RAM size, TSC rate,
 * command line, where the image ends.
 */
#include "runtime.h"

#define PAGE_SIZE 4096u

/* End of the image, from guest.ld. */
extern char _end[];

static const struct skiff_boot_info *boot_info;

void skiff_boot_info_record(const struct skiff_boot_info *bi)
{
	boot_info = bi;
}

const struct skiff_boot_info *skiff_boot_info(void)
{
	return boot_info;
}

uint64_t skiff_mem_size(void)
{
	return boot_info->mem_size;
}

uint64_t skiff_tsc_hz(void)
{
	return boot_info->cpu_cycle_freq;
}

static uintptr_t round_up_to_page(uintptr_t x)
{
	return (x + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
}

uintptr_t skiff_heap_start(void)
{
	uintptr_t end = (uintptr_t)_end;

	/* Trust the larger of the two: the linker knows .bss, the loader
	 * knows how it rounded the segments. */
	if (boot_info->kernel_end > end)
		end = (uintptr_t)boot_info->kernel_end;
	return round_up_to_page(end);
}

uintptr_t skiff_heap_end(void)
{
	uintptr_t start = skiff_heap_start();
	uint64_t mem = boot_info->mem_size;

	uint64_t below = SKIFF_STACK_RESERVE + SKIFF_STACK_GUARD;

	if (mem < below || mem - below < start)
		return start;
	return (uintptr_t)(mem - below);
}

const char *skiff_cmdline(void)
{
	if (boot_info->cmdline == 0)
		return "";
	return (const char *)(uintptr_t)boot_info->cmdline;
}
