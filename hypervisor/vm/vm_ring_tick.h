/*
 * vm_ring_tick.h - the timer of a running guest: its slice's end, ring
 * ticks and wake-ups. A guest with an active ring is interrupted every
 * NET_RING_TICK_NS of its slice (not only at the slice's end), so that
 * frames reach and leave a guest that spins on its ring without ever
 * exiting within a tick, not a slice. A guest of the same CPU woken from
 * POLL (a frame from another CPU, or its POLL deadline) takes the CPU
 * once the running guest has had WAKE_MIN_RUN_NS of its slice, not at the
 * slice's end (docs/smp.md, "Wake-ups").
 */
#ifndef SKIFF_VM_VM_RING_TICK_H
#define SKIFF_VM_VM_RING_TICK_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/vm/vm.h"

#define NET_RING_TICK_NS 1000000u   /* 1 ms, as the idle CPU's uplink poll */
/* What a running guest keeps of its slice however often others wake: a
 * flood of wake-ups cannot take its CPU away, and a wake-up waits at most
 * this long (plus the exit). */
#define WAKE_MIN_RUN_NS 500000u

/*
 * vm_first_timer_tsc: the TSC ticks to arm before vm enters for its slice
 * (vm->slice_start and vm->slice_deadline set, and this CPU's
 * sleeper_wake_tsc: the earliest POLL deadline of its sleeping guests):
 * the slice, or the first ring tick, or the moment a sleeper due then may
 * take the CPU, whichever is first. Never 0.
 */
uint64_t vm_first_timer_tsc(struct vm *vm);

/*
 * vm_timer_exit: vm left guest mode for an interrupt (timer_fired: its
 * timer's, a slice end or ring tick; otherwise another one, taken already,
 * such as a kick) on its own CPU. Returns false when vm yields the CPU:
 * its slice is over (counted in vm->slices), or a guest of this CPU woken
 * meanwhile is to run now (counted in vm->slices_cut; the CPU's
 * cut_for_wake and wake_due set for the scheduler). Otherwise true: the
 * uplink is polled on a ring tick, the timer re-armed for the next of
 * these events, and vm runs on.
 */
bool vm_timer_exit(struct vm *vm, bool timer_fired);

#endif
