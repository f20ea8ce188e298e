/*
 * switch.h - Skiff's virtual switch: named networks of ports, one learning
 * L2 switch per network.
 *
 * A port is one guest NET device (or, later, the uplink NIC). Frames are
 * Ethernet frames without FCS, 14..mtu+14 bytes. Delivery: a frame to a
 * unicast MAC the network has learned goes to that port only; broadcast,
 * multicast and unknown unicast are flooded to every other port of the
 * network, except unknown unicast from an uplink port (a NIC that may
 * run promiscuous), which is dropped: guests see only frames for them.
 * Nothing crosses networks.
 *
 * Isolation, by construction:
 *  - Memory: each port's receive queue is NET_QUEUE_SLOTS fixed slots in
 *    storage its owner hands over at attach time; the switch never
 *    allocates, so no guest can grow Skiff's memory. A full queue drops
 *    the frame and counts it on the receiving port.
 *  - Fairness: one sender may hold at most a fair share of a receiver's
 *    slots (NET_QUEUE_SLOTS divided by the other ports of the network, at
 *    least one), so a flooder fills only its own share and every other
 *    sender still finds room.
 *  - Spoofing: a guest port may only send frames whose source MAC is its
 *    own (other frames are refused and counted), and guest MACs are pinned
 *    in the network's address table at attach time, so no port can take
 *    over another's address by learning. An uplink port's own MAC is not
 *    pinned (Skiff never sends as the NIC), so one guest may take it.
 *
 * Several CPUs: every function below takes the switch's lock (sw->lock,
 * "net lock" in docs/smp.md) itself, except the _locked ones, whose caller
 * holds it (the uplink, which drives its NIC under the same lock). A
 * port's notify runs with the lock held, on whichever CPU sent the frame:
 * it must take no lock and do little (set a flag, send an IPI). Each port
 * has one consumer (its owner, on one CPU at a time): net_receive, net_peek
 * and net_drop_oldest on a port are never called from two CPUs at once.
 * net_detach under the lock is what makes a guest's end safe while other
 * CPUs send to it: once it returns, no sender reaches the port or calls
 * its notify. Portable C (host tests, with threads, and the fuzzer run it).
 */
#ifndef SKIFF_NET_SWITCH_H
#define SKIFF_NET_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/smp/spinlock.h"

#define NET_HLEN 14u              /* destination, source, EtherType */
#define NET_MTU 1500u             /* every port's MTU */
#define NET_FRAME_MAX (NET_MTU + NET_HLEN)
#define NET_QUEUE_SLOTS 32u       /* frames a port's receive queue holds */
#define NET_MAX_PORTS 64u
#define NET_MAX_NETWORKS 16u
#define NET_NETWORK_NAME_MAX 32u  /* bytes, NUL included */
#define NET_FDB_SIZE 256u         /* learned and pinned addresses, all networks */

/* Results, the same numbers as the hypercalls' (Solo5's). */
enum net_result { NET_OK = 0, NET_AGAIN = 1, NET_EINVAL = 2 };

/* One queued frame. */
struct net_slot {
	uint16_t len;
	uint16_t from;            /* sending port's index, for fair shares */
	uint8_t data[NET_FRAME_MAX];
};

/* What a port's owner provides for its queue: NET_QUEUE_SLOTS slots. */
#define NET_PORT_STORAGE (NET_QUEUE_SLOTS * sizeof(struct net_slot))

struct net_port_stats {
	uint64_t sent;            /* frames accepted from this port */
	uint64_t received;        /* frames handed to this port's owner */
	uint64_t dropped;         /* frames for this port lost to a full share */
	uint64_t refused;         /* calls refused: bad length, spoofed source */
};

struct net_switch;

struct net_port {
	struct net_switch *sw;    /* the switch it belongs to (its lock) */
	bool used;
	bool uplink;              /* may send any source MAC (learned, not pinned) */
	unsigned index;
	unsigned network;
	uint8_t mac[6];
	uint16_t mtu;
	struct net_slot *slots;
	unsigned head, count;
	/* notify: called when a frame is queued for this port (wake a sleeper). */
	void (*notify)(void *owner);
	void *owner;
	struct net_port_stats stats;
};

struct net_fdb_entry {
	bool used, pinned;
	unsigned network;
	uint8_t mac[6];
	unsigned port;
	uint64_t last_used;       /* switch clock: frames seen, for eviction */
};

struct net_switch {
	struct spinlock lock;     /* everything below, every port's queue and stats */
	unsigned network_count;
	char networks[NET_MAX_NETWORKS][NET_NETWORK_NAME_MAX];
	struct net_port ports[NET_MAX_PORTS];
	struct net_fdb_entry fdb[NET_FDB_SIZE];
	uint64_t clock;
};

