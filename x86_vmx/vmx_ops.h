/*
 * vmx_ops.h - the functions behind hal_vmx_ops (contracts in hal/hal.h;
 * only what VMX adds is said here).
 */
#ifndef SKIFF_VMX_OPS_H
#define SKIFF_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"

struct vmx_vcpu;

/*
 * vmx_vcpu_create: a VMCS (revision, VMCLEAR, VMPTRLD, every field set)
 * and a VPID. -ENOMEM when out of frames, -EBUSY when out of VPIDs,
 * -EINVAL (logged) when the CPU refuses a field or the host has no TSS.
 */
int vmx_vcpu_create(struct vcpu *vcpu, const struct hal_boot_state *boot);

/* vmx_vcpu_destroy: VMCLEAR, then free the VMCS, the state page and the VPID. */
void vmx_vcpu_destroy(struct vcpu *vcpu);

/*
 * vmx_vcpu_leave_cpu / vmx_vcpu_arrive_cpu: hal.h's vcpu_leave_cpu and
 * vcpu_arrive_cpu. Leaving saves the lazily switched CR2 and
 * KERNEL_GS_BASE and VMCLEARs the VMCS on the old CPU (SDM: a VMCS may be
 * active on one CPU only, and must be cleared before another loads it;
 * its launch state becomes clear, so the next entry is a VMLAUNCH).
 * Arriving loads it here, rewrites the host state for this CPU, drops the
 * old CPU's VPID and flushes the EPTP's translations here.
 */
void vmx_vcpu_leave_cpu(struct vcpu *vcpu);
void vmx_vcpu_arrive_cpu(struct vcpu *vcpu);

/*
 * vmx_run: VMPTRLD when another vCPU ran last, enter, decode the exit.
 * A refused entry comes back as HAL_EXIT_ENTRY_FAILED with the decoded
 * VM-instruction error or failure qualification in exit->detail.
 */
void vmx_run(struct vcpu *vcpu, struct hal_exit *exit);

/*
 * vmx_set_slice: arm the VMX-preemption timer for tsc_ticks (at least one
 * timer step) before the next entry. With "save preemption-timer value"
 * the count carries across exits; without it each entry restarts it.
 * Returns false when the CPU has no preemption timer.
 */
bool vmx_set_slice(struct vcpu *vcpu, uint64_t tsc_ticks);

/* vmx_reg_read / vmx_reg_write: CR0/CR4 in the guest's view (VMXE hidden). */
uint64_t vmx_reg_read(struct vcpu *vcpu, enum hal_reg reg);
void vmx_reg_write(struct vcpu *vcpu, enum hal_reg reg, uint64_t value);

/* vmx_advance: RIP = exit->next_rip (ignored when 0); drops STI/MOV SS blocking. */
void vmx_advance(struct vcpu *vcpu, const struct hal_exit *exit);

/*
 * vmx_inject_exception: the error code is delivered exactly for the
 * vectors that architecturally push one (#DF #TS #NP #SS #GP #PF #AC),
 * whatever has_error says, because VM entry refuses any other pairing.
 * Vector 2 is injected as an NMI.
 */
void vmx_inject_exception(struct vcpu *vcpu, uint8_t vector, bool has_error,
			  uint32_t error);

/* vmx_flush_nested_tlb: INVEPT for the vCPU's EPTP, INVVPID for its VPID. */
void vmx_flush_nested_tlb(struct vcpu *vcpu);

/* vmx_flush_tags: the flush above, for a vCPU's private state. */
void vmx_flush_tags(const struct vmx_vcpu *v);

/*
 * vmx_debug_traps / vmx_single_step: hal_ops.debug_traps and single_step
 * (vmx_debug.c): #BP and #DB in the exception bitmap; RFLAGS.TF.
 */
void vmx_debug_traps(struct vcpu *vcpu, bool on);
void vmx_single_step(struct vcpu *vcpu, bool on);

/* RFLAGS.TF: the trap flag single_step sets (vmx_reg_read hides it). */
#define VMX_RFLAGS_TF (UINT64_C(1) << 8)

#endif
