/*
 * virtio_net.h - a polled driver for the legacy (transitional) virtio
 * network device, PCI 1af4:1000: QEMU's `-device virtio-net-pci` and the
 * paravirtual NIC of most clouds. The second NIC the uplink network can
 * use, beside the e1000.
 *
 * One receive and one transmit queue of VNET_BUFFERS buffers each (two
 * descriptors per buffer: the 10-byte virtio-net header, then the frame),
 * all in Skiff's own frames; no offloads are negotiated, so frames are
 * plain Ethernet without FCS. Interrupts are suppressed: the owner polls.
 *
 * Receive filtering: when the device offers the control queue with
 * VIRTIO_NET_F_CTRL_RX, the driver turns promiscuous mode off, all
 * multicast on, and loads the guests' MACs into the device's MAC table
 * (VIRTIO_NET_CTRL_MAC_TABLE_SET), so the device drops other hosts'
 * unicast. Without it the device stays promiscuous and the switch's own
 * filtering (net/) alone keeps foreign unicast from guests.
 *
 * Every used-ring entry the device writes is checked (descriptor in
 * range, a buffer the driver gave it, length within the buffer) before a
 * byte is copied; frames longer than the caller's capacity (the MTU) are
 * dropped and counted.
 */
#ifndef SKIFF_DRIVERS_VIRTIO_NET_H
#define SKIFF_DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"

#define VNET_BUFFERS 32u
#define VNET_BUFFER 2048u        /* frame bytes per buffer, past the header */
#define VNET_TABLE_MAX 64u       /* MACs the driver loads before going promiscuous */

struct vnet_buffer;
struct vnet_ctrl;

struct virtio_net {
	uint16_t io;                     /* legacy register block (I/O BAR 0) */
	uint8_t mac[6];
	bool ctrl;                       /* control queue: the device filters by MAC table */
	struct virtq rx, tx, ctrlq;
	struct vnet_buffer *rx_buf, *tx_buf;
	struct vnet_ctrl *ctrl_buf;
	bool rx_posted[VNET_BUFFERS];    /* buffers the device holds */
	bool tx_posted[VNET_BUFFERS];
	unsigned tx_next;
	uint64_t rx_frames, tx_frames, rx_oversize, rx_errors, tx_busy, device_errors;
};

/* virtio_net_find: the first legacy virtio-net function of the scan, or NULL. */
const struct pci_device *virtio_net_find(const struct pci_bus_set *set);

/*
 * virtio_net_init: reset dev, negotiate (MAC, and the control queue with
 * CTRL_RX when offered), set up the queues, read the MAC from the device
 * configuration, offer every receive buffer and start the device; with a
 * control queue, also turn promiscuous mode off and all-multicast on.
 * Returns 0, -EINVAL when BAR0 is not an I/O BAR, -ENODEV when the device
 * has no MAC or queues too small for VNET_BUFFERS, -ENOMEM, or -EIO when
 * a control command fails.
 */
int virtio_net_init(struct virtio_net *nic, const struct pci_device *dev);

/*
 * virtio_net_filter: receive unicast only for the device's MAC and
 * macs[0..count) (6 bytes each) through the MAC table; with more than
 * VNET_TABLE_MAX addresses, promiscuous. Broadcast and multicast are
 * always received. Without a control queue it does nothing (the device
 * is promiscuous). A failed command is logged.
 */
void virtio_net_filter(struct virtio_net *nic, const uint8_t (*macs)[6], unsigned count);

/*
 * virtio_net_transmit: queue frame[0..len) (14..VNET_BUFFER bytes, no FCS)
 * for sending and notify the device. Returns 0, -EBUSY when the next
 * buffer is still the device's (counted in tx_busy), -EINVAL for a bad
 * length.
 */
int virtio_net_transmit(struct virtio_net *nic, const void *frame, size_t len);

/*
 * virtio_net_receive: the next received frame into buf (cap bytes);
 * returns its length, or 0 when none is waiting. Frames longer than cap
 * are dropped (rx_oversize), entries with impossible lengths (rx_errors)
 * or naming a buffer the device does not hold (device_errors) are
 * skipped; every buffer taken back is offered again.
 */
size_t virtio_net_receive(struct virtio_net *nic, void *buf, size_t cap);

#endif
