/*
 * vmx_decode.c - from the VMCS's exit-information fields to struct
 * hal_exit (SDM vol. 3C, "VM Exits" and appendix C). This is on every
 * exit's path, so each reason reads only the fields it needs.
 */
#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "lib/format.h"
#include "vmx_arch.h"
#include "vmx_decode.h"
#include "vmx_decode_fast.h"

/* The mnemonic of an instruction no guest may execute, or NULL. */
static const char *forbidden_mnemonic(uint32_t basic)
{
	switch (basic) {
	case VMX_EXIT_GETSEC: return "GETSEC";
	case VMX_EXIT_INVD: return "INVD";
	case VMX_EXIT_RDPMC: return "RDPMC";
	/* CR8 and CR0.CD/NW are Skiff's: only a write to them exits. */
	case VMX_EXIT_CR_ACCESS: return "MOV CR (CR8, or CR0.CD/NW)";
	case VMX_EXIT_DR_ACCESS: return "MOV DR";
	case VMX_EXIT_MWAIT: return "MWAIT";
	case VMX_EXIT_MONITOR: return "MONITOR";
	case VMX_EXIT_WBINVD: return "WBINVD";
	case VMX_EXIT_VMCALL: return "VMCALL";
	case VMX_EXIT_VMCLEAR: return "VMCLEAR";
	case VMX_EXIT_VMLAUNCH: return "VMLAUNCH";
	case VMX_EXIT_VMPTRLD: return "VMPTRLD";
	case VMX_EXIT_VMPTRST: return "VMPTRST";
	case VMX_EXIT_VMREAD: return "VMREAD";
	case VMX_EXIT_VMRESUME: return "VMRESUME";
	case VMX_EXIT_VMWRITE: return "VMWRITE";
	case VMX_EXIT_VMXOFF: return "VMXOFF";
	case VMX_EXIT_VMXON: return "VMXON";
	case VMX_EXIT_INVEPT: return "INVEPT";
	case VMX_EXIT_INVVPID: return "INVVPID";
	case VMX_EXIT_XSETBV: return "XSETBV";
	case VMX_EXIT_VMFUNC: return "VMFUNC";
	default: return NULL;
	}
}

static void decode_ept_violation(vmx_field_reader read_field,
				 struct hal_exit *exit)
{
	uint64_t qual = read_field(VMCS_EXIT_QUALIFICATION);
	unsigned access = 0;

	if (qual & EPT_QUAL_READ)
		access |= HAL_ACCESS_READ;
	if (qual & EPT_QUAL_WRITE)
		access |= HAL_ACCESS_WRITE;
	if (qual & EPT_QUAL_FETCH)
		access |= HAL_ACCESS_EXEC;
	exit->reason = HAL_EXIT_NESTED_FAULT;
	exit->npf.gpa = read_field(VMCS_GUEST_PHYSICAL_ADDRESS);
	exit->npf.access = access;
	exit->npf.mapped = (qual & EPT_QUAL_MAPPED_MASK) != 0;
}

/* Reason 0: an NMI, or a guest exception that the exception bitmap caught. */
static void decode_exception_or_nmi(vmx_field_reader read_field,
				    struct hal_exit *exit)
{
	uint32_t info = (uint32_t)read_field(VMCS_EXIT_INTERRUPTION_INFO);
	uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (type == INTR_TYPE_NMI) {
		exit->reason = HAL_EXIT_NMI;
		return;
	}
	exit->reason = HAL_EXIT_EXCEPTION;
	exit->exception.vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
	exit->exception.has_error = (info & INTR_INFO_ERROR_VALID) != 0;
	exit->exception.error = exit->exception.has_error ?
		(uint32_t)read_field(VMCS_EXIT_INTERRUPTION_ERROR) : 0;
	/* For #PF the qualification is the faulting address (CR2 is not yet set). */
	exit->exception.address = read_field(VMCS_EXIT_QUALIFICATION);
}

/* What the qualification of an invalid-guest-state failure says. */
static const char *guest_state_qualification_text(uint64_t qual)
{
	switch (qual) {
	case 2: return "PDPTE loading failed";
	case 3: return "NMI injection while blocked by STI";
	case 4: return "invalid VMCS link pointer";
	default: return "a guest-state field breaks the entry checks";
	}
}

/* Exit-reason bit 31: the entry was refused after loading guest state. */
static void decode_entry_failure(uint32_t basic, vmx_field_reader read_field,
				 struct hal_exit *exit)
{
	uint64_t qual = read_field(VMCS_EXIT_QUALIFICATION);

	exit->reason = HAL_EXIT_ENTRY_FAILED;
	exit->next_rip = 0;
	if (basic == VMX_EXIT_INVALID_GUEST_STATE)
		format(exit->detail, sizeof(exit->detail),
		       "VM entry failed: invalid guest state (qualification %llu: %s)",
		       (unsigned long long)qual, guest_state_qualification_text(qual));
	else if (basic == VMX_EXIT_MSR_LOADING)
		format(exit->detail, sizeof(exit->detail),
		       "VM entry failed: loading MSR entry %llu failed",
		       (unsigned long long)qual);
	else
		format(exit->detail, sizeof(exit->detail),
		       "VM entry failed: reason %u (%s), qualification 0x%llx",
		       basic, vmx_exit_reason_name(basic), (unsigned long long)qual);
}

static void decode_unhandled(uint32_t basic, vmx_field_reader read_field,
			     struct hal_exit *exit)
{
	const char *mnemonic = forbidden_mnemonic(basic);

