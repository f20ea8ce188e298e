/*
 * svm_decode_fast.h - the two exits nearly every guest round trip takes
 * (an OUT: every hypercall; a CPUID), decoded inline, so svm_run pays no
 * call for them; svm_decode_exit starts with the same code, so there is one
 * decoder (as vmx_decode_fast.h does for VMX). Portable C: host tests reach
 * it through svm_decode_exit.
 */
#ifndef SKIFF_SVM_DECODE_FAST_H
#define SKIFF_SVM_DECODE_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "svm.h"

#define SVM_LEN_CPUID 2    /* 0f a2: CPUs without NRIP save (QEMU's TCG) */

/* RIP after an instruction of fixed length (NRIP save when the CPU has it). */
static inline uint64_t svm_next_rip(const struct vmcb *vmcb, const struct svm_caps *caps,
				    unsigned length)
{
	if (caps->nrip_save)
		return vmcb->control.next_rip;
	return vmcb->save.rip + length;
}

static inline void svm_decode_io(const struct vmcb_control *c, struct hal_exit *exit)
{
	uint32_t info = (uint32_t)c->exit_info1;

	exit->reason = HAL_EXIT_IO;
	exit->io.port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
	/* SZ8, SZ16 and SZ32 are one-hot bits 4, 5, 6: shifted down they are 1, 2, 4. */
	exit->io.size = (uint8_t)((info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT);
	exit->io.is_write = !(info & SVM_IOIO_IN);
	exit->io.is_string = (info & SVM_IOIO_STRING) != 0;
	exit->io.is_rep = (info & SVM_IOIO_REP) != 0;
	/* For IOIO the CPU always stores the next RIP in EXITINFO2. */
	exit->next_rip = c->exit_info2;
}

/*
 * svm_decode_fast: fill *exit and return true when the VMCB records an
 * IOIO or CPUID exit; return false, having written nothing, for every
 * other code (the caller then uses svm_decode_exit). Both are caused by the
 * guest's own instruction, so no event delivery was interrupted by them.
 */
static inline bool svm_decode_fast(const struct vmcb *vmcb, const struct svm_caps *caps,
				   struct hal_exit *exit)
{
	uint32_t code = (uint32_t)vmcb->control.exit_code;

	if (code != SVM_EXIT_IOIO && code != SVM_EXIT_CPUID)
		return false;
	exit->vendor_code = vmcb->control.exit_code;
	exit->rip = vmcb->save.rip;
	exit->detail[0] = '\0';
	if (code == SVM_EXIT_IOIO) {
		svm_decode_io(&vmcb->control, exit);
	} else {
		exit->reason = HAL_EXIT_CPUID;
		exit->next_rip = svm_next_rip(vmcb, caps, SVM_LEN_CPUID);
	}
	return true;
}

#endif
