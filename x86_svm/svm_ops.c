/*
 * svm_ops.c - the AMD SVM backend's table of HAL operations, and the
 * operations that act on the next entry: run, event injection and nested
 * TLB flushes.
 */
#include "hypervisor/panic.h"
#include "npt/npt.h"
#include "svm.h"
#include "svm_cpu.h"
#include "svm_regs.h"
#include "svm_vcpu.h"

static bool svm_probe(char *why, size_t why_len)
{
	return svm_probe_caps(&svm_caps, why, why_len);
}

/*
 * svm_run: one VMRUN. Afterwards TLB_CONTROL goes back to "no flush" (the
 * requested flush happened with that entry), and an event whose delivery
 * the exit interrupted (EXITINTINFO, e.g. a guest #PF whose IDT page faulted
 * in the nested table) is queued for the next entry, as the APM asks.
 */
static void svm_run(struct vcpu *vcpu, struct hal_exit *exit)
{
	struct svm_vcpu *sv = vcpu->backend;
	struct vmcb_control *c = &sv->vmcb->control;

	svm_world_switch(&sv->gprs, sv->vmcb_pa, svm_host_vmcb_pa);
	c->tlb_control = 0;
	c->event_inject = (c->exit_int_info & VMCB_EVENT_VALID) ? c->exit_int_info : 0;
	svm_decode_exit(sv->vmcb, &sv->gprs, &svm_caps, exit);
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

const struct hal_ops hal_svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.run = svm_run,
	.reg_read = svm_reg_read,
	.reg_write = svm_reg_write,
	.advance = svm_advance,
	.inject_exception = svm_inject_exception,
	.flush_nested_tlb = svm_flush_nested_tlb,
	.nested_format = &svm_nested_format,
};
