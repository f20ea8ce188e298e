/*
 * vmx_caps.h - what this CPU's VMX can do, read once by probe, and the
 * control values every VMCS of this backend uses.
 */
#ifndef SKIFF_VMX_CAPS_H
#define SKIFF_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmx_caps {
	uint32_t revision;          /* VMCS / VMXON region revision identifier */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid_cap;      /* 0 when the CPU has neither EPT nor VPID */
	bool vpid;                  /* VPID enabled (and INVVPID usable) */
	bool ept;                   /* EPT usable: else guests use shadow paging */
	bool invept_single;         /* else INVEPT all-context */
	bool invvpid_single;        /* else INVVPID all-context */
	/* Control values, combined with the allowed-0/allowed-1 settings. */
	uint32_t pin, proc, proc2, exit, entry;
	/* The preemption timer counts down once every 2^shift TSC ticks. */
	unsigned preemption_timer_shift;
};

/* The capabilities of this CPU, valid after vmx_caps_read succeeded. */
extern struct vmx_caps vmx_caps;

/* Reads one MSR (RDMSR, or a fake in host tests). */
typedef uint64_t (*vmx_msr_reader)(uint32_t msr);

/*
 * vmx_caps_read: read the VMX capability MSRs through read_msr, on a CPU
 * whose CPUID already reported VMX, and fill *caps. Optional MSRs are
 * read only after the MSRs that announce them (reading an absent MSR
 * raises #GP). Returns true, or false with every missing feature listed
 * in why (why_len bytes, NUL-terminated); *caps is then incomplete.
 */
bool vmx_caps_read(vmx_msr_reader read_msr, struct vmx_caps *caps,
		   char *why, size_t why_len);

#endif
