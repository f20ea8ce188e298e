/*
 * vmx_insn.h - the VMX instructions as C functions (C has no syntax for
 * them). Every instruction that can fail reports how: VMfailInvalid sets
 * CF (no current VMCS, or a bad operand before one exists), VMfailValid
 * sets ZF and leaves an error number in the VMCS's VM-instruction error
 * field (SDM vol. 3C, "Conventions" of the VMX instruction reference).
 * Hypervisor image only.
 */
#ifndef SKIFF_VMX_INSN_H
#define SKIFF_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx_arch.h"

enum vmx_result {
	VMX_OK = 0,
	VMX_FAIL_INVALID = 1,  /* CF: no current VMCS to hold an error */
	VMX_FAIL_VALID = 2,    /* ZF: see VMCS_INSTRUCTION_ERROR */
};

static inline enum vmx_result vmx_result_of(bool cf, bool zf)
{
	if (cf)
		return VMX_FAIL_INVALID;
	return zf ? VMX_FAIL_VALID : VMX_OK;
}

/* vmxon: enter VMX root operation with the VMXON region at hpa. */
static inline enum vmx_result vmxon(uint64_t hpa)
{
	bool cf, zf;

	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(hpa) : "memory");
	return vmx_result_of(cf, zf);
}

/* vmclear: flush the VMCS at hpa to memory and mark it clear (not launched). */
static inline enum vmx_result vmclear(uint64_t hpa)
{
	bool cf, zf;

	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(hpa) : "memory");
	return vmx_result_of(cf, zf);
}

/* vmptrld: make the VMCS at hpa the current one. */
static inline enum vmx_result vmptrld(uint64_t hpa)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(hpa) : "memory");
	return vmx_result_of(cf, zf);
}

/* vmread: a field of the current VMCS (0 if the read fails). */
static inline uint64_t vmread(uint32_t field)
{
	uint64_t value = 0;

	/* AT&T order: field encoding first, destination second. */
	__asm__ volatile("vmread %1, %0" : "+rm"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

/* vmwrite: set a field of the current VMCS. */
static inline enum vmx_result vmwrite(uint32_t field, uint64_t value)
{
	bool cf, zf;

	/* AT&T order: value first, field encoding second. */
	__asm__ volatile("vmwrite %2, %3" : "=@ccc"(cf), "=@ccz"(zf)
			 : "rm"(value), "r"((uint64_t)field));
	return vmx_result_of(cf, zf);
}

enum invvpid_type {
	INVVPID_SINGLE_CONTEXT = 1,
	INVVPID_ALL_CONTEXT = 2,
};

/* invvpid: drop linear translations tagged with vpid (or all of them). */
static inline void invvpid(enum invvpid_type type, uint16_t vpid)
{
	/* The 128-bit descriptor: VPID in bits 15:0, linear address unused. */
	struct { uint64_t vpid, linear_address; } descriptor = { vpid, 0 };

	__asm__ volatile("invvpid %0, %1" : : "m"(descriptor), "r"((uint64_t)type)
			 : "cc", "memory");
}

#endif
