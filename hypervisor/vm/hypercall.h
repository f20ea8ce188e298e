/*
 * hypercall.h - the guest's calls into Skiff (Solo5 hvt ABI 2, plus Skiff's
 * own calls at ports 0x580..0x59f).
 *
 * A hypercall is a 4-byte OUT to port 0x500 + number with EAX holding the
 * guest-physical address of the argument struct. The dispatcher is portable
 * C: it reaches the outside world only through struct hypercall_env, so host
 * tests and fuzzers can drive it with hostile arguments.
 */
#ifndef SKIFF_HYPERCALL_H
#define SKIFF_HYPERCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/mem/free_report.h"
#include "hypervisor/vm/guest_memory.h"
#include "net/switch.h"

#define HYPERCALL_PORT_BASE 0x500u
#define HYPERCALL_SOLO5_FIRST 1u
#define HYPERCALL_SOLO5_LAST 8u
#define SKIFF_CALL_PORT_FIRST 0x580u
#define SKIFF_CALL_PORT_LAST 0x59fu
#define SKIFF_CALL_NOP 0x580u
#define SKIFF_CALL_NET_RING 0x588u   /* {handle, ring gpa, ret}: register a NET ring */
#define SKIFF_CALL_NET_KICK 0x589u   /* no argument: an exit, so Skiff serves the rings */
#define SKIFF_CALL_FREE_REPORT 0x581u   /* free-page reporting (free_report.h) */
#define SKIFF_CALL_SNAPSHOT 0x582u   /* {flags, ret}: snapshot here for clone= (vm_clone.h) */

enum hypercall_nr {
	HC_WALLTIME = 1, HC_PUTS = 2, HC_POLL = 3, HC_BLOCK_WRITE = 4,
	HC_BLOCK_READ = 5, HC_NET_WRITE = 6, HC_NET_READ = 7, HC_HALT = 8,
};

/* Results written into a call's ret field. */
enum { HC_OK = 0, HC_AGAIN = 1, HC_EINVAL = 2, HC_EUNSPEC = 3 };

/* What the guest's vCPU does after the call. */
enum hypercall_action {
	HC_DO_CONTINUE,  /* resume after the OUT */
	HC_DO_SLEEP,     /* resume after the OUT once sleep_ns have passed */
	HC_DO_HALT,      /* the guest ended itself with status */
	HC_DO_KILL,      /* the guest broke the ABI: end it, reason in why */
	HC_DO_REPEAT,    /* part done: re-enter at the same OUT, which repeats the call */
	HC_DO_SNAPSHOT,  /* SNAPSHOT: the caller decides (snapshot_flags, arg_gpa) */
};

/*
 * A block device as the dispatcher sees it: bytes in the hypervisor (data),
 * or a region of a disk reached through io (data NULL).
 */
struct hypercall_block {
	uint8_t *data;        /* capacity bytes, or NULL */
	uint64_t capacity;    /* a multiple of block_size */
	uint16_t block_size;  /* a power of two */
	bool read_only;       /* writes answer EINVAL */
	/* io: move the block at offset (checked: aligned, inside) to or from
	 * buf; 0 once done (a write: durable), a negative error otherwise,
	 * which the guest sees as EUNSPEC. */
	int (*io)(void *io_ctx, bool write, uint64_t offset, void *buf);
	void *io_ctx;
};

/* The world as the dispatcher sees it. */
struct hypercall_env {
	struct guest_memory mem;
	void *ctx;
	/* console: write guest bytes (already bounds-checked) to the console. */
	void (*console)(void *ctx, const char *bytes, uint64_t len);
	/* walltime_ns: nanoseconds since the Unix epoch. */
	uint64_t (*walltime_ns)(void *ctx);
	/* block: the device behind a manifest handle, NULL when none is attached. */
	const struct hypercall_block *(*block)(void *ctx, uint64_t handle);
	/* The switch and the guest's port behind a manifest handle (NULL when
	 * no net device is attached there); net may be NULL: no net devices. */
	struct net_switch *sw;
	struct net_port *(*net)(void *ctx, uint64_t handle);
	/* net_ready: the handles (bit n = handle n) with a frame queued. */
	uint64_t (*net_ready)(void *ctx);
	/* net_ring: register (gpa != 0) or drop (gpa 0) the NET ring of the
	 * device behind handle; 0, or -EINVAL with *why set. NULL: no rings. */
	int (*net_ring)(void *ctx, uint64_t handle, uint64_t gpa, const char **why);
	/*
	 * free_report: a free-page report was checked (*v). When it passed,
	 * take back the frames of ranges[0..count) and return how many; when
	 * it was refused (ranges NULL), only note it and return 0. NULL: the
	 * call answers EUNSPEC. Pages below protected_end may not be reported.
	 */
	uint64_t (*free_report)(void *ctx, const struct free_report_verdict *v,
				const struct free_range *ranges, unsigned count);
	uint64_t protected_end;
};

