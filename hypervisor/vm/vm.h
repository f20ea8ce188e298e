/*
 * vm.h - a virtual machine: one guest, one vCPU, its RAM and nested table.
 */
#ifndef SKIFF_VM_H
#define SKIFF_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "hypervisor/loader/guest_cmdline.h"
#include "hypervisor/loader/guest_image.h"
#include "hypervisor/vm/guest_memory.h"
#include "hypervisor/vm/hypercall.h"
#include "hypervisor/vm/clone/vm_clone.h"
#include "hypervisor/vm/reclaim/vm_evict.h"
#include "hypervisor/mem/mem_invalidate.h"
#include "hypervisor/smp/percpu.h"
#include "net/net_ring.h"
#include "nested_paging/nested_paging.h"

struct shadow;

enum vm_state {
	VM_RUNNABLE,
	VM_SLEEPING,   /* in POLL until wake_tsc */
	VM_ENDED,
};

enum vm_end_reason {
	VM_END_HALT,     /* the guest called HALT */
	VM_END_REFUSED,  /* its image or command line was rejected */
	VM_END_KILLED,   /* Skiff ended it: fault, violation, bad hypercall */
};

#define VM_LINE_MAX 160
#define VM_BLOCK_SIZE 512u

/* A block device given to a guest: block.DEVICE=PATH resolved to a
 * module's bytes (data), or block.DEVICE=disk:N / gpt:NAME to a disk region
 * (data NULL, io and io_ctx as in struct hypercall_block). */
struct vm_disk_backing {
	const char *device;  /* manifest name */
	uint8_t *data;
	uint64_t size;       /* bytes; the device's capacity is this rounded down to blocks */
	int (*io)(void *io_ctx, bool write, uint64_t offset, void *buf);
	void *io_ctx;
	bool read_only;
};

/* An attached net device: a port of the switch, by manifest handle. */
struct vm_net {
	uint64_t handle;
	struct net_port *port;
	uint64_t storage_hpa;   /* its receive queue (NET_PORT_STORAGE bytes) */
	char device[GUEST_NAME_MAX];  /* for the log (cut to fit) */
	struct net_ring ring;         /* the exitless ring, when the guest registered one */
	uint64_t ring_refusals;       /* ring registrations refused */
};

/* An attached block device, by manifest handle. */
struct vm_disk {
	uint64_t handle;
	struct hypercall_block dev;
};

