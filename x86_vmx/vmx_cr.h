/*
 * vmx_cr.h - the guest's CR0 and CR4 under VMX.
 *
 * The CPU requires some CR0/CR4 bits in VMX non-root operation (the
 * IA32_VMX_CR*_FIXED* MSRs: CR4.VMXE, CR0.PE/PG/NE). The real registers
 * carry them; the guest/host mask marks those bits as the host's, so the
 * guest reads them from the read shadow, which holds the guest's own
 * values, and a guest write that changes them exits.
 */
#ifndef SKIFF_VMX_CR_H
#define SKIFF_VMX_CR_H

#include <stdint.h>

/* Bits the host owns: forced to 1 by fixed0, or forced to 0 by fixed1. */
static inline uint64_t vmx_cr_host_mask(uint64_t fixed0, uint64_t fixed1)
{
	return fixed0 | ~fixed1;
}

/* The real register value for a guest that wants guest_value. */
static inline uint64_t vmx_cr_real(uint64_t guest_value, uint64_t fixed0,
				   uint64_t fixed1)
{
	return (guest_value | fixed0) & fixed1;
}

/* What the guest reads: host-owned bits from the shadow, the rest real. */
static inline uint64_t vmx_cr_guest_view(uint64_t real, uint64_t shadow,
					 uint64_t mask)
{
	return (real & ~mask) | (shadow & mask);
}

#endif
