/*
 * switch.c - the learning L2 switch behind guests' NET devices (switch.h).
 */
#include "net/switch.h"

#include "lib/format.h"
#include "lib/kstring.h"

void net_switch_init(struct net_switch *sw)
{
	memset(sw, 0, sizeof(*sw));
	for (unsigned i = 0; i < NET_MAX_PORTS; i++) {
		sw->ports[i].index = i;
		sw->ports[i].sw = sw;
	}
}

void net_switch_lock(struct net_switch *sw)
{
	spin_lock(&sw->lock);
}

void net_switch_unlock(struct net_switch *sw)
{
	spin_unlock(&sw->lock);
}

bool net_switch_trylock(struct net_switch *sw)
{
	return spin_trylock(&sw->lock);
}

static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 6) == 0;
}

bool net_mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1u) && !mac_equal(mac, zero);
}

static bool network_name_ok(const char *name)
{
	size_t len = strnlen(name, NET_NETWORK_NAME_MAX);

	if (len == 0 || len == NET_NETWORK_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* network_index: the index of network name, creating it; -1 when full. */
static int network_index(struct net_switch *sw, const char *name)
{
	for (unsigned i = 0; i < sw->network_count; i++)
		if (strcmp(sw->networks[i], name) == 0)
			return (int)i;
	if (sw->network_count == NET_MAX_NETWORKS)
		return -1;
	memcpy(sw->networks[sw->network_count], name, strlen(name) + 1);
	return (int)sw->network_count++;
}

static struct net_fdb_entry *fdb_find(struct net_switch *sw, unsigned network,
				      const uint8_t *mac)
{
	for (unsigned i = 0; i < NET_FDB_SIZE; i++) {
		struct net_fdb_entry *e = &sw->fdb[i];

		if (e->used && e->network == network && mac_equal(e->mac, mac))
			return e;
	}
	return NULL;
}

/* fdb_slot: a free entry, else the least recently used learned one; NULL
 * when every entry is pinned (cannot happen: ports < entries). */
static struct net_fdb_entry *fdb_slot(struct net_switch *sw)
{
	struct net_fdb_entry *victim = NULL;

	for (unsigned i = 0; i < NET_FDB_SIZE; i++) {
		struct net_fdb_entry *e = &sw->fdb[i];

		if (!e->used)
			return e;
		if (!e->pinned && (!victim || e->last_used < victim->last_used))
			victim = e;
	}
	return victim;
}

static void fdb_put(struct net_switch *sw, unsigned network, const uint8_t *mac,
		    unsigned port, bool pinned)
{
	struct net_fdb_entry *e = fdb_find(sw, network, mac);

	if (e && e->pinned && !pinned)
		return;  /* a guest's own address is never re-learned elsewhere */
	if (!e)
		e = fdb_slot(sw);
	if (!e)
		return;
	*e = (struct net_fdb_entry){ .used = true, .pinned = pinned, .network = network,
				     .port = port, .last_used = sw->clock };
	memcpy(e->mac, mac, 6);
}

static struct net_port *free_port(struct net_switch *sw)
{
	for (unsigned i = 0; i < NET_MAX_PORTS; i++)
		if (!sw->ports[i].used)
			return &sw->ports[i];
	return NULL;
}

static struct net_port *attach_locked(struct net_switch *sw, const struct net_port_config *cfg,
				      char *err, size_t errlen)
{
	struct net_fdb_entry *owner;
	struct net_port *p;
	int network;

	if (!network_name_ok(cfg->network)) {
		format(err, errlen, "network name '%.31s' is not 1..31 of [A-Za-z0-9_.-]",
		       cfg->network);
		return NULL;
	}
	if (!net_mac_is_unicast(cfg->mac)) {
		format(err, errlen, "MAC %02x:%02x:%02x:%02x:%02x:%02x is not a unicast address",
		       cfg->mac[0], cfg->mac[1], cfg->mac[2], cfg->mac[3], cfg->mac[4], cfg->mac[5]);
		return NULL;
	}
	network = network_index(sw, cfg->network);
	p = free_port(sw);
	if (network < 0 || !p) {
		format(err, errlen, "the switch is full (at most %u networks and %u ports)",
		       NET_MAX_NETWORKS, NET_MAX_PORTS);
		return NULL;
	}
	owner = fdb_find(sw, (unsigned)network, cfg->mac);
	if (!cfg->uplink && owner && owner->pinned) {
		format(err, errlen, "MAC %02x:%02x:%02x:%02x:%02x:%02x is already used on network %s",
		       cfg->mac[0], cfg->mac[1], cfg->mac[2], cfg->mac[3], cfg->mac[4], cfg->mac[5],
		       cfg->network);
		return NULL;
	}
	*p = (struct net_port){
		.sw = sw, .used = true, .uplink = cfg->uplink, .index = p->index,
		.network = (unsigned)network, .mtu = NET_MTU, .slots = cfg->storage,
		.notify = cfg->notify, .owner = cfg->owner,
	};
	memcpy(p->mac, cfg->mac, 6);
	/* An uplink never sends as itself: its NIC's MAC stays free for a
	 * guest (emulators that filter on that one MAC need it). */
	if (!cfg->uplink)
		fdb_put(sw, (unsigned)network, cfg->mac, p->index, true);
	return p;
}

struct net_port *net_attach(struct net_switch *sw, const struct net_port_config *cfg,
			    char *err, size_t errlen)
{
	struct net_port *p;

	spin_lock(&sw->lock);
	p = attach_locked(sw, cfg, err, errlen);
	spin_unlock(&sw->lock);
	return p;
}

void net_detach(struct net_switch *sw, struct net_port *p, struct net_port_stats *final)
{
	if (!p)
		return;
	spin_lock(&sw->lock);
	if (final)
		*final = p->stats;
	if (p->used) {
		for (unsigned i = 0; i < NET_FDB_SIZE; i++)
			if (sw->fdb[i].used && sw->fdb[i].port == p->index)
				sw->fdb[i].used = false;
		p->used = false;
		p->slots = NULL;
		p->count = 0;
		p->notify = NULL;
	}
	spin_unlock(&sw->lock);
}

/* held_by: how many of p's queued frames came from port from. */
static unsigned held_by(const struct net_port *p, unsigned from)
{
	unsigned held = 0;

	for (unsigned i = 0; i < p->count; i++)
		if (p->slots[(p->head + i) % NET_QUEUE_SLOTS].from == from)
			held++;
	return held;
}

/* fair_share: slots of a receiver one sender may hold on network. */
static unsigned fair_share(const struct net_switch *sw, unsigned network)
{
	unsigned ports = 0;

	for (unsigned i = 0; i < NET_MAX_PORTS; i++)
		if (sw->ports[i].used && sw->ports[i].network == network)
			ports++;
	/* Senders are the other ports: all but the receiver. */
	return ports > 2 ? NET_QUEUE_SLOTS / (ports - 1) : NET_QUEUE_SLOTS;
}

static void deliver(struct net_port *to, const struct net_port *from,
		    const uint8_t *frame, uint64_t len, unsigned share)
{
	struct net_slot *slot;

	if (to->count == NET_QUEUE_SLOTS || held_by(to, from->index) >= share) {
		to->stats.dropped++;
		return;
	}
	slot = &to->slots[(to->head + to->count) % NET_QUEUE_SLOTS];
	slot->len = (uint16_t)len;
	slot->from = (uint16_t)from->index;
	memcpy(slot->data, frame, len);
	to->count++;
	if (to->notify)
		to->notify(to->owner);
}

static void flood(struct net_switch *sw, const struct net_port *from,
		  const uint8_t *frame, uint64_t len)
{
	unsigned share = fair_share(sw, from->network);

	for (unsigned i = 0; i < NET_MAX_PORTS; i++) {
		struct net_port *to = &sw->ports[i];

		if (to->used && to != from && to->network == from->network)
			deliver(to, from, frame, len, share);
	}
}

enum net_result net_send_locked(struct net_switch *sw, struct net_port *from,
				const uint8_t *frame, uint64_t len)
{
	const uint8_t *dst = frame, *src = frame + 6;
	struct net_fdb_entry *e;

	if (!net_frame_len_ok(from, len) ||
	    (!from->uplink && !mac_equal(src, from->mac)) ||
	    (from->uplink && !net_mac_is_unicast(src))) {
		from->stats.refused++;
		return NET_EINVAL;
	}
	sw->clock++;
	from->stats.sent++;
	if (from->uplink)
		fdb_put(sw, from->network, src, from->index, false);
	e = (dst[0] & 1u) ? NULL : fdb_find(sw, from->network, dst);
	if (!e) {
		/* From the wire, a unicast frame for no guest is not theirs to see. */
		if (!(from->uplink && !(dst[0] & 1u)))
			flood(sw, from, frame, len);
		return NET_OK;
	}
	e->last_used = sw->clock;
	if (e->port != from->index)
		deliver(&sw->ports[e->port], from, frame, len,
			fair_share(sw, from->network));
	return NET_OK;
}

enum net_result net_send(struct net_switch *sw, struct net_port *from,
			 const uint8_t *frame, uint64_t len)
{
	enum net_result rc;

	spin_lock(&sw->lock);
	rc = net_send_locked(sw, from, frame, len);
	spin_unlock(&sw->lock);
	return rc;
}

static enum net_result receive_locked(struct net_port *p, uint8_t *buf, uint64_t cap,
				      uint64_t *len)
{
	struct net_slot *slot;

	if (p->count == 0)
		return NET_AGAIN;
	slot = &p->slots[p->head];
	if (cap < slot->len) {
		p->stats.refused++;
		return NET_EINVAL;
	}
	memcpy(buf, slot->data, slot->len);
	*len = slot->len;
	p->head = (p->head + 1) % NET_QUEUE_SLOTS;
	p->count--;
	p->stats.received++;
	return NET_OK;
}

enum net_result net_receive(struct net_port *p, uint8_t *buf, uint64_t cap,
			    uint64_t *len)
{
	enum net_result rc;

	spin_lock(&p->sw->lock);
	rc = receive_locked(p, buf, cap, len);
	spin_unlock(&p->sw->lock);
	return rc;
}

uint64_t net_pending_locked(const struct net_port *p)
{
	return p->count ? p->slots[p->head].len : 0;
}

uint64_t net_pending(const struct net_port *p)
{
	uint64_t len;

	spin_lock(&p->sw->lock);
	len = net_pending_locked(p);
	spin_unlock(&p->sw->lock);
	return len;
}

const uint8_t *net_peek(const struct net_port *p, uint64_t *len)
{
	const uint8_t *data = NULL;

	spin_lock(&p->sw->lock);
	if (p->count) {
		*len = p->slots[p->head].len;
		data = p->slots[p->head].data;
	}
	spin_unlock(&p->sw->lock);
	return data;
}

void net_drop_oldest(struct net_port *p, bool lost)
{
	spin_lock(&p->sw->lock);
	if (p->count) {
		p->head = (p->head + 1) % NET_QUEUE_SLOTS;
		p->count--;
		if (lost)
			p->stats.dropped++;
		else
			p->stats.received++;
	}
	spin_unlock(&p->sw->lock);
}

void net_count_refused(struct net_port *p)
{
	spin_lock(&p->sw->lock);
	p->stats.refused++;
	spin_unlock(&p->sw->lock);
}

struct net_port_stats net_port_stats(const struct net_port *p)
{
	struct net_port_stats st;

	spin_lock(&p->sw->lock);
	st = p->stats;
	spin_unlock(&p->sw->lock);
	return st;
}

const char *net_network_name(const struct net_switch *sw, const struct net_port *p)
{
	return sw->networks[p->network];
}

void net_default_mac(const char *guest, const char *dev, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325u;  /* FNV-1a, 64 bits */
	const char *parts[3] = { guest, "/", dev };

	for (unsigned p = 0; p < 3; p++)
		for (const char *s = parts[p]; *s; s++) {
			h ^= (uint8_t)*s;
			h *= 0x100000001b3u;
		}
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u);
}
