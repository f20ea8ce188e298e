/*
 * vmx_debug.c - what the debugger needs of the VMX backend: the guest's
 * INT3 and debug exceptions exit to Skiff (their bits in the exception
 * bitmap, SDM vol. 3C 25.6.3), and one instruction at a time by the trap
 * flag, whose #DB then exits after the instruction. (The monitor trap
 * flag would do the stepping too, but not on every CPU model Skiff runs
 * on; the trap flag works the same on both backends.)
 */
#include "hal/hal.h"
#include "vmx_arch.h"
#include "vmx_insn.h"
#include "vmx_ops.h"
#include "vmx_vcpu.h"

#define VECTOR_DB 1
#define VECTOR_BP 3
#define DEBUG_VECTORS ((UINT64_C(1) << VECTOR_DB) | (UINT64_C(1) << VECTOR_BP))

void vmx_debug_traps(struct vcpu *vcpu, bool on)
{
	uint64_t bitmap;

	vmx_make_current(vcpu->backend);
	bitmap = vmread(VMCS_EXCEPTION_BITMAP);
	vmwrite(VMCS_EXCEPTION_BITMAP, on ? bitmap | DEBUG_VECTORS : bitmap & ~DEBUG_VECTORS);
}

#define PENDING_DEBUG_BS (UINT64_C(1) << 14)   /* a single-step trap is due */

/*
 * Stepping off: a step that ended in an exit Skiff handled (CPUID, a
 * hypercall) can leave its single-step trap pending in the guest state
 * (Bochs keeps it there), which would stop the guest once more at its
 * next entry: it is dropped with the trap flag.
 */
void vmx_single_step(struct vcpu *vcpu, bool on)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint64_t rflags;

	vmx_make_current(v);
	rflags = vmread(VMCS_GUEST_RFLAGS);
	v->stepping = on;
	vmwrite(VMCS_GUEST_RFLAGS, on ? rflags | VMX_RFLAGS_TF : rflags & ~VMX_RFLAGS_TF);
	if (!on)
		vmwrite(VMCS_GUEST_PENDING_DEBUG,
			vmread(VMCS_GUEST_PENDING_DEBUG) & ~PENDING_DEBUG_BS);
}
