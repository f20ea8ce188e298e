/*
 * virtio_pci.c - the legacy virtio PCI register block (virtio.h), from
 * the virtio 1.0 specification's "Legacy Interfaces" sections.
 */
#include "drivers/virtio/virtio.h"

#include "drivers/port_io.h"
#include "hypervisor/mem/frames.h"
#include "hypervisor/time/time.h"
#include "lib/errno.h"
#include "lib/kstring.h"

enum { STATUS_ACK = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FAILED = 128 };

static uint16_t reg(uint16_t io, unsigned offset)
{
	return (uint16_t)(io + offset);
}

uint32_t virtio_legacy_begin(uint16_t io)
{
	io_out8(reg(io, VIRTIO_REG_STATUS), 0);   /* reset */
	io_out8(reg(io, VIRTIO_REG_STATUS), STATUS_ACK | STATUS_DRIVER);
	return io_in32(reg(io, VIRTIO_REG_DEVICE_FEATURES));
}

void virtio_legacy_accept(uint16_t io, uint32_t features)
{
	io_out32(reg(io, VIRTIO_REG_GUEST_FEATURES), features);
}

int virtio_legacy_queue(uint16_t io, uint16_t index, uint16_t min_size, struct virtq *q)
{
	struct vring_layout l;
	uint16_t size;
	uint64_t base;

	io_out16(reg(io, VIRTIO_REG_QUEUE_SELECT), index);
	size = io_in16(reg(io, VIRTIO_REG_QUEUE_SIZE));
	if (size == 0 || size < min_size)
		return -ENODEV;
	l = vring_layout_for(size);
	base = frames_alloc_contiguous(l.bytes, FRAME_SIZE);
	if (base == 0)
		return -ENOMEM;
	memset((void *)(uintptr_t)base, 0, l.bytes);
	virtq_place(q, (void *)(uintptr_t)base, size);
	io_out32(reg(io, VIRTIO_REG_QUEUE_PFN), (uint32_t)(base / FRAME_SIZE));
	return 0;
}

void virtio_legacy_notify(uint16_t io, uint16_t index)
{
	io_out16(reg(io, VIRTIO_REG_QUEUE_NOTIFY), index);
}

void virtio_legacy_ready(uint16_t io)
{
	io_out8(reg(io, VIRTIO_REG_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
}

void virtio_legacy_fail(uint16_t io)
{
	io_out8(reg(io, VIRTIO_REG_STATUS), STATUS_FAILED);
}

int virtio_wait_used(struct virtq *q, uint64_t timeout_ns, uint16_t *head, uint32_t *len)
{
	uint64_t deadline = tsc_read() + ns_to_tsc(timeout_ns);
	int rc;

	while ((rc = virtq_take_used(q, head, len)) == 0) {
		if (tsc_read() > deadline)
			return 0;
		__asm__ volatile("pause");
	}
	return rc;
}
