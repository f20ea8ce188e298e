/*
 * balance.h - moving runnable guests to idle CPUs (docs/smp.md, "Balancing").
 *
 * Each CPU keeps its own queue (the VMs whose vm->cpu names it). A CPU with
 * nothing to run says so here before it halts; a CPU with more than one
 * runnable guest hands one to such an idle CPU at its next scheduling point
 * and wakes it with the wake IPI. The owner does the move because only the
 * CPU that ran a vCPU can unload it (VMCLEAR on VMX).
 */
#ifndef SKIFF_BALANCE_H
#define SKIFF_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/*
 * balance_init: turn balancing on when on is true (balance=1, several CPUs
 * and a working APIC timer, whose halt the wake IPI ends). Before the
 * loops start, on the boot CPU.
 */
void balance_init(bool on);

/* balance_idle_enter / balance_idle_leave: the calling CPU is about to
 * halt with nothing to run / is awake again. Interrupts disabled. */
void balance_idle_enter(void);
void balance_idle_leave(void);

/*
 * balance_share: at a scheduling point of the calling CPU, which is about
 * to run next: while some CPU is idle, move one of the caller's other
 * runnable guests (not pinned, nested paging) to it, and wake it. now is
 * the TSC (a sleeper whose time has come counts as runnable). Returns how
 * many it moved. With no CPU idle: one load, nothing else.
 */
unsigned balance_share(struct vm **vms, unsigned count, const struct vm *next, uint64_t now);

/*
 * balance_arrive: before the calling CPU runs vm: when vm's vCPU was last
 * set up for another CPU, take it over here (hal.h vcpu_arrive_cpu) and
 * drop this CPU's cached translations of Skiff's window (they may be left
 * from an earlier stay of vm here).
 */
void balance_arrive(struct vm *vm);

/* balance_wake_all: wake every idle CPU (the last guest ended: their
 * loops end). */
void balance_wake_all(void);

/* balance_moves: guests moved since boot. */
uint64_t balance_moves(void);

#endif
