/*
 * svm_vcpu.h - vCPU creation and destruction. Private to x86_svm/.
 */
#ifndef SKIFF_SVM_VCPU_H
#define SKIFF_SVM_VCPU_H

#include "hal/hal.h"

/*
 * svm_vcpu_create: a VMCB and register block for vcpu, starting in *boot,
 * with an ASID of its own and vcpu->nested as its nested page table.
 * Needs svm_cpu_init done (else -EINVAL). -EBUSY when every ASID is taken,
 * -ENOMEM when out of frames; nothing is left allocated on failure.
 */
int svm_vcpu_create(struct vcpu *vcpu, const struct hal_boot_state *boot);

/* svm_vcpu_destroy: free what svm_vcpu_create took; NULL backend is a no-op. */
void svm_vcpu_destroy(struct vcpu *vcpu);

/*
 * svm_vcpu_leave_cpu / svm_vcpu_arrive_cpu: hal.h's vcpu_leave_cpu and
 * vcpu_arrive_cpu. Leaving saves the CR2 this CPU holds for the vCPU;
 * arriving drops the old CPU's ASID and asks for a flush at the next VMRUN.
 * The host save area and host-state VMCB are the running CPU's at every
 * entry already (svm_ops.c).
 */
void svm_vcpu_leave_cpu(struct vcpu *vcpu);
void svm_vcpu_arrive_cpu(struct vcpu *vcpu);

#endif
