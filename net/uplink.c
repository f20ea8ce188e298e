/*
 * uplink.c - bridging the network "uplink" to the e1000 (uplink.h).
 */
#include "net/uplink.h"

#include "drivers/e1000/e1000.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "lib/kstring.h"

static struct net_switch the_switch;
static bool switch_ready;
static struct e1000 nic;
static struct net_port *port;
static uint8_t frame[NET_FRAME_MAX];

struct net_switch *net_the_switch(void)
{
	if (!switch_ready) {
		net_switch_init(&the_switch);
		switch_ready = true;
	}
	return &the_switch;
}

/* Guests' frames for the wire: hand them to the NIC while it has room. */
static void transmit_queued(void *owner)
{
	uint64_t len;

	(void)owner;
	while (net_pending(port)) {
		uint64_t pending = net_pending(port);

		if (e1000_transmit(&nic, port->slots[port->head].data, pending) != 0)
			return;   /* ring full: stays queued, uplink_poll retries */
		(void)net_receive(port, frame, sizeof(frame), &len);
	}
}

void uplink_init(void)
{
	const struct pci_device *dev = e1000_find(pci_machine());
	struct net_port_config cfg = {
		.network = UPLINK_NETWORK, .uplink = true, .notify = transmit_queued,
	};
	char err[128];
	int rc;

	if (!dev) {
		log_printf("uplink: no e1000 (8086:100e) found; network uplink has no NIC");
		return;
	}
	if ((rc = e1000_init(&nic, dev)) != 0) {
		log_printf("uplink: e1000 at %02x:%02x.%x failed to start (error %d)", dev->bus,
			   dev->slot, dev->function, rc);
		return;
	}
	memcpy(cfg.mac, nic.mac, 6);
	cfg.storage = (void *)(uintptr_t)frames_alloc_contiguous(NET_PORT_STORAGE, FRAME_SIZE);
	if (!cfg.storage || !(port = net_attach(net_the_switch(), &cfg, err, sizeof(err)))) {
		log_printf("uplink: cannot attach the e1000 to the switch: %s",
			   cfg.storage ? err : "no memory");
		return;
	}
	uplink_update_filter();
	log_printf("uplink: e1000 at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, on network %s",
		   dev->bus, dev->slot, dev->function, nic.mac[0], nic.mac[1], nic.mac[2],
		   nic.mac[3], nic.mac[4], nic.mac[5], UPLINK_NETWORK);
}

void uplink_update_filter(void)
{
	uint8_t macs[NET_MAX_PORTS][6];
	unsigned count = 0;

	if (!port)
		return;
	for (unsigned i = 0; i < NET_MAX_PORTS; i++) {
		const struct net_port *p = &the_switch.ports[i];

		if (p->used && p != port && p->network == port->network)
			memcpy(macs[count++], p->mac, 6);
	}
	e1000_filter(&nic, (const uint8_t (*)[6])macs, count);
}

bool uplink_active(void)
{
	return port != NULL;
}

void uplink_poll(void)
{
	size_t len;

	if (!port)
		return;
	transmit_queued(NULL);
	while ((len = e1000_receive(&nic, frame, sizeof(frame))) != 0)
		(void)net_send(net_the_switch(), port, frame, len);
}

void uplink_log_stats(void)
{
	if (port)
		log_printf("uplink: rx=%llu tx=%llu rx_errors=%llu tx_busy=%llu to_guests=%llu dropped=%llu",
			   (unsigned long long)nic.rx_frames, (unsigned long long)nic.tx_frames,
			   (unsigned long long)nic.rx_errors, (unsigned long long)nic.tx_busy,
			   (unsigned long long)port->stats.sent,
			   (unsigned long long)port->stats.dropped);
}
