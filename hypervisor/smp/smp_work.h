/*
 * smp_work.h - the boot CPU handing work to an AP.
 *
 * An AP whose backend is on waits in smp_ap_serve for one function at a
 * time. The boot CPU uses it to build a guest on the CPU that will run it
 * (a VMCS's host state and a tag pool are that CPU's) and to start each
 * AP's scheduler loop. Only the boot CPU posts work.
 */
#ifndef SKIFF_SMP_WORK_H
#define SKIFF_SMP_WORK_H

#include <stdbool.h>

#include "hypervisor/smp/percpu.h"

/*
 * smp_post: have CPU index run fn(arg), without waiting. Needs: called on
 * the boot CPU; index a started CPU (smp_cpu not NULL) other than 0 whose
 * previous work is done (smp_done); else it panics, as that is Skiff's bug.
 */
void smp_post(unsigned index, void (*fn)(void *arg), void *arg);

/* smp_done: whether CPU index has no posted work left running. */
bool smp_done(unsigned index);

/*
 * smp_call: run fn(arg) on CPU index and return when it returned: directly
 * on index 0 (the caller), through smp_post and a wait on an AP.
 */
void smp_call(unsigned index, void (*fn)(void *arg), void *arg);

/* smp_ap_serve: the AP's loop running posted work; never returns. */
__attribute__((noreturn)) void smp_ap_serve(struct percpu *cpu);

#endif
