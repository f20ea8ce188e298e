/*
 * net_ring.c - the guest's side of the exitless NET rings
 * (skiff_net_ring.h). x86 keeps stores in order with stores and loads with
 * loads, so a compiler barrier orders a buffer before the index that hands
 * it over, and an index before the descriptor it covers.
 */
#include "runtime.h"
#include "skiff_net_ring.h"

#include "lib/kstring.h"

static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

enum skiff_result skiff_net_ring_register_raw(uint64_t handle, uint64_t ring_gpa)
{
	struct skiff_hc_net_ring call = { .handle = handle, .ring = ring_gpa, .ret = SKIFF_EUNSPEC };

	skiff_hypercall_raw(SKIFF_CALL_NET_RING_PORT, (uint32_t)(uintptr_t)&call);
	return (enum skiff_result)call.ret;
}

/* arm: give receive slot i back to Skiff with its full buffer. */
static void arm(struct skiff_net_ring *r, uint32_t i)
{
	volatile struct skiff_ring_desc *d = &r->page.rx.desc[i % SKIFF_RING_ENTRIES];

	d->addr = (uintptr_t)r->rx_buf[i % SKIFF_RING_ENTRIES];
	d->len = SKIFF_RING_BUFFER;
	d->status = SKIFF_RING_PENDING;
}

enum skiff_result skiff_net_ring_open(uint64_t handle, struct skiff_net_ring *r)
{
	memset(&r->page, 0, sizeof(r->page));
	r->page.magic = SKIFF_RING_MAGIC;
	r->page.version = SKIFF_RING_VERSION;
	r->page.entries = SKIFF_RING_ENTRIES;
	for (uint32_t i = 0; i < SKIFF_RING_ENTRIES; i++)
		arm(r, i);
	r->handle = handle;
	r->tx_prod = 0;
	r->rx_cons = 0;
	barrier();
	r->open = skiff_net_ring_register_raw(handle, (uintptr_t)&r->page) == SKIFF_OK;
	return r->open ? SKIFF_OK : SKIFF_EINVAL;
}

void skiff_net_ring_kick(struct skiff_net_ring *r)
{
	if (r->open && r->page.tx.cons != r->tx_prod && r->page.tx.need_kick)
		skiff_hypercall_raw(SKIFF_CALL_NET_KICK_PORT, 0);
}

enum skiff_result skiff_net_ring_write(struct skiff_net_ring *r, const void *frame, size_t len)
{
	volatile struct skiff_ring_desc *d;
	uint32_t slot;

	if (!r->open || len < SKIFF_NET_HLEN || len > SKIFF_RING_BUFFER)
		return SKIFF_EINVAL;
	if (r->tx_prod - r->page.tx.cons >= SKIFF_RING_ENTRIES) {
		skiff_net_ring_kick(r);
		if (r->tx_prod - r->page.tx.cons >= SKIFF_RING_ENTRIES)
			return SKIFF_AGAIN;
	}
	slot = r->tx_prod % SKIFF_RING_ENTRIES;
	memcpy(r->tx_buf[slot], frame, len);
	d = &r->page.tx.desc[slot];
	d->addr = (uintptr_t)r->tx_buf[slot];
	d->len = (uint32_t)len;
	d->status = SKIFF_RING_PENDING;
	barrier();   /* buffer and descriptor before the index */
	r->page.tx.prod = ++r->tx_prod;
	return SKIFF_OK;
}

enum skiff_result skiff_net_ring_read(struct skiff_net_ring *r, void *buf, size_t cap,
				      size_t *len)
{
	if (!r->open)
		return SKIFF_EINVAL;
	while (r->page.rx.prod != r->rx_cons) {
		uint32_t slot = r->rx_cons % SKIFF_RING_ENTRIES;
		uint32_t n = r->page.rx.desc[slot].len;
		uint32_t status = r->page.rx.desc[slot].status;

		barrier();   /* the index before the descriptor and buffer */
		if (status == SKIFF_RING_DONE) {
			if (n > cap || n > SKIFF_RING_BUFFER)
				return SKIFF_EINVAL;
			memcpy(buf, r->rx_buf[slot], n);
			*len = n;
		}
		arm(r, r->rx_cons);
		barrier();   /* re-armed before it is handed back */
		r->page.rx.cons = ++r->rx_cons;
		if (status == SKIFF_RING_DONE)
			return SKIFF_OK;
	}
	return SKIFF_AGAIN;
}
