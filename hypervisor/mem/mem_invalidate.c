/*
 * mem_invalidate.c - change the entry, invalidate, then release
 * (mem_invalidate.h).
 */
#include "hypervisor/mem/mem_invalidate.h"

#include "lib/errno.h"

struct mem_cpu_state mem_cpu_states[MEM_MAX_CPUS];
static uint64_t total_remote, total_kicks, total_kick_ticks, total_wait_ticks;

void mem_enter_flush(struct mem_space *s, unsigned cpu)
{
	/* Cleared first: a flush marked due after this is seen by the next
	 * entry, or its sender finds this CPU running and kicks. */
	__atomic_fetch_and(&s->flush_due, ~(UINT64_C(1) << cpu), __ATOMIC_SEQ_CST);
	s->invalidator.flush_here(s->invalidator.ctx, cpu);
}

void mem_flush_at_entry(struct mem_space *s, unsigned cpu)
{
	__atomic_fetch_or(&s->flush_due, UINT64_C(1) << cpu, __ATOMIC_SEQ_CST);
}

const struct mem_space *mem_running(unsigned cpu)
{
	return __atomic_load_n(&mem_cpu_states[cpu].running, __ATOMIC_SEQ_CST);
}

void mem_invalidate_totals(uint64_t *remote_flushes, uint64_t *kicks, uint64_t *kick_ticks)
{
	*kick_ticks = __atomic_load_n(&total_kick_ticks, __ATOMIC_RELAXED);
	*remote_flushes = __atomic_load_n(&total_remote, __ATOMIC_RELAXED);
	*kicks = __atomic_load_n(&total_kicks, __ATOMIC_RELAXED);
}

/*
 * wait_for_leave: spin until cpu left s's guest (its leaves count moved
 * past seen, or it runs something else). Out of line, and timed apart
 * from the rest, so that a benchmark can leave out the spinning, whose
 * length depends on the other CPU (bench/kick_bench.py).
 */
static __attribute__((noinline)) void wait_for_leave(struct mem_space *s, unsigned cpu,
						     uint64_t seen)
{
	while (__atomic_load_n(&mem_cpu_states[cpu].running, __ATOMIC_SEQ_CST) == s &&
	       __atomic_load_n(&mem_cpu_states[cpu].leaves, __ATOMIC_SEQ_CST) == seen)
		__asm__ volatile("pause");
}

/* kick_and_wait: cpu is in s's guest: make it leave, and wait until it did. */
static void kick_and_wait(struct mem_space *s, unsigned cpu)
{
	uint64_t seen = __atomic_load_n(&mem_cpu_states[cpu].leaves, __ATOMIC_SEQ_CST);
	uint64_t start, wait_start = 0;

	if (__atomic_load_n(&mem_cpu_states[cpu].running, __ATOMIC_SEQ_CST) != s || !s->invalidator.kick)
		return;
	start = s->invalidator.clock ? s->invalidator.clock() : 0;
	s->invalidator.kick(s->invalidator.ctx, cpu);
	if (s->invalidator.clock)
		wait_start = s->invalidator.clock();
	wait_for_leave(s, cpu, seen);
	s->kicks++;
	__atomic_fetch_add(&total_kicks, 1, __ATOMIC_RELAXED);
	if (s->invalidator.clock) {
		uint64_t end = s->invalidator.clock();

		__atomic_fetch_add(&total_kick_ticks, end - start, __ATOMIC_RELAXED);
		__atomic_fetch_add(&total_wait_ticks, end - wait_start, __ATOMIC_RELAXED);
	}
}

uint64_t mem_invalidate_wait_ticks(void)
{
	return __atomic_load_n(&total_wait_ticks, __ATOMIC_RELAXED);
}

