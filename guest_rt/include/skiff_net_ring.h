/*
 * skiff_net_ring.h - exitless NET rings (docs/guest-abi.md, "NET rings"):
 * one page of the guest's RAM per net device that the guest and Skiff
 * both poll, instead of one exit per frame.
 *
 * The guest produces frames on the transmit half and consumes frames on
 * the receive half. Skiff serves a device's ring whenever the guest exits,
 * for any reason (POLL, any call, the end of its time slice), so a guest
 * that sends and then waits in POLL pays no exit for the send; one that
 * wants its frames out at once kicks (skiff_net_ring_kick, one exit). A
 * guest asleep in POLL is woken by a frame on its ring as by one in its
 * queue.
 */
#ifndef SKIFF_NET_RING_H
#define SKIFF_NET_RING_H

#include <stddef.h>
#include <stdint.h>

#include "skiff_abi.h"

#define SKIFF_CALL_NET_RING_PORT 0x588u   /* {handle, ring, ret}: register a ring */
#define SKIFF_CALL_NET_KICK_PORT 0x589u   /* no argument: serve my rings now */

#define SKIFF_RING_MAGIC 0x474e5253u
#define SKIFF_RING_VERSION 1u
#define SKIFF_RING_ENTRIES 64u
#define SKIFF_RING_BUFFER 2048u           /* bytes per buffer in struct skiff_net_ring */

enum { SKIFF_RING_PENDING = 0, SKIFF_RING_DONE = 1, SKIFF_RING_REFUSED = 2 };

struct skiff_ring_desc {
	uint64_t addr;      /* buffer's guest-physical address */
	uint32_t len;       /* tx: frame length; rx: capacity, then the frame's length */
	uint32_t status;    /* written by Skiff */
};

struct skiff_ring_half {
	volatile uint32_t prod, cons, need_kick;
	uint32_t reserved[13];
	volatile struct skiff_ring_desc desc[SKIFF_RING_ENTRIES];
};

struct skiff_ring_page {
	uint32_t magic, version, entries;
	uint32_t reserved[13];
	struct skiff_ring_half tx, rx;
} __attribute__((aligned(4096)));

struct skiff_hc_net_ring {
	uint64_t handle;
	uint64_t ring;      /* guest-physical address of the page; 0 drops the ring */
	int32_t ret;        /* out: SKIFF_OK or SKIFF_EINVAL */
};

/* One device's ring and its buffers (about 260 KiB: give it static storage). */
struct skiff_net_ring {
	struct skiff_ring_page page;
	uint8_t tx_buf[SKIFF_RING_ENTRIES][SKIFF_RING_BUFFER];
	uint8_t rx_buf[SKIFF_RING_ENTRIES][SKIFF_RING_BUFFER];
	uint64_t handle;
	uint32_t tx_prod, rx_cons;   /* the guest's own indices */
	int open;
};

/*
 * skiff_net_ring_open: set r up for net device handle and register it with
 * Skiff. SKIFF_OK, or SKIFF_EINVAL when Skiff refuses (no such device, or
 * a Skiff without rings): the caller keeps using skiff_net_write/read.
 */
enum skiff_result skiff_net_ring_open(uint64_t handle, struct skiff_net_ring *r);

/*
 * skiff_net_ring_write: copy frame[0..len) onto the transmit half. SKIFF_OK,
 * SKIFF_AGAIN when the ring is full even after a kick, SKIFF_EINVAL when
 * len is outside 14..SKIFF_RING_BUFFER or r is not open. Skiff checks the
 * frame (length to the MTU, source MAC) when it takes it: a refused frame
 * is counted in Skiff's refused=, not reported here.
 */
enum skiff_result skiff_net_ring_write(struct skiff_net_ring *r, const void *frame, size_t len);

/*
 * skiff_net_ring_read: the next received frame into buf (cap bytes), its
 * length in *len. SKIFF_OK, SKIFF_AGAIN when none is waiting, SKIFF_EINVAL
 * when cap is shorter than the frame (it stays) or r is not open.
 */
enum skiff_result skiff_net_ring_read(struct skiff_net_ring *r, void *buf, size_t cap,
				      size_t *len);

/* skiff_net_ring_kick: one exit when frames wait on the transmit half and
 * Skiff asked for kicks; nothing otherwise. */
void skiff_net_ring_kick(struct skiff_net_ring *r);

/* skiff_net_ring_register_raw: Skiff's NET_RING call with any handle and
 * address, no checks: for tests of Skiff's refusals. */
enum skiff_result skiff_net_ring_register_raw(uint64_t handle, uint64_t ring_gpa);

#endif
