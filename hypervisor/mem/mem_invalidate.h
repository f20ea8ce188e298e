/*
 * mem_invalidate.h - the one path by which a guest mapping is removed or
 * narrowed (the notifier contract).
 *
 * Whoever takes a page away from a guest (reclaim, write-protection for
 * sharing or dirty tracking, the guest's end) calls mem_remove or
 * mem_teardown, which always (a) changes the nested entries, (b) has the
 * backend drop cached translations on every CPU that may hold them, and
 * only then (c) hands the frame back through the caller's release
 * function. Nothing else in Skiff may reuse a frame a guest had mapped.
 * Adding a mapping where none was present goes through np_map alone: no
 * CPU caches a translation that never existed (neither EPT nor NPT caches
 * not-present entries), so no invalidation is due.
 *
 * Portable C: the order is proven on the host against a model of a tagged
 * TLB (tests/unit/mem_invalidate_test.c), because the emulators flush more
 * than the architecture requires and would hide a missing invalidation.
 */
#ifndef SKIFF_MEM_INVALIDATE_H
#define SKIFF_MEM_INVALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "nested_paging/nested_paging.h"

#define MEM_MAX_CPUS 64u

/* A set of physical CPUs, by number (bit n: CPU n). */
struct mem_cpu_set {
	uint64_t bits;
};

/*
 * How a backend drops cached translations, in three parts. The core runs
 * the protocol (mem_flush_if_stale below): every CPU that entered the
 * space since its last flush owes a flush before it enters again, and a
 * CPU that is in the guest right now is made to leave it (kick) and is
 * waited for; only then does the caller hand a frame on.
 *   zap(ctx): drop mappings derived from the table (shadow tables) on the
 *     calling CPU, before any CPU is asked; may be NULL.
 *   flush_here(ctx, cpu): on CPU cpu, which is about to enter the space:
 *     drop its cached translations there before the guest's next
 *     instruction (VMX: INVEPT single-context and INVVPID at once; SVM:
 *     TLB_CONTROL flush-by-ASID at this VMRUN).
 *   kick(ctx, cpu): make CPU cpu leave guest mode soon (an IPI, which
 *     exits to the host on both backends); returns at once. NULL only
 *     where no other CPU can ever run the space (the core then cannot
 *     wait for anybody: a host test proves that this loses the guarantee).
 *   self(): the calling CPU's number, for counting remote flushes; NULL
 *     counts every CPU as remote.
 *   clock(): a time stamp (TSC), to add up how long kicks took from the
 *     IPI to the exit; NULL when not measured.
 *   zap_page(ctx, gpa, size): mem_remove's narrower zap: drop only the
 *     mappings derived from [gpa, gpa+size) (the shadow leaves that map
 *     it, through their reverse map) on the calling CPU. True when it
 *     could tell which and dropped them all; false (zap runs instead) when
 *     it could not. NULL: zap always runs.
 *   may_zap(ctx): whether zap may run on the calling CPU now. zap frees
 *     what it drops (shadow tables), which a CPU in the guest may be
 *     walking until it is kicked out, so it is safe only where the guest
 *     cannot be in guest mode (its own CPU, in host code). False: mem_remove
 *     drops the page's derived mappings with zap_page BEFORE changing the
 *     entry (the caller must hold what keeps them from being refilled
 *     meanwhile: the VM's claim, which its CPU needs to fill a shadow
 *     entry) and refuses with -EBUSY, nothing changed, when zap_page cannot
 *     tell or the table is stale already (only a zap would do); such a
 *     caller must not leave the table stale either. NULL: always true.
 */
struct mem_invalidator {
	void (*zap)(void *ctx);
	void (*flush_here)(void *ctx, unsigned cpu);
	void (*kick)(void *ctx, unsigned cpu);
	unsigned (*self)(void);
	uint64_t (*clock)(void);
	void *ctx;
	bool (*zap_page)(void *ctx, uint64_t gpa, uint64_t size);
	bool (*may_zap)(void *ctx);
};

/*
 * One guest's nested mapping as the core sees it. cpus and flush_due are
 * changed with atomic operations (several CPUs); the rest only by callers
 * that hold the memory lock (docs/smp.md), which serializes every change
 * and invalidation of one space.
 */
struct mem_space {
	struct np_table *table;
	struct mem_invalidator invalidator;
	struct mem_cpu_set cpus;   /* CPUs that entered it since their last flush */
	uint64_t flush_due;        /* CPUs that must flush before entering it again */
	uint64_t invalidations;    /* how many invalidations ran */
	uint64_t remote_flushes;   /* CPUs other than the caller asked to flush */
	uint64_t kicks;            /* CPUs found in the guest, made to leave, waited for */
	bool cached_stale;         /* only cached translations are stale: flush, no zap */
};

/*
 * Which space each CPU is in guest mode for (NULL: none), and how many
 * times it left one: a kick's acknowledgement is either changing. Only
 * mem_enter / mem_leave below write them (each CPU its own slot); they are
 * here so that the world switch pays no call for them.
 */
struct mem_cpu_state {
	struct mem_space *running;
	uint64_t leaves;
} __attribute__((aligned(64)));   /* a cache line each: no false sharing */
extern struct mem_cpu_state mem_cpu_states[MEM_MAX_CPUS];

/* mem_enter_flush: mem_enter's rare part, a flush due on cpu. */
void mem_enter_flush(struct mem_space *s, unsigned cpu);

