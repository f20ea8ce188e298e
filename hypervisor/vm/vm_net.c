/*
 * vm_net.c - a guest's NET devices: ports of the virtual switch (net/),
 * their receive queues in frames Skiff owns, and waking a guest that
 * sleeps in POLL when a frame arrives for it.
 *
 * A frame for a guest may be sent by any CPU (another guest's, or the one
 * polling the NIC), while the guest's state belongs to its own CPU: the
 * sender only raises vm->frame_queued and, when the guest sleeps, kicks
 * the CPU it is on now out of its halt (guests move between CPUs:
 * balance.c); that CPU's loop turns the flag into a wake-up
 * (vm_net_woken). docs/smp.md, "Network and disk guests on any CPU".
 */
#include "hypervisor/vm/vm.h"

#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/smp/percpu.h"
#include "hypervisor/smp/smp.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kstring.h"
#include "net/uplink.h"

/*
 * wake_on_frame: a frame was queued for one of vm's ports (the switch's
 * notify: net lock held, any CPU). The flag is set before the state is
 * read and the guest's CPU fences between setting VM_SLEEPING and taking
 * the flag (vm_net_woken), so either that CPU sees the flag or this one
 * sees it asleep and sends the kick, which ends its halt at once.
 */
static void wake_on_frame(void *owner)
{
	struct vm *vm = owner;
	unsigned cpu;

	__atomic_store_n(&vm->frame_queued, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->state, __ATOMIC_SEQ_CST) != VM_SLEEPING)
		return;
	/* Read after the state: a guest that moved (balance.c) went to sleep
	 * on its new CPU only after that CPU had taken it over, so the CPU
	 * read here is the one that sleeps with it. */
	cpu = vm_cpu(vm);
	if (cpu != this_cpu_index()) {
		smp_kick_wake(cpu);   /* a busy CPU leaves its guest for this one */
		__atomic_fetch_add(&vm->frame_kicks, 1, __ATOMIC_RELAXED);
	}
}

bool vm_net_woken(struct vm *vm)
{
	if (!vm->net_count || !vm->polling)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the VM_SLEEPING store before the flag's load */
	if (!__atomic_exchange_n(&vm->frame_queued, false, __ATOMIC_SEQ_CST))
		return false;
	/* Only Skiff's own queues are looked at here (the guest's ring needs
	 * its claim): a frame already taken by the ring woke nothing new. */
	for (unsigned i = 0; i < vm->net_count; i++)
		if (vm->nets[i].port && net_pending(vm->nets[i].port))
			return true;
	return false;
}

void vm_net_mac(const char *name, const struct guest_net_arg *net, uint8_t mac[6])
{
	if (net->has_mac)
		memcpy(mac, net->mac, 6);
	else
		net_default_mac(name, net->device, mac);
}

static uint64_t handle_of(const struct guest_image *img, const char *device)
{
	for (unsigned d = 0; d < img->device_count; d++)
		if (strcmp(img->devices[d].name, device) == 0)
			return d + 1;
	return 0;
}

static int attach_one(struct vm *vm, const struct guest_net_arg *arg, uint64_t handle)
{
	struct net_port_config cfg = {
		.network = arg->network, .notify = wake_on_frame, .owner = vm,
	};
	struct vm_net *n = &vm->nets[vm->net_count];
	char err[160];

	vm_net_mac(vm->name, arg, cfg.mac);
	n->storage_hpa = frames_alloc_contiguous(NET_PORT_STORAGE, FRAME_SIZE);
	if (!n->storage_hpa) {
		vm_end(vm, 1, VM_END_REFUSED, "net.%s: no memory for its receive queue",
		       arg->device);
		return -ENOMEM;
	}
	cfg.storage = (void *)(uintptr_t)n->storage_hpa;
	n->port = net_attach(net_the_switch(), &cfg, err, sizeof(err));
	n->handle = handle;
	format(n->device, sizeof(n->device), "%s", arg->device);
	vm->net_count++;
	if (!n->port) {
		vm_end(vm, 1, VM_END_REFUSED, "net.%s=%s: %s", arg->device, arg->network, err);
		return -EINVAL;
	}
	uplink_update_filter();
	log_printf("guest %s: net %s on network %s, mac %02x:%02x:%02x:%02x:%02x:%02x",
		   vm->name, arg->device, arg->network, cfg.mac[0], cfg.mac[1], cfg.mac[2],
		   cfg.mac[3], cfg.mac[4], cfg.mac[5]);
	return 0;
}

int vm_net_attach(struct vm *vm, const struct guest_config *cfg,
		  const struct guest_image *img)
{
	for (unsigned i = 0; i < cfg->net_count; i++) {
		int rc = attach_one(vm, &cfg->nets[i], handle_of(img, cfg->nets[i].device));

		if (rc < 0)
			return rc;
	}
	return 0;
}

