/*
 * vmx_controls.h - choosing VM-execution, exit and entry control values
 * from what a capability MSR allows. Portable C (host-tested).
 *
 * A capability MSR holds the allowed-0 settings in bits 31:0 (a 1 there
 * means the control must be 1) and the allowed-1 settings in bits 63:32
 * (a 0 there means the control must be 0). SDM vol. 3C appendix A.3-A.5.
 */
#ifndef SKIFF_VMX_CONTROLS_H
#define SKIFF_VMX_CONTROLS_H

#include <stdint.h>

/* What a backend wants from one control field. */
struct vmx_control_request {
	const char *field;   /* "pin", "proc", ... for messages */
	uint32_t required;   /* must be 1, or the backend cannot work */
	uint32_t optional;   /* 1 when the CPU allows it */
};

/*
 * vmx_control_combine: the value for a control field: every bit the CPU
 * forces to 1, every required bit, and the optional bits the CPU allows.
 * Returns the required bits the CPU does not allow (0 when satisfied); the
 * value in *out is then still the best possible, never a forbidden bit.
 */
uint32_t vmx_control_combine(uint64_t capability_msr,
			     const struct vmx_control_request *request,
			     uint32_t *out);

/*
 * vmx_control_allows: true when capability_msr allows every bit of bits
 * to be 1.
 */
static inline int vmx_control_allows(uint64_t capability_msr, uint32_t bits)
{
	return ((uint32_t)(capability_msr >> 32) & bits) == bits;
}

/*
 * vmx_control_name: a short name for bit (0..31) of the control field
 * named field ("pin", "proc", "proc2", "exit", "entry"), or NULL when the
 * bit is one this backend never asks for.
 */
const char *vmx_control_name(const char *field, unsigned bit);

#endif