/*
 * mem_enter: CPU cpu (the caller, interrupts off) enters s's guest next:
 * record it as running s and as a CPU that may cache s's translations,
 * then flush here when a flush is due. Call right before the world switch;
 * mem_leave right after it.
 *
 * Sequentially consistent accesses on both sides make the race with an
 * invalidation safe: this stores running then reads flush_due;
 * mem_flush_if_stale sets flush_due then reads running; so either the
 * entering CPU sees the flush due, or the invalidating CPU sees it running
 * and kicks it (or both).
 */
static inline void mem_enter(struct mem_space *s, unsigned cpu)
{
	uint64_t bit = UINT64_C(1) << cpu;

	__atomic_store_n(&mem_cpu_states[cpu].running, s, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&s->cpus.bits, bit, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->flush_due, __ATOMIC_SEQ_CST) & bit)
		mem_enter_flush(s, cpu);
}

/*
 * mem_flush_at_entry: have CPU cpu (the caller) flush s's translations when
 * it next enters s: for a fault on an entry that was widened after the CPU
 * cached it narrower (widening invalidates nothing).
 */
void mem_flush_at_entry(struct mem_space *s, unsigned cpu);

/*
 * mem_leave: CPU cpu (the caller) is back in the host from whatever space
 * it entered: this is the acknowledgement a kick waits for.
 */
static inline void mem_leave(unsigned cpu)
{
	__atomic_fetch_add(&mem_cpu_states[cpu].leaves, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&mem_cpu_states[cpu].running, NULL, __ATOMIC_SEQ_CST);
}

/*
 * mem_running: the space CPU cpu is in guest mode for (between mem_enter
 * and mem_leave), or NULL. A snapshot: it may change at once.
 */
const struct mem_space *mem_running(unsigned cpu);

/*
 * mem_invalidate_totals: over all spaces since boot, CPUs other than the
 * invalidating one that were asked to flush, those kicked out of the guest
 * and waited for, and the clock() ticks the kicks took from IPI to exit.
 */
void mem_invalidate_totals(uint64_t *remote_flushes, uint64_t *kicks, uint64_t *kick_ticks);

/*
 * mem_invalidate_wait_ticks: over all spaces since boot, the clock() ticks
 * spent only waiting for kicked CPUs to leave (from the first clock read
 * after the IPI was sent to the one after the wait), for a benchmark that
 * counts the invalidating CPU's own work without its waiting.
 */
uint64_t mem_invalidate_wait_ticks(void);

/* Hands a frame back once no CPU can reach it through the space. */
typedef void (*mem_release_fn)(void *ctx, uint64_t hpa, uint64_t size);

/*
 * mem_remove: take [gpa, gpa+size) (one mapped page: 4 KiB or an aligned
 * 2 MiB leaf) away from the space, or, when keep_perms is not 0, narrow it
 * to keep_perms (NP_* with NP_READ; the frame stays the guest's). Then
 * invalidate on s->cpus when the table says a translation went stale, and
 * only then call release(release_ctx, hpa, size) for an unmapped frame
 * (release may be NULL). The zap is zap_page's for that page alone when
 * the table was not stale already and zap_page can tell; where may_zap says
 * no, zap_page runs first and the full zap never (above). Returns 0;
 * -ENOENT when gpa is not mapped with a page of exactly size (nothing
 * changed); -EBUSY when only a full zap would do and it may not run here
 * (nothing changed); -EINVAL for bad arguments; -ENOMEM from the engine
 * (nothing released).
 */
int mem_remove(struct mem_space *s, uint64_t gpa, uint64_t size,
	       unsigned keep_perms, mem_release_fn release, void *release_ctx);

/*
 * mem_split: make the page holding gpa a 4 KiB entry of its own, so that
 * mem_remove can take or narrow it alone: a 2 MiB leaf becomes 512 4 KiB
 * entries with the same frames, permissions and A/D bits. Translations do
 * not change, so nothing is invalidated here: a CPU may go on using the
 * 2 MiB translation it cached, which gives the same results, until the
 * mem_remove that follows invalidates it before any frame is released.
 * 0 (also when gpa already has a 4 KiB entry); -ENOENT when not mapped;
 * -EINVAL for a NULL space; -ENOMEM when no table page is left (the leaf
 * stays whole and mapped).
 */
int mem_split(struct mem_space *s, uint64_t gpa);

/*
 * mem_teardown: the space's end. Frees every table page, invalidates on
 * s->cpus, then calls release(release_ctx, 0, 0) once so the caller can
 * hand back the guest's frames. Table pages are freed before the
 * invalidation; they are the engine's, reached by no guest access once the
 * root is gone from every CPU, and are reused only after this returns.
 */
void mem_teardown(struct mem_space *s, mem_release_fn release, void *release_ctx);

/*
 * mem_mark_cached_stale: the tables the CPU walks still translate as before,
 * but what CPUs cached from them must go (the shadow clock cleared accessed
 * bits in shadow leaves, which a CPU sets again only after a fresh walk).
 * The next mem_flush_if_stale (or mem_remove) flushes every CPU in s->cpus
 * as for a stale table, without the zap: no shadow is dropped.
 */
void mem_mark_cached_stale(struct mem_space *s);

/*
 * mem_flush_if_stale: when s->table is stale (or only its cached
 * translations are: mem_mark_cached_stale, then without the zap): zap, mark a flush due on
 * every CPU in s->cpus (the set starts again empty), kick each of them that
 * is in s's guest now and wait until it left (mem_leave); then no CPU can
 * use a translation cached before the call. The caller (any CPU) must not
 * be in s's guest itself, which it is not while it runs host code.
 */
void mem_flush_if_stale(struct mem_space *s);

#endif
