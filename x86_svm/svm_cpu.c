/*
 * svm_cpu.c - turning SVM on for the (one) physical CPU.
 *
 * Besides EFER.SVME the CPU needs a host save area (VM_HSAVE_PA), where
 * VMRUN keeps the host state it restores on #VMEXIT. Skiff adds the
 * permission maps every guest shares and a host-state VMCB: VMRUN does not
 * save the host's FS/GS/TR/LDTR and syscall MSRs, so svm_run.S VMSAVEs
 * them there before each VMRUN and VMLOADs them back after.
 */
#include "hypervisor/cpu.h"
#include "hypervisor/mem/frames.h"
#include "lib/errno.h"
#include "hypervisor/options.h"
#include "hypervisor/console.h"
#include "svm.h"
#include "svm_cpu.h"

#define MSR_VM_HSAVE_PA 0xc0010117u

uint64_t svm_host_vmcb_pa;
uint64_t svm_iopm_pa;
uint64_t svm_msrpm_pa;

static int alloc_permission_maps(void)
{
	uint64_t iopm = frames_alloc_contiguous(SVM_IOPM_BYTES, FRAME_SIZE);
	if (!iopm)
		return -ENOMEM;
	uint64_t msrpm = frames_alloc_contiguous(SVM_MSRPM_BYTES, FRAME_SIZE);
	if (!msrpm) {
		frames_free(iopm, SVM_IOPM_BYTES);
		return -ENOMEM;
	}
	/* Identity map: a host-physical address is also the pointer. */
	svm_iopm_fill((uint8_t *)(uintptr_t)iopm);
	svm_msrpm_fill((uint8_t *)(uintptr_t)msrpm);
	svm_iopm_pa = iopm;
	svm_msrpm_pa = msrpm;
	return 0;
}

int svm_cpu_init(void)
{
	char why[96];

	if (svm_host_vmcb_pa)
		return 0;  /* already on: one physical CPU */
	if (!svm_caps.probed && !svm_probe_caps(&svm_caps, why, sizeof(why)))
		return -ENOTSUP;
	uint64_t hsave = frame_alloc();
	uint64_t host_vmcb = frame_alloc();
	if (!hsave || !host_vmcb || alloc_permission_maps() < 0) {
		if (hsave)
			frames_free(hsave, FRAME_SIZE);
		if (host_vmcb)
			frames_free(host_vmcb, FRAME_SIZE);
		return -ENOMEM;
	}
	/*
	 * NXE too: with it clear, bit 63 of a nested page-table entry is
	 * reserved, and the NPT format marks non-executable guest pages with it.
	 */
	uint64_t efer = rdmsr(MSR_EFER) | EFER_SVME;
	if (svm_caps.nx)
		efer |= EFER_NXE;
	wrmsr(MSR_EFER, efer);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	svm_host_vmcb_pa = host_vmcb;
	svm_asid_init(svm_caps.asid_count, skiff_options.max_tags);
	log_printf("svm: %u ASIDs for guests%s", svm_asid_pool_size(),
		   skiff_options.max_tags ? " (asids=)" : "");
	return 0;
}

int svm_cpu_init_ap(void **per_cpu)
{
	uint64_t hsave, host_vmcb, efer;

	if (!svm_host_vmcb_pa)
		return -EINVAL;   /* the boot CPU first: it probed and made the maps */
	hsave = frame_alloc();
	host_vmcb = frame_alloc();
	if (!hsave || !host_vmcb) {
		if (hsave)
			frames_free(hsave, FRAME_SIZE);
		if (host_vmcb)
			frames_free(host_vmcb, FRAME_SIZE);
		log_printf("svm: no memory for this CPU's host save area");
		return -ENOMEM;
	}
	efer = rdmsr(MSR_EFER) | EFER_SVME;
	if (svm_caps.nx)
		efer |= EFER_NXE;
	wrmsr(MSR_EFER, efer);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	*per_cpu = (void *)(uintptr_t)host_vmcb;
	return 0;
}
