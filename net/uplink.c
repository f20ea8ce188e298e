/*
 * uplink.c - bridging the network "uplink" to the machine's NIC, an e1000
 * or a virtio-net device (uplink.h). The two drivers differ only behind
 * struct uplink_nic.
 *
 * The NIC driver, the uplink port's queue and the frame buffer below are
 * used only with the switch's lock held (docs/smp.md, "net lock"): the
 * port's notify runs under it on whichever CPU sent a guest's frame, and
 * uplink_poll takes it on whichever CPU polls.
 */
#include "net/uplink.h"

#include "drivers/e1000/e1000.h"
#include "drivers/virtio_net/virtio_net.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "lib/kstring.h"

static struct net_switch the_switch;
static bool switch_ready;
/* What the bridge needs of a NIC driver. */
struct uplink_nic {
	const char *model;
	const uint8_t *mac;
	int (*transmit)(const void *frame, size_t len);
	size_t (*receive)(void *buf, size_t cap);
	void (*filter)(const uint8_t (*macs)[6], unsigned count);
	void (*log_stats)(const struct net_port_stats *st);
};

static struct e1000 e1000;
static struct virtio_net vnet;
static const struct uplink_nic *nic;
static struct net_port *port;
static uint8_t frame[NET_FRAME_MAX];

static int e1000_tx(const void *f, size_t len) { return e1000_transmit(&e1000, f, len); }
static size_t e1000_rx(void *buf, size_t cap) { return e1000_receive(&e1000, buf, cap); }
static void e1000_macs(const uint8_t (*macs)[6], unsigned n) { e1000_filter(&e1000, macs, n); }

static void e1000_stats(const struct net_port_stats *st)
{
	log_printf("uplink: rx=%llu tx=%llu rx_errors=%llu tx_busy=%llu to_guests=%llu dropped=%llu",
		   (unsigned long long)e1000.rx_frames, (unsigned long long)e1000.tx_frames,
		   (unsigned long long)e1000.rx_errors, (unsigned long long)e1000.tx_busy,
		   (unsigned long long)st->sent, (unsigned long long)st->dropped);
}

static const struct uplink_nic e1000_nic = {
	"e1000", e1000.mac, e1000_tx, e1000_rx, e1000_macs, e1000_stats,
};

static int vnet_tx(const void *f, size_t len) { return virtio_net_transmit(&vnet, f, len); }
static size_t vnet_rx(void *buf, size_t cap) { return virtio_net_receive(&vnet, buf, cap); }
static void vnet_macs(const uint8_t (*macs)[6], unsigned n) { virtio_net_filter(&vnet, macs, n); }

static void vnet_stats(const struct net_port_stats *st)
{
	log_printf("uplink: rx=%llu tx=%llu rx_errors=%llu rx_oversize=%llu device_errors=%llu "
		   "tx_busy=%llu to_guests=%llu dropped=%llu",
		   (unsigned long long)vnet.rx_frames, (unsigned long long)vnet.tx_frames,
		   (unsigned long long)vnet.rx_errors, (unsigned long long)vnet.rx_oversize,
		   (unsigned long long)vnet.device_errors, (unsigned long long)vnet.tx_busy,
		   (unsigned long long)st->sent, (unsigned long long)st->dropped);
}

static const struct uplink_nic vnet_nic = {
	"virtio-net", vnet.mac, vnet_tx, vnet_rx, vnet_macs, vnet_stats,
};

struct net_switch *net_the_switch(void)
{
	if (!switch_ready) {
		net_switch_init(&the_switch);
		switch_ready = true;
	}
	return &the_switch;
}

/* Guests' frames for the wire: hand them to the NIC while it has room.
 * The net lock is held (the port's notify, or uplink_poll). */
static void transmit_queued(void *owner)
{
	uint64_t pending;

	(void)owner;
	while ((pending = net_pending_locked(port)) != 0) {
		if (nic->transmit(port->slots[port->head].data, pending) != 0)
			return;   /* ring full: stays queued, uplink_poll retries */
		port->head = (port->head + 1) % NET_QUEUE_SLOTS;
		port->count--;
		port->stats.received++;
	}
}

