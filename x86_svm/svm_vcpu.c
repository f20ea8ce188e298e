/*
 * svm_vcpu.c - creating and destroying an SVM vCPU: its VMCB, its private
 * state and its ASID; the register file starts from the boot state. What goes into the VMCB is svm_vmcb_init's.
 */
#include "hypervisor/mem/frames.h"
#include "lib/kstring.h"
#include "lib/errno.h"
#include "npt/npt.h"
#include "svm.h"
#include "svm_cpu.h"
#include "svm_vcpu.h"

int svm_vcpu_create(struct vcpu *vcpu, const struct hal_boot_state *boot)
{
	if (!svm_host_vmcb_pa)
		return -EINVAL;  /* cpu_init has not run */
	/* Not zeroed here: svm_vmcb_init writes the whole VMCB (the frame). */
	_Static_assert(sizeof(struct vmcb) == FRAME_SIZE, "a VMCB is one frame");
	uint64_t vmcb_pa = frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE);
	/* Not zeroed whole either: the state is a small part of its frame. */
	uint64_t state_pa = frames_alloc_contiguous(FRAME_SIZE, FRAME_SIZE);
	if (!vmcb_pa || !state_pa) {
		if (vmcb_pa)
			frames_free(vmcb_pa, FRAME_SIZE);
		if (state_pa)
			frames_free(state_pa, FRAME_SIZE);
		return -ENOMEM;
	}
	_Static_assert(sizeof(struct svm_vcpu) <= FRAME_SIZE, "svm_vcpu fits a frame");
	struct svm_vcpu *sv = (struct svm_vcpu *)(uintptr_t)state_pa;

	memset(sv, 0, sizeof(*sv));
	sv->vmcb = (struct vmcb *)(uintptr_t)vmcb_pa;
	sv->vmcb_pa = vmcb_pa;
	const struct svm_vmcb_params params = {
		.asid = 1,  /* a placeholder: svm_asid_claim sets it before each entry */
		.n_cr3 = npt_ncr3(vcpu->nested),
		.iopm_pa = svm_iopm_pa,
		.msrpm_pa = svm_msrpm_pa,
		.tlb_control = 0,  /* svm_asid_claim asks for flushes when they are due */
	};
	svm_vmcb_init(sv->vmcb, vcpu->gpr, boot, &params);
	if (vcpu->shadow_paging)
		svm_shadow_setup(sv->vmcb);
	sv->entry_state_stale = true;
	sv->entry.valid = false;
	sv->asid = (struct tag_slot){ 0, 0 };
	vcpu->backend = sv;
	return 0;
}

void svm_vcpu_destroy(struct vcpu *vcpu)
{
	struct svm_vcpu *sv = vcpu->backend;

	if (!sv)
		return;
	svm_cr2_forget(sv);
	frames_free(sv->vmcb_pa, FRAME_SIZE);
	frames_free((uint64_t)(uintptr_t)sv, FRAME_SIZE);
	vcpu->backend = NULL;
	vcpu->tag = 0;
}

void svm_vcpu_leave_cpu(struct vcpu *vcpu)
{
	svm_cr2_leave(vcpu->backend);
}

void svm_vcpu_arrive_cpu(struct vcpu *vcpu)
{
	struct svm_vcpu *sv = vcpu->backend;

	/* Its ASID came from the old CPU's pool: the next run claims one of
	 * this CPU's (generation 0 is never current). */
	tag_slot_drop(&sv->asid);
	/* Flush by ASID at the next VMRUN: this CPU may hold translations
	 * under the ASID it is about to get from an earlier stay. The VMCB's
	 * clean bits are always 0 (svm_vmcb_init), so nothing cached by the
	 * old CPU is trusted here. */
	sv->vmcb->control.tlb_control = npt_flush_tlb_control(svm_caps.flush_by_asid);
}
