/*
 * net_ring.c - Skiff's side of the exitless NET rings (net_ring.h).
 *
 * Ordering: x86 keeps loads in order with loads and stores with stores,
 * so between Skiff and a guest (on this CPU or another) only the compiler
 * must be kept from reordering: Skiff reads a producer index before the
 * descriptors it covers, and writes a buffer and its descriptor before
 * the index that hands it over. Every guest-owned field is read exactly
 * once per use, into a local, through a volatile access.
 */
#include "net/net_ring.h"

#include "lib/errno.h"
#include "lib/kstring.h"

static void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static volatile struct net_ring_page *page_of(const struct net_ring *r,
					      const struct guest_memory *m)
{
	return guest_ptr(m, r->gpa, NET_RING_BYTES);
}

static uint32_t load32(const volatile uint32_t *p)
{
	return *p;
}

/* copy_desc: the descriptor, read once: later changes by the guest do not matter. */
static struct net_ring_desc copy_desc(const volatile struct net_ring_desc *d)
{
	struct net_ring_desc c;

	c.addr = d->addr;
	c.len = d->len;
	c.status = 0;
	return c;
}

static enum net_ring_take stop(struct net_ring *r)
{
	r->bad_index++;
	r->active = false;
	return NET_RING_STOPPED;
}

int net_ring_register(struct net_ring *r, const struct guest_memory *m, uint64_t gpa,
		      const char **why)
{
	volatile struct net_ring_page *p;

	if (gpa % NET_RING_BYTES != 0) {
		*why = "ring page is not 4 KiB aligned";
		return -EINVAL;
	}
	if (gpa < NET_RING_LOWEST) {
		*why = "ring page lies below 1 MiB (page tables, GDT, boot information)";
		return -EINVAL;
	}
	if (!guest_range_ok(m, gpa, NET_RING_BYTES) || !(p = guest_ptr(m, gpa, NET_RING_BYTES))) {
		*why = "ring page is not inside guest memory";
		return -EINVAL;
	}
	if (p->magic != NET_RING_MAGIC || p->version != NET_RING_VERSION ||
	    p->entries != NET_RING_ENTRIES) {
		*why = "ring page has the wrong magic, version or entry count";
		return -EINVAL;
	}
	if (p->tx.prod != 0 || p->tx.cons != 0 || p->rx.prod != 0 || p->rx.cons != 0) {
		*why = "ring indices are not all zero";
		return -EINVAL;
	}
	p->tx.need_kick = 1;   /* Skiff reads the transmit half only when the guest exits */
	r->active = true;
	r->gpa = gpa;
	r->tx_cons = 0;
	r->rx_prod = 0;
	return 0;
}

enum net_ring_take net_ring_tx_next(struct net_ring *r, const struct guest_memory *m,
				    uint32_t min_len, uint32_t max_len, const uint8_t **frame,
				    uint32_t *len)
{
	volatile struct net_ring_page *p;
	struct net_ring_desc d;
	uint32_t prod;

	if (!r->active)
		return NET_RING_EMPTY;
	if (!(p = page_of(r, m)))
		return stop(r);
	prod = load32(&p->tx.prod);
	if (prod == r->tx_cons)
		return NET_RING_EMPTY;
	if ((uint32_t)(prod - r->tx_cons) > NET_RING_ENTRIES)
		return stop(r);
	compiler_barrier();   /* the index before the descriptor it covers */
	d = copy_desc(&p->tx.desc[r->tx_cons % NET_RING_ENTRIES]);
	if (d.len < min_len || d.len > max_len || !(*frame = guest_ptr(m, d.addr, d.len))) {
		r->bad_desc++;
		return NET_RING_BAD;
	}
	*len = d.len;
	return NET_RING_FRAME;
}

void net_ring_tx_done(struct net_ring *r, const struct guest_memory *m,
		      enum net_ring_status status)
{
	volatile struct net_ring_page *p = page_of(r, m);

	if (!r->active || !p)
		return;
	p->tx.desc[r->tx_cons % NET_RING_ENTRIES].status = status;
	compiler_barrier();   /* the status before the index that returns the slot */
	p->tx.cons = ++r->tx_cons;
}

/* publish_rx: hand the slot at rx_prod back with status, then the index. */
static void publish_rx(struct net_ring *r, volatile struct net_ring_page *p, uint32_t len,
		       enum net_ring_status status)
{
	volatile struct net_ring_desc *d = &p->rx.desc[r->rx_prod % NET_RING_ENTRIES];

	d->len = len;
	d->status = status;
	compiler_barrier();   /* the buffer and descriptor before the index */
	p->rx.prod = ++r->rx_prod;
}

enum net_ring_take net_ring_rx_put(struct net_ring *r, const struct guest_memory *m,
				   const uint8_t *frame, uint32_t len)
{
	volatile struct net_ring_page *p;
	struct net_ring_desc d;
	uint32_t cons, used;
	uint8_t *dst;

	if (!r->active)
		return NET_RING_EMPTY;
	if (!(p = page_of(r, m)))
		return stop(r);
	cons = load32(&p->rx.cons);
	used = r->rx_prod - cons;
	if (used > NET_RING_ENTRIES)
		return stop(r);
	if (used == NET_RING_ENTRIES)
		return NET_RING_EMPTY;
	compiler_barrier();   /* the index before the descriptor it gives back */
	d = copy_desc(&p->rx.desc[r->rx_prod % NET_RING_ENTRIES]);
	if (d.len < len || !(dst = guest_ptr(m, d.addr, len))) {
		r->bad_desc++;
		publish_rx(r, p, 0, NET_RING_REFUSED);
		return NET_RING_BAD;
	}
	memcpy(dst, frame, len);
	publish_rx(r, p, len, NET_RING_DONE);
	return NET_RING_FRAME;
}

bool net_ring_rx_ready(const struct net_ring *r, const struct guest_memory *m)
{
	volatile struct net_ring_page *p;

	return r->active && (p = page_of(r, m)) != NULL && load32(&p->rx.cons) != r->rx_prod;
}

bool net_ring_tx_pending(const struct net_ring *r, const struct guest_memory *m)
{
	volatile struct net_ring_page *p;

	return r->active && (p = page_of(r, m)) != NULL && load32(&p->tx.prod) != r->tx_cons;
}
