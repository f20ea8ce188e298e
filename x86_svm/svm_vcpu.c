/*
 * svm_vcpu.c - creating and destroying an SVM vCPU: its VMCB, its private
 * register block and its ASID. What goes into the VMCB is svm_vmcb_init's.
 */
#include "hypervisor/frames.h"
#include "lib/errno.h"
#include "npt/npt.h"
#include "svm.h"
#include "svm_cpu.h"
#include "svm_vcpu.h"

int svm_vcpu_create(struct vcpu *vcpu, const struct hal_boot_state *boot)
{
	if (!svm_host_vmcb_pa)
		return -EINVAL;  /* cpu_init has not run */
	int asid = svm_asid_alloc(svm_caps.asid_count);
	if (asid < 0)
		return asid;
	uint64_t vmcb_pa = frame_alloc();
	uint64_t state_pa = frame_alloc();
	if (!vmcb_pa || !state_pa) {
		if (vmcb_pa)
			frames_free(vmcb_pa, FRAME_SIZE);
		if (state_pa)
			frames_free(state_pa, FRAME_SIZE);
		svm_asid_free((uint32_t)asid);
		return -ENOMEM;
	}
	_Static_assert(sizeof(struct svm_vcpu) <= FRAME_SIZE, "svm_vcpu fits a frame");
	struct svm_vcpu *sv = (struct svm_vcpu *)(uintptr_t)state_pa;
	sv->vmcb = (struct vmcb *)(uintptr_t)vmcb_pa;
	sv->vmcb_pa = vmcb_pa;
	const struct svm_vmcb_params params = {
		.asid = (uint32_t)asid,
		.n_cr3 = npt_ncr3(vcpu->nested),
		.iopm_pa = svm_iopm_pa,
		.msrpm_pa = svm_msrpm_pa,
		/* A new owner of this ASID must not see its previous owner's TLB entries. */
		.tlb_control = npt_flush_tlb_control(svm_caps.flush_by_asid),
	};
	svm_vmcb_init(sv->vmcb, &sv->gprs, boot, &params);
	sv->entry_state_stale = true;
	sv->entry.valid = false;
	vcpu->backend = sv;
	vcpu->tag = (uint32_t)asid;
	return 0;
}

void svm_vcpu_destroy(struct vcpu *vcpu)
{
	struct svm_vcpu *sv = vcpu->backend;

	if (!sv)
		return;
	svm_asid_free(sv->vmcb->control.guest_asid);
	frames_free(sv->vmcb_pa, FRAME_SIZE);
	frames_free((uint64_t)(uintptr_t)sv, FRAME_SIZE);
	vcpu->backend = NULL;
	vcpu->tag = 0;
}
