/*
 * virtio_net.c - legacy virtio-net over PCI, polled (virtio_net.h). Layout
 * and commands from the virtio 1.0 specification, section 5.1 and its
 * "Legacy Interface" notes: without VIRTIO_NET_F_MRG_RXBUF the header is
 * 10 bytes, and without VIRTIO_F_ANY_LAYOUT it sits in a descriptor of its
 * own.
 */
#include "drivers/virtio_net/virtio_net.h"

#include "drivers/port_io.h"
#include "hypervisor/console.h"
#include "hypervisor/mem/frames.h"
#include "lib/errno.h"
#include "lib/kstring.h"

#define VIRTIO_NET_LEGACY 0x1000u
#define VNET_HEADER 10u
#define CTRL_TIMEOUT_NS UINT64_C(1000000000)

enum { NET_F_MAC = 5, NET_F_CTRL_VQ = 17, NET_F_CTRL_RX = 18 };
enum { QUEUE_RX = 0, QUEUE_TX = 1, QUEUE_CTRL = 2 };
enum { CTRL_CLASS_RX = 0, CTRL_RX_PROMISC = 0, CTRL_RX_ALLMULTI = 1 };
enum { CTRL_CLASS_MAC = 1, CTRL_MAC_TABLE_SET = 0 };
#define CTRL_ACK_OK 0u

struct vnet_buffer {
	uint8_t header[16];              /* VNET_HEADER used, padded */
	uint8_t data[VNET_BUFFER];
};

/* The control queue's one command at a time, in a page of its own. */
struct vnet_ctrl {
	uint8_t class_cmd[2];
	uint8_t ack;
	uint8_t onoff;
	uint32_t unicast_entries;
	uint8_t unicast[VNET_TABLE_MAX][6];
	uint32_t multicast_entries;      /* always 0: all-multicast is on */
};

static uint64_t phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;   /* Skiff's own memory is identity-mapped */
}

const struct pci_device *virtio_net_find(const struct pci_bus_set *set)
{
	const struct pci_match m = { VIRTIO_VENDOR, VIRTIO_NET_LEGACY, PCI_ANY, PCI_ANY, PCI_ANY };
	unsigned cursor = 0;

	return pci_find(set, &m, &cursor);
}

/* Buffer i of a queue (bufs[i]) is the chain of descriptors 2i (header) and 2i+1. */
static void offer(struct virtq *q, struct vnet_buffer *bufs, unsigned i, uint32_t len,
		  uint16_t write)
{
	struct vnet_buffer *b = &bufs[i];
	uint16_t d = (uint16_t)(2 * i);

	virtq_set_desc(q, d, phys(b->header), VNET_HEADER, VIRTQ_DESC_F_NEXT | write,
		       (uint16_t)(d + 1));
	virtq_set_desc(q, (uint16_t)(d + 1), phys(b->data), len, write, 0);
	virtq_publish(q, d);
}

/*
 * buffer_of: the buffer a used entry names, or -1 when the head is not
 * the first descriptor of a buffer the device holds (posted[] says which).
 */
static int buffer_of(uint16_t head, const bool *posted)
{
	unsigned i = head / 2u;

	if (head % 2 != 0 || i >= VNET_BUFFERS || !posted[i])
		return -1;
	return (int)i;
}

/*
 * ctrl_command: one control-queue command: class/cmd, out_len bytes of
 * data from out (in the ctrl page), the device's ack. 0 or -EIO (logged).
 */
