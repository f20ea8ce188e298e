/*
 * svm_ops.c - the AMD SVM backend's table of HAL operations, and the
 * operations that act on the next entry: run, event injection and nested
 * TLB flushes.
 */
#include "hypervisor/panic.h"
#include "npt/npt.h"
#include "svm.h"
#include "svm_cpu.h"
#include "svm_decode_fast.h"
#include "svm_regs.h"
#include "svm_vcpu.h"

static bool svm_probe(char *why, size_t why_len)
{
	return svm_probe_caps(&svm_caps, why, why_len);
}

/*
 * enter_once: one VMRUN. Afterwards TLB_CONTROL goes back to "no flush" (the
 * requested flush happened with that entry), and an event whose delivery
 * the exit interrupted (EXITINTINFO, e.g. a guest #PF whose IDT page faulted
 * in the nested table) is queued for the next entry, as the APM asks.
 * Decoding comes first: a refused entry is checked with EVENTINJ as it was.
 */
static void enter_once(struct vcpu *vcpu, struct svm_vcpu *sv, struct hal_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;

	if (sv->entry_state_stale) {
		svm_entry_state_save(&sv->entry, sv->vmcb);
		sv->entry_state_stale = false;
	}
	/* Each AP has its own host-state VMCB (svm_cpu_init_ap); the boot CPU's slot is empty. */
	void *own_host = this_cpu()->backend;

	svm_world_switch(vcpu->gpr, sv->vmcb, sv->vmcb_pa,
			 own_host ? (uint64_t)(uintptr_t)own_host : svm_host_vmcb_pa);
	if (!svm_decode_fast(sv->vmcb, &svm_caps, exit))
		svm_decode_exit(sv->vmcb, vcpu->gpr, &svm_caps, &sv->entry, exit);
	c->tlb_control = 0;
	c->event_inject = (c->exit_int_info & VMCB_EVENT_VALID) ? c->exit_int_info : 0;
}

#define VECTOR_DF 8
#define IDT_GATE_BYTES 16

/*
 * reflect_double_fault: the guest's #DF was intercepted (see
 * svm_intercepts.c). When the guest's IDT has a gate for it, deliver the
 * #DF (error code 0) in place of the event it interrupted and return true:
 * run again. Otherwise its delivery would fault once more, a triple fault:
 * report that. A #DF whose gate exists but cannot be delivered still ends
 * in SHUTDOWN on a real CPU.
 */
static bool reflect_double_fault(struct svm_vcpu *sv, struct hal_exit *exit)
{
	if (exit->reason != HAL_EXIT_EXCEPTION || exit->exception.vector != VECTOR_DF)
		return false;
	if (sv->vmcb->save.idtr.limit < (VECTOR_DF + 1) * IDT_GATE_BYTES - 1) {
		exit->reason = HAL_EXIT_TRIPLE_FAULT;
		return false;
	}
	sv->vmcb->control.event_inject = VECTOR_DF | VMCB_EVENT_TYPE_EXCEPTION |
		VMCB_EVENT_ERROR_VALID | VMCB_EVENT_VALID;
	return true;
}

/* SVM has no guest timer of its own: the core uses the host's APIC timer. */
static bool svm_set_slice(struct vcpu *vcpu, uint64_t tsc_ticks)
{
	(void)vcpu;
	(void)tsc_ticks;
	return false;
}

/*
 * svm_run: the vCPU keeps its ASID while the pool's generation is current
 * (one compare); only otherwise is a new one claimed.
 */
static void svm_run(struct vcpu *vcpu, struct hal_exit *exit)
{
	struct svm_vcpu *sv = vcpu->backend;

	if (!svm_asid_current(&sv->asid)) {
		if (svm_asid_claim(&sv->asid, &sv->vmcb->control))
			tags_recycled_note("ASIDs");
		vcpu->tag = sv->asid.tag;
	}
	svm_cr2_switch_to(sv);
	do
		enter_once(vcpu, sv, exit);
	while (reflect_double_fault(sv, exit));
}

/*
 * svm_inject_exception: whether an error code is pushed follows the vector
 * (pushing one for, say, #UD would corrupt the guest's exception frame);
 * has_error only says whether error is meaningful (0 is pushed otherwise).
 * A vector >= 32 is not an exception: a bug in Skiff, so it panics.
 */
static void svm_inject_exception(struct vcpu *vcpu, uint8_t vector,
				 bool has_error, uint32_t error)
{
	struct svm_vcpu *sv = vcpu->backend;
	uint64_t event = vector | VMCB_EVENT_TYPE_EXCEPTION | VMCB_EVENT_VALID;

	ASSERT(vector < 32 && vector != 2);
	if (svm_exception_has_error(vector))
		event |= VMCB_EVENT_ERROR_VALID |
			((uint64_t)(has_error ? error : 0) << VMCB_EVENT_ERROR_SHIFT);
	sv->vmcb->control.event_inject = event;
}

/* svm_flush_nested_tlb: flush this vCPU's ASID with its next VMRUN. */
static void svm_flush_nested_tlb(struct vcpu *vcpu)
{
	struct svm_vcpu *sv = vcpu->backend;

	sv->vmcb->control.tlb_control = npt_flush_tlb_control(svm_caps.flush_by_asid);
}

/* svm_shadow_load_root: the guest's real CR3, and a flush of its ASID. */
static void svm_shadow_load_root(struct vcpu *vcpu, uint64_t root_hpa)
{
	struct svm_vcpu *sv = vcpu->backend;

	sv->vmcb->save.cr3 = root_hpa;
	sv->entry_state_stale = true;  /* VMRUN checks CR3: see svm.h */
	svm_flush_nested_tlb(vcpu);
}

static bool svm_has_nested_paging(void)
{
	return svm_caps.nested_paging;
}

const struct hal_ops hal_svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.cpu_init_ap = svm_cpu_init_ap,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_leave_cpu = svm_vcpu_leave_cpu,
	.vcpu_arrive_cpu = svm_vcpu_arrive_cpu,
	.run = svm_run,
	.set_slice = svm_set_slice,
	.reg_read = svm_reg_read,
	.reg_write = svm_reg_write,
	.advance = svm_advance,
	.inject_exception = svm_inject_exception,
	.flush_nested_tlb = svm_flush_nested_tlb,
	.debug_traps = svm_debug_traps,
	.single_step = svm_single_step,
	.shadow_load_root = svm_shadow_load_root,
	.has_nested_paging = svm_has_nested_paging,
	.guest_owns_cache_control = true,
	.nested_format = &svm_nested_format,
};
