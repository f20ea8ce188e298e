/*
 * svm_shadow.c - what SVM adds for shadow paging (hal.h, vcpu.shadow_paging):
 * nested paging off, the guest's CR3 in the VMCB is the shadow root, and
 * the intercepts that keep the shadow right (APM vol. 2, 15.8 and 15.9;
 * INVPCID's intercept and exit code 0A2h in appendix C).
 *
 * Without decode assists (QEMU's TCG, Bochs's ryzen) the CPU does not name
 * the register of a MOV CR nor INVLPG's operand: the exit says "unknown"
 * and the core decodes the instruction itself.
 */
#include "svm.h"

#define SVM_EXIT_CR_READ_BASE 0x000u   /* 0x00 + n: read of CRn */
#define SVM_EXIT_CR_WRITE_BASE 0x010u  /* 0x10 + n: write of CRn */
#define CR_READ_BIT(n) (n)
#define CR_WRITE_BIT(n) (16 + (n))
#define INTERCEPT_INVLPG_BIT 25        /* MISC1 */
#define INTERCEPT_INVPCID_BIT 2        /* MISC3 (VMCB offset 014h) */
#define SVM_EXIT_INVPCID 0x0a2u
#define VECTOR_PF 14
/* Decode assists: EXITINFO1 bit 63 says bits 3:0 hold the GPR. */
#define CR_INFO_VALID (UINT64_C(1) << 63)

void svm_shadow_setup(struct vmcb *vmcb)
{
	struct vmcb_control *c = &vmcb->control;

	c->np_control &= ~VMCB_NP_ENABLE;
	c->n_cr3 = 0;
	c->intercept[VMCB_WORD_CR] |= (UINT32_C(1) << CR_READ_BIT(3)) |
		(UINT32_C(1) << CR_WRITE_BIT(0)) | (UINT32_C(1) << CR_WRITE_BIT(3)) |
		(UINT32_C(1) << CR_WRITE_BIT(4));
	c->intercept[VMCB_WORD_MISC1] |= UINT32_C(1) << INTERCEPT_INVLPG_BIT;
	/* Without it a CPU with INVPCID would flush its TLB, not the shadow. */
	c->intercept[VMCB_WORD_MISC3] |= UINT32_C(1) << INTERCEPT_INVPCID_BIT;
	c->intercept[VMCB_WORD_EXCEPTION] |= UINT32_C(1) << VECTOR_PF;
}

bool svm_decode_shadow_exit(const struct vmcb *vmcb, const struct svm_caps *caps,
			    struct hal_exit *exit)
{
	const struct vmcb_control *c = &vmcb->control;
	uint64_t code = c->exit_code;

	if (code < SVM_EXIT_CR_WRITE_BASE + 16) {
		exit->reason = HAL_EXIT_CR_ACCESS;
		exit->cr.cr = (uint8_t)(code & 15u);
		exit->cr.is_write = code >= SVM_EXIT_CR_WRITE_BASE;
		exit->cr.gpr = (c->exit_info1 & CR_INFO_VALID) ?
			(uint8_t)(c->exit_info1 & 15u) : HAL_CR_GPR_UNKNOWN;
		exit->next_rip = caps->nrip_save ? c->next_rip : 0;
		return true;
	}
	if (code == SVM_EXIT_INVLPG) {
		exit->reason = HAL_EXIT_INVLPG;
		/* With decode assists EXITINFO1 is the operand's address. */
		exit->invlpg.known = false;
		exit->invlpg.address = 0;
		exit->next_rip = caps->nrip_save ? c->next_rip : 0;
		return true;
	}
	if (code == SVM_EXIT_INVPCID) {
		/* Decode assists would put the descriptor's address in
		 * EXITINFO1 and the type in EXITINFO2; the core decodes. */
		exit->reason = HAL_EXIT_INVPCID;
		exit->next_rip = caps->nrip_save ? c->next_rip : 0;
		return true;
	}
	return false;
}