struct vm {
	char name[GUEST_NAME_MAX];
	unsigned id;
	/* The CPU whose queue it is on: where it was built, until balancing
	 * moves it (only that CPU changes it; read it with vm_cpu). */
	unsigned cpu;
	unsigned vcpu_cpu;            /* the CPU its vCPU's per-CPU state is set up for */
	bool pinned;                  /* never moves: cpu=K, or under the debugger */
	uint32_t moves;               /* times balancing moved it to another CPU */
	uint32_t host_claim;          /* 1 + the CPU holding its host side, 0 none (vm_claim.c) */
	bool window_stale;            /* another CPU unmapped part of its window (vm_claim.c) */
	/* The pages its last nested faults mapped, left to the retry by reclaim
	 * on other CPUs (vm_reclaim.c): one instruction may need several. */
	uint64_t fresh_pages[8];
	unsigned fresh_next;
	enum vm_state state;
	struct guest_memory mem;
	struct guest_pages pages;     /* where each page is (vm_memory.c) */
	struct mem_space space;       /* the one invalidation path's view of nested */
	uint64_t prezeroed_bytes;     /* RAM it got zeroed at idle time, for the summary */
	uint64_t zero_reclaimed;      /* zero pages taken back under pressure */
	uint64_t blocks_split;        /* 2 MiB leaves split to take one page (vm_page_split) */
	struct vm_evict_state evict;  /* cold pages in the pool or swap (vm_evict.c) */
	uint64_t kernel_end;          /* pages below may not be reported free */
	uint64_t free_reports, free_refused;  /* free-page reports carried out, refused */
	uint64_t free_reported_frames;  /* 4 KiB frames those reports gave back */
	uint64_t free_zeroed_in_place;  /* reported pages zeroed inside a 2 MiB frame */
	bool sharing;                 /* its read-only segments are shared (vm_share.c) */
	int share_image;              /* its image in the share table, when sharing */
	uint64_t shared_pages;        /* pages mapped to a shared frame now */
	uint64_t unshared_pages;      /* shared pages a hypercall made private */
	uint64_t share_merged;        /* own duplicates merged under pressure */
	uint64_t share_adopted;       /* own pages made the image's frame then */
	/* Of those, taken by reclaim on another CPU than the VM's: zero pages,
	 * merges, evictions (vm_reclaim_count_cross_cpu). */
	uint64_t remote_zero, remote_shared, remote_evicted;
	uint64_t pages_hpa, pages_bytes;  /* the frames holding pages.where */
	struct vm_clone_state clone;  /* clone=: snapshot and clones (vm_clone.c) */
	struct np_table nested;
	bool nested_ready;
	struct shadow *shadow;        /* shadow paging's state, NULL when nested */
	struct pv_mmu *pv;            /* the PV MMU's state (paging=pv), else NULL */
	struct vcpu vcpu;
	bool vcpu_ready;
	unsigned disk_count;
	struct vm_disk disks[GUEST_MAX_BLOCKS];
	unsigned net_count;
	struct vm_net nets[GUEST_MAX_NETS];
	bool polling;                 /* asleep in POLL: a frame wakes it */
	bool frame_queued;            /* set by any CPU's send (atomic); vm_net_woken takes it */
	uint64_t frame_kicks;         /* kicks sent to its CPU for a frame (atomic) */
	uint64_t wakes_cut;           /* woken by a kick, run at once: another's slice cut */
	uint64_t wakes_waited;        /* woken by a kick, run at another's slice end */
	uint64_t slices_cut;          /* its slices cut short for a woken guest */
	uint64_t poll_arg;            /* gpa of that POLL's argument struct */
	uint64_t wake_tsc;
	uint8_t status;
	enum vm_end_reason end_reason;
	uint64_t exit_count[HAL_EXIT_REASON_COUNT];
	uint64_t slices;              /* time slices it used up and was preempted at */
	uint64_t slice_deadline;      /* TSC at which vm_run ends the slice itself */
	uint64_t slice_start;         /* TSC at which its slice began */
	size_t line_len;
	char line[VM_LINE_MAX];       /* guest output not yet copied to the log */
	/* FXSAVE image of the guest's x87/SSE state, while it is not loaded. */
	uint8_t fpu[512] __attribute__((aligned(16)));
};

/*
 * vm_create: build a VM named name from the guest image module
 * image[0..image_len) with the settings in *cfg (cfg->args is its command
 * line) and the disks[0..disk_count) its block.DEV= options name, which
 * the image's manifest must declare. Returns the VM (state VM_RUNNABLE), or a VM already ended with
 * VM_END_REFUSED after logging why (bad image, no memory, ...); NULL only
 * when not even the VM's own page could be allocated (logged too).
 */
struct vm *vm_create(const char *name, unsigned id, const struct guest_config *cfg,
		     const void *image, uint64_t image_len,
		     const struct vm_disk_backing *disks, unsigned disk_count);

/* vm_alloc: a VM record named name with id, runnable on the calling CPU,
 * its FPU image clean; NULL (logged) when no page is left. */
struct vm *vm_alloc(const char *name, unsigned id);

/*
 * vm_net_attach: attach cfg's net.DEV= devices of vm to the switch, each
 * under its manifest handle in img (the loader has checked that img
 * declares them as net devices). Returns 0, or a negative errno after
 * ending vm as refused with the reason (MAC already on the network,
 * switch full, no memory for a queue).
 */
int vm_net_attach(struct vm *vm, const struct guest_config *cfg,
		  const struct guest_image *img);

/* vm_net_mac: the MAC device net of cfg gets on guest name's VM. */
void vm_net_mac(const char *name, const struct guest_net_arg *net, uint8_t mac[6]);

/* vm_net_detach: take vm's ports off the switch and free their queues;
 * logs each port's counters. Safe to call twice. */
void vm_net_detach(struct vm *vm);

/* vm_net_port: the switch port behind manifest handle, or NULL. */
struct net_port *vm_net_port(struct vm *vm, uint64_t handle);