/* The settings of one port to attach. */
struct net_port_config {
	const char *network;      /* 1..31 of [A-Za-z0-9_.-] */
	uint8_t mac[6];           /* unicast */
	bool uplink;
	void *storage;            /* NET_PORT_STORAGE bytes, owned by the caller until detach */
	void (*notify)(void *owner);
	void *owner;
};

/* net_switch_init: an empty switch: no networks, no ports. */
void net_switch_init(struct net_switch *sw);

/*
 * net_attach: a new port on the network cfg->network (created on first
 * use). Returns the port, or NULL with the reason in err when the network
 * name is bad, there are too many networks or ports, the MAC is multicast
 * or zero, or another port of that network already has it.
 */
struct net_port *net_attach(struct net_switch *sw, const struct net_port_config *cfg,
			    char *err, size_t errlen);

/*
 * net_detach: remove port p (its queued frames are dropped, its addresses
 * forgotten); its final counters into *final when final is not NULL. The
 * caller may free its storage afterwards: no CPU delivers to it or calls
 * its notify after this returns. NULL p is ignored.
 */
void net_detach(struct net_switch *sw, struct net_port *p, struct net_port_stats *final);

/*
 * net_send: port from sends frame[0..len). NET_EINVAL (counted as refused)
 * when len is below NET_HLEN or above mtu + NET_HLEN, or when a guest port's
 * source MAC is not its own; otherwise NET_OK, whether or not any port
 * could queue it (full shares count as dropped on the receiver).
 */
enum net_result net_send(struct net_switch *sw, struct net_port *from,
			 const uint8_t *frame, uint64_t len);

/* net_send_locked: net_send for a caller that holds sw->lock. */
enum net_result net_send_locked(struct net_switch *sw, struct net_port *from,
				const uint8_t *frame, uint64_t len);

/* net_switch_lock / net_switch_unlock: hold sw->lock around several
 * _locked calls (docs/smp.md: it nests only the log locks inside). */
void net_switch_lock(struct net_switch *sw);
void net_switch_unlock(struct net_switch *sw);

/* net_switch_trylock: take sw->lock if it is free now; false otherwise. */
bool net_switch_trylock(struct net_switch *sw);

/* net_frame_len_ok: len is a frame port p may send: NET_HLEN..mtu + NET_HLEN. */
static inline bool net_frame_len_ok(const struct net_port *p, uint64_t len)
{
	return len >= NET_HLEN && len <= (uint64_t)p->mtu + NET_HLEN;
}

/*
 * net_receive: take the oldest frame queued for p into buf[0..cap), its
 * length in *len. NET_AGAIN when none is queued; NET_EINVAL (the frame
 * stays queued, counted as refused) when cap is below its length.
 */
enum net_result net_receive(struct net_port *p, uint8_t *buf, uint64_t cap,
			    uint64_t *len);

/* net_pending: the length of p's oldest queued frame, 0 when none. */
uint64_t net_pending(const struct net_port *p);

/* net_pending_locked: net_pending for a caller that holds the lock. */
uint64_t net_pending_locked(const struct net_port *p);

/*
 * net_peek: p's oldest queued frame (its length in *len), or NULL when none.
 * The frame stays put after the lock is released (senders only fill slots
 * behind the queued ones) until p's consumer drops it with net_drop_oldest.
 */
const uint8_t *net_peek(const struct net_port *p, uint64_t *len);

/* net_drop_oldest: take p's oldest frame off its queue, counted as received
 * (its owner consumed it in place, see net_peek) or, when lost, as dropped. */
void net_drop_oldest(struct net_port *p, bool lost);

/* net_count_refused: count one refused call on p (a bad length seen by the
 * caller before the frame reached the switch). */
void net_count_refused(struct net_port *p);

/* net_port_stats: a consistent copy of p's counters. */
struct net_port_stats net_port_stats(const struct net_port *p);

/* net_network_name: the name of p's network. */
const char *net_network_name(const struct net_switch *sw, const struct net_port *p);

/*
 * net_default_mac: the MAC of device dev of guest guest when none is given:
 * a hash of both names, locally administered (bit 1 of byte 0 set) and
 * unicast (bit 0 clear), the same on every run.
 */
void net_default_mac(const char *guest, const char *dev, uint8_t mac[6]);

/* net_mac_is_unicast: neither multicast (bit 0 of byte 0) nor all zero. */
bool net_mac_is_unicast(const uint8_t mac[6]);

#endif
