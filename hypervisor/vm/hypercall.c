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
};

bool hypercall_is_port(uint16_t port)
{
	return port >= HYPERCALL_PORT_BASE && port <= 0x5ffu;
}

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
	if (len)
		env->console(env->ctx, bytes, len);
}

static void do_poll(uint8_t *arg, struct hypercall_result *res)
{
	/* No device can have input yet: POLL is a sleep for the timeout. */
	store_u64(arg + 8, 0);
	store_i32(arg + 16, 0);
	res->action = HC_DO_SLEEP;
	res->sleep_ns = load_u64(arg);
}

static void do_halt(uint8_t *arg, struct hypercall_result *res)
{
	int32_t status;

	memcpy(&status, arg + 8, sizeof(status));
	res->action = HC_DO_HALT;
	res->status = (uint8_t)(status & 0xff);
	res->halt_cookie = load_u64(arg);
}

/* Net calls: no net device can be attached yet, so every handle is bad. */
static void do_net(uint8_t *arg)
{
	store_i32(arg + 24, HC_EINVAL);
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
	if (port == SKIFF_CALL_NOP)
		return;
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
	case HC_POLL: do_poll(arg, res); break;
	case HC_BLOCK_WRITE: do_block(env, arg, true, res); break;
	case HC_BLOCK_READ: do_block(env, arg, false, res); break;
	case HC_NET_WRITE:
	case HC_NET_READ: do_net(arg); break;
	case HC_HALT: do_halt(arg, res); break;
	}
}
