/*
 * guests.c - from multiboot2 modules to finished guests.
 *
 * A module whose command line starts with '/' is a data module (a disk
 * image named by its path), never a guest; guests name it with
 * block.DEV=PATH. A disk backs at most one guest: two guests writing the
 * same bytes would be a channel between them.
 *
 * Every guest is placed on one CPU when it is built (cpu_place.c) and is
 * built there. Each CPU runs the loop below over its own VMs: round robin
 * over the runnable ones; a VM runs until its time slice ends (the CPU's
 * local APIC timer forces an exit), it sleeps in POLL, or it ends. When
 * every VM of the CPU sleeps, the CPU halts until the earliest wake-up
 * time, or until a busy CPU hands it a guest (balance.c) and wakes it.
 * The boot CPU waits for the others before the summary (docs/smp.md).
 */
#include "hypervisor/sched/guests.h"

#include "hal/hal.h"
#include "hypervisor/time/apic_timer.h"
#include "hypervisor/console.h"
#include "hypervisor/cpu.h"
#include "hypervisor/debug/gdb_stub.h"
#include "hypervisor/vm/fpu.h"
#include "hypervisor/loader/guest_cmdline.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/mem/host_window.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/options.h"
#include "hypervisor/storage/regions.h"
#include "hypervisor/storage/storage.h"
#include "hypervisor/time/time.h"
#include "hypervisor/vm/vm.h"
#include "hypervisor/vm/vm_kick_bench.h"
#include "hypervisor/vm/vm_memory.h"
#include "hypervisor/vm/vm_ring_tick.h"
#include "hypervisor/vm/reclaim/vm_share.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "hypervisor/sched/balance.h"
#include "hypervisor/sched/cpu_place.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp.h"
#include "hypervisor/smp/smp_work.h"
#include "net/uplink.h"

/* One address window per guest (host_window.h): memory, not this table,
 * is what limits how many run, unless guests=N asks for fewer. */
#define MAX_VMS HOST_WINDOW_COUNT

static unsigned max_vms(void)
{
	unsigned cap = skiff_options.max_guests;

	return cap && cap < MAX_VMS ? cap : MAX_VMS;
}
#define AP_WAIT_NS 1000000u   /* how often the boot CPU looks whether the APs are done */

static struct vm *vms[MAX_VMS];
static unsigned vm_count;

struct data_module {
	const char *path;     /* its command line */
	uint8_t *data;
	uint64_t size;
	const char *owner;    /* the guest it backs, NULL while free */
};

static struct data_module data_modules[MB2_MAX_MODULES];
static unsigned data_module_count;

static bool is_data_module(const struct mb2_module *mod)
{
	return mod->cmdline[0] == '/';
}

static struct data_module *find_data_module(const char *path)
{
	for (unsigned i = 0; i < data_module_count; i++)
		if (strcmp(data_modules[i].path, path) == 0)
			return &data_modules[i];
	return NULL;
}

/*
 * resolve_disks: the backing of each of cfg's block.DEV= options, in out[]:
 * a data module (also in found[], to be claimed by the caller once the
 * guest exists) or a disk region (claimed for guest `name` at once; found[]
 * NULL). 0, or -EINVAL with the reason in err; the caller then releases the
 * regions claimed so far (storage_release_since).
 */
static int resolve_disks(const struct guest_config *cfg, const char *name,
			 struct vm_disk_backing *out, struct data_module **found,
			 char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->block_count; i++) {
		const struct guest_block_arg *b = &cfg->blocks[i];
		struct data_module *m = find_data_module(b->module);

		found[i] = NULL;
		if (region_is_spec(b->module)) {
			if (storage_attach(b->module, name, b->device, &out[i], err, errlen) != 0)
				return -EINVAL;
			continue;
		}
		if (!m) {
			format(err, errlen, "block.%s=%s: no module has that path (load the disk with 'module2 %s %s')",
			       b->device, b->module, b->module, b->module);
			return -EINVAL;
		}
		if (m->owner) {
			format(err, errlen, "block.%s=%s: that disk already belongs to guest %s",
			       b->device, b->module, m->owner);
			return -EINVAL;
		}
		if (m->size < VM_BLOCK_SIZE) {
			format(err, errlen, "block.%s=%s: the disk is smaller than one block (%u bytes)",
			       b->device, b->module, VM_BLOCK_SIZE);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (found[j] == m) {
				format(err, errlen, "block.%s=%s: the same disk is named twice",
				       b->device, b->module);
				return -EINVAL;
			}
		found[i] = m;
		out[i] = (struct vm_disk_backing){ .device = b->device, .data = m->data,
						   .size = m->size };
	}
	return 0;
}

