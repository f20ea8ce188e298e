/*
 * vmx_shadow.c - shadow paging on VMX (hal.h, vcpu.shadow_paging): EPT
 * off, the guest's CR3 field holds the shadow root, and the exits that
 * keep the shadow right (SDM vol. 3C 25.1.3 and 25.6). Without EPT there
 * is no unrestricted guest, so CR0.PG and PE stay fixed at 1: Skiff's
 * guests start in long mode with paging on and never leave it.
 */
#include "vmx_shadow.h"

#include "hypervisor/console.h"
#include "lib/errno.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_cr.h"
#include "vmx_insn.h"
#include "vmx_ops.h"
#include "vmx_vcpu.h"

#define VECTOR_PF 14
#define CR0_WP (UINT64_C(1) << 16)
#define CR0_CD_NW ((UINT64_C(1) << 30) | (UINT64_C(1) << 29))
/* PSE, PAE, PGE, LA57, PCIDE, SMEP, SMAP: what a shadow depends on. */
#define CR4_PAGING_BITS ((UINT64_C(1) << 4) | (UINT64_C(1) << 5) | (UINT64_C(1) << 7) | \
	(UINT64_C(1) << 12) | (UINT64_C(1) << 17) | (UINT64_C(1) << 20) | (UINT64_C(1) << 21))
#define PROC_SHADOW (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_INVLPG_EXITING)

static int write(uint32_t field, uint64_t value)
{
	if (vmwrite(field, value) == VMX_OK)
		return 0;
	log_printf("vmx: shadow paging: VMWRITE field 0x%04x = 0x%llx refused", field,
		   (unsigned long long)value);
	return -EINVAL;
}

int vmx_shadow_controls(void)
{
	uint64_t cr0_mask = vmx_cr_host_mask(vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1) |
		CR0_CD_NW | CR0_WP;
	uint64_t cr4_mask = vmx_cr_host_mask(vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1) |
		CR4_PAGING_BITS;
	int err = write(VMCS_PROC_CONTROLS, vmx_caps.proc | PROC_SHADOW);

	if (!err)
		err = write(VMCS_PROC2_CONTROLS, vmx_caps.proc2 & ~(uint64_t)PROC2_ENABLE_EPT);
	if (!err)
		err = write(VMCS_EXCEPTION_BITMAP, vmread(VMCS_EXCEPTION_BITMAP) |
			    (UINT64_C(1) << VECTOR_PF));
	if (!err)
		err = write(VMCS_CR0_GUEST_HOST_MASK, cr0_mask);
	if (!err)
		err = write(VMCS_CR4_GUEST_HOST_MASK, cr4_mask);
	return err;
}

void vmx_shadow_load_root(struct vcpu *vcpu, uint64_t root_hpa)
{
	struct vmx_vcpu *v = vcpu->backend;

	vmx_make_current(v);
	vmwrite(VMCS_GUEST_CR3, root_hpa);
	vmx_flush_tags(v);
}

bool vmx_has_nested_paging(void)
{
	return vmx_caps.ept;
}
