/*
 * virtq.c - the driver's side of a split virtqueue (virtio.h). Portable:
 * it touches only the queue's memory.
 */
#include "drivers/virtio/virtio.h"

#define AVAIL_F_NO_INTERRUPT 1u
#define USED_F_NO_NOTIFY 1u

_Static_assert(sizeof(struct vring_desc) == 16, "a split-ring descriptor is 16 bytes");

static void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

void virtq_place(struct virtq *q, void *base, uint16_t size)
{
	struct vring_layout l = vring_layout_for(size);
	uint8_t *b = base;

	q->size = size;
	q->desc = (volatile struct vring_desc *)(b + l.desc);
	q->avail = (volatile uint16_t *)(b + l.avail);
	q->used = (volatile uint16_t *)(b + l.used);
	q->avail_idx = 0;
	q->used_seen = 0;
	q->avail[0] = AVAIL_F_NO_INTERRUPT;
}

void virtq_set_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	if (i >= q->size)
		return;
	q->desc[i].addr = addr;
	q->desc[i].len = len;
	q->desc[i].flags = flags;
	q->desc[i].next = next;
}

void virtq_publish(struct virtq *q, uint16_t head)
{
	q->avail[2 + q->avail_idx % q->size] = head;
	compiler_barrier();   /* the ring entry before the index that shows it */
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	compiler_barrier();
}

int virtq_take_used(struct virtq *q, uint16_t *head, uint32_t *len)
{
	const volatile uint32_t *entry;
	uint32_t id;

	if (q->used[1] == q->used_seen)
		return 0;
	compiler_barrier();   /* the index before the entry it shows */
	entry = (const volatile uint32_t *)(q->used + 2) + 2u * (q->used_seen % q->size);
	id = entry[0];
	*len = entry[1];
	q->used_seen++;
	if (id >= q->size)
		return -1;
	*head = (uint16_t)id;
	return 1;
}

bool virtq_wants_notify(const struct virtq *q)
{
	return !(q->used[0] & USED_F_NO_NOTIFY);
}