struct hypercall_result {
	enum hypercall_action action;
	uint64_t sleep_ns;     /* HC_DO_SLEEP */
	bool poll_wait;        /* HC_DO_SLEEP from POLL: on waking, complete it
				* with hypercall_poll_complete (a frame wakes it early) */
	uint8_t status;        /* HC_DO_HALT: exit_status & 0xff */
	uint64_t halt_cookie;  /* HC_DO_HALT: the cookie, 0 when none */
	uint64_t snapshot_flags;  /* HC_DO_SNAPSHOT: the call's flags word */
	char why[128];         /* HC_DO_KILL: what was wrong */
};

/* The most bytes one PUTS exit writes: about 22 ms of a 115200-baud UART. */
#define HYPERCALL_PUTS_CHUNK 256u

/*
 * hypercall_is_port: true when an OUT to port is a hypercall attempt (the
 * Solo5 range 0x500..0x5ff or Skiff's calls). Anything else is plain port
 * I/O, which guests may not do.
 */
static inline bool hypercall_is_port(uint16_t port)
{
	return port >= HYPERCALL_PORT_BASE && port <= 0x5ffu;
}

/*
 * hypercall_dispatch: perform the call the guest made by writing arg_gpa
 * (EAX) to port. Every pointer and length in the argument struct is checked
 * against env->mem before use, overflow included; a bad one yields HC_DO_KILL
 * with the reason in res->why and touches nothing. An unknown call number
 * is HC_DO_KILL too. Block calls answer HC_EINVAL in their ret field for a
 * handle with no device, an offset that is not block-aligned, a length other
 * than one block, a block past the capacity, or a write to a read-only
 * device; their data buffer must lie in guest memory or the guest is
 * killed. A device error is HC_EUNSPEC (the guest goes on). Net calls
 * answer HC_EINVAL for a handle with no net device, a NET_WRITE length
 * outside 14..mtu+14 or a source MAC not the device's own, and a NET_READ
 * buffer shorter than the frame (which stays queued); NET_READ answers
 * HC_AGAIN when nothing is queued. Their data buffer (for NET_READ, its
 * first min(len, mtu+14) bytes: all Skiff may write) must lie in guest
 * memory or the guest is killed. POLL answers at once when a net device has
 * a frame or the timeout is 0; otherwise it is HC_DO_SLEEP with poll_wait.
 * A PUTS of more than HYPERCALL_PUTS_CHUNK bytes writes that many, advances
 * data and len in the guest's struct past them and answers HC_DO_REPEAT
 * (output is bounded per exit, so per slice). SNAPSHOT {flags @0, ret @8}
 * is HC_DO_SNAPSHOT with the flags read: whether a snapshot may be taken
 * is the VM's business (its ret is written there). Never reads or writes outside
 * env->mem, the device and the switch.
 */
void hypercall_dispatch(const struct hypercall_env *env, uint16_t port,
			uint64_t arg_gpa, struct hypercall_result *res);

/*
 * hypercall_poll_complete: finish the POLL whose argument struct is at
 * arg_gpa (checked when the call was made) once the guest wakes: writes
 * the ready set from env->net_ready and ret (how many handles are ready).
 * Does nothing when the struct is no longer inside env->mem.
 */
void hypercall_poll_complete(const struct hypercall_env *env, uint64_t arg_gpa);

/* hypercall_name: "puts", "halt", ... for a port, "unknown" otherwise. */
const char *hypercall_name(uint16_t port);

#endif