static int ctrl_command(struct virtio_net *nic, uint8_t cls, uint8_t cmd, const void *out,
			uint32_t out_len, const void *out2, uint32_t out2_len)
{
	struct vnet_ctrl *c = nic->ctrl_buf;
	uint16_t last = out2 ? 3 : 2, head;
	uint32_t len;
	int rc;

	c->class_cmd[0] = cls;
	c->class_cmd[1] = cmd;
	c->ack = 0xff;
	virtq_set_desc(&nic->ctrlq, 0, phys(c->class_cmd), 2, VIRTQ_DESC_F_NEXT, 1);
	virtq_set_desc(&nic->ctrlq, 1, phys(out), out_len, VIRTQ_DESC_F_NEXT, 2);
	if (out2)
		virtq_set_desc(&nic->ctrlq, 2, phys(out2), out2_len, VIRTQ_DESC_F_NEXT, 3);
	virtq_set_desc(&nic->ctrlq, last, phys(&c->ack), 1, VIRTQ_DESC_F_WRITE, 0);
	virtq_publish(&nic->ctrlq, 0);
	virtio_legacy_notify(nic->io, QUEUE_CTRL);
	rc = virtio_wait_used(&nic->ctrlq, CTRL_TIMEOUT_NS, &head, &len);
	__asm__ volatile("" ::: "memory");
	if (rc != 1 || head != 0 || c->ack != CTRL_ACK_OK) {
		log_printf("virtio-net: control command %u.%u failed (%s)", cls, cmd,
			   rc == 0 ? "timeout" : "device refused it");
		return -EIO;
	}
	return 0;
}

static int set_rx_mode(struct virtio_net *nic, uint8_t which, bool on)
{
	nic->ctrl_buf->onoff = on;
	return ctrl_command(nic, CTRL_CLASS_RX, which, &nic->ctrl_buf->onoff, 1, NULL, 0);
}

static int setup_queues(struct virtio_net *nic)
{
	uint64_t bytes = 2 * VNET_BUFFERS * sizeof(struct vnet_buffer) + FRAME_SIZE;
	uint8_t *block;
	int rc;

	if ((rc = virtio_legacy_queue(nic->io, QUEUE_RX, 2 * VNET_BUFFERS, &nic->rx)) != 0 ||
	    (rc = virtio_legacy_queue(nic->io, QUEUE_TX, 2 * VNET_BUFFERS, &nic->tx)) != 0)
		return rc;
	if (nic->ctrl && (rc = virtio_legacy_queue(nic->io, QUEUE_CTRL, 4, &nic->ctrlq)) != 0)
		return rc;
	block = (uint8_t *)(uintptr_t)frames_alloc_contiguous(bytes, FRAME_SIZE);
	if (!block)
		return -ENOMEM;
	memset(block, 0, bytes);
	nic->ctrl_buf = (struct vnet_ctrl *)block;
	nic->rx_buf = (struct vnet_buffer *)(block + FRAME_SIZE);
	nic->tx_buf = nic->rx_buf + VNET_BUFFERS;
	return 0;
}

int virtio_net_init(struct virtio_net *nic, const struct pci_device *dev)
{
	uint32_t features, wanted;
	int rc;

	memset(nic, 0, sizeof(*nic));
	if (dev->bar[0].kind != PCI_BAR_IO)
		return -EINVAL;
	nic->io = (uint16_t)dev->bar[0].base;
	pci_enable(&pci_port_ops, dev, PCI_COMMAND_IO | PCI_COMMAND_BUS_MASTER);
	features = virtio_legacy_begin(nic->io);
	if (!(features & (1u << NET_F_MAC))) {
		virtio_legacy_fail(nic->io);
		return -ENODEV;
	}
	wanted = 1u << NET_F_MAC;
	if ((features & (1u << NET_F_CTRL_VQ)) && (features & (1u << NET_F_CTRL_RX)))
		wanted |= 1u << NET_F_CTRL_VQ | 1u << NET_F_CTRL_RX;
	virtio_legacy_accept(nic->io, wanted);
	nic->ctrl = (wanted & (1u << NET_F_CTRL_VQ)) != 0;
	if ((rc = setup_queues(nic)) != 0) {
		virtio_legacy_fail(nic->io);
		return rc;
	}
	for (unsigned i = 0; i < 6; i++)
		nic->mac[i] = io_in8((uint16_t)(nic->io + VIRTIO_REG_CONFIG + i));
	for (unsigned i = 0; i < VNET_BUFFERS; i++) {
		offer(&nic->rx, nic->rx_buf, i, VNET_BUFFER, VIRTQ_DESC_F_WRITE);
		nic->rx_posted[i] = true;
	}
	virtio_legacy_ready(nic->io);
	virtio_legacy_notify(nic->io, QUEUE_RX);
	if (nic->ctrl && (set_rx_mode(nic, CTRL_RX_ALLMULTI, true) != 0 ||
			  set_rx_mode(nic, CTRL_RX_PROMISC, false) != 0))
		return -EIO;
	return 0;
}