static void collect_data_modules(const struct boot_info *info)
{
	for (unsigned i = 0; i < info->module_count; i++) {
		const struct mb2_module *mod = &info->modules[i];

		if (!is_data_module(mod))
			continue;
		data_modules[data_module_count++] = (struct data_module){
			.path = mod->cmdline,
			.data = (uint8_t *)(uintptr_t)mod->start,
			.size = mod->end - mod->start,
		};
		log_printf("disk %s: %llu bytes", mod->cmdline,
			   (unsigned long long)(mod->end - mod->start));
	}
}
static bool preemption;       /* the APIC timer works */
static uint64_t run_deadline; /* limit= as a TSC value, UINT64_MAX without */
static unsigned aps_running;  /* APs still in their scheduler loop (atomic) */
static uint64_t slice_ns, slice_tsc;  /* slice_ms= in both units, set once */

/*
 * add_vm: record vm (NULL: nothing to record). The table holds max_vms():
 * a VM beyond it is never run, and is ended with the reason if it lives.
 */
static void add_vm(struct vm *vm)
{
	if (!vm)
		return;
	if (vm_count >= max_vms()) {
		if (vm->state != VM_ENDED)
			vm_end(vm, 1, VM_END_REFUSED, "Skiff runs at most %u guests", max_vms());
		else
			log_printf("guest %s: not listed: Skiff runs at most %u guests",
				   vm->name, max_vms());
		return;
	}
	vms[vm_count++] = vm;
}

/* Guests refused because the table was full: named in the summary too. */
#define OVERFLOW_NAMED 8
static char overflow_names[OVERFLOW_NAMED][GUEST_NAME_MAX];
static unsigned overflow_count;

/* room_for: true when another guest fits; otherwise logs why name is refused. */
static bool room_for(const char *name)
{
	if (vm_count < max_vms())
		return true;
	log_printf("guest %s: refused: Skiff runs at most %u guests", name, max_vms());
	if (overflow_count < OVERFLOW_NAMED)
		format(overflow_names[overflow_count], GUEST_NAME_MAX, "%s", name);
	overflow_count++;
	return false;
}

/* What one guest's build needs, carried to the CPU that builds it. */
struct build {
	const char *name;
	unsigned id;
	const struct guest_config *cfg;
	const struct mb2_module *mod;
	const struct vm_disk_backing *disks;
	struct vm *vm;
};

static void build_here(void *arg)
{
	struct build *b = arg;

	b->vm = vm_create(b->name, b->id, b->cfg, (const void *)(uintptr_t)b->mod->start,
			  b->mod->end - b->mod->start, b->disks, b->cfg->block_count);
}

static void create_from_module(unsigned index, const struct mb2_module *mod)
{
	static struct guest_config cfg;  /* large; modules are handled one by one */
	char err[256], name[GUEST_NAME_MAX];

	if (guest_cmdline_parse(mod->cmdline, &cfg, err, sizeof(err)) != 0) {
		format(name, sizeof(name), "module%u", index);
		if (room_for(name))
			add_vm(vm_refuse(name, vm_count, "bad module command line '%s': %s",
					 mod->cmdline, err));
		return;
	}
	if (!room_for(cfg.name))
		return;
	if (cfg.count > 1 && cfg.block_count > 0) {
		add_vm(vm_refuse(cfg.name, vm_count,
				 "count=%u with block devices: a disk can back only one guest",
				 cfg.count));
		return;
	}
	for (unsigned i = 0; i < cfg.count; i++) {
		struct vm_disk_backing disks[GUEST_MAX_BLOCKS];
		struct data_module *claimed[GUEST_MAX_BLOCKS];
		unsigned regions = storage_mark();
		struct build build;
		struct vm *vm;
		int cpu;

		if (cfg.count > 1)
			format(name, sizeof(name), "%s.%u", cfg.name, i + 1);
		else
			format(name, sizeof(name), "%s", cfg.name);
		if (!room_for(name))
			return;
		if (resolve_disks(&cfg, name, disks, claimed, err, sizeof(err)) != 0) {
			storage_release_since(regions);   /* disk regions it claimed before failing */
			add_vm(vm_refuse(name, vm_count, "%s", err));
			continue;
		}
		if ((cpu = cpu_place(&cfg, err, sizeof(err))) < 0) {
			storage_release_since(regions);
			add_vm(vm_refuse(name, vm_count, "%s", err));
			continue;
		}
		build = (struct build){ name, vm_count, &cfg, mod, disks, NULL };
		smp_call((unsigned)cpu, build_here, &build);
		vm = build.vm;
		if (vm)   /* the guest under the debugger stays put too */
			vm->pinned = cpu_place_pins(&cfg) ||
				strcmp(skiff_options.gdb_guest, vm->name) == 0;
		for (unsigned d = 0; vm && d < cfg.block_count; d++)
			if (claimed[d])
				claimed[d]->owner = vm->name;
		if (!vm || vm->state == VM_ENDED)   /* refused: its regions are free again */
			storage_release_since(regions);
		add_vm(vm);
	}
}

