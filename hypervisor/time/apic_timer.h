/*
 * apic_timer.h - the local APIC timer: Skiff's only interrupt source.
 *
 * It ends a guest's time slice (the interrupt forces a VM exit on both
 * vendors) and wakes the CPU when every guest sleeps. The timer runs in
 * one-shot mode: each arm sets one deadline.
 */
#ifndef SKIFF_APIC_TIMER_H
#define SKIFF_APIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_VECTOR_TIMER 0x20u
#define APIC_VECTOR_SPURIOUS 0xffu
/* The kick IPI (smp_kick): its arrival makes a CPU leave guest mode. */
#define APIC_VECTOR_KICK 0x21u
/* The wake IPI (smp_wake): a halted CPU was handed a guest to run. */
#define APIC_VECTOR_WAKE 0x22u

/*
 * apic_timer_init: enable the local APIC (xAPIC, identity-mapped MMIO),
 * install the interrupt stubs and calibrate the timer against the TSC.
 * Needs time_init and idt_init done. Returns false (after logging why) when
 * the CPU has no local APIC; Skiff then runs without preemption.
 */
bool apic_timer_init(void);

/*
 * apic_timer_init_ap: on an AP, after apic_timer_init succeeded on the boot
 * CPU: enable the calling CPU's local APIC and timer with the boot CPU's
 * calibration. false when the boot CPU's timer is not used (no preemption).
 */
bool apic_timer_init_ap(void);

/* apic_timer_arm: one interrupt after ns nanoseconds (at least one tick). */
void apic_timer_arm(uint64_t ns);

/* apic_timer_disarm: cancel a pending deadline. */
void apic_timer_disarm(void);

/*
 * apic_timer_take_expired: open a short interrupt window so a pending timer
 * interrupt is delivered, then report (and clear) whether the timer fired
 * since the last call.
 */
bool apic_timer_take_expired(void);

/*
 * apic_timer_wait: halt with interrupts enabled until the next interrupt
 * (the caller armed the timer first).
 */
void apic_timer_wait(void);

/* apic_timer_interrupt: the C half of the timer's interrupt stub. */
void apic_timer_interrupt(void);

/*
 * apic_kick_interrupt: the kick IPI's handler (interrupt_stubs.S): counts
 * it on the calling CPU (apic_kicks_taken) and acknowledges it. The kick's
 * work is done by its arrival, which ended guest mode.
 */
void apic_kick_interrupt(void);

/* apic_kicks_taken: kick IPIs taken by all CPUs since boot. */
uint64_t apic_kicks_taken(void);

/*
 * apic_wake_interrupt: the wake IPI's handler (interrupt_stubs.S): counts
 * it (apic_wakes_taken) and acknowledges it. Its arrival ended the halt of
 * an idle CPU, whose loop then finds the guest it was handed.
 */
void apic_wake_interrupt(void);

/* apic_wakes_taken: wake IPIs taken by all CPUs since boot. */
uint64_t apic_wakes_taken(void);

#endif
