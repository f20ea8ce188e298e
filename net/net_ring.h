/*
 * net_ring.h - exitless NET rings: one page of a guest's own RAM per NET
 * device, shared by the guest and Skiff, that both poll (docs/guest-abi.md,
 * "NET rings"). The guest produces frames on the transmit half and
 * consumes frames on the receive half; Skiff does the opposite, when the
 * guest exits for any reason and when its scheduler polls.
 *
 * Skiff never trusts what is in the page: the guest may change any byte
 * at any time. Skiff keeps its own copies of the indices it owns (the
 * transmit consumer, the receive producer) and only writes them out;
 * each index the guest owns is read once and checked (a producer more than
 * NET_RING_ENTRIES ahead of the consumer is garbage), each descriptor is
 * copied once and then checked (buffer inside guest RAM, length in range)
 * before a byte moves. Portable: host-tested and fuzzed (fuzz_net_ring).
 */
#ifndef SKIFF_NET_NET_RING_H
#define SKIFF_NET_NET_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/vm/guest_memory.h"

#define NET_RING_MAGIC 0x474e5253u    /* "SRNG" */
#define NET_RING_VERSION 1u
#define NET_RING_ENTRIES 64u          /* per half; a power of two */
#define NET_RING_BYTES 4096u          /* one page, 4 KiB aligned */
#define NET_RING_LOWEST 0x100000u     /* below: GDT, page tables, boot info */

enum net_ring_status { NET_RING_PENDING = 0, NET_RING_DONE = 1, NET_RING_REFUSED = 2 };

struct net_ring_desc {
	uint64_t addr;     /* guest-physical address of the buffer */
	uint32_t len;      /* tx: frame length; rx: the guest's capacity, then Skiff's frame length */
	uint32_t status;   /* enum net_ring_status, written by Skiff */
};

struct net_ring_half {
	uint32_t prod;         /* free-running producer index */
	uint32_t cons;         /* free-running consumer index */
	uint32_t need_kick;    /* set by the consumer: "I sleep, kick me" */
	uint32_t reserved[13];
	struct net_ring_desc desc[NET_RING_ENTRIES];
};

struct net_ring_page {
	uint32_t magic, version, entries;
	uint32_t reserved[13];
	struct net_ring_half tx;   /* guest produces, Skiff consumes */
	struct net_ring_half rx;   /* Skiff produces, guest consumes */
};

_Static_assert(sizeof(struct net_ring_page) <= NET_RING_BYTES, "a ring fits its page");

/* Skiff's private state of one device's ring. */
struct net_ring {
	bool active;
	uint64_t gpa;          /* the page */
	uint32_t tx_cons;      /* Skiff's own copy: never read back from the page */
	uint32_t rx_prod;
	uint64_t bad_index;    /* garbage producer/consumer indices seen (ring stopped) */
	uint64_t bad_desc;     /* descriptors refused (buffer outside RAM, bad length) */
};

/*
 * net_ring_register: take the page at gpa as ring r's. It must be 4 KiB
 * aligned, inside RAM, at or above NET_RING_LOWEST (never over the page
 * tables, GDT or boot information), carry NET_RING_MAGIC, version and
 * NET_RING_ENTRIES, and have all four indices zero. Returns 0 (r active,
 * Skiff's indices zero), or -EINVAL with *why saying which rule failed (r
 * unchanged).
 */
int net_ring_register(struct net_ring *r, const struct guest_memory *m, uint64_t gpa,
		      const char **why);

enum net_ring_take {
	NET_RING_EMPTY,      /* nothing (more) to do */
	NET_RING_FRAME,      /* a checked frame: *frame and *len are set */
	NET_RING_BAD,        /* a refused descriptor: call net_ring_tx_done(REFUSED) */
	NET_RING_STOPPED,    /* a garbage index: the ring is stopped (inactive) */
};

/*
 * net_ring_tx_next: the guest's next frame to send. Copies the descriptor
 * once and checks its buffer lies in RAM and min_len <= len <= max_len;
 * *frame points into guest RAM (valid until the guest next runs).
 */
enum net_ring_take net_ring_tx_next(struct net_ring *r, const struct guest_memory *m,
				    uint32_t min_len, uint32_t max_len, const uint8_t **frame,
				    uint32_t *len);

/* net_ring_tx_done: finish the descriptor tx_next returned (status
 * DONE or REFUSED) and publish Skiff's consumer index. */
void net_ring_tx_done(struct net_ring *r, const struct guest_memory *m,
		      enum net_ring_status status);

/*
 * net_ring_rx_put: place frame[0..len) in the guest's next receive buffer
 * and publish it. NET_RING_FRAME when placed; NET_RING_EMPTY when the
 * ring is full (the caller keeps the frame); NET_RING_BAD when the
 * descriptor was refused (counted, skipped with status REFUSED: the frame
 * is not placed); NET_RING_STOPPED on a garbage consumer index.
 */
enum net_ring_take net_ring_rx_put(struct net_ring *r, const struct guest_memory *m,
				   const uint8_t *frame, uint32_t len);

/* net_ring_rx_ready: the receive half holds frames the guest has not
 * taken (Skiff's producer index differs from the guest's consumer). */
bool net_ring_rx_ready(const struct net_ring *r, const struct guest_memory *m);

/* net_ring_tx_pending: the guest has produced frames Skiff has not taken. */
bool net_ring_tx_pending(const struct net_ring *r, const struct guest_memory *m);

#endif
