/*
 * svm_exit_names.c - the APM's names of SVM exit codes, for messages.
 * Only the slow paths (unknown or forbidden exits) look here.
 */
#include "svm.h"

static const struct {
	uint64_t code;
	const char *name;
} exit_names[] = {
	{ 0x020, "MOV DR (read DR0)" }, { 0x021, "MOV DR (read DR1)" }, { 0x022, "MOV DR (read DR2)" },
	{ 0x023, "MOV DR (read DR3)" }, { 0x024, "MOV DR (read DR4)" }, { 0x025, "MOV DR (read DR5)" },
	{ 0x026, "MOV DR (read DR6)" }, { 0x027, "MOV DR (read DR7)" },
	{ 0x030, "MOV DR (write DR0)" }, { 0x031, "MOV DR (write DR1)" }, { 0x032, "MOV DR (write DR2)" },
	{ 0x033, "MOV DR (write DR3)" }, { 0x034, "MOV DR (write DR4)" }, { 0x035, "MOV DR (write DR5)" },
	{ 0x036, "MOV DR (write DR6)" }, { 0x037, "MOV DR (write DR7)" },
	{ SVM_EXIT_INTR, "INTR" },
	{ SVM_EXIT_NMI, "NMI" },
	{ SVM_EXIT_SMI, "SMI" },
	{ SVM_EXIT_INIT, "INIT" },
	{ SVM_EXIT_VINTR, "VINTR" },
	{ 0x065, "CR0_SEL_WRITE" },
	{ 0x066, "IDTR_READ" },
	{ 0x067, "GDTR_READ" },
	{ 0x068, "LDTR_READ" },
	{ 0x069, "TR_READ" },
	{ 0x06a, "IDTR_WRITE" },
	{ 0x06b, "GDTR_WRITE" },
	{ 0x06c, "LDTR_WRITE" },
	{ 0x06d, "TR_WRITE" },
	{ SVM_EXIT_RDTSC, "RDTSC" },
	{ SVM_EXIT_RDPMC, "RDPMC" },
	{ 0x070, "PUSHF" },
	{ 0x071, "POPF" },
	{ SVM_EXIT_CPUID, "CPUID" },
	{ SVM_EXIT_RSM, "RSM" },
	{ 0x074, "IRET" },
	{ 0x075, "SWINT" },
	{ SVM_EXIT_INVD, "INVD" },
	{ SVM_EXIT_PAUSE, "PAUSE" },
	{ SVM_EXIT_HLT, "HLT" },
	{ SVM_EXIT_INVLPG, "INVLPG" },
	{ SVM_EXIT_INVLPGA, "INVLPGA" },
	{ SVM_EXIT_IOIO, "IOIO" },
	{ SVM_EXIT_MSR, "MSR" },
	{ SVM_EXIT_TASK_SWITCH, "TASK_SWITCH" },
	{ SVM_EXIT_FERR_FREEZE, "FERR_FREEZE" },
	{ SVM_EXIT_SHUTDOWN, "SHUTDOWN" },
	{ SVM_EXIT_VMRUN, "VMRUN" },
	{ SVM_EXIT_VMMCALL, "VMMCALL" },
	{ SVM_EXIT_VMLOAD, "VMLOAD" },
	{ SVM_EXIT_VMSAVE, "VMSAVE" },
	{ SVM_EXIT_STGI, "STGI" },
	{ SVM_EXIT_CLGI, "CLGI" },
	{ SVM_EXIT_SKINIT, "SKINIT" },
	{ SVM_EXIT_RDTSCP, "RDTSCP" },
	{ SVM_EXIT_ICEBP, "ICEBP" },
	{ SVM_EXIT_WBINVD, "WBINVD" },
	{ SVM_EXIT_MONITOR, "MONITOR" },
	{ SVM_EXIT_MWAIT, "MWAIT" },
	{ SVM_EXIT_MWAIT_CONDITIONAL, "MWAIT_CONDITIONAL" },
	{ SVM_EXIT_XSETBV, "XSETBV" },
	{ SVM_EXIT_RDPRU, "RDPRU" },
	{ 0x08f, "EFER_WRITE_TRAP" },
	{ 0x0a0, "INVLPGB" },
	{ 0x0a1, "INVLPGB_ILLEGAL" },
	{ 0x0a2, "INVPCID" },
	{ 0x0a3, "MCOMMIT" },
	{ 0x0a4, "TLBSYNC" },
	{ SVM_EXIT_NPF, "NPF" },
	{ 0x401, "AVIC_INCOMPLETE_IPI" },
	{ 0x402, "AVIC_NOACCEL" },
	{ 0x403, "VMGEXIT" },
	{ SVM_EXIT_INVALID, "INVALID" },
	{ SVM_EXIT_BUSY, "BUSY" },
};

const char *svm_exit_name(uint64_t code)
{
	/* Low 32 bits only: QEMU stores -1 as 0xffffffff (see vmcb.h). */
	for (size_t i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if ((uint32_t)exit_names[i].code == (uint32_t)code)
			return exit_names[i].name;
	return NULL;
}
