/*
 * balance.h - moving runnable guests to idle CPUs and between uneven
 * run queues (docs/smp.md, "Balancing").
 *
 * Each CPU keeps its own queue (the VMs whose vm->cpu names it). A CPU with
 * nothing to run says so here before it halts; a CPU with more than one
 * runnable guest hands one to such an idle CPU at its next scheduling point
 * and wakes it with the wake IPI, and a CPU whose queue is longer than
 * another's by two hands that one a guest. The owner does the move because
 * only the CPU that ran a vCPU can unload it (VMCLEAR on VMX).
 */
#ifndef SKIFF_BALANCE_H
#define SKIFF_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/*
 * balance_init: turn balancing on when on is true (balance=1 or 2, several
 * CPUs and a working APIC timer, whose halt the wake IPI ends); with
 * between_busy also from a run queue longer than another's by two
 * (balance=1), otherwise only to idle CPUs. Before the loops start, on the
 * boot CPU.
 */
void balance_init(bool on, bool between_busy);

/* balance_idle_enter / balance_idle_leave: the calling CPU is about to
 * halt with nothing to run / is awake again. Interrupts disabled. */
void balance_idle_enter(void);
void balance_idle_leave(void);

/*
 * balance_share: at a scheduling point of the calling CPU, which is about
 * to run next: while some CPU is idle, move one of the caller's other
 * runnable guests (not pinned) to it, and wake it; with no CPU idle and
 * balancing between busy CPUs on, publish the caller's runnable count and,
 * when it exceeds the shortest other queue by two or more, move one such
 * guest there (and wake that CPU). now is the TSC (a sleeper whose time
 * has come counts as runnable). Returns how many it moved. Cost with no
 * CPU idle: one load (idle CPUs only), or one pass over vms and one load
 * per CPU.
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
