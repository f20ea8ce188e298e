/*
 * virtio.h - what Skiff's virtio drivers share: the split virtqueue in the
 * legacy layout (portable, host-tested) and the legacy PCI register block
 * (I/O BAR 0) with its reset, feature and queue set-up steps.
 *
 * Queues live in Skiff's own identity-mapped frames, so a pointer is the
 * DMA address. The device is trusted to follow the protocol, but every
 * index it writes into a used ring is checked before it is used: a wrong
 * device must never make a driver read or write outside its buffers.
 */
#ifndef SKIFF_DRIVERS_VIRTIO_H
#define SKIFF_DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_VENDOR 0x1af4u

enum { VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2 };

/* Offsets of the split virtqueue's parts (legacy layout: the used ring
 * starts on the next 4 KiB boundary). */
struct vring_layout {
	uint64_t desc, avail, used, bytes;
};

/*
 * vring_layout_for: where the descriptor table, available ring and used
 * ring of a queue of `size` entries lie from the queue's base, and the
 * total bytes (a multiple of 4096). Portable (host-tested).
 */
struct vring_layout vring_layout_for(uint16_t size);

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* One split virtqueue as the driver sees it. */
struct virtq {
	uint16_t size;                 /* entries, as the device dictates */
	volatile struct vring_desc *desc;
	volatile uint16_t *avail;      /* flags, idx, ring[size] */
	volatile uint16_t *used;       /* flags, idx, then {u32 id, u32 len}[size] */
	uint16_t avail_idx;            /* the driver's copy of avail->idx */
	uint16_t used_seen;            /* used entries consumed so far */
};

/*
 * virtq_place: lay out a queue of size entries (1..32768) over base, which
 * must hold vring_layout_for(size).bytes zeroed bytes; the device is told
 * not to interrupt (the drivers poll). Portable.
 */
void virtq_place(struct virtq *q, void *base, uint16_t size);

/*
 * virtq_set_desc: fill descriptor i (< size; larger i is ignored) with a
 * buffer of the driver's own memory. Portable.
 */
void virtq_set_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next);

/*
 * virtq_publish: offer the chain starting at descriptor head to the
 * device (ring entry first, then the index; x86 keeps stores in order, so
 * a compiler barrier suffices). The caller notifies the device. Portable.
 */
void virtq_publish(struct virtq *q, uint16_t head);

/*
 * virtq_take_used: the device's next used entry. Returns 1 with *head and
 * *len set, 0 when the device has used nothing new, or -1 when the entry's
 * head is not a descriptor of the queue (the entry is consumed and
 * skipped; the caller counts it). Portable.
 */
int virtq_take_used(struct virtq *q, uint16_t *head, uint32_t *len);

/* virtq_wants_notify: the device has not asked to be spared notifications
 * (VRING_USED_F_NO_NOTIFY clear). Portable. */
bool virtq_wants_notify(const struct virtq *q);

/* Legacy PCI register block (I/O BAR 0). */
enum {
	VIRTIO_REG_DEVICE_FEATURES = 0x00, VIRTIO_REG_GUEST_FEATURES = 0x04,
	VIRTIO_REG_QUEUE_PFN = 0x08, VIRTIO_REG_QUEUE_SIZE = 0x0c, VIRTIO_REG_QUEUE_SELECT = 0x0e,
	VIRTIO_REG_QUEUE_NOTIFY = 0x10, VIRTIO_REG_STATUS = 0x12,
	VIRTIO_REG_CONFIG = 0x14,      /* device configuration, MSI-X left off */
};

/*
 * virtio_legacy_begin: reset the device at I/O base io, acknowledge it and
 * say a driver is here; returns the device's feature bits (0..31).
 */
uint32_t virtio_legacy_begin(uint16_t io);

/* virtio_legacy_accept: tell the device which of its features the driver uses. */
void virtio_legacy_accept(uint16_t io, uint32_t features);

/*
 * virtio_legacy_queue: set up queue index in fresh frames (zeroed, as
 * large as the device's fixed size) and give it to the device. Returns 0,
 * -ENODEV when the device has no such queue or it is smaller than
 * min_size, or -ENOMEM.
 */
int virtio_legacy_queue(uint16_t io, uint16_t index, uint16_t min_size, struct virtq *q);

/* virtio_legacy_notify: tell the device that queue index has new buffers. */
void virtio_legacy_notify(uint16_t io, uint16_t index);

/* virtio_legacy_ready: DRIVER_OK, the device may start. */
void virtio_legacy_ready(uint16_t io);

/* virtio_legacy_fail: FAILED, the driver gives the device up. */
void virtio_legacy_fail(uint16_t io);

/*
 * virtio_wait_used: poll q for its next used entry for at most timeout_ns.
 * Returns 1 (entry taken, *head and *len set), 0 on timeout, -1 for an
 * entry naming no descriptor of the queue.
 */
int virtio_wait_used(struct virtq *q, uint64_t timeout_ns, uint16_t *head, uint32_t *len);

#endif
