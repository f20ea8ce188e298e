/*
 * vmx_decode.h - turning raw VMX exit information into Skiff's
 * vendor-neutral struct hal_exit, and VMX error numbers into text.
 * Portable C: host tests feed it fake VMCS values.
 */
#ifndef SKIFF_VMX_DECODE_H
#define SKIFF_VMX_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"

/* Reads one VMCS field of the current VMCS (VMREAD, or a fake in tests). */
typedef uint64_t (*vmx_field_reader)(uint32_t field);

/*
 * vmx_decode_exit: fill *exit for the VM exit whose exit-reason field is
 * exit_reason, reading further fields through read_field as the reason
 * needs them (RIP always; qualification, lengths, GPA only when used).
 * gpr is the register file (struct vcpu's gpr[], HAL_REG_* order: RCX, RAX
 * and RDX give MSR numbers and values). Every reason gives a record: an
 * unknown one is HAL_EXIT_UNHANDLED with its number and name in detail.
 */
void vmx_decode_exit(uint32_t exit_reason, vmx_field_reader read_field,
		     const uint64_t gpr[HAL_GPR_COUNT], struct hal_exit *exit);

/*
 * vmx_decode_vmfail: fill *exit (HAL_EXIT_ENTRY_FAILED) for a VMLAUNCH or
 * VMRESUME (named by insn) that failed with CF (valid_vmcs false: there
 * was no current VMCS) or ZF (valid_vmcs true: insn_error is the
 * VM-instruction error field).
 */
void vmx_decode_vmfail(const char *insn, bool valid_vmcs, uint32_t insn_error,
		       struct hal_exit *exit);

/*
 * vmx_exit_reason_name: the SDM's name of a basic exit reason, or
 * "reserved" for a number it does not define.
 */
const char *vmx_exit_reason_name(uint32_t basic_reason);

/*
 * vmx_instruction_error_text: the SDM's text for a VM-instruction error
 * number (table 30-1), or "unknown error" for others.
 */
const char *vmx_instruction_error_text(uint32_t error);

#endif
