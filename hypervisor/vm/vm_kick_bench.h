/*
 * vm_kick_bench.h - the cross-CPU invalidation round trip as a benchmark
 * (kick_bench=N on Skiff's command line; bench/kick_bench.py,
 * docs/benchmarks.md "Cross-CPU invalidation round trip").
 *
 * The guest (tests/guests/spin, mode "kicked") writes KICK_BENCH_MAGIC at
 * the first page above its image (its heap's start, which Skiff knows as
 * kernel_end rounded up to a page) and then only reads that word, in guest
 * mode, until it changes. Another CPU takes that page through the one
 * invalidation path N times while the guest runs on another CPU: each
 * round narrows it to read-only with mem_remove (the guest's CPU is in the
 * guest, so it is kicked out and waited for) and widens it again (widening
 * invalidates nothing). Then it clears the word, and the guest ends.
 */
#ifndef SKIFF_VM_KICK_BENCH_H
#define SKIFF_VM_KICK_BENCH_H

#include <stdint.h>

struct vm;

/* The word the guest writes at its heap's first page and waits on. */
#define KICK_BENCH_MAGIC UINT64_C(0x6b69636b62656e63)   /* "kickbenc" */

/*
 * vm_kick_bench: call on every CPU before its scheduler loop. The first
 * live guest of vms[0..count) with nested paging is the target; CPU 0
 * measures (CPU 1 when the guest is on CPU 0), every other CPU returns at
 * once. Runs rounds rounds and logs per round the TSC ticks the measuring
 * CPU spent in mem_remove less those it spent waiting for the other CPU,
 * and the guest's exits meanwhile (lines "kick bench: ..."). Logs why and
 * returns when there is no such guest, the guest does not write the word
 * within 60 s of TSC time, or it stops running (ends, or leaves guest mode
 * for 60 s). The guest is left to end by itself.
 */
void vm_kick_bench(struct vm *const *vms, unsigned count, unsigned rounds);

/*
 * vm_kick_bench_slice: kick_bench's one-CPU mode; call right before each
 * slice of vm enters the guest, after the host's last window for
 * interrupts. Does nothing unless Skiff runs on one CPU and vm has nested
 * paging. Once the guest wrote the word, slices come in threes: plain; one
 * that starts with a round (mem_remove narrowing the page: this CPU's
 * flush becomes due, no CPU to kick); one that starts with a round and the
 * kick IPI sent to this CPU (smp_kick_self), which ends guest mode right
 * after the entry. Each stretch is timed (TSC ticks, one per instruction
 * on one CPU under Bochs sync=none and QEMU -icount). After rounds (at
 * most 64) slices of each kind it logs the figures ("kick bench: one CPU:
 * ...") and clears the word, and the guest ends.
 */
void vm_kick_bench_slice(struct vm *vm, unsigned rounds);

#endif