/*
 * start_nic: the first NIC of the PCI scan that starts, e1000 first; NULL
 * (logged) when there is none. *where is its PCI function.
 */
static const struct uplink_nic *start_nic(const struct pci_device **where)
{
	const struct pci_device *dev;
	int rc;

	if ((dev = e1000_find(pci_machine())) != NULL) {
		*where = dev;
		if ((rc = e1000_init(&e1000, dev)) == 0)
			return &e1000_nic;
		log_printf("uplink: e1000 at %02x:%02x.%x failed to start (error %d)", dev->bus,
			   dev->slot, dev->function, rc);
	}
	if ((dev = virtio_net_find(pci_machine())) != NULL) {
		*where = dev;
		if ((rc = virtio_net_init(&vnet, dev)) == 0) {
			log_printf("uplink: virtio-net filters %s", vnet.ctrl
				   ? "by its MAC table (control queue)"
				   : "nothing (no control queue): promiscuous, the switch filters");
			return &vnet_nic;
		}
		log_printf("uplink: virtio-net at %02x:%02x.%x failed to start (error %d)", dev->bus,
			   dev->slot, dev->function, rc);
	}
	return NULL;
}

void uplink_init(void)
{
	const struct pci_device *dev = NULL;
	const struct uplink_nic *found = start_nic(&dev);
	struct net_port_config cfg = {
		.network = UPLINK_NETWORK, .uplink = true, .notify = transmit_queued,
	};
	char err[128];

	(void)net_the_switch();   /* set up here, on the boot CPU, before any other CPU runs */
	if (!found) {
		if (!dev)
			log_printf("uplink: no e1000 (8086:100e) or virtio-net (1af4:1000) found; "
				   "network uplink has no NIC");
		return;
	}
	nic = found;
	memcpy(cfg.mac, found->mac, 6);
	cfg.storage = (void *)(uintptr_t)frames_alloc_contiguous(NET_PORT_STORAGE, FRAME_SIZE);
	if (!cfg.storage || !(port = net_attach(net_the_switch(), &cfg, err, sizeof(err)))) {
		log_printf("uplink: cannot attach the %s to the switch: %s", found->model,
			   cfg.storage ? err : "no memory");
		return;
	}
	uplink_update_filter();
	log_printf("uplink: %s at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, on network %s",
		   nic->model, dev->bus, dev->slot, dev->function, nic->mac[0], nic->mac[1],
		   nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5], UPLINK_NETWORK);
}

void uplink_update_filter(void)
{
	uint8_t macs[NET_MAX_PORTS][6];
	unsigned count = 0;

	if (!port)
		return;
	net_switch_lock(&the_switch);
	for (unsigned i = 0; i < NET_MAX_PORTS; i++) {
		const struct net_port *p = &the_switch.ports[i];

		if (p->used && p != port && p->network == port->network)
			memcpy(macs[count++], p->mac, 6);
	}
	nic->filter((const uint8_t (*)[6])macs, count);
	net_switch_unlock(&the_switch);
}

bool uplink_active(void)
{
	return port != NULL;
}

void uplink_poll(void)
{
	size_t len;

	/* Any CPU may poll; one that finds another at it (or sending) goes
	 * on with its guests rather than wait: the next poll is near. */
	if (!port || !net_switch_trylock(&the_switch))
		return;
	transmit_queued(NULL);
	while ((len = nic->receive(frame, sizeof(frame))) != 0)
		(void)net_send_locked(&the_switch, port, frame, len);
	net_switch_unlock(&the_switch);
}

void uplink_log_stats(void)
{
	struct net_port_stats st;

	if (!port)
		return;
	st = net_port_stats(port);
	net_switch_lock(&the_switch);   /* the driver's counters too */
	nic->log_stats(&st);
	net_switch_unlock(&the_switch);
}