/*
 * start_clones: parent's snapshot was just taken (it ended): its clones,
 * NAME.1..NAME.N, built here on the parent's CPU, where they run.
 */
static void start_clones(struct vm *parent)
{
	unsigned n = vm_clone_pending(parent);
	char name[GUEST_NAME_MAX];

	for (unsigned k = 1; k <= n; k++) {
		format(name, sizeof(name), "%s.%u", parent->name, k);
		if (!room_for(name) || !vm_clone_room(parent, k))
			break;
		struct vm *clone = vm_clone_start(parent, k, vm_count, name);

		if (clone)
			clone->pinned = parent->pinned;
		add_vm(clone);
	}
	vm_clone_started(parent);
}

/* mine: whether vm is on the calling CPU's queue (only that CPU changes its state). */
static bool mine(const struct vm *vm)
{
	return vm_cpu(vm) == this_cpu_index();
}

/*
 * take_woken: when a wake-up is due here (another CPU's smp_kick_wake, or
 * a POLL deadline that cut the last guest's slice: vm_ring_tick.h), the
 * first VM of this CPU after *cursor that a queued frame or its deadline
 * wakes from POLL, made runnable; NULL otherwise. The flag is taken before
 * the frame flags are looked at: the sender set its frame flag first. When
 * another sleeper is woken too, the flag is set again for the next pick
 * (and the running guest's timer), so no wake-up loses its turn.
 * Counts whether the wake-up cut the last guest's slice short or waited
 * for its end.
 */
static struct vm *take_woken(unsigned *cursor, uint64_t now)
{
	struct percpu *cpu = this_cpu();
	struct vm *woken = NULL;
	bool more = false;

	if (__atomic_exchange_n(&cpu->wake_due, false, __ATOMIC_SEQ_CST))
		for (unsigned n = 0; n < vm_count && !more; n++) {
			struct vm *vm = vms[(*cursor + n) % vm_count];

			if (!mine(vm) || vm->state != VM_SLEEPING)
				continue;
			if (woken) {   /* another one waits: the next pick takes it */
				more = now >= vm->wake_tsc || (vm->polling &&
				       __atomic_load_n(&vm->frame_queued, __ATOMIC_SEQ_CST));
			} else if (now >= vm->wake_tsc || vm_net_woken(vm)) {
				vm->state = VM_RUNNABLE;
				woken = vm;
			}
		}
	if (woken)   /* after it: the round robin goes on from the woken guest */
		for (unsigned n = 0; n < vm_count; n++)
			if (vms[n] == woken)
				*cursor = (n + 1) % vm_count;
	if (more)
		__atomic_store_n(&cpu->wake_due, true, __ATOMIC_SEQ_CST);
	if (woken && cpu->cut_for_wake)
		woken->wakes_cut++;
	else if (woken && cpu->expired_with_wake_due)
		woken->wakes_waited++;
	cpu->cut_for_wake = cpu->expired_with_wake_due = false;
	return woken;
}

/* The next VM of this CPU to run after position *cursor, or NULL when none
 * is runnable; a guest another CPU just woke comes first. */
static struct vm *next_runnable(unsigned *cursor, uint64_t now)
{
	struct vm *woken = take_woken(cursor, now);

	if (woken)
		return woken;
	for (unsigned n = 0; n < vm_count; n++) {
		struct vm *vm = vms[(*cursor + n) % vm_count];

		if (!mine(vm))
			continue;
		if (vm->state == VM_SLEEPING && (now >= vm->wake_tsc || vm_net_woken(vm)))
			vm->state = VM_RUNNABLE;
		if (vm->state == VM_RUNNABLE) {
			*cursor = (*cursor + n + 1) % vm_count;
			return vm;
		}
	}
	return NULL;
}

