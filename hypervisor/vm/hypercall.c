/*
 * hypercall.c - checking and carrying out guests' hypercalls.
 *
 * Argument structs are copied out of guest memory into locals before use and
 * results are copied back, so a struct that is misaligned or straddles a
 * page is handled like any other, and every access passes one bounds check.
 */
#include "hypervisor/vm/hypercall.h"

#include "lib/format.h"
#include "lib/kstring.h"

/* Argument struct sizes: the last byte any field of the call touches. */
enum {
	WALLTIME_SIZE = 8,
	PUTS_SIZE = 16,
	POLL_SIZE = 20,
	BLOCK_SIZE = 36,
	NET_SIZE = 28,
	HALT_SIZE = 12,
	NET_RING_SIZE = 20,
	FREE_REPORT_SIZE = 40,
	SNAPSHOT_SIZE = 12,
};

const char *hypercall_name(uint16_t port)
{
	static const char *const solo5[] = {
		[HC_WALLTIME] = "walltime", [HC_PUTS] = "puts", [HC_POLL] = "poll",
		[HC_BLOCK_WRITE] = "block-write", [HC_BLOCK_READ] = "block-read",
		[HC_NET_WRITE] = "net-write", [HC_NET_READ] = "net-read",
		[HC_HALT] = "halt",
	};
	unsigned nr = port - HYPERCALL_PORT_BASE;

	if (port == SKIFF_CALL_NOP)
		return "skiff-nop";
	if (port == SKIFF_CALL_NET_RING)
		return "skiff-net-ring";
	if (port == SKIFF_CALL_NET_KICK)
		return "skiff-net-kick";
	if (port == SKIFF_CALL_FREE_REPORT)
		return "skiff-free-report";
	if (port == SKIFF_CALL_SNAPSHOT)
		return "skiff-snapshot";
	if (port >= HYPERCALL_PORT_BASE && nr >= HYPERCALL_SOLO5_FIRST &&
	    nr <= HYPERCALL_SOLO5_LAST)
		return solo5[nr];
	return "unknown";
}

