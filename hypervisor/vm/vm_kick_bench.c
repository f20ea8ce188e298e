/*
 * vm_kick_bench.c - the cross-CPU invalidation round trip, measured
 * (vm_kick_bench.h). Benchmark only: nothing runs unless kick_bench=N.
 *
 * The page is changed under the memory lock, as every change of a nested
 * table is, but without the guest's claim: narrowing and widening a page
 * the guest only reads leaves nothing for its CPU's exit handling to
 * trip over, and the kicked CPU then goes straight back into the guest,
 * so its path is the one a kick costs and nothing else.
 */
#include "hypervisor/vm/vm_kick_bench.h"

#include "hypervisor/console.h"
#include "hypervisor/mem/guest_pages.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp.h"
#include "hypervisor/time/apic_timer.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_memory.h"
#include "lib/format.h"
#include "lib/kstring.h"

#define WAIT_NS UINT64_C(60000000000)   /* 60 s of TSC time for each wait */
#define HISTOGRAM_SLOTS 6

/* The TSC read inline, so that the benchmark's two reads are its own
 * instructions (bench/kick_bench.py finds them in QEMU's trace). */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Distinct values and how often each came; the rest only counted. */
struct histogram {
	uint64_t value[HISTOGRAM_SLOTS], times[HISTOGRAM_SLOTS];
	unsigned used;
	uint64_t others, min, max;
};

static void histogram_add(struct histogram *h, uint64_t v)
{
	if (h->used == 0 && h->others == 0)
		h->min = h->max = v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
	for (unsigned i = 0; i < h->used; i++)
		if (h->value[i] == v) {
			h->times[i]++;
			return;
		}
	if (h->used < HISTOGRAM_SLOTS) {
		h->value[h->used] = v;
		h->times[h->used++] = 1;
		return;
	}
	h->others++;
}

static void histogram_log(const char *what, const struct histogram *h)
{
	char line[256];
	size_t len = 0;

	for (unsigned i = 0; i < h->used && len < sizeof(line) - 48; i++)
		len += format(line + len, sizeof(line) - len, "%s%llu x %llu", i ? ", " : "",
			      (unsigned long long)h->value[i], (unsigned long long)h->times[i]);
	line[len] = '\0';
	log_printf("kick bench: %s: %s (min %llu, max %llu, %llu rounds at other values)", what, line,
		   (unsigned long long)h->min, (unsigned long long)h->max,
		   (unsigned long long)h->others);
}

/* One round's context, for the functions run under the memory lock. */
struct round {
	uint64_t gpa;
	unsigned perms;         /* the page's permissions, restored each round */
	uint64_t initiator;     /* ticks in mem_remove, the waiting left out */
	uint64_t kicks;         /* CPUs kicked out of the guest and waited for */
	int rc;
};
static struct round round;

/* round_locked: narrow the page (the invalidation, timed), widen it again. */
static int round_locked(struct vm *vm, uint64_t unused)
{
	uint64_t kicks = vm->space.kicks, waited = mem_invalidate_wait_ticks();
	uint64_t t0, t1;

	(void)unused;
	t0 = bench_tsc();
	round.rc = mem_remove(&vm->space, round.gpa, GP_PAGE_SIZE, round.perms & ~(unsigned)NP_WRITE,
			      NULL, NULL);
	t1 = bench_tsc();
	round.initiator = (t1 - t0) - (mem_invalidate_wait_ticks() - waited);
	round.kicks = vm->space.kicks - kicks;
	/* Widening invalidates nothing (nested_paging.h): no second kick. */
	if (round.rc == 0)
		round.rc = np_protect(&vm->nested, round.gpa, GP_PAGE_SIZE, round.perms);
	return round.rc;
}

/* page_locked: the page's frame (a 4 KiB entry of its own afterwards) and
 * permissions once the guest wrote the word; 1 while it has not. */
static int page_locked(struct vm *vm, uint64_t unused)
{
	uint64_t hpa, size;
	unsigned perms;

	(void)unused;
	if (np_lookup(&vm->nested, round.gpa, &hpa, &perms, &size) != 0 ||
	    __atomic_load_n((const uint64_t *)(uintptr_t)hpa, __ATOMIC_ACQUIRE) != KICK_BENCH_MAGIC)
		return 1;
	if (size != GP_PAGE_SIZE && vm_page_split(vm, round.gpa) != 0)
		return -1;
	round.perms = perms;
	round.initiator = hpa;   /* handed back to the caller */
	return (perms & NP_WRITE) ? 0 : -1;
}

/* The first live guest with nested paging, or NULL. */
static struct vm *find_target(struct vm *const *vms, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		struct vm *vm = vms[i];

		if (vm->nested_ready && !vm->shadow && !vm->pv &&
		    __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_ENDED)
			return vm;
	}
	return NULL;
}