static bool balancing;   /* balance.c may move guests: a CPU's loop lasts while any lives */

/* work_left: whether a VM this CPU might run still lives: one of its own,
 * or, with balancing, any (it may be handed one). */
static bool work_left(void)
{
	for (unsigned i = 0; i < vm_count; i++)
		if ((balancing || mine(vms[i])) &&
		    __atomic_load_n(&vms[i]->state, __ATOMIC_ACQUIRE) != VM_ENDED)
			return true;
	return false;
}

/* after_end: a VM of this CPU ended: when it was the last one anywhere,
 * the idle CPUs' loops are over; wake them. */
static void after_end(void)
{
	if (balancing && !work_left())
		balance_wake_all();
}

/* Without a backend timer, the host's APIC timer ends the slice. */
static void run_with_host_timer(struct vm *vm, uint64_t first_tsc)
{
	apic_timer_arm(tsc_to_ns(first_tsc));
	vm_run(vm);
	apic_timer_disarm();
}

/* The earliest wake-up time of the sleeping VMs. */
static uint64_t earliest_wake(void)
{
	uint64_t wake = UINT64_MAX;

	for (unsigned i = 0; i < vm_count; i++)
		if (mine(vms[i]) && vms[i]->state == VM_SLEEPING && vms[i]->wake_tsc < wake)
			wake = vms[i]->wake_tsc;
	return wake;
}

static void run_one(struct vm *vm)
{
	struct vm *fpu_owner = this_cpu()->fpu_owner;

	balance_arrive(vm);   /* moved here since it last ran: set up for this CPU */
	if (fpu_owner != vm) {
		fpu_switch(fpu_owner ? fpu_owner->fpu : NULL, vm->fpu);
		this_cpu()->fpu_owner = vm;
	}
	/* A tick left pending from the host's own time would end the slice
	 * at once: let it land before arming this one. */
	(void)apic_timer_take_expired();
	this_cpu()->sleeper_wake_tsc = earliest_wake();   /* it may cut this slice */
	vm->slice_start = tsc_read();
	vm->slice_deadline = vm->slice_start + slice_tsc;
	uint64_t first = vm_first_timer_tsc(vm);   /* a ring tick or a wake-up may come first */

	if (skiff_options.kick_bench)   /* benchmark only, one CPU: after the last STI */
		vm_kick_bench_slice(vm, skiff_options.kick_bench);
	if (hal->set_slice(&vm->vcpu, first))
		vm_run(vm);
	else
		run_with_host_timer(vm, first);
	if (vm->state == VM_ENDED)
		this_cpu()->fpu_owner = NULL;  /* its registers are nobody's now: never saved */
}

/* Every live VM sleeps (or none is here): halt until the first of them is
 * due (UINT64_MAX: none; the timer's longest arm, then look again), or
 * until an interrupt (the wake IPI) comes first. */
static void idle_until(uint64_t wake)
{
	uint64_t now = tsc_read();

	if (wake <= now)
		return;
	/* A NIC is polled (by any CPU): idle no longer than its receive latency allows. */
	if (uplink_active() && (wake == UINT64_MAX || tsc_to_ns(wake - now) > UPLINK_POLL_NS))
		wake = now + ns_to_tsc(UPLINK_POLL_NS);
	if (!preemption) {
		while (tsc_read() < wake)
			__asm__ volatile("pause");
		return;
	}
	apic_timer_arm(wake == UINT64_MAX ? UINT64_MAX : tsc_to_ns(wake - now));
	apic_timer_wait();
	apic_timer_disarm();
	(void)apic_timer_take_expired();
}

/* limit=SECONDS: end every guest still alive, with the reason. */
static void end_all_at_limit(void)
{
	for (unsigned i = 0; i < vm_count; i++)
		if (mine(vms[i]) && vms[i]->state != VM_ENDED) {
			/* Its end reads and frees its memory: not while reclaim
			 * elsewhere holds it (vm.h); kept, as it never runs again. */
			vm_claim(vms[i]);
			vm_end(vms[i], 1, VM_END_KILLED, "still running at the limit of %u s (limit=)",
			       skiff_options.limit_seconds);
		}
}

