/*
 * svm_cpu.h - per-CPU SVM state set up by svm_cpu_init. Private to x86_svm/.
 */
#ifndef SKIFF_SVM_CPU_H
#define SKIFF_SVM_CPU_H

#include <stdint.h>

/* Host-physical addresses of the shared permission maps (0 before init). */
extern uint64_t svm_iopm_pa;
extern uint64_t svm_msrpm_pa;

/*
 * svm_cpu_init: probe if not yet done, then EFER.SVME (and NXE), VM_HSAVE_PA,
 * the permission maps and the host-state VMCB. 0, -ENOTSUP when the CPU
 * cannot do SVM with nested paging, -ENOMEM when out of frames. Calling it
 * again after success does nothing.
 */
int svm_cpu_init(void);

/*
 * svm_cpu_init_ap: hal.h cpu_init_ap: EFER.SVME (and NXE) and a host save
 * area of the calling CPU's own; *per_cpu gets the host-physical address
 * of its host-state VMCB (the world switch of a guest run on this CPU must
 * use that one, not the boot CPU's svm_host_vmcb_pa).
 */
int svm_cpu_init_ap(void **per_cpu);

#endif