/* in_guest: wait until vm's CPU is in its guest; false after WAIT_NS. */
static bool in_guest(struct vm *vm, unsigned cpu)
{
	uint64_t give_up = tsc_read() + ns_to_tsc(WAIT_NS);

	while (mem_running(cpu) != &vm->space) {
		if (tsc_read() > give_up || __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_ENDED)
			return false;
		__asm__ volatile("pause");
	}
	return true;
}

/* the_page: wait for the guest's word; its frame, or 0 (logged) when none. */
static uint64_t the_page(struct vm *vm)
{
	uint64_t give_up = tsc_read() + ns_to_tsc(WAIT_NS);
	int rc;

	while ((rc = vm_memory_locked(page_locked, vm, 0)) == 1) {
		if (tsc_read() > give_up || __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_ENDED) {
			log_printf("kick bench: guest %s never wrote the word at gpa 0x%llx",
				   vm->name, (unsigned long long)round.gpa);
			return 0;
		}
		for (unsigned i = 0; i < 1000; i++)
			__asm__ volatile("pause");
	}
	if (rc != 0) {
		log_printf("kick bench: guest %s: its page at gpa 0x%llx is not a writable 4 KiB page",
			   vm->name, (unsigned long long)round.gpa);
		return 0;
	}
	return round.initiator;
}

static uint64_t exits_of(const struct vm *vm)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < HAL_EXIT_REASON_COUNT; r++)
		n += __atomic_load_n(&vm->exit_count[r], __ATOMIC_RELAXED);
	return n;
}

void vm_kick_bench(struct vm *const *vms, unsigned count, unsigned rounds)
{
	struct vm *vm = find_target(vms, count);
	struct histogram initiator = { 0 }, kicked = { 0 };
	uint64_t hpa, exits, intr;
	unsigned cpu = vm ? vm_cpu(vm) : 0, done = 0;

	/* CPU 0 measures, unless the guest is there: then CPU 1. */
	if (this_cpu_index() != (cpu == 0 ? 1u : 0u))
		return;
	if (!vm) {
		log_printf("kick bench: no guest with nested paging: nothing measured");
		return;
	}
	round.gpa = (vm->kernel_end + GP_PAGE_SIZE - 1) & ~(GP_PAGE_SIZE - 1);
	if (round.gpa >= vm->mem.size || (hpa = the_page(vm)) == 0)
		return;
	exits = exits_of(vm);
	intr = __atomic_load_n(&vm->exit_count[HAL_EXIT_EXTERNAL_INTR], __ATOMIC_RELAXED);
	for (; done < rounds && in_guest(vm, cpu); done++) {
		vm_memory_locked(round_locked, vm, 0);
		if (round.rc != 0)
			break;
		histogram_add(&initiator, round.initiator);
		histogram_add(&kicked, round.kicks);
	}
	exits = exits_of(vm) - exits;
	intr = __atomic_load_n(&vm->exit_count[HAL_EXIT_EXTERNAL_INTR], __ATOMIC_RELAXED) - intr;
	log_printf("kick bench: guest %s on CPU %u, page gpa 0x%llx: %u of %u rounds (rc %d)",
		   vm->name, cpu, (unsigned long long)round.gpa, done, rounds, round.rc);
	histogram_log("initiator ticks per round, waiting left out", &initiator);
	histogram_log("CPUs kicked per round", &kicked);
	log_printf("kick bench: guest exits during the rounds: %llu (external interrupts %llu)",
		   (unsigned long long)exits, (unsigned long long)intr);
	/* The guest's word changes: it leaves its loop and ends. */
	__atomic_store_n((uint64_t *)(uintptr_t)hpa, 0, __ATOMIC_RELEASE);
}

/*
 * One CPU (kick_bench=N with cpus=1, vm_kick_bench.h). Slices come in
 * threes: a plain one; one that starts with a round (round_locked: the
 * invalidation marks this CPU's flush due, as it is in the set and not in
 * the guest); one that starts with a round and the kick IPI sent to this
 * CPU, pending until the guest runs. The guest's gap at a slice's start
 * is the plain one's plus, for the second, the flush at entry, and for the
 * third, the flush and the kick's path (its exit to the re-entry), plus
 * this hook's extra work, which it times: all exact on one CPU.
 */
#define SELF_WARMUP_SLICES 4   /* after the page's split: its flush is done */

/* Each slice's figures, stored at a fixed cost and filed at the end. */
#define SELF_MAX_ROUNDS 64u
struct self_slice {
	int rc;
	uint64_t hook, send, initiator, kicks;
};

