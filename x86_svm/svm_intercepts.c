/*
 * svm_intercepts.c - what a guest may not do without Skiff seeing it.
 *
 * The whole intercept policy is the one table below (APM vol. 2, VMCB
 * control area, offsets 0x00c and 0x010). Everything a unikernel has no
 * business doing traps: port I/O and MSRs (through the permission maps),
 * the SVM instructions themselves, cache and power-management instructions
 * that affect the host, and SHUTDOWN so a triple fault ends the guest
 * rather than resetting the machine. Physical interrupts, NMIs, SMIs and
 * INITs exit so that the host, not the guest, sees them.
 *
 * #DF is intercepted because Bochs 2.7 never takes the SHUTDOWN intercept:
 * a guest's triple fault stops the whole emulator. svm_ops.c hands the #DF
 * back to the guest when its IDT can take it and reports a triple fault
 * when it cannot, which is what a real CPU would do next.
 */
#include "svm.h"

const struct svm_intercept svm_intercepts[] = {
	/*
	 * The debug registers: VMRUN switches DR6 and DR7 but not DR0-DR3, so
	 * guests may not touch any (docs/threat-model.md).
	 */
	{ "DR0 read", VMCB_WORD_DR, 0 },  { "DR1 read", VMCB_WORD_DR, 1 },
	{ "DR2 read", VMCB_WORD_DR, 2 },  { "DR3 read", VMCB_WORD_DR, 3 },
	{ "DR4 read", VMCB_WORD_DR, 4 },  { "DR5 read", VMCB_WORD_DR, 5 },
	{ "DR6 read", VMCB_WORD_DR, 6 },  { "DR7 read", VMCB_WORD_DR, 7 },
	{ "DR0 write", VMCB_WORD_DR, 16 }, { "DR1 write", VMCB_WORD_DR, 17 },
	{ "DR2 write", VMCB_WORD_DR, 18 }, { "DR3 write", VMCB_WORD_DR, 19 },
	{ "DR4 write", VMCB_WORD_DR, 20 }, { "DR5 write", VMCB_WORD_DR, 21 },
	{ "DR6 write", VMCB_WORD_DR, 22 }, { "DR7 write", VMCB_WORD_DR, 23 },
	{ "#DF",         VMCB_WORD_EXCEPTION, 8 },
	{ "#MC",         VMCB_WORD_EXCEPTION, 18 },  /* Skiff's to report, not the guest's */
	{ "INTR",        VMCB_WORD_MISC1, 0 },
	{ "NMI",         VMCB_WORD_MISC1, 1 },
	{ "SMI",         VMCB_WORD_MISC1, 2 },
	{ "INIT",        VMCB_WORD_MISC1, 3 },
	{ "RDPMC",       VMCB_WORD_MISC1, 15 },  /* counters count for everyone */
	{ "CPUID",       VMCB_WORD_MISC1, 18 },
	{ "RSM",         VMCB_WORD_MISC1, 19 },
	{ "INVD",        VMCB_WORD_MISC1, 22 },
	{ "HLT",         VMCB_WORD_MISC1, 24 },
	{ "INVLPGA",     VMCB_WORD_MISC1, 26 },
	{ "IOIO_PROT",   VMCB_WORD_MISC1, 27 },
	{ "MSR_PROT",    VMCB_WORD_MISC1, 28 },
	{ "task switch", VMCB_WORD_MISC1, 29 },
	{ "FERR_FREEZE", VMCB_WORD_MISC1, 30 },
	{ "SHUTDOWN",    VMCB_WORD_MISC1, 31 },
	{ "VMRUN",       VMCB_WORD_MISC2, 0 },  /* VMRUN fails without it */
	{ "VMMCALL",     VMCB_WORD_MISC2, 1 },
	{ "VMLOAD",      VMCB_WORD_MISC2, 2 },
	{ "VMSAVE",      VMCB_WORD_MISC2, 3 },
	{ "STGI",        VMCB_WORD_MISC2, 4 },
	{ "CLGI",        VMCB_WORD_MISC2, 5 },
	{ "SKINIT",      VMCB_WORD_MISC2, 6 },
	{ "WBINVD",      VMCB_WORD_MISC2, 9 },   /* flushes the host's caches too */
	{ "MONITOR",     VMCB_WORD_MISC2, 10 },
	{ "MWAIT",       VMCB_WORD_MISC2, 11 },
	{ "MWAIT armed", VMCB_WORD_MISC2, 12 },
	{ "XSETBV",      VMCB_WORD_MISC2, 13 },
};

const size_t svm_intercept_count = sizeof(svm_intercepts) / sizeof(svm_intercepts[0]);

void svm_set_intercepts(struct vmcb_control *c)
{
	for (unsigned w = 0; w < VMCB_INTERCEPT_WORDS; w++)
		c->intercept[w] = 0;
	for (size_t i = 0; i < svm_intercept_count; i++)
		c->intercept[svm_intercepts[i].word] |= UINT32_C(1) << svm_intercepts[i].bit;
}