/* schedule: the calling CPU's loop, until every VM placed on it has ended. */
static void schedule(void)
{
	uint64_t deadline = run_deadline;
	unsigned cursor = 0;

	if (skiff_options.kick_bench)   /* benchmark only: one CPU runs it first */
		vm_kick_bench(vms, vm_count, skiff_options.kick_bench);
	while (work_left()) {
		uint64_t now = tsc_read();
		struct vm *vm;

		if (now >= deadline) {
			end_all_at_limit();
			after_end();
			break;
		}
		uplink_poll();   /* any CPU, under the net lock (docs/smp.md) */
		vm = next_runnable(&cursor, now);
		if (vm) {
			uint64_t slices = vm->slices;

			balance_share(vms, vm_count, vm, now);   /* one load while no CPU idles */
			run_one(vm);
			/* For the count of wake-ups that waited for a slice's end. */
			this_cpu()->expired_with_wake_due = vm->slices != slices &&
				__atomic_load_n(&this_cpu()->wake_due, __ATOMIC_RELAXED);
			if (vm_clone_pending(vm))
				start_clones(vm);
			if (vm->state == VM_ENDED)
				after_end();
		} else {
			/* Idle first, then look: a guest handed over after this
			 * leaves the wake IPI pending, which ends the halt. Idle
			 * work (zeroing RAM) counts as idle: it comes in chunks. */
			balance_idle_enter();
			if (!vm_memory_idle_work(vms, vm_count) && work_left())
				idle_until(earliest_wake() < deadline ? earliest_wake() : deadline);
			balance_idle_leave();
		}
	}
}

/* log_memory_totals: what read-only sharing saved at its peak, and how
 * much memory above 4 GiB was in use. */
static void log_memory_totals(void)
{
	uint64_t frames, mappings, high_now, high_peak;

	vm_share_totals(&frames, &mappings);
	log_printf("memory sharing: peak %llu KiB in shared frames backing %llu KiB of guest pages (saved %llu KiB)",
		   (unsigned long long)(frames * 4), (unsigned long long)(mappings * 4),
		   (unsigned long long)((mappings - frames) * 4));
	if (smp_cpu_count() > 1) {
		uint64_t remote, kicks, ticks;

		mem_invalidate_totals(&remote, &kicks, &ticks);
		log_printf("smp: cross-CPU invalidation: %llu remote flushes, %llu guests kicked out "
			   "(%llu kick IPIs taken), %llu pages reclaimed from other CPUs' guests",
			   (unsigned long long)remote, (unsigned long long)kicks,
			   (unsigned long long)apic_kicks_taken(),
			   (unsigned long long)vm_reclaim_cross_cpu());
		log_printf("smp: balancing %s: %llu guests moved between CPUs (%llu wake IPIs taken)",
			   balancing ? "on" : "off", (unsigned long long)balance_moves(),
			   (unsigned long long)apic_wakes_taken());
		if (kicks)
			log_printf("smp: kick round trip (IPI sent to the guest's exit seen): %llu ns on average",
				   (unsigned long long)(tsc_to_ns(ticks) / kicks));
	}
	frames_high_use(&high_now, &high_peak);
	log_printf("memory above 4 GiB: %llu KiB of frames in use, peak %llu KiB",
		   (unsigned long long)(high_now >> 10), (unsigned long long)(high_peak >> 10));
}