void virtio_net_filter(struct virtio_net *nic, const uint8_t (*macs)[6], unsigned count)
{
	struct vnet_ctrl *c = nic->ctrl_buf;
	bool promiscuous = count > VNET_TABLE_MAX;

	if (!nic->ctrl)
		return;
	c->unicast_entries = promiscuous ? 0 : count;
	for (unsigned i = 0; i < c->unicast_entries; i++)
		memcpy(c->unicast[i], macs[i], 6);
	c->multicast_entries = 0;
	(void)ctrl_command(nic, CTRL_CLASS_MAC, CTRL_MAC_TABLE_SET, &c->unicast_entries,
			   4 + 6 * c->unicast_entries, &c->multicast_entries, 4);
	(void)set_rx_mode(nic, CTRL_RX_PROMISC, promiscuous);
}

/* reclaim_tx: take back the transmit buffers the device has finished. */
static void reclaim_tx(struct virtio_net *nic)
{
	uint16_t head;
	uint32_t len;
	int rc;

	while ((rc = virtq_take_used(&nic->tx, &head, &len)) != 0) {
		int i = rc > 0 ? buffer_of(head, nic->tx_posted) : -1;

		if (i < 0)
			nic->device_errors++;
		else
			nic->tx_posted[i] = false;
	}
}

int virtio_net_transmit(struct virtio_net *nic, const void *frame, size_t len)
{
	unsigned i = nic->tx_next;
	struct vnet_buffer *b = &nic->tx_buf[i];

	if (len < 14 || len > VNET_BUFFER)
		return -EINVAL;
	reclaim_tx(nic);
	if (nic->tx_posted[i]) {
		nic->tx_busy++;
		return -EBUSY;
	}
	memset(b->header, 0, VNET_HEADER);   /* no offloads: a plain frame */
	memcpy(b->data, frame, len);
	nic->tx_posted[i] = true;
	offer(&nic->tx, nic->tx_buf, i, (uint32_t)len, 0);
	nic->tx_next = (i + 1) % VNET_BUFFERS;
	if (virtq_wants_notify(&nic->tx))
		virtio_legacy_notify(nic->io, QUEUE_TX);
	nic->tx_frames++;
	return 0;
}

/* take_frame: copy one used receive buffer out; its length, or 0 (counted). */
static size_t take_frame(struct virtio_net *nic, unsigned i, uint32_t used_len, void *buf,
			 size_t cap)
{
	size_t len;

	if (used_len < VNET_HEADER + 14 || used_len > VNET_HEADER + VNET_BUFFER) {
		nic->rx_errors++;
		return 0;
	}
	len = used_len - VNET_HEADER;
	if (len > cap) {
		nic->rx_oversize++;
		return 0;
	}
	memcpy(buf, nic->rx_buf[i].data, len);
	nic->rx_frames++;
	return len;
}

size_t virtio_net_receive(struct virtio_net *nic, void *buf, size_t cap)
{
	size_t got = 0;
	bool offered = false;
	uint16_t head;
	uint32_t used_len;
	int rc;

	while (got == 0 && (rc = virtq_take_used(&nic->rx, &head, &used_len)) != 0) {
		int i = rc > 0 ? buffer_of(head, nic->rx_posted) : -1;

		if (i < 0) {
			nic->device_errors++;
			continue;
		}
		__asm__ volatile("" ::: "memory");   /* the used entry before the data */
		got = take_frame(nic, (unsigned)i, used_len, buf, cap);
		offer(&nic->rx, nic->rx_buf, (unsigned)i, VNET_BUFFER, VIRTQ_DESC_F_WRITE);
		offered = true;
	}
	if (offered && virtq_wants_notify(&nic->rx))
		virtio_legacy_notify(nic->io, QUEUE_RX);
	return got;
}
