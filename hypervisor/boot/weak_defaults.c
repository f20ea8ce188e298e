/*
 * weak_defaults.c - stand-ins for functions other parts of Skiff provide
 * (hal_select in hal/, guests_run_all in hypervisor/guests.c), so the image
 * links and boots before they exist. Each logs what is missing. The real
 * definitions override these; this file goes away once they all exist.
 */
#include <stddef.h>

#include "hal/hal.h"
#include "hypervisor/console.h"
#if __has_include("hypervisor/guests.h")
#include "hypervisor/guests.h"
#else
#include "hypervisor/multiboot2.h"
uint8_t guests_run_all(const struct boot_info *info);
#endif

__attribute__((weak)) const struct hal_ops *hal;

__attribute__((weak)) const struct hal_ops *hal_select(const char *force)
{
	log_printf("hal_select is not linked in yet (backend %s requested)",
		   force ? force : "auto");
	return NULL;
}

__attribute__((weak)) uint8_t guests_run_all(const struct boot_info *info)
{
	log_printf("guests_run_all is not linked in yet: %u module(s) not run",
		   info->module_count);
	return 0;
}