/* run_ap: an AP's part (smp_work.h): its timer, its loop, then halt for good. */
static void run_ap(void *unused)
{
	(void)unused;
	if (preemption)
		(void)apic_timer_init_ap();
	smp_selftest_nmi();
	schedule();
	__atomic_fetch_sub(&aps_running, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* schedule_all: every CPU runs its own VMs; back when all have ended. */
static void schedule_all(void)
{
	/* The wake IPI ends a halt; without the APIC timer idle CPUs spin. */
	balancing = skiff_options.balance && smp_cpu_count() > 1 && preemption;
	balance_init(balancing, skiff_options.balance == 1);
	run_deadline = UINT64_MAX;
	if (skiff_options.limit_seconds)
		run_deadline = tsc_read() +
			ns_to_tsc((uint64_t)skiff_options.limit_seconds * 1000000000u);
	for (unsigned i = 1; i < smp_cpu_slots(); i++) {
		if (!smp_cpu(i))
			continue;
		__atomic_fetch_add(&aps_running, 1, __ATOMIC_RELAXED);
		smp_post(i, run_ap, NULL);
	}
	schedule();
	while (__atomic_load_n(&aps_running, __ATOMIC_ACQUIRE)) {
		if (!preemption) {
			__asm__ volatile("pause");
			continue;
		}
		apic_timer_arm(AP_WAIT_NS);   /* halted, not spinning, between looks */
		apic_timer_wait();
		apic_timer_disarm();
		(void)apic_timer_take_expired();
	}
}

/* log_wake_cuts: how vm's wake-ups met other guests' slices (vm_ring_tick.h). */
static void log_wake_cuts(const struct vm *vm)
{
	if (vm->wakes_cut || vm->wakes_waited)
		log_printf("guest %s: woken while its CPU ran another guest: %llu at once "
			   "(that guest's slice cut short), %llu at that slice's end", vm->name,
			   (unsigned long long)vm->wakes_cut, (unsigned long long)vm->wakes_waited);
	if (vm->slices_cut)
		log_printf("guest %s: %llu of its slices cut short for woken guests", vm->name,
			   (unsigned long long)vm->slices_cut);
}

static uint8_t summarize(void)
{
	uint8_t final = 0;

	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vms[i];
		uint64_t exits = 0;

		for (unsigned r = 0; r < HAL_EXIT_REASON_COUNT; r++)
			exits += vm->exit_count[r];
		char cpu[32] = "";

		/* With one CPU the line stays as it always was; cpu= is the
		 * CPU it ran on last, moves= how often balancing moved it. */
		if (smp_cpu_count() > 1)
			format(cpu, sizeof cpu, vm->moves ? " cpu=%u moves=%u" : " cpu=%u",
			       vm->cpu, vm->moves);
		log_printf("summary %s status=%u reason=%s slices=%llu exits=%llu io=%llu cpuid=%llu npf=%llu%s",
			   vm->name, vm->status, vm_end_reason_name(vm->end_reason),
			   (unsigned long long)vm->slices, (unsigned long long)exits,
			   (unsigned long long)vm->exit_count[HAL_EXIT_IO],
			   (unsigned long long)vm->exit_count[HAL_EXIT_CPUID],
			   (unsigned long long)vm->exit_count[HAL_EXIT_NESTED_FAULT], cpu);
		/* Shared: pages mapped to a frame shared with guests of the same
		 * image at its end; compressed: its pages in the pool then, and
		 * the most ever (details on the evict line). */
		log_printf("memory %s resident=%llu KiB peak=%llu KiB shared=%llu KiB compressed=%llu KiB compressed_peak=%llu KiB split_2m=%llu zeroed_idle=%llu KiB zero_reclaimed=%llu KiB",
			   vm->name, (unsigned long long)(vm->pages.resident * 4),
			   (unsigned long long)(vm->pages.peak * 4),
			   (unsigned long long)(vm->shared_pages * 4),
			   (unsigned long long)(vm_evict_compressed_pages(vm) * 4),
			   (unsigned long long)(vm->evict.compressed_peak * 4),
			   (unsigned long long)vm->blocks_split,
			   (unsigned long long)(vm->prezeroed_bytes >> 10),
			   (unsigned long long)(vm->zero_reclaimed * 4));
		vm_evict_log(vm);
		vm_reclaim_log(vm);
		vm_clone_log(vm);
		log_wake_cuts(vm);
		if (vm->free_reports || vm->free_refused)
			log_printf("memory %s free_reports=%llu freed=%llu KiB zeroed_in_place=%llu KiB refused=%llu",
				   vm->name, (unsigned long long)vm->free_reports,
				   (unsigned long long)(vm->free_reported_frames * 4),
				   (unsigned long long)(vm->free_zeroed_in_place * 4),
				   (unsigned long long)vm->free_refused);
		if (vm->status > final)
			final = vm->status;
	}
	log_memory_totals();
	for (unsigned i = 0; i < overflow_count && i < OVERFLOW_NAMED; i++)
		log_printf("summary %s status=1 reason=refused slices=0 exits=0 io=0 cpuid=0 npf=0",
			   overflow_names[i]);
	if (overflow_count > OVERFLOW_NAMED)
		log_printf("and %u more guests refused: Skiff runs at most %u guests",
			   overflow_count - OVERFLOW_NAMED, max_vms());
	if (overflow_count)
		final = final > 1 ? final : 1;
	return final;
}

uint8_t guests_run_all(const struct boot_info *info)
{
	preemption = apic_timer_init();
	slice_ns = (uint64_t)skiff_options.slice_ms * 1000000u;
	slice_tsc = ns_to_tsc(slice_ns);
	if (info->module_count == 0) {
		log_printf("no guest modules: nothing to run");
		return 0;
	}
	collect_data_modules(info);
	for (unsigned i = 0; i < info->module_count; i++)
		if (!is_data_module(&info->modules[i]))
			create_from_module(i, &info->modules[i]);
	gdb_stub_start(vms, vm_count);
	schedule_all();
	return summarize();
}
