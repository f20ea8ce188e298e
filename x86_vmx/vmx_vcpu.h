/*
 * vmx_vcpu.h - the backend's private vCPU state, shared by the C code and
 * the world switch in vmx_run.S (hence the byte offsets below).
 */
#ifndef SKIFF_VMX_VCPU_H
#define SKIFF_VMX_VCPU_H

/*
 * Byte offsets for vmx_run.S. The guest's registers are at HAL_GPR_*
 * (hal/hal_gpr_offsets.h) in the vCPU's register file (struct vcpu's gpr[],
 * indexed by HAL_REG_*; RSP's slot is unused); host_rsp is at
 * VCPU_HOST_RSP in struct vmx_vcpu.
 */
#define VCPU_HOST_RSP 0

/* Encoding of the VMCS host-RSP field (VMCS_HOST_RSP in vmx_arch.h). */
#define VMX_HOST_RSP_FIELD 0x6c14

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hal/tag_pool.h"
#include "hypervisor/smp/percpu.h"

#include "vmx_arch.h"

/*
 * The backend's private state behind vcpu->backend. The guest's general
 * registers are not here: they live in the vCPU's register file (struct
 * vcpu's gpr[]), which vmx_run.S loads and stores; RSP is in the VMCS.
 */
struct vmx_vcpu {
	uint64_t host_rsp;   /* value last written to the VMCS host-RSP field */
	/* While another vCPU is current (vmx_lazy_state.c): */
	uint64_t cr2;             /* guest CR2 */
	uint64_t kernel_gs_base;  /* guest IA32_KERNEL_GS_BASE */
	uint32_t slice;      /* preemption-timer value for the next entry */
	bool slice_pending;  /* slice not yet written to the VMCS */
	struct tag_slot vpid_slot;  /* this vCPU's claim on a VPID */
	uint64_t vmcs_hpa;
	uint64_t eptp;
	uint32_t vpid;       /* 0 when VPIDs are off */
	bool launched;       /* VMRESUME instead of VMLAUNCH */
	bool stepping;       /* TF set by single_step, hidden from reads */
	bool shadow;         /* shadow paging: no EPT (eptp 0), see vmx_shadow.c */
};

_Static_assert(offsetof(struct vmx_vcpu, host_rsp) == VCPU_HOST_RSP, "host_rsp offset");
_Static_assert(VMX_HOST_RSP_FIELD == VMCS_HOST_RSP, "host RSP field encoding");

/*
 * vmx_enter (vmx_run.S): run the guest of vcpu, whose VMCS must be current,
 * with VMLAUNCH (launched false) or VMRESUME, until its next VM exit.
 * Saves and restores the host's callee-saved registers; loads every guest
 * general register except RSP from the register file gpr before entry and
 * stores them back there after the exit. Returns 0 after a VM exit, 1 when
 * the instruction failed with CF (VMfailInvalid), 2 with ZF (VMfailValid:
 * see the VM-instruction error field).
 */
int vmx_enter(uint64_t gpr[HAL_GPR_COUNT], struct vmx_vcpu *vcpu, bool launched);

/* vmx_exit_entry (vmx_run.S): the host RIP of every VMCS; never call it. */
void vmx_exit_entry(void);

/*
 * vmx_vmcs_setup (vmx_vmcs.c): fill the current VMCS, just VMCLEARed and
 * loaded, for vcpu (state in *v) to start in *boot. Returns 0, or -EINVAL
 * after logging the field that the CPU refused or a host state that VMX
 * cannot use (TR selector 0).
 */
struct vcpu;
struct hal_boot_state;
int vmx_vmcs_setup(const struct vmx_vcpu *v, const struct hal_boot_state *boot);

/*
 * vmx_vmcs_write_host_state (vmx_vmcs.c): write the calling CPU's host
 * state (control registers, selectors, GS and FS bases, TR, GDTR and IDTR
 * bases, SYSENTER, EFER, PAT, the exit RIP) into the current VMCS: at
 * setup, and when a vCPU arrives on another CPU. 0, or -EINVAL after
 * logging (no TSS loaded, a field refused).
 */
int vmx_vmcs_write_host_state(void);

/* Per CPU, the vCPU whose VMCS is loaded (VMPTRLD) there, NULL when none
 * is (vmx_vcpu.c). A vCPU runs on one CPU at a time; it moves only by
 * vmx_vcpu_leave_cpu there and vmx_vcpu_arrive_cpu on the next. */
extern struct vmx_vcpu *vmx_current_vcpus[SMP_MAX_CPUS];

/* vmx_load_vmcs (vmx_vcpu.c): VMPTRLD v's VMCS and record it as current. */
void vmx_load_vmcs(struct vmx_vcpu *v);

/*
 * vmx_make_current: VMPTRLD v's VMCS unless it already is the current one
 * (the usual case: one compare); every VMREAD/VMWRITE on v's behalf needs
 * this first.
 */
static inline void vmx_make_current(struct vmx_vcpu *v)
{
	if (vmx_current_vcpus[this_cpu_index()] != v)
		vmx_load_vmcs(v);
}

/* The MSR bitmap page shared by every VMCS (vmx_cpu.c); 0 before cpu_init. */
extern uint64_t vmx_msr_bitmap_hpa;

#endif
#endif
