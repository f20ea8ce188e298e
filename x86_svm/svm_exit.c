/*
 * svm_exit.c - from the VMCB's exit record to Skiff's vendor-neutral one.
 *
 * This runs on every exit, so the common reasons (I/O hypercalls, CPUID,
 * HLT, MSRs, nested page faults) are decoded by one switch with no table
 * look-up or formatting; only rare exits format a message into detail.
 * Those rare paths are kept out of line (RARE), so the common ones run
 * without their register saves and calls.
 */
#include "lib/format.h"
#include "svm.h"
#include "svm_decode_fast.h"

/* An exit kind that ends the guest: out of the common path's way. */
#define RARE __attribute__((cold, noinline))

/*
 * Instruction lengths for CPUs without NRIP save (QEMU's TCG among them).
 * These exits come from instructions with one fixed encoding; a guest that
 * pads them with redundant prefixes gets its RIP advanced too little and
 * re-executes the prefix bytes' tail, which faults in the guest only.
 */
#define LEN_HLT 1      /* f4 */
#define LEN_MSR 2      /* 0f 32 / 0f 30 */
#define LEN_0F01 3     /* 0f 01 xx: VMRUN, VMMCALL, ..., MONITOR, MWAIT, XSETBV */
#define LEN_0F 2       /* 0f xx: INVD, RSM */

static void decode_npf(const struct vmcb_control *c, struct hal_exit *exit)
{
	uint64_t info = c->exit_info1;

	exit->reason = HAL_EXIT_NESTED_FAULT;
	exit->npf.gpa = c->exit_info2;
	if (info & SVM_NPF_WRITE)
		exit->npf.access = HAL_ACCESS_WRITE;
	else if (info & SVM_NPF_FETCH)
		exit->npf.access = HAL_ACCESS_EXEC;
	else
		exit->npf.access = HAL_ACCESS_READ;
	exit->npf.mapped = (info & SVM_NPF_PRESENT) != 0;
}

static void decode_msr(const struct vmcb *vmcb, const uint64_t gpr[HAL_GPR_COUNT],
		       const struct svm_caps *caps, struct hal_exit *exit)
{
	bool is_write = vmcb->control.exit_info1 == 1;

	exit->reason = is_write ? HAL_EXIT_MSR_WRITE : HAL_EXIT_MSR_READ;
	exit->msr.index = (uint32_t)gpr[HAL_REG_RCX];
	exit->msr.value = is_write ? (gpr[HAL_REG_RDX] << 32) |
		(uint32_t)gpr[HAL_REG_RAX] : 0;
	exit->next_rip = svm_next_rip(vmcb, caps, LEN_MSR);
}

bool svm_exception_has_error(uint8_t vector)
{
	const uint32_t with_error = (1u << 8) | (1u << 10) | (1u << 11) |
		(1u << 12) | (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21) |
		(1u << 29) | (1u << 30);
	return vector < 32 && ((with_error >> vector) & 1u);
}

RARE static void decode_exception(const struct vmcb_control *c, struct hal_exit *exit)
{
	uint8_t vector = (uint8_t)(c->exit_code - SVM_EXIT_EXCEPTION_BASE);

	exit->reason = HAL_EXIT_EXCEPTION;
	exit->exception.vector = vector;
	exit->exception.has_error = svm_exception_has_error(vector);
	exit->exception.error = exit->exception.has_error ? (uint32_t)c->exit_info1 : 0;
	exit->exception.address = c->exit_info2;  /* #PF: the faulting address */
}

/*
 * The INTn intercept is on only for a guest under the debugger
 * (svm_debug.c), because QEMU's SVM takes it for INT3 where a CPU raises
 * #BP: reported as the #BP it stands for, RIP at the instruction.
 */
RARE static void decode_software_interrupt(struct hal_exit *exit)
{
	exit->reason = HAL_EXIT_EXCEPTION;
	exit->exception.vector = 3;
	exit->exception.has_error = false;
	exit->exception.error = 0;
}

RARE static void decode_forbidden(const struct vmcb *vmcb, const struct svm_caps *caps,
			     unsigned length, struct hal_exit *exit)
{
	exit->reason = HAL_EXIT_FORBIDDEN_INSN;
	exit->insn.name = svm_exit_name(vmcb->control.exit_code);  /* a name: never NULL here */
	exit->next_rip = svm_next_rip(vmcb, caps, length);
}

void svm_entry_state_save(struct svm_entry_state *e, const struct vmcb *vmcb)
{
	e->cs_attrib = vmcb->save.cs.attrib;
	e->efer = vmcb->save.efer;
	e->cr0 = vmcb->save.cr0;
	e->cr3 = vmcb->save.cr3;
	e->cr4 = vmcb->save.cr4;
	e->dr6 = vmcb->save.dr6;
	e->dr7 = vmcb->save.dr7;
	e->valid = true;
}

