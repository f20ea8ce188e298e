/*
 * vmx_exit.c - running a vCPU and acting on its exits: enter, decode,
 * advance RIP, inject an exception, flush cached translations. run() is
 * on every exit's path: it reads only the VMCS fields it needs.
 */
#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hal/tag_pool.h"
#include "hypervisor/cpu.h"
#include "vmx_arch.h"
#include "vmx_caps.h"
#include "vmx_decode.h"
#include "vmx_decode_fast.h"
#include "vmx_insn.h"
#include "vmx_ops.h"
#include "vmx_vcpu.h"
#include "vmx_vpid.h"

static inline uint64_t read_current_field(uint32_t field)
{
	return vmread(field);
}

static void entry_refused(const struct vmx_vcpu *v, int result,
			  struct hal_exit *exit)
{
	bool valid = result == VMX_FAIL_VALID;

	exit->rip = vmread(VMCS_GUEST_RIP);
	vmx_decode_vmfail(v->launched ? "VMRESUME" : "VMLAUNCH", valid,
			  valid ? (uint32_t)vmread(VMCS_INSTRUCTION_ERROR) : 0, exit);
}

/*
 * An exit in the middle of delivering an event through the guest's IDT
 * (an EPT violation on its stack, say) would lose that event: queue it
 * for the next entry, as the SDM's "Information for VM Exits During Event
 * Delivery" advises.
 */
static void requeue_interrupted_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	uint32_t type;

	if (!(info & INTR_INFO_VALID))
		return;
	type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	if (info & INTR_INFO_ERROR_VALID)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type >= INTR_TYPE_SOFTWARE_INTERRUPT)
		vmwrite(VMCS_ENTRY_INSTRUCTION_LENGTH,
			vmread(VMCS_EXIT_INSTRUCTION_LENGTH));
	/* Bits 30:12 must be 0 in the entry field (bit 12 is undefined here). */
	vmwrite(VMCS_ENTRY_INTERRUPTION_INFO,
		info & (INTR_INFO_VALID | INTR_INFO_ERROR_VALID |
			INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK));
}

/*
 * A new VPID for this entry, when the vCPU's generation has passed (the
 * caller checks vpid_current first); a new generation flushes every VPID.
 */
static void claim_vpid(struct vcpu *vcpu, struct vmx_vcpu *v)
{
	enum tag_result r = vpid_claim(&v->vpid_slot);

	if (r == TAG_KEPT)
		return;
	if (r == TAG_FLUSH_ALL) {
		invvpid(INVVPID_ALL_CONTEXT, 0);
		tags_recycled_note("VPIDs");
	}
	v->vpid = v->vpid_slot.tag;
	vcpu->tag = v->vpid;
	vmwrite(VMCS_VPID, v->vpid);
}

/*
 * take_host_nmi: with NMI exiting, a physical NMI becomes the VM exit
 * (basic reason 0) and never goes through the host's IDT. Raising vector 2
 * in software runs the host's own NMI handler, which counts it as on SVM
 * (where STGI lets the held NMI through), and its IRETQ ends any NMI
 * blocking the exit left behind.
 */
static void take_host_nmi(void)
{
	__asm__ volatile("int $2" : : : "memory");   /* the IDT's NMI gate: nmi_stub */
}

void vmx_run(struct vcpu *vcpu, struct hal_exit *exit)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint32_t reason;
	int result;

	vmx_make_current(v);
	if (v->vpid && !vpid_current(&v->vpid_slot))
		claim_vpid(vcpu, v);
	if (v->slice_pending) {
		vmwrite(VMCS_GUEST_PREEMPTION_TIMER, v->slice);
		v->slice_pending = false;
	}
	result = vmx_enter(vcpu->gpr, v, v->launched);
	if (result != VMX_OK) {
		entry_refused(v, result, exit);
		return;
	}
	reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	if (!(reason & VMX_EXIT_REASON_ENTRY_FAILED))
		v->launched = true;
	/* A hypercall's OUT or a CPUID: inline, and no event to requeue. */
	if (vmx_decode_fast(reason, read_current_field, exit))
		return;
	if (!(reason & VMX_EXIT_REASON_ENTRY_FAILED))
		requeue_interrupted_event();
	vmx_decode_exit(reason, read_current_field, vcpu->gpr, exit);
	if (exit->reason == HAL_EXIT_NMI)
		take_host_nmi();
}

bool vmx_set_slice(struct vcpu *vcpu, uint64_t tsc_ticks)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint64_t steps = tsc_ticks >> vmx_caps.preemption_timer_shift;

	if (!(vmx_caps.pin & PIN_PREEMPTION_TIMER))
		return false;
	v->slice = steps == 0 ? 1 : steps > 0xffffffffu ? 0xffffffffu : (uint32_t)steps;
	v->slice_pending = true;
	return true;
}

void vmx_advance(struct vcpu *vcpu, const struct hal_exit *exit)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint64_t interruptibility;

	if (!exit->next_rip)
		return;
	vmx_make_current(v);
	vmwrite(VMCS_GUEST_RIP, exit->next_rip);
	/* Blocking by STI or MOV SS covers one instruction: the one skipped. */
	interruptibility = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (interruptibility & INTERRUPTIBILITY_STI_MOV_SS)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			interruptibility & ~(uint64_t)INTERRUPTIBILITY_STI_MOV_SS);
}

/* The exceptions that push an error code (SDM vol. 3A, table 6-1). */
static bool pushes_error_code(uint8_t vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
		return true;
	default:
		return false;
	}
}

void vmx_inject_exception(struct vcpu *vcpu, uint8_t vector, bool has_error,
			  uint32_t error)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint32_t type = vector == 2 ? INTR_TYPE_NMI :
		vector < 32 ? INTR_TYPE_HARDWARE_EXCEPTION : INTR_TYPE_EXTERNAL;
	bool push = type == INTR_TYPE_HARDWARE_EXCEPTION && pushes_error_code(vector);
	uint32_t info = vector | (type << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	(void)has_error;
	vmx_make_current(v);
	if (push) {
		info |= INTR_INFO_ERROR_VALID;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTERRUPTION_INFO, info);
}

void vmx_flush_nested_tlb(struct vcpu *vcpu)
{
	vmx_flush_tags(vcpu->backend);
}