void vm_net_detach(struct vm *vm)
{
	for (unsigned i = 0; i < vm->net_count; i++) {
		struct vm_net *n = &vm->nets[i];

		if (n->port) {
			struct net_port_stats final;
			const struct net_port_stats *st = &final;

			/* Off the switch first: after this no CPU delivers to
			 * the port or wakes this VM through it. */
			net_detach(net_the_switch(), n->port, &final);
			log_printf("net %s.%s: sent=%llu received=%llu dropped=%llu refused=%llu",
				   vm->name, n->device, (unsigned long long)st->sent,
				   (unsigned long long)st->received, (unsigned long long)st->dropped,
				   (unsigned long long)st->refused);
			if (n->ring.gpa || n->ring_refusals)
				log_printf("net %s.%s ring: bad_index=%llu bad_desc=%llu "
					   "refused_registrations=%llu", vm->name, n->device,
					   (unsigned long long)n->ring.bad_index,
					   (unsigned long long)n->ring.bad_desc,
					   (unsigned long long)n->ring_refusals);
			n->ring.active = false;
			n->port = NULL;
			uplink_update_filter();
		}
		if (n->storage_hpa)
			frames_free(n->storage_hpa, (NET_PORT_STORAGE + FRAME_SIZE - 1) &
						    ~(uint64_t)(FRAME_SIZE - 1));
	}
	vm->net_count = 0;
	if (vm->frame_kicks)
		log_printf("guest %s: %llu kicks from other CPUs for its frames", vm->name,
			   (unsigned long long)__atomic_load_n(&vm->frame_kicks, __ATOMIC_RELAXED));
}

struct net_port *vm_net_port(struct vm *vm, uint64_t handle)
{
	for (unsigned i = 0; i < vm->net_count; i++)
		if (vm->nets[i].handle == handle)
			return vm->nets[i].port;
	return NULL;
}

uint64_t vm_net_ready(struct vm *vm)
{
	uint64_t ready = 0;

	for (unsigned i = 0; i < vm->net_count; i++) {
		const struct vm_net *n = &vm->nets[i];

		if (n->port && n->handle < 64 &&
		    (net_pending(n->port) || net_ring_rx_ready(&n->ring, &vm->mem)))
			ready |= UINT64_C(1) << n->handle;
	}
	return ready;
}

static struct vm_net *net_of(struct vm *vm, uint64_t handle)
{
	for (unsigned i = 0; i < vm->net_count; i++)
		if (vm->nets[i].handle == handle && vm->nets[i].port)
			return &vm->nets[i];
	return NULL;
}

int vm_net_ring(struct vm *vm, uint64_t handle, uint64_t gpa, const char **why)
{
	struct vm_net *n = net_of(vm, handle);
	struct net_ring fresh = { 0 };

	if (!n) {
		*why = "handle is not an attached net device";
		log_printf("guest %s: net ring for handle %llu refused: %s", vm->name,
			   (unsigned long long)handle, *why);
		return -EINVAL;
	}
	if (gpa == 0) {
		n->ring.active = false;
		return 0;
	}
	if (net_ring_register(&fresh, &vm->mem, gpa, why) != 0) {
		n->ring_refusals++;
		log_printf("guest %s: net %s ring at 0x%llx refused: %s", vm->name, n->device,
			   (unsigned long long)gpa, *why);
		return -EINVAL;
	}
	fresh.bad_index = n->ring.bad_index;
	fresh.bad_desc = n->ring.bad_desc;
	n->ring = fresh;
	log_printf("guest %s: net %s ring at 0x%llx", vm->name, n->device, (unsigned long long)gpa);
	return 0;
}

static void ring_stopped(struct vm *vm, struct vm_net *n)
{
	log_printf("guest %s: net %s ring stopped: an index is garbage (the guest may register "
		   "it again)", vm->name, n->device);
}

/* serve_tx: up to one ring of the guest's frames into the switch. */
static void serve_tx(struct vm *vm, struct vm_net *n)
{
	for (unsigned i = 0; i < NET_RING_ENTRIES; i++) {
		const uint8_t *frame;
		uint32_t len;
		enum net_ring_take t = net_ring_tx_next(&n->ring, &vm->mem, NET_HLEN,
							n->port->mtu + NET_HLEN, &frame, &len);

		if (t == NET_RING_EMPTY)
			return;
		if (t == NET_RING_STOPPED) {
			ring_stopped(vm, n);
			return;
		}
		if (t == NET_RING_BAD) {
			net_count_refused(n->port);
			net_ring_tx_done(&n->ring, &vm->mem, NET_RING_REFUSED);
			continue;
		}
		net_ring_tx_done(&n->ring, &vm->mem,
				 net_send(net_the_switch(), n->port, frame, len) == NET_OK
					 ? NET_RING_DONE : NET_RING_REFUSED);
	}
}

/* serve_rx: the port's queued frames onto the ring, while it has room. */
static void serve_rx(struct vm *vm, struct vm_net *n)
{
	const uint8_t *frame;
	uint64_t len;

	while ((frame = net_peek(n->port, &len)) != NULL) {
		enum net_ring_take t = net_ring_rx_put(&n->ring, &vm->mem, frame, (uint32_t)len);

		if (t == NET_RING_EMPTY)
			return;   /* full: the frame waits in the queue */
		if (t == NET_RING_STOPPED) {
			ring_stopped(vm, n);
			return;
		}
		net_drop_oldest(n->port, t == NET_RING_BAD);
	}
}

void vm_net_rings_serve(struct vm *vm)
{
	for (unsigned i = 0; i < vm->net_count; i++) {
		struct vm_net *n = &vm->nets[i];

		if (!n->port || !n->ring.active)
			continue;
		serve_tx(vm, n);
		if (n->ring.active)
			serve_rx(vm, n);
	}
}