static struct {
	uint64_t hpa;             /* the guest's word; 0 until it wrote it */
	uint64_t intr;            /* its external-interrupt exits before the first round */
	uint64_t kicks_taken;     /* kick IPIs taken before it */
	unsigned warmup, slices;
	bool done;
	struct self_slice slice[3 * SELF_MAX_ROUNDS];   /* plain, flushed, kicked */
} self;

/* self_page: find the guest's word (once written); false until then. */
static bool self_page(struct vm *vm)
{
	int rc;

	round.gpa = (vm->kernel_end + GP_PAGE_SIZE - 1) & ~(GP_PAGE_SIZE - 1);
	rc = round.gpa < vm->mem.size ? vm_memory_locked(page_locked, vm, 0) : -1;
	if (rc == 1)
		return false;
	if (rc != 0) {
		log_printf("kick bench: one CPU: guest %s has no writable 4 KiB page at gpa 0x%llx",
			   vm->name, (unsigned long long)round.gpa);
		self.done = true;
		return false;
	}
	self.hpa = round.initiator;
	self.warmup = SELF_WARMUP_SLICES;
	return true;
}

/* self_report: the figures, as histograms, and whether every round worked. */
static void self_report(struct vm *vm)
{
	struct histogram hook[3], initiator = { 0 }, send = { 0 };
	unsigned failed = 0;

	memset(hook, 0, sizeof hook);
	for (unsigned i = 0; i < self.slices; i++) {
		const struct self_slice *l = &self.slice[i];

		histogram_add(&hook[i % 3], l->hook);
		if (i % 3 == 0)
			continue;
		failed += l->rc != 0 || l->kicks != 0;
		histogram_add(&initiator, l->initiator);
		if (i % 3 == 2)
			histogram_add(&send, l->send);
	}
	log_printf("kick bench: one CPU: guest %s, page gpa 0x%llx: %u slices of each kind",
		   vm->name, (unsigned long long)round.gpa, self.slices / 3);
	log_printf("kick bench: one CPU: external-interrupt exits meanwhile: %llu, kick IPIs taken %llu",
		   (unsigned long long)(vm->exit_count[HAL_EXIT_EXTERNAL_INTR] - self.intr),
		   (unsigned long long)(apic_kicks_taken() - self.kicks_taken));
	if (failed)
		log_printf("kick bench: one CPU: %u rounds failed (mem_remove's error, or a CPU kicked)",
			   failed);
	histogram_log("one CPU: hook ticks at plain slices", &hook[0]);
	histogram_log("one CPU: hook ticks at flushed slices", &hook[1]);
	histogram_log("one CPU: hook ticks at kicked slices", &hook[2]);
	histogram_log("one CPU: initiator ticks per round, no CPU to kick", &initiator);
	histogram_log("one CPU: kick IPI send ticks", &send);
}

/*
 * self_round: one slice's start, timed from t0 to t2. What differs between
 * a kicked and a plain slice lies between the two reads; what follows
 * them costs the same in both, so that the guest's gaps differ by the
 * timed stretch and the target's path alone.
 */
static __attribute__((noinline)) void self_round(struct vm *vm, unsigned kind)
{
	struct self_slice *l = &self.slice[self.slices];
	uint64_t t0, t1, t2;

	round.rc = 0;
	round.kicks = 0;
	round.initiator = 0;
	t0 = bench_tsc();
	if (kind != 0)
		vm_memory_locked(round_locked, vm, 0);
	t1 = bench_tsc();
	if (kind == 2)
		smp_kick_self();
	t2 = bench_tsc();
	*l = (struct self_slice){ round.rc, t2 - t0, t2 - t1, round.initiator, round.kicks };
	self.slices++;
}

void vm_kick_bench_slice(struct vm *vm, unsigned rounds)
{
	if (self.done || smp_cpu_count() != 1 || !vm->nested_ready || vm->shadow || vm->pv)
		return;
	if (!self.hpa) {
		(void)self_page(vm);
		return;
	}
	if (self.warmup) {
		if (--self.warmup == 0) {
			self.intr = vm->exit_count[HAL_EXIT_EXTERNAL_INTR];
			self.kicks_taken = apic_kicks_taken();
		}
		return;
	}
	if (self.slices >= 3 * (rounds < SELF_MAX_ROUNDS ? rounds : SELF_MAX_ROUNDS)) {
		self_report(vm);
		self.done = true;
		/* The guest's word changes: it leaves its loop and ends. */
		__atomic_store_n((uint64_t *)(uintptr_t)self.hpa, 0, __ATOMIC_RELEASE);
		return;
	}
	self_round(vm, self.slices % 3);
}