/* flush_stale: mem_flush_if_stale, the zap left out when already done. */
static void flush_stale(struct mem_space *s, bool zap)
{
	uint64_t set;
	unsigned self;

	if (!s->table->stale && !s->cached_stale)
		return;
	if (zap && s->table->stale && s->invalidator.zap)
		s->invalidator.zap(s->invalidator.ctx);
	/* The set starts again empty: a CPU entering from now on adds itself
	 * and, if it was in the old set, finds its flush due. */
	set = __atomic_exchange_n(&s->cpus.bits, 0, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&s->flush_due, set, __ATOMIC_SEQ_CST);
	self = s->invalidator.self ? s->invalidator.self() : MEM_MAX_CPUS;
	for (unsigned cpu = 0; cpu < MEM_MAX_CPUS; cpu++) {
		if (!(set & (UINT64_C(1) << cpu)))
			continue;
		if (cpu != self) {
			s->remote_flushes++;
			__atomic_fetch_add(&total_remote, 1, __ATOMIC_RELAXED);
		}
		kick_and_wait(s, cpu);
	}
	s->invalidations++;
	s->table->stale = false;
	s->cached_stale = false;
}

void mem_mark_cached_stale(struct mem_space *s)
{
	s->cached_stale = true;
}

void mem_flush_if_stale(struct mem_space *s)
{
	flush_stale(s, true);
}

/*
 * remove_leaves_first: mem_remove where the full zap may not run (a guest
 * that may be in guest mode on another CPU walks its shadow tables; the
 * zap would free them before the kick). The derived mappings of the page
 * go first, exactly (zap_page, which frees nothing); then the entry; then
 * the invalidation without a zap. Nothing can refill them in between:
 * the caller holds the VM's claim, without which its CPU fills nothing.
 */
static int remove_leaves_first(struct mem_space *s, uint64_t gpa, uint64_t size, uint64_t hpa,
			       unsigned keep_perms, mem_release_fn release, void *release_ctx)
{
	bool exact;
	int rc;


	if (s->table->stale)
		return -EBUSY;
	/* Without zap_page only a zap could drop what derives from the page. */
	exact = s->invalidator.zap_page ? s->invalidator.zap_page(s->invalidator.ctx, gpa, size)
					: s->invalidator.zap == NULL;
	if (!exact)
		return -EBUSY;
	rc = keep_perms ? np_protect(s->table, gpa, size, keep_perms) : np_unmap(s->table, gpa, size);
	if (rc)
		return rc;
	flush_stale(s, false);
	if (!keep_perms && release)
		release(release_ctx, hpa, size);
	return 0;
}

int mem_remove(struct mem_space *s, uint64_t gpa, uint64_t size,
	       unsigned keep_perms, mem_release_fn release, void *release_ctx)
{
	uint64_t hpa, page;
	bool was_stale, zapped;
	int rc;

	if (s == NULL || s->table == NULL || (size != NP_PAGE_4K && size != NP_PAGE_2M))
		return -EINVAL;
	if (np_lookup(s->table, gpa, &hpa, NULL, &page) != 0 || page != size ||
	    (gpa & (size - 1)) != 0)
		return -ENOENT;
	was_stale = s->table->stale;
	if (s->invalidator.may_zap && !s->invalidator.may_zap(s->invalidator.ctx))
		return remove_leaves_first(s, gpa, size, hpa, keep_perms, release, release_ctx);
	if (keep_perms)
		rc = np_protect(s->table, gpa, size, keep_perms);
	else
		rc = np_unmap(s->table, gpa, size);
	if (rc)
		return rc;
	/* A table stale before this call owes the full zap. */
	zapped = !was_stale && s->table->stale && s->invalidator.zap_page &&
		s->invalidator.zap_page(s->invalidator.ctx, gpa, size);
	flush_stale(s, !zapped);
	if (!keep_perms && release)
		release(release_ctx, hpa, size);
	return 0;
}

int mem_split(struct mem_space *s, uint64_t gpa)
{
	if (s == NULL || s->table == NULL)
		return -EINVAL;
	return np_split(s->table, gpa);
}

void mem_teardown(struct mem_space *s, mem_release_fn release, void *release_ctx)
{
	np_destroy(s->table);
	/* Whatever the root reached is gone: stale whether or not it was set. */
	s->table->stale = true;
	mem_flush_if_stale(s);
	if (release)
		release(release_ctx, 0, 0);
}
