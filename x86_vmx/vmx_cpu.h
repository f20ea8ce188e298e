/*
 * vmx_cpu.h - the backend's probe and cpu_init (see hal.h for contracts).
 */
#ifndef SKIFF_VMX_CPU_H
#define SKIFF_VMX_CPU_H

#include <stdbool.h>
#include <stddef.h>

#include "nested_paging/nested_paging.h"

/*
 * vmx_probe: true when this CPU is Intel with VMX, EPT (4-level, WB,
 * INVEPT) and every required control; else false and what is missing in
 * why. Never faults on other vendors: no MSR is read before CPUID says VMX.
 */
bool vmx_probe(char *why, size_t why_len);

/*
 * vmx_cpu_init: after a successful probe, enable VMX in
 * IA32_FEATURE_CONTROL if firmware left it unlocked, set the CR0/CR4 fixed
 * bits and CR4.VMXE, and execute VMXON. 0, -ENOMEM, -ENOTSUP (locked off),
 * -EBUSY (already in VMX operation) or -EINVAL (probe missing, VMXON
 * refused the region), each logged.
 */
int vmx_cpu_init(void);

/*
 * vmx_cpu_init_ap: hal.h cpu_init_ap: feature control, fixed CR bits and
 * VMXON on the calling CPU with a VMXON region of its own, whose
 * host-physical address goes to *per_cpu. The MSR bitmap stays shared.
 */
int vmx_cpu_init_ap(void **per_cpu);

/*
 * vmx_nested_format: the EPT format guests' tables use: a copy of ept_format,
 * or of ept_format_2m when the CPU has no 1 GiB EPT pages, made by probe
 * (the HAL table is constant and points here).
 */
extern struct np_format vmx_nested_format;

#endif
