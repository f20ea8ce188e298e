/*
 * svm_test_vmcb.h - a VMCB as Skiff builds it for a Solo5 guest, and the
 * CPU facts QEMU's qemu64,+svm,+npt reports, shared by the SVM host tests.
 */
#ifndef SKIFF_SVM_TEST_VMCB_H
#define SKIFF_SVM_TEST_VMCB_H

#include <string.h>

#include "svm.h"

static const struct svm_caps test_caps_qemu = {
	.probed = true, .nrip_save = false, .flush_by_asid = false,
	.long_mode = true, .nx = true, .asid_count = 16, .phys_addr_bits = 40,
};

static const struct hal_boot_state test_boot = {
	.rip = 0x100000, .rsp = 0x4000000 - 8, .rdi = 0x10000, .rflags = 0x2,
	.cr0 = 0x80010021, .cr3 = 0x2000, .cr4 = 0x620, .efer = 0x500,
	.gdt_base = 0x1000, .gdt_limit = 23,
	.code_selector = 0x08, .data_selector = 0x10,
	.tss_base = 0, .tss_limit = 0, .tss_selector = 0x18,
};

/* test_vmcb: *v and the register file g as svm_vcpu_create would build them. */
static inline void test_vmcb(struct vmcb *v, uint64_t g[HAL_GPR_COUNT])
{
	const struct svm_vmcb_params p = {
		.asid = 1, .n_cr3 = 0x12345000, .iopm_pa = 0x200000,
		.msrpm_pa = 0x204000, .tlb_control = 1,
	};
	memset(g, 0xa5, HAL_GPR_COUNT * sizeof(g[0]));  /* svm_vmcb_init must clear it */
	svm_vmcb_init(v, g, &test_boot, &p);
}

#endif
