/*
 * vmx_shadow.h - what VMX adds for shadow paging (hal.h, vcpu.shadow_paging).
 */
#ifndef SKIFF_VMX_SHADOW_H
#define SKIFF_VMX_SHADOW_H

#include <stdint.h>

#include "hal/hal.h"

/*
 * vmx_shadow_controls: on the current VMCS (whose other controls
 * vmx_vmcs.c wrote), turn EPT off and ask for CR3-load and CR3-store
 * exiting, INVLPG exiting, #PF in the exception bitmap and the paging
 * bits of CR0 and CR4 owned by the host. 0 or -EINVAL (logged).
 */
int vmx_shadow_controls(void);

/* vmx_shadow_load_root: hal_ops.shadow_load_root for VMX. */
void vmx_shadow_load_root(struct vcpu *vcpu, uint64_t root_hpa);

/* vmx_has_nested_paging: hal_ops.has_nested_paging for VMX. */
bool vmx_has_nested_paging(void);

#endif