/*
 * vm_net_woken: on vm's own CPU, whether vm, asleep in POLL, must wake
 * because a frame reached one of its queues since it last looked (takes
 * the flag other CPUs raise). False for a VM without NET devices or not
 * in POLL: cheap on the scheduler's path.
 */
bool vm_net_woken(struct vm *vm);

/* vm_net_ready: the handles of vm (bit n = handle n) with a frame queued
 * or, for a device with a ring, a frame on its ring the guest has not taken. */
uint64_t vm_net_ready(struct vm *vm);

/*
 * vm_net_ring: register (gpa != 0) or drop (gpa 0) the ring of vm's net
 * device behind handle. 0, or -EINVAL with *why set (and logged, naming
 * the guest) for a handle that is no net device or a ring net_ring_register
 * refuses.
 */
int vm_net_ring(struct vm *vm, uint64_t handle, uint64_t gpa, const char **why);

/*
 * vm_net_rings_serve: move frames through vm's rings: the guest's transmit
 * halves into the switch (each frame checked like NET_WRITE), then frames
 * queued for its ports onto their receive halves. Call whenever the guest
 * has stopped running: after each of its exits and before it enters.
 */
void vm_net_rings_serve(struct vm *vm);

/* vm_block: the block device behind manifest handle, or NULL. */
const struct hypercall_block *vm_block(struct vm *vm, uint64_t handle);

/*
 * vm_refuse: record a guest that cannot even be built (say, its command line
 * is malformed) as ended with VM_END_REFUSED, logging the formatted reason.
 * NULL when no page for its record could be had (logged).
 */
struct vm *vm_refuse(const char *name, unsigned id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * vm_run: run vm's vCPU until its time slice ends (the timer fired, or
 * an exit came after vm->slice_deadline: the VM stays runnable), it sleeps,
 * or it ends (vm->state tells which). Handles every exit; anything the guest
 * does wrong ends only this VM.
 */
void vm_run(struct vm *vm);

/*
 * vm_end: end vm with status and reason, logging "guest NAME: ..." with the
 * formatted detail; releases its vCPU, nested table and RAM.
 */
void vm_end(struct vm *vm, uint8_t status, enum vm_end_reason reason,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * vm_claim / vm_try_claim / vm_unclaim: the right to touch vm's memory
 * from host code (docs/smp.md). Its own CPU holds it in vm_run except while
 * the guest runs; another CPU takes it to reclaim the VM's pages, and never
 * waits for it (vm_try_claim: false when a CPU other than the caller holds
 * it, true when the caller took it or held it already, *took telling which).
 * vm_claim waits; call it only holding no lock. vm_unclaim releases a claim
 * the caller holds. A page of Skiff's window onto the VM unmapped by
 * another CPU (window_stale) may still be in the TLB of the VM's own CPU,
 * the one CPU that reads through it: that CPU drops its translations when
 * it next takes the claim.
 */
bool vm_try_claim(struct vm *vm, bool *took);
void vm_claim_slow(struct vm *vm);

static inline void vm_claim(struct vm *vm)
{
	uint32_t expected = 0;

	/* The common case, inline for the world switch: free, and no stale
	 * window. Everything else (held already, contended, stale) is slow. */
	if (__atomic_compare_exchange_n(&vm->host_claim, &expected, this_cpu_index() + 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&vm->window_stale, __ATOMIC_RELAXED))
		return;
	vm_claim_slow(vm);
}

static inline void vm_unclaim(struct vm *vm)
{
	__atomic_store_n(&vm->host_claim, 0, __ATOMIC_RELEASE);
}

/*
 * vm_cpu: the CPU whose queue vm is on now. Balancing may move vm between
 * two reads; a caller holding vm's claim that finds its own CPU knows vm is
 * not in guest mode anywhere until it lets the claim go (a VM is moved only
 * while it does not run, and its new CPU claims it before entering).
 */
static inline unsigned vm_cpu(const struct vm *vm)
{
	return __atomic_load_n(&vm->cpu, __ATOMIC_ACQUIRE);
}

/* vm_console_write: guest bytes to the console and, line by line, the log. */
void vm_console_write(struct vm *vm, const char *bytes, uint64_t len);

/* vm_end_reason_name: "halt", "refused" or "killed". */
const char *vm_end_reason_name(enum vm_end_reason reason);

#endif
