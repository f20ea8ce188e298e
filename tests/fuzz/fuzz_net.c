/*
 * fuzz_net.c - libFuzzer entry point for the virtual switch and the NET
 * hypercalls: the input is a program of operations by guests (through
 * hypercall_dispatch, with hostile handles, addresses and lengths) and by
 * an uplink port (any frame), on a switch with three guest ports on two
 * networks and one uplink.
 *
 * Input: repeated records {u8 op, u8 port, u16 len, u64 addr, len bytes of
 * frame}: op % 4 is 0 NET_WRITE, 1 NET_READ, 2 uplink send, 3 POLL. The
 * frame bytes are copied into guest RAM at a fixed place first, so the
 * call may name them or anything else. After every operation the harness
 * checks the switch's promises: no queue holds more than its slots or a
 * frame of a bad length; every queued frame came from a port of the same
 * network; a frame from a guest port carries that port's MAC as source;
 * a refused call (EINVAL) queued nothing; NET_READ never writes outside
 * [data, data + min(len, 1514)) (RAM sits between ASan guard areas).
 */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/vm/hypercall.h"

#define RAM_SIZE (4u * 4096)
#define GUARD_SIZE (64u * 1024)
#define FRAME_AT 0x1000u
#define ARG_AT 0x100u
#define GUEST_PORTS 3u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_switch sw;
static struct net_port *ports[GUEST_PORTS + 1];   /* [GUEST_PORTS] is the uplink */
static struct net_slot storage[GUEST_PORTS + 1][NET_QUEUE_SLOTS];
static uint8_t *ram;
static unsigned current;   /* the guest making the call */

static struct net_port *net_stub(void *ctx, uint64_t handle)
{
	(void)ctx;
	return handle == 1 ? ports[current] : NULL;
}

static uint64_t ready_stub(void *ctx)
{
	(void)ctx;
	return net_pending(ports[current]) ? 2u : 0u;
}

static void console_stub(void *ctx, const char *b, uint64_t n) { (void)ctx; (void)b; (void)n; }
static uint64_t walltime_stub(void *ctx) { (void)ctx; return 0; }

static void setup(void)
{
	static const char *const networks[GUEST_PORTS + 1] = { "a", "a", "b", "a" };
	char err[128];

	net_switch_init(&sw);
	for (unsigned i = 0; i <= GUEST_PORTS; i++) {
		struct net_port_config cfg = {
			.network = networks[i], .mac = { 2, 0, 0, 0, 0, (uint8_t)(i + 1) },
			.uplink = i == GUEST_PORTS, .storage = storage[i],
		};

		ports[i] = net_attach(&sw, &cfg, err, sizeof(err));
		if (!ports[i])
			abort();
	}
}

static void check_queues(void)
{
	for (unsigned i = 0; i <= GUEST_PORTS; i++) {
		const struct net_port *p = ports[i];

		if (p->count > NET_QUEUE_SLOTS)
			abort();
		for (unsigned k = 0; k < p->count; k++) {
			const struct net_slot *s = &p->slots[(p->head + k) % NET_QUEUE_SLOTS];
			const struct net_port *from = &sw.ports[s->from];

			if (s->len < NET_HLEN || s->len > NET_FRAME_MAX || from == p ||
			    from->network != p->network)
				abort();
			if (!from->uplink && memcmp(s->data + 6, from->mac, 6) != 0)
				abort();
		}
	}
}

static unsigned queued_total(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i <= GUEST_PORTS; i++)
		n += ports[i]->count + (unsigned)ports[i]->stats.dropped;
	return n;
}

static void guest_call(uint16_t nr, uint64_t addr, uint64_t len)
{
	struct hypercall_env env = {
		.mem = { .base = ram, .size = RAM_SIZE }, .console = console_stub, .walltime_ns = walltime_stub,
		.sw = &sw, .net = net_stub, .net_ready = ready_stub,
	};
	struct hypercall_result res;
	unsigned before = queued_total();
	int32_t ret;

	memset(ram + ARG_AT, 0, 32);
	memcpy(ram + ARG_AT, &(uint64_t){ 1 }, 8);
	memcpy(ram + ARG_AT + 8, &addr, 8);
	memcpy(ram + ARG_AT + 16, &len, 8);
	hypercall_dispatch(&env, (uint16_t)(HYPERCALL_PORT_BASE + nr), ARG_AT, &res);
	memcpy(&ret, ram + ARG_AT + 24, 4);
	if (nr == HC_NET_WRITE && res.action == HC_DO_CONTINUE && ret != HC_OK &&
	    queued_total() != before)
		abort();
	if (res.action == HC_DO_KILL && queued_total() != before)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *block = malloc(RAM_SIZE + 2 * GUARD_SIZE);

	ram = block + GUARD_SIZE;
	memset(ram, 0, RAM_SIZE);
	__asan_poison_memory_region(block, GUARD_SIZE);
	__asan_poison_memory_region(ram + RAM_SIZE, GUARD_SIZE);
	setup();
	while (size >= 12) {
		uint8_t op = data[0] % 4;
		uint16_t len;
		uint64_t addr;
		size_t take;

		current = data[1] % GUEST_PORTS;
		memcpy(&len, data + 2, 2);
		memcpy(&addr, data + 4, 8);
		data += 12;
		size -= 12;
		take = len < size ? len : size;
		if (take > RAM_SIZE - FRAME_AT)
			take = RAM_SIZE - FRAME_AT;
		memcpy(ram + FRAME_AT, data, take);
		data += take;
		size -= take;
		if (addr & 1)   /* mostly the frame itself, sometimes anywhere */
			addr = FRAME_AT;
		if (op == 0)
			guest_call(HC_NET_WRITE, addr, len);
		else if (op == 1)
			guest_call(HC_NET_READ, addr, len);
		else if (op == 2)
			(void)net_send(&sw, ports[GUEST_PORTS], ram + FRAME_AT, take);
		else
			guest_call(HC_POLL, addr, len);
		check_queues();
	}
	__asan_unpoison_memory_region(block, RAM_SIZE + 2 * GUARD_SIZE);
	free(block);
	return 0;
}