static void entry_state_restore(struct vmcb *vmcb, const struct svm_entry_state *e)
{
	vmcb->save.cs.attrib = e->cs_attrib;
	vmcb->save.efer = e->efer;
	vmcb->save.cr0 = e->cr0;
	vmcb->save.cr3 = e->cr3;
	vmcb->save.cr4 = e->cr4;
	vmcb->save.dr6 = e->dr6;
	vmcb->save.dr7 = e->dr7;
}

RARE static void decode_entry_failure(const struct vmcb *vmcb, const struct svm_caps *caps,
				 const struct svm_entry_state *entry, struct hal_exit *exit)
{
	/* The refused VMCB, rebuilt; static: one CPU, and too big for the stack. */
	static struct vmcb refused;

	refused = *vmcb;
	if (entry && entry->valid)
		entry_state_restore(&refused, entry);
	const char *rule = svm_check_vmcb(&refused, caps);

	exit->reason = HAL_EXIT_ENTRY_FAILED;
	if (rule)
		format(exit->detail, sizeof(exit->detail), "VMEXIT_INVALID: %s", rule);
	else
		format(exit->detail, sizeof(exit->detail),
		       "VMEXIT_INVALID: VMCB passes every check Skiff knows");
}

RARE static void decode_unhandled(const struct vmcb_control *c, struct hal_exit *exit)
{
	const char *name = svm_exit_name(c->exit_code);

	exit->reason = HAL_EXIT_UNHANDLED;
	format(exit->detail, sizeof(exit->detail), "SVM exit 0x%llx (%s), info 0x%llx 0x%llx",
	       (unsigned long long)c->exit_code, name ? name : "unknown",
	       (unsigned long long)c->exit_info1, (unsigned long long)c->exit_info2);
}

void svm_decode_exit(const struct vmcb *vmcb, const uint64_t gpr[HAL_GPR_COUNT],
		     const struct svm_caps *caps, const struct svm_entry_state *entry,
		     struct hal_exit *exit)
{
	const struct vmcb_control *c = &vmcb->control;

	if (svm_decode_fast(vmcb, caps, exit))
		return;
	exit->vendor_code = c->exit_code;
	exit->rip = vmcb->save.rip;
	exit->next_rip = 0;
	exit->detail[0] = '\0';
	switch ((uint32_t)c->exit_code) {  /* see SVM_EXIT_INVALID in vmcb.h */
	case SVM_EXIT_NPF: decode_npf(c, exit); return;
	case SVM_EXIT_MSR: decode_msr(vmcb, gpr, caps, exit); return;
	case SVM_EXIT_HLT:
		exit->reason = HAL_EXIT_HLT;
		exit->next_rip = svm_next_rip(vmcb, caps, LEN_HLT);
		return;
	case SVM_EXIT_SHUTDOWN: exit->reason = HAL_EXIT_TRIPLE_FAULT; return;
	case SVM_EXIT_SWINT: decode_software_interrupt(exit); return;
	case SVM_EXIT_INTR: exit->reason = HAL_EXIT_EXTERNAL_INTR; return;
	/*
	 * An intercepted SMI stays pending and is taken by the host as soon as
	 * GIF is set again: for the guest it is just like an interrupt.
	 */
	case SVM_EXIT_SMI: exit->reason = HAL_EXIT_EXTERNAL_INTR; return;
	case SVM_EXIT_NMI: exit->reason = HAL_EXIT_NMI; return;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMMCALL: case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI: case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA: case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT: case SVM_EXIT_MWAIT_CONDITIONAL: case SVM_EXIT_XSETBV:
		decode_forbidden(vmcb, caps, LEN_0F01, exit);
		return;
	case SVM_EXIT_INVD: case SVM_EXIT_RSM: case SVM_EXIT_RDPMC: case SVM_EXIT_WBINVD:
		decode_forbidden(vmcb, caps, LEN_0F, exit);
		return;
	case (uint32_t)SVM_EXIT_INVALID: decode_entry_failure(vmcb, caps, entry, exit); return;
	default:
		break;
	}
	if (svm_decode_shadow_exit(vmcb, caps, exit))
		return;
	if (c->exit_code >= SVM_EXIT_EXCEPTION_BASE && c->exit_code < SVM_EXIT_EXCEPTION_BASE + 32)
		decode_exception(c, exit);
	else if (c->exit_code >= SVM_EXIT_DR_BASE && c->exit_code < SVM_EXIT_DR_BASE + 32)
		decode_forbidden(vmcb, caps, LEN_0F, exit);
	else
		decode_unhandled(c, exit);
}
