/*
 * cpuid_policy.h - what a guest sees when it executes CPUID.
 */
#ifndef SKIFF_CPUID_POLICY_H
#define SKIFF_CPUID_POLICY_H

#include <stdint.h>

#include "hypervisor/cpu.h"

/*
 * cpuid_policy_apply: turn the host's answer r for (leaf, subleaf) into the
 * guest's: no VMX or SVM (guests cannot nest), no XSAVE/OSXSAVE/AVX (Skiff
 * does not switch extended state, only FXSAVE state), no MONITOR/MWAIT, the
 * hypervisor-present bit set, and Skiff's signature at 0x40000000. Pure
 * function of its inputs.
 */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

#endif
