/*
 * vmx_ops.c - the Intel VMX + EPT backend's table of operations.
 */
#include "ept/ept.h"
#include "hal/hal.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"
#include "vmx_shadow.h"

const struct hal_ops hal_vmx_ops = {
	.name = "vmx",
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.cpu_init_ap = vmx_cpu_init_ap,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_leave_cpu = vmx_vcpu_leave_cpu,
	.vcpu_arrive_cpu = vmx_vcpu_arrive_cpu,
	.run = vmx_run,
	.reg_read = vmx_reg_read,
	.reg_write = vmx_reg_write,
	.advance = vmx_advance,
	.inject_exception = vmx_inject_exception,
	.set_slice = vmx_set_slice,
	.flush_nested_tlb = vmx_flush_nested_tlb,
	.debug_traps = vmx_debug_traps,
	.single_step = vmx_single_step,
	.shadow_load_root = vmx_shadow_load_root,
	.has_nested_paging = vmx_has_nested_paging,
	.nested_format = &vmx_nested_format,
};
