/*
 * vmx_decode_fast.h - the two exits nearly every guest round trip takes
 * (an OUT: every hypercall; a CPUID), decoded inline. vmx_run passes a
 * reader the compiler can see, so each field costs one VMREAD and no call;
 * vmx_decode_exit starts with the same code, so there is one decoder.
 * Portable C: host tests reach it through vmx_decode_exit.
 */
#ifndef SKIFF_VMX_DECODE_FAST_H
#define SKIFF_VMX_DECODE_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "vmx_arch.h"
#include "vmx_decode.h"

/* RIP after the exiting instruction (instruction-caused exits only). */
static inline void vmx_set_next_rip(vmx_field_reader read_field, struct hal_exit *exit)
{
	exit->next_rip = exit->rip + read_field(VMCS_EXIT_INSTRUCTION_LENGTH);
}

static inline void vmx_decode_io(vmx_field_reader read_field, struct hal_exit *exit)
{
	uint64_t qual = read_field(VMCS_EXIT_QUALIFICATION);

	exit->reason = HAL_EXIT_IO;
	exit->io.port = (uint16_t)(qual >> IO_QUAL_PORT_SHIFT);
	exit->io.size = (uint8_t)((qual & IO_QUAL_SIZE_MASK) + 1);
	exit->io.is_write = !(qual & IO_QUAL_IN);
	exit->io.is_string = (qual & IO_QUAL_STRING) != 0;
	exit->io.is_rep = (qual & IO_QUAL_REP) != 0;
	vmx_set_next_rip(read_field, exit);
}

/*
 * vmx_decode_fast: fill *exit and return true when exit_reason is an I/O
 * instruction or CPUID exit after a successful entry; return false, having
 * read nothing and written nothing, for every other reason (the caller
 * then uses vmx_decode_exit). Both are caused by the guest's own
 * instruction, never met while delivering an event, so no IDT-vectoring
 * information can be pending after them.
 */
static inline bool vmx_decode_fast(uint32_t exit_reason, vmx_field_reader read_field,
				   struct hal_exit *exit)
{
	if (exit_reason != VMX_EXIT_IO && exit_reason != VMX_EXIT_CPUID)
		return false;
	exit->vendor_code = exit_reason;
	exit->rip = read_field(VMCS_GUEST_RIP);
	exit->next_rip = 0;
	exit->detail[0] = '\0';
	if (exit_reason == VMX_EXIT_IO) {
		vmx_decode_io(read_field, exit);
	} else {
		exit->reason = HAL_EXIT_CPUID;
		vmx_set_next_rip(read_field, exit);
	}
	return true;
}

#endif
