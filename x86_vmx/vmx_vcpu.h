/*
 * vmx_vcpu.h - the backend's private vCPU state, shared by the C code and
 * the world switch in vmx_run.S (hence the byte offsets below).
 */
#ifndef SKIFF_VMX_VCPU_H
#define SKIFF_VMX_VCPU_H

/* Byte offsets into struct vmx_vcpu, for vmx_run.S. */
#define VCPU_RAX 0
#define VCPU_RCX 8
#define VCPU_RDX 16
#define VCPU_RBX 24
#define VCPU_RBP 40
#define VCPU_RSI 48
#define VCPU_RDI 56
#define VCPU_R8 64
#define VCPU_R9 72
#define VCPU_R10 80
#define VCPU_R11 88
#define VCPU_R12 96
#define VCPU_R13 104
#define VCPU_R14 112
#define VCPU_R15 120
#define VCPU_HOST_RSP 128

/* Encoding of the VMCS host-RSP field (VMCS_HOST_RSP in vmx_arch.h). */
#define VMX_HOST_RSP_FIELD 0x6c14

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/tag_pool.h"

#include "vmx_arch.h"

struct vmx_vcpu {
	/*
	 * Guest general registers in HAL_REG_* order. The RSP slot is unused:
	 * the guest's RSP lives in the VMCS.
	 */
	uint64_t gpr[16];
	uint64_t host_rsp;   /* value last written to the VMCS host-RSP field */
	uint64_t cr2;        /* guest CR2 (VMX does not switch it) */
	uint32_t slice;      /* preemption-timer value for the next entry */
	bool slice_pending;  /* slice not yet written to the VMCS */
	struct tag_slot vpid_slot;  /* this vCPU's claim on a VPID */
	uint64_t vmcs_hpa;
	uint64_t eptp;
	uint32_t vpid;       /* 0 when VPIDs are off */
	bool launched;       /* VMRESUME instead of VMLAUNCH */
};

_Static_assert(offsetof(struct vmx_vcpu, gpr) == VCPU_RAX, "gpr offset");
_Static_assert(offsetof(struct vmx_vcpu, gpr[15]) == VCPU_R15, "r15 offset");
_Static_assert(offsetof(struct vmx_vcpu, host_rsp) == VCPU_HOST_RSP, "host_rsp offset");
_Static_assert(VMX_HOST_RSP_FIELD == VMCS_HOST_RSP, "host RSP field encoding");

/*
 * vmx_enter (vmx_run.S): run the guest of vcpu, whose VMCS must be current,
 * with VMLAUNCH (launched false) or VMRESUME, until its next VM exit.
 * Saves and restores the host's callee-saved registers; stores every guest
 * general register except RSP into vcpu->gpr. Returns 0 after a VM exit,
 * 1 when the instruction failed with CF (VMfailInvalid), 2 with ZF
 * (VMfailValid: see the VM-instruction error field).
 */
int vmx_enter(struct vmx_vcpu *vcpu, bool launched);

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
 * vmx_make_current (vmx_vcpu.c): VMPTRLD v's VMCS unless it already is the
 * current one; every VMREAD/VMWRITE on v's behalf needs this first.
 */
void vmx_make_current(struct vmx_vcpu *v);

/* The MSR bitmap page shared by every VMCS (vmx_cpu.c); 0 before cpu_init. */
extern uint64_t vmx_msr_bitmap_hpa;

#endif
#endif
