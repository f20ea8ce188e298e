/*
 * vm_ring_tick.h - serving a guest's NET rings while it runs: a guest with
 * an active ring is interrupted every NET_RING_TICK_NS of its slice (not
 * only at the slice's end), so that frames reach and leave a guest that
 * spins on its ring without ever exiting within a tick, not a slice.
 */
#ifndef SKIFF_VM_VM_RING_TICK_H
#define SKIFF_VM_VM_RING_TICK_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/vm/vm.h"

#define NET_RING_TICK_NS 1000000u   /* 1 ms, as the idle CPU's uplink poll */

/*
 * vm_first_timer_tsc: the TSC ticks to arm before vm enters for a slice of
 * slice_tsc: the slice, or one ring tick when vm has an active ring and the
 * tick is shorter. Never 0 for a non-zero slice.
 */
uint64_t vm_first_timer_tsc(struct vm *vm, uint64_t slice_tsc);

/*
 * vm_ring_tick: vm's timer fired (its slice timer or a ring tick). When its
 * slice is not over and it has an active ring, the uplink is polled (on the
 * boot CPU, which owns the NIC), the timer re-armed for the next tick or
 * the rest of the slice, whichever is first, and true returned: vm keeps
 * the CPU (the caller serves its rings after the exit, as after any exit).
 * Otherwise counts the slice and returns false (vm yields).
 */
bool vm_ring_tick(struct vm *vm);

#endif