static void refuse_call(struct hypercall_result *res, const char *fmt, uint64_t a,
		 uint64_t b)
{
	res->action = HC_DO_KILL;
	format(res->why, sizeof(res->why), fmt, (unsigned long long)a,
	       (unsigned long long)b);
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void store_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

static void store_i32(uint8_t *p, int32_t v) { memcpy(p, &v, sizeof(v)); }

static void do_walltime(const struct hypercall_env *env, uint8_t *arg)
{
	store_u64(arg, env->walltime_ns(env->ctx));
}

static void do_puts(const struct hypercall_env *env, uint8_t *arg,
		    struct hypercall_result *res)
{
	uint64_t data = load_u64(arg), len = load_u64(arg + 8);
	const char *bytes = guest_ptr(&env->mem, data, len);

	if (!bytes) {
		refuse_call(res, "puts: buffer [0x%llx, +0x%llx) is not inside guest memory",
		     data, len);
		return;
	}
	if (len > HYPERCALL_PUTS_CHUNK) {
		/*
		 * The UART is polled with interrupts off: write one chunk, leave
		 * the rest described in the guest's own struct and have the guest
		 * repeat the OUT, so its slice can end between chunks.
		 */
		env->console(env->ctx, bytes, HYPERCALL_PUTS_CHUNK);
		store_u64(arg, data + HYPERCALL_PUTS_CHUNK);
		store_u64(arg + 8, len - HYPERCALL_PUTS_CHUNK);
		res->action = HC_DO_REPEAT;
		return;
	}
	if (len)
		env->console(env->ctx, bytes, len);
}

static uint64_t ready_set(const struct hypercall_env *env)
{
	return env->net_ready ? env->net_ready(env->ctx) : 0;
}

/* POLL's ret: how many handles are ready (libgcc's popcount is not linked). */
static int32_t count_bits(uint64_t v)
{
	int32_t n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void write_poll_result(uint8_t *arg, uint64_t ready)
{
	store_u64(arg + 8, ready);
	store_i32(arg + 16, count_bits(ready));
}

/* POLL: answer now when input is ready (or no wait is asked), else sleep. */
static void do_poll(const struct hypercall_env *env, uint8_t *arg,
		    struct hypercall_result *res)
{
	uint64_t ready = ready_set(env), timeout = load_u64(arg);

	write_poll_result(arg, ready);
	if (ready != 0)
		return;
	res->action = HC_DO_SLEEP;
	res->sleep_ns = timeout;
	res->poll_wait = true;
}

void hypercall_poll_complete(const struct hypercall_env *env, uint64_t arg_gpa)
{
	uint8_t *arg = guest_ptr(&env->mem, arg_gpa, POLL_SIZE);

	if (arg)
		write_poll_result(arg, ready_set(env));
}

static void do_halt(uint8_t *arg, struct hypercall_result *res)
{
	int32_t status;

	memcpy(&status, arg + 8, sizeof(status));
	res->action = HC_DO_HALT;
	res->status = (uint8_t)(status & 0xff);
	res->halt_cookie = load_u64(arg);
}

static struct net_port *net_port_of(const struct hypercall_env *env, uint64_t handle)
{
	return env->net ? env->net(env->ctx, handle) : NULL;
}

/*
 * NET_WRITE {handle @0, data @8, len @16, ret @24}: a bad length is refused
 * before the buffer is looked at, so a "negative" length is EINVAL, not a
 * reach outside RAM.
 */
static void do_net_write(const struct hypercall_env *env, uint8_t *arg,
			 struct hypercall_result *res)
{
	struct net_port *port = net_port_of(env, load_u64(arg));
	uint64_t data = load_u64(arg + 8), len = load_u64(arg + 16);
	const uint8_t *frame;

	if (!port || !net_frame_len_ok(port, len)) {
		if (port)
			net_count_refused(port);
		store_i32(arg + 24, HC_EINVAL);
		return;
	}
	frame = guest_ptr(&env->mem, data, len);
	if (!frame) {
		refuse_call(res, "net-write: frame [0x%llx, +0x%llx) is not inside guest memory",
			    data, len);
		return;
	}
	store_i32(arg + 24, (int32_t)net_send(env->sw, port, frame, len));
}

/* NET_READ {handle @0, data @8, len @16 in/out, ret @24}. */
static void do_net_read(const struct hypercall_env *env, uint8_t *arg,
			struct hypercall_result *res)
{
	struct net_port *port = net_port_of(env, load_u64(arg));
	uint64_t data = load_u64(arg + 8), len = load_u64(arg + 16), got = 0;
	uint8_t *buf;
	enum net_result rc;

	if (!port) {
		store_i32(arg + 24, HC_EINVAL);
		return;
	}
	/* Skiff writes at most one frame: only that much must be the guest's. */
	if (len > (uint64_t)port->mtu + NET_HLEN)
		len = (uint64_t)port->mtu + NET_HLEN;
	buf = guest_ptr(&env->mem, data, len);
	if (!buf) {
		refuse_call(res, "net-read: buffer [0x%llx, +0x%llx) is not inside guest memory",
			    data, len);
		return;
	}
	rc = net_receive(port, buf, len, &got);
	if (rc == NET_OK)
		store_u64(arg + 16, got);
	store_i32(arg + 24, (int32_t)rc);
}

/* block_request_ok: one whole, aligned block inside the device. */
static bool block_request_ok(const struct hypercall_block *dev, uint64_t offset,
			     uint64_t len)
{
	return len == dev->block_size && (offset & (dev->block_size - 1u)) == 0 &&
	       offset <= dev->capacity && len <= dev->capacity - offset;
}

/*
 * Block calls: {handle @0, offset @8, data @16, len @24, ret @32}. A bad
 * request is the guest's own business (EINVAL); a data buffer outside its
 * RAM is an attempt to reach memory that is not its own (killed).
 */
/*
 * Skiff's NET_RING {handle @0, ring @8, ret @16}: a ring the rules refuse
 * (docs/guest-abi.md) answers EINVAL, like a handle that is no net device;
 * the guest goes on with the hypercall path.
 */
static void do_net_ring(const struct hypercall_env *env, uint8_t *arg)
{
	const char *why = "no net devices";
	int rc = env->net_ring ? env->net_ring(env->ctx, load_u64(arg), load_u64(arg + 8), &why)
			       : -1;

	(void)why;
	store_i32(arg + 16, rc == 0 ? HC_OK : HC_EINVAL);
}

static void do_block(const struct hypercall_env *env, uint8_t *arg, bool write,
		     struct hypercall_result *res)
{
	uint64_t handle = load_u64(arg), offset = load_u64(arg + 8);
	uint64_t data = load_u64(arg + 16), len = load_u64(arg + 24);
	const struct hypercall_block *dev = env->block ? env->block(env->ctx, handle) : NULL;
	uint8_t *buf = guest_ptr(&env->mem, data, len);

	if (!dev || !block_request_ok(dev, offset, len) || (write && dev->read_only)) {
		store_i32(arg + 32, HC_EINVAL);
		return;
	}
	if (!buf) {
		refuse_call(res, "block: buffer [0x%llx, +0x%llx) is not inside guest memory",
			    data, len);
		return;
	}
	if (!dev->data) {
		bool done = dev->io && dev->io(dev->io_ctx, write, offset, buf) == 0;

		store_i32(arg + 32, done ? HC_OK : HC_EUNSPEC);
		return;
	}
	if (write)
		memcpy(dev->data + offset, buf, len);
	else
		memcpy(buf, dev->data + offset, len);
	store_i32(arg + 32, HC_OK);
}

static void store_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }

/*
 * FREE_REPORT {ranges @0, count @8, freed @16 out, ret @24 out, error @28
 * out, bad_index @32 out}. Every defect of the list is the guest's own
 * business: refused with EINVAL and a reason, the guest goes on. The list
 * is copied first, because the pages it names (its own among them) are
 * taken away while it is carried out; for the same reason the argument
 * struct is looked up again before the answer is written.
 */
static void do_free_report(const struct hypercall_env *env, uint64_t arg_gpa, uint8_t *arg,
			   struct hypercall_result *res)
{
	struct free_range list[FREE_REPORT_MAX_RANGES];
	struct free_report_verdict v = { FREE_REPORT_E_COUNT, 0, 0 };
	uint64_t at = load_u64(arg), count = load_u64(arg + 8), freed = 0;
	int32_t ret = HC_EINVAL;

	if (count >= 1 && count <= FREE_REPORT_MAX_RANGES) {
		const void *src = guest_ptr(&env->mem, at, count * sizeof(list[0]));

		v.error = FREE_REPORT_E_LIST;
		if (src) {
			memcpy(list, src, count * sizeof(list[0]));
			free_report_check(list, count, env->mem.size, env->protected_end, &v);
		}
	}
	if (!env->free_report)
		ret = HC_EUNSPEC;
	else if (v.error == FREE_REPORT_OK) {
		freed = env->free_report(env->ctx, &v, list, (unsigned)count);
		ret = HC_OK;
	} else
		(void)env->free_report(env->ctx, &v, NULL, 0);
	arg = guest_ptr(&env->mem, arg_gpa, FREE_REPORT_SIZE);
	if (!arg) {
		refuse_call(res, "skiff-free-report: argument struct at 0x%llx (%llu bytes) "
			    "cannot be written back (no memory)", arg_gpa, FREE_REPORT_SIZE);
		return;
	}
	store_u64(arg + 16, freed);
	store_i32(arg + 24, ret);
	store_u32(arg + 28, (uint32_t)v.error);
	store_u64(arg + 32, v.bad_index);
}

static uint64_t arg_size(unsigned nr)
{
	switch (nr) {
	case HC_WALLTIME: return WALLTIME_SIZE;
	case HC_PUTS: return PUTS_SIZE;
	case HC_POLL: return POLL_SIZE;
	case HC_BLOCK_WRITE:
	case HC_BLOCK_READ: return BLOCK_SIZE;
	case HC_NET_WRITE:
	case HC_NET_READ: return NET_SIZE;
	case HC_HALT: return HALT_SIZE;
	default: return 0;
	}
}

void hypercall_dispatch(const struct hypercall_env *env, uint16_t port,
			uint64_t arg_gpa, struct hypercall_result *res)
{
	unsigned nr = port - HYPERCALL_PORT_BASE;
	uint8_t *arg;

	memset(res, 0, sizeof(*res));
	res->action = HC_DO_CONTINUE;
	if (port == SKIFF_CALL_NOP || port == SKIFF_CALL_NET_KICK)
		return;
	if (port == SKIFF_CALL_NET_RING) {
		arg = guest_ptr(&env->mem, arg_gpa, NET_RING_SIZE);
		if (arg)
			do_net_ring(env, arg);
		else
			refuse_call(res, "skiff-net-ring: argument struct at 0x%llx (%llu bytes) is "
				    "not inside guest memory", arg_gpa, NET_RING_SIZE);
		return;
	}
	if (port == SKIFF_CALL_FREE_REPORT) {
		arg = guest_ptr(&env->mem, arg_gpa, FREE_REPORT_SIZE);
		if (arg)
			do_free_report(env, arg_gpa, arg, res);
		else
			refuse_call(res, "skiff-free-report: argument struct at 0x%llx (%llu bytes) "
				    "is not inside guest memory", arg_gpa, FREE_REPORT_SIZE);
		return;
	}
	if (port == SKIFF_CALL_SNAPSHOT) {
		arg = guest_ptr(&env->mem, arg_gpa, SNAPSHOT_SIZE);
		if (arg) {
			res->action = HC_DO_SNAPSHOT;
			res->snapshot_flags = load_u64(arg);
		} else
			refuse_call(res, "skiff-snapshot: argument struct at 0x%llx (%llu bytes) "
				    "is not inside guest memory", arg_gpa, SNAPSHOT_SIZE);
		return;
	}
	if (port < HYPERCALL_PORT_BASE || nr < HYPERCALL_SOLO5_FIRST ||
	    nr > HYPERCALL_SOLO5_LAST) {
		refuse_call(res, "hypercall port 0x%llx is not a known call (arg 0x%llx)",
		     port, arg_gpa);
		return;
	}
	arg = guest_ptr(&env->mem, arg_gpa, arg_size(nr));
	if (!arg) {
		format(res->why, sizeof(res->why),
		       "%s: argument struct at 0x%llx (%llu bytes) is not inside guest memory",
		       hypercall_name(port), (unsigned long long)arg_gpa,
		       (unsigned long long)arg_size(nr));
		res->action = HC_DO_KILL;
		return;
	}
	switch (nr) {
	case HC_WALLTIME: do_walltime(env, arg); break;
	case HC_PUTS: do_puts(env, arg, res); break;
	case HC_POLL: do_poll(env, arg, res); break;
	case HC_BLOCK_WRITE: do_block(env, arg, true, res); break;
	case HC_BLOCK_READ: do_block(env, arg, false, res); break;
	case HC_NET_WRITE: do_net_write(env, arg, res); break;
	case HC_NET_READ: do_net_read(env, arg, res); break;
	case HC_HALT: do_halt(arg, res); break;
	}
}