	if (mnemonic) {
		exit->reason = HAL_EXIT_FORBIDDEN_INSN;
		exit->insn.name = mnemonic;
		vmx_set_next_rip(read_field, exit);
		return;
	}
	exit->reason = HAL_EXIT_UNHANDLED;
	format(exit->detail, sizeof(exit->detail),
	       "VMX exit reason %u (%s), qualification 0x%llx", basic,
	       vmx_exit_reason_name(basic),
	       (unsigned long long)read_field(VMCS_EXIT_QUALIFICATION));
}

/*
 * A MOV to or from CR0, CR3 or CR4 (qualification: bits 3:0 the register,
 * 5:4 the access type, 11:8 the GPR; SDM vol. 3C table 28-3) is shadow
 * paging's to emulate; the core ends a nested-paging guest that causes
 * one (only CR0.CD/NW exit then). CR8, CLTS and LMSW stay forbidden.
 */
static void decode_cr_access(uint32_t basic, vmx_field_reader read_field,
			     struct hal_exit *exit)
{
	uint64_t qual = read_field(VMCS_EXIT_QUALIFICATION);
	unsigned cr = qual & 15u, type = (qual >> 4) & 3u;

	if ((cr != 0 && cr != 3 && cr != 4) || type > 1) {
		decode_unhandled(basic, read_field, exit);
		return;
	}
	exit->reason = HAL_EXIT_CR_ACCESS;
	exit->cr.cr = (uint8_t)cr;
	exit->cr.is_write = type == 0;
	exit->cr.gpr = (uint8_t)((qual >> 8) & 15u);
	vmx_set_next_rip(read_field, exit);
}

void vmx_decode_exit(uint32_t exit_reason, vmx_field_reader read_field,
		     const uint64_t gpr[HAL_GPR_COUNT], struct hal_exit *exit)
{
	uint32_t basic = exit_reason & VMX_EXIT_REASON_BASIC_MASK;

	if (vmx_decode_fast(exit_reason, read_field, exit))
		return;
	exit->vendor_code = basic;
	exit->rip = read_field(VMCS_GUEST_RIP);
	exit->next_rip = 0;
	exit->detail[0] = '\0';
	if (exit_reason & VMX_EXIT_REASON_ENTRY_FAILED) {
		decode_entry_failure(basic, read_field, exit);
		return;
	}
	switch (basic) {
	case VMX_EXIT_IO:
		vmx_decode_io(read_field, exit);
		break;
	case VMX_EXIT_CPUID:
		exit->reason = HAL_EXIT_CPUID;
		vmx_set_next_rip(read_field, exit);
		break;
	case VMX_EXIT_HLT:
		exit->reason = HAL_EXIT_HLT;
		vmx_set_next_rip(read_field, exit);
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		exit->reason = basic == VMX_EXIT_RDMSR ? HAL_EXIT_MSR_READ :
			HAL_EXIT_MSR_WRITE;
		exit->msr.index = (uint32_t)gpr[HAL_REG_RCX];
		exit->msr.value = (gpr[HAL_REG_RDX] << 32) |
			(gpr[HAL_REG_RAX] & 0xffffffffu);
		vmx_set_next_rip(read_field, exit);
		break;
	case VMX_EXIT_EPT_VIOLATION:
		decode_ept_violation(read_field, exit);
		break;
	case VMX_EXIT_EPT_MISCONFIG:
		exit->reason = HAL_EXIT_UNHANDLED;
		format(exit->detail, sizeof(exit->detail),
		       "EPT misconfiguration at gpa 0x%llx: Skiff built a bad EPT entry",
		       (unsigned long long)read_field(VMCS_GUEST_PHYSICAL_ADDRESS));
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		exit->reason = HAL_EXIT_TRIPLE_FAULT;
		break;
	case VMX_EXIT_PREEMPTION_TIMER:
		exit->reason = HAL_EXIT_SLICE_END;
		break;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
		exit->reason = HAL_EXIT_EXTERNAL_INTR;
		break;
	case VMX_EXIT_EXCEPTION_OR_NMI:
		decode_exception_or_nmi(read_field, exit);
		break;
	case VMX_EXIT_CR_ACCESS:
		decode_cr_access(basic, read_field, exit);
		break;
	case VMX_EXIT_INVLPG:
		exit->reason = HAL_EXIT_INVLPG;
		exit->invlpg.address = read_field(VMCS_EXIT_QUALIFICATION);
		exit->invlpg.known = true;
		vmx_set_next_rip(read_field, exit);
		break;
	case VMX_EXIT_INVPCID:
		/* With "enable INVPCID" and INVLPG exiting (shadow paging). */
		exit->reason = HAL_EXIT_INVPCID;
		vmx_set_next_rip(read_field, exit);
		break;
	default:
		decode_unhandled(basic, read_field, exit);
		break;
	}
}

void vmx_decode_vmfail(const char *insn, bool valid_vmcs, uint32_t insn_error,
		       struct hal_exit *exit)
{
	exit->reason = HAL_EXIT_ENTRY_FAILED;
	exit->vendor_code = insn_error;
	exit->next_rip = 0;
	if (valid_vmcs)
		format(exit->detail, sizeof(exit->detail), "%s failed: error %u: %s",
		       insn, insn_error, vmx_instruction_error_text(insn_error));
	else
		format(exit->detail, sizeof(exit->detail),
		       "%s failed: no current VMCS (VMfailInvalid)", insn);
}
