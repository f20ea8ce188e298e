/*
 * vmx_lazy_state.h - guest state that VMX neither switches nor intercepts.
 *
 * CR2 is written by the CPU on the guest's own page faults, and SWAPGS
 * exchanges GS base with IA32_KERNEL_GS_BASE without an exit; the VMCS
 * holds neither. The host uses neither (it takes no page faults outside a
 * panic and never executes SWAPGS), so a guest's values stay in the CPU
 * across its exits and are swapped only when a different vCPU becomes
 * current: nothing on the exit path. Without the swap, one guest would read
 * and overwrite another's values.
 */
#ifndef SKIFF_VMX_LAZY_STATE_H
#define SKIFF_VMX_LAZY_STATE_H

#include <stdint.h>

struct vmx_vcpu;

/* vmx_lazy_state_load: v becomes current: the CPU must hold v's values. */
void vmx_lazy_state_load(struct vmx_vcpu *v);

/* vmx_lazy_state_forget: v is going away; its values need no saving. */
void vmx_lazy_state_forget(struct vmx_vcpu *v);

/* vmx_lazy_state_save: v moves to another CPU: the values this CPU holds
 * for v go back into v, and this CPU holds no one's. */
void vmx_lazy_state_save(struct vmx_vcpu *v);

/* vmx_lazy_cr2 / vmx_lazy_set_cr2: v's CR2, wherever it is now. */
uint64_t vmx_lazy_cr2(const struct vmx_vcpu *v);
void vmx_lazy_set_cr2(struct vmx_vcpu *v, uint64_t value);

#endif
