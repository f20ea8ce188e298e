/*
 * spinlock.h - a ticket lock for state more than one CPU touches.
 *
 * Skiff's own code runs with interrupts disabled except inside the timer
 * waits (apic_timer.h), and no lock is held across those, so a lock never
 * needs to mask interrupts. Tickets make waiters go in arrival order: a CPU
 * logging in a loop cannot starve another. The locks and the order in which
 * they may nest are listed in docs/smp.md; take them only in that order.
 */
#ifndef SKIFF_SMP_SPINLOCK_H
#define SKIFF_SMP_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef SKIFF_HOSTED
#include <sched.h>
/* Host tests run CPUs as threads, more of them than the host has cores: a
 * waiter gives its core away, or the thread holding the next ticket may
 * wait a whole time slice to run. Skiff's CPUs are never descheduled. */
#define spin_relax() sched_yield()
#else
#define spin_relax() __asm__ volatile("pause")
#endif

/* Zero-initialized means unlocked: a static lock needs no init call. */
struct spinlock {
	volatile uint32_t next;     /* the ticket the next arrival takes */
	volatile uint32_t serving;  /* the ticket that holds the lock */
};

/*
 * spin_lock: wait until the calling CPU holds lock. Needs: the caller does
 * not hold it already (that would wait forever) and holds no lock listed
 * after it in docs/smp.md. Acquire ordering: what the previous holder wrote
 * is visible afterwards.
 */
static inline void spin_lock(struct spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
		spin_relax();
}

/*
 * spin_trylock: take lock when it is free right now; true when the calling
 * CPU holds it, false (nothing changed) when another CPU does. For work
 * any CPU may do and none need wait for (polling a NIC).
 */
static inline bool spin_trylock(struct spinlock *lock)
{
	/* Acquire: pairs with the last holder's release of serving. */
	uint32_t serving = __atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE);
	uint32_t expected = serving;

	if (__atomic_load_n(&lock->next, __ATOMIC_RELAXED) != serving)
		return false;
	return __atomic_compare_exchange_n(&lock->next, &expected, serving + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* spin_unlock: release lock, which the calling CPU holds (release ordering). */
static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
}

#endif
