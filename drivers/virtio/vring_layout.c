/*
 * vring_layout.c - the legacy split-ring layout (virtio.h).
 */
#include "drivers/virtio/virtio.h"

#define VRING_ALIGN 4096u

static uint64_t align_up(uint64_t v)
{
	return (v + VRING_ALIGN - 1) & ~(uint64_t)(VRING_ALIGN - 1);
}

struct vring_layout vring_layout_for(uint16_t size)
{
	struct vring_layout l;

	l.desc = 0;
	l.avail = 16u * size;                       /* 16-byte descriptors */
	l.used = align_up(l.avail + 6u + 2u * size); /* flags, idx, ring, used_event */
	l.bytes = align_up(l.used + 6u + 8u * size); /* flags, idx, ring of {id, len}, avail_event */
	return l;
}
