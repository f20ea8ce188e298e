/*
 * switch_test.c - host tests of the virtual switch: delivery (unicast,
 * broadcast, multicast, unknown unicast), network separation, bounded
 * queues and fair shares, source-MAC enforcement, lengths, MAC helpers.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lib/parse.h"
#include "net/switch.h"

static struct net_switch sw;
static int wakes[NET_MAX_PORTS];

static struct net_slot storage[8][NET_QUEUE_SLOTS];

static void notify(void *owner) { wakes[(int)(intptr_t)owner]++; }

static struct net_port *attach(const char *network, uint8_t last, int id)
{
	struct net_port_config cfg = {
		.network = network, .mac = { 0x02, 0, 0, 0, 0, last },
		.storage = storage[id], .notify = notify,
		.owner = (void *)(intptr_t)id,
	};
	char err[128];
	struct net_port *p = net_attach(&sw, &cfg, err, sizeof(err));

	if (!p)
		fprintf(stderr, "attach %s %u: %s\n", network, last, err);
	return p;
}

static void frame_to(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint8_t tag)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, tag, 50);
}

static unsigned drain(struct net_port *p)
{
	uint8_t buf[NET_FRAME_MAX];
	uint64_t len;
	unsigned n = 0;

	while (net_receive(p, buf, sizeof(buf), &len) == NET_OK)
		n++;
	return n;
}

static void test_delivery(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t unknown[6] = { 0x02, 9, 9, 9, 9, 9 };
	uint8_t f[64], buf[NET_FRAME_MAX];
	uint64_t len = 0;

	net_switch_init(&sw);
	struct net_port *a = attach("lan", 1, 1), *b = attach("lan", 2, 2);
	struct net_port *c = attach("lan", 3, 3), *x = attach("other", 4, 4);

	CHECK(a && b && c && x);
	/* Unicast to a known MAC reaches that port only. */
	frame_to(f, b->mac, a->mac, 0x11);
	CHECK(net_send(&sw, a, f, 64) == NET_OK);
	CHECK(net_pending(b) == 64 && net_pending(c) == 0 && net_pending(a) == 0);
	CHECK(wakes[2] == 1 && wakes[3] == 0);
	CHECK(net_receive(b, buf, sizeof(buf), &len) == NET_OK && len == 64 &&
	      memcmp(buf, f, 64) == 0);
	CHECK(net_receive(b, buf, sizeof(buf), &len) == NET_AGAIN);
	/* Broadcast, multicast and unknown unicast flood the network only. */
	frame_to(f, bcast, a->mac, 0x22);
	CHECK(net_send(&sw, a, f, 64) == NET_OK);
	frame_to(f, mcast, a->mac, 0x33);
	CHECK(net_send(&sw, a, f, 64) == NET_OK);
	frame_to(f, unknown, a->mac, 0x44);
	CHECK(net_send(&sw, a, f, 64) == NET_OK);
	CHECK(drain(b) == 3 && drain(c) == 3 && drain(a) == 0 && drain(x) == 0);
	/* A frame to oneself goes nowhere. */
	frame_to(f, a->mac, a->mac, 0x55);
	CHECK(net_send(&sw, a, f, 64) == NET_OK && net_pending(a) == 0);
	/* Other networks never see this one's traffic, even by MAC. */
	frame_to(f, x->mac, a->mac, 0x66);
	CHECK(net_send(&sw, a, f, 64) == NET_OK && drain(x) == 0);
	CHECK(drain(b) == 1 && drain(c) == 1);  /* unknown here: flooded on lan */
	CHECK(strcmp(net_network_name(&sw, x), "other") == 0);
}

static void test_lengths_and_spoofing(void)
{
	uint8_t f[NET_FRAME_MAX + 16], small[16];
	uint64_t len = 0;

	net_switch_init(&sw);
	struct net_port *a = attach("lan", 1, 1), *b = attach("lan", 2, 2);

	frame_to(f, b->mac, a->mac, 1);
	CHECK(net_send(&sw, a, f, NET_HLEN - 1) == NET_EINVAL);
	CHECK(net_send(&sw, a, f, NET_FRAME_MAX + 1) == NET_EINVAL);
	CHECK(net_send(&sw, a, f, UINT64_MAX) == NET_EINVAL);
	CHECK(net_send(&sw, a, f, (uint64_t)-1 - 13) == NET_EINVAL);
	CHECK(net_send(&sw, a, f, NET_HLEN) == NET_OK);
	CHECK(net_send(&sw, a, f, NET_FRAME_MAX) == NET_OK);
	CHECK(net_pending(b) == NET_HLEN);
	/* A receive buffer shorter than the frame: refused, frame kept. */
	CHECK(net_receive(b, small, NET_HLEN - 1, &len) == NET_EINVAL);
	CHECK(net_pending(b) == NET_HLEN);
	CHECK(drain(b) == 2);
	/* Spoofing: b's MAC as the source from a is refused, and b's address
	 * stays b's (a unicast to b still reaches b, not a). */
	frame_to(f, a->mac, b->mac, 2);
	CHECK(net_send(&sw, a, f, 64) == NET_EINVAL);
	CHECK(net_pending(a) == 0 && net_pending(b) == 0);
	CHECK(a->stats.refused == 5 && a->stats.sent == 2);
	frame_to(f, b->mac, a->mac, 3);
	CHECK(net_send(&sw, a, f, 64) == NET_OK && drain(b) == 1);
	/* A second port with b's MAC on the same network is refused. */
	CHECK(attach("lan", 2, 3) == NULL);
	CHECK(attach("elsewhere", 2, 3) != NULL);
}

static void test_bounded_and_fair(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[64];

	net_switch_init(&sw);
	struct net_port *server = attach("lan", 1, 1), *flooder = attach("lan", 2, 2);
	struct net_port *client = attach("lan", 3, 3);

	frame_to(f, bcast, flooder->mac, 9);
	for (int i = 0; i < 10000; i++)
		CHECK(net_send(&sw, flooder, f, 64) == NET_OK);
	/* The flooder holds at most its share of the server's queue... */
	CHECK(server->count == NET_QUEUE_SLOTS / 2);
	CHECK(server->stats.dropped == 10000 - NET_QUEUE_SLOTS / 2);
	/* ...so the client's frames still get in. */
	frame_to(f, server->mac, client->mac, 7);
	for (unsigned i = 0; i < NET_QUEUE_SLOTS / 2; i++)
		CHECK(net_send(&sw, client, f, 64) == NET_OK);
	CHECK(server->count == NET_QUEUE_SLOTS);
	CHECK(net_send(&sw, client, f, 64) == NET_OK);
	CHECK(server->count == NET_QUEUE_SLOTS);
	CHECK(drain(server) == NET_QUEUE_SLOTS);
	/* With two ports the single sender may use the whole queue. */
	net_detach(&sw, client, NULL);
	for (int i = 0; i < 100; i++)
		net_send(&sw, flooder, f + 0, 64);
	CHECK(server->count == 0);  /* f's source is the client's MAC: refused */
	frame_to(f, bcast, flooder->mac, 9);
	for (int i = 0; i < 100; i++)
		net_send(&sw, flooder, f, 64);
	CHECK(server->count == NET_QUEUE_SLOTS);
}

static void test_uplink_learning(void)
{
	static const uint8_t host[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct net_port_config cfg = {
		.network = "uplink", .mac = { 0x02, 0xee, 0, 0, 0, 1 }, .uplink = true,
		.storage = storage[0],
	};
	char err[128];
	uint8_t f[64];

	net_switch_init(&sw);
	struct net_port *nic = net_attach(&sw, &cfg, err, sizeof(err));
	struct net_port *g1 = attach("uplink", 1, 1), *g2 = attach("uplink", 2, 2);

	CHECK(nic && g1 && g2);
	/* The NIC's frames from the host are learned: replies go to it alone. */
	frame_to(f, g1->mac, host, 1);
	CHECK(net_send(&sw, nic, f, 64) == NET_OK && drain(g1) == 1 && drain(g2) == 0);
	frame_to(f, host, g1->mac, 2);
	CHECK(net_send(&sw, g1, f, 64) == NET_OK && drain(nic) == 1 && drain(g2) == 0);
	/* Unicast from the wire to a MAC no guest has reaches no guest. */
	frame_to(f, (const uint8_t[6]){ 2, 7, 7, 7, 7, 7 }, host, 5);
	CHECK(net_send(&sw, nic, f, 64) == NET_OK && drain(g1) == 0 && drain(g2) == 0);
	frame_to(f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, host, 6);
	CHECK(net_send(&sw, nic, f, 64) == NET_OK && drain(g1) == 1 && drain(g2) == 1);
	/* The uplink cannot take over a guest's pinned MAC by learning. */
	frame_to(f, g2->mac, g1->mac, 3);
	CHECK(net_send(&sw, nic, f, 64) == NET_OK && drain(g2) == 1);
	frame_to(f, g1->mac, g2->mac, 4);
	CHECK(net_send(&sw, g2, f, 64) == NET_OK && drain(g1) == 1 && drain(nic) == 0);
}

static void test_macs(void)
{
	uint8_t a[6], b[6], m[6];

	net_default_mac("web", "service", a);
	net_default_mac("web", "service", b);
	CHECK(memcmp(a, b, 6) == 0);
	CHECK((a[0] & 3u) == 2u);
	net_default_mac("web.2", "service", b);
	CHECK(memcmp(a, b, 6) != 0);
	net_default_mac("web", "admin", b);
	CHECK(memcmp(a, b, 6) != 0);
	CHECK(parse_mac("02:aB:00:11:22:ff", 17, m));
	CHECK(m[0] == 2 && m[1] == 0xab && m[5] == 0xff);
	CHECK(!parse_mac("02:ab:00:11:22:f", 16, m));
	CHECK(!parse_mac("02-ab-00-11-22-ff", 17, m));
	CHECK(!parse_mac("02:ab:00:11:22:fg", 17, m));
	CHECK(net_mac_is_unicast(a));
	CHECK(!net_mac_is_unicast((const uint8_t[6]){ 1, 0, 0, 0, 0, 0 }));
	CHECK(!net_mac_is_unicast((const uint8_t[6]){ 0 }));
	net_switch_init(&sw);
	CHECK(attach("bad name", 1, 1) == NULL);
	CHECK(attach("", 1, 1) == NULL);
}

int main(void)
{
	test_delivery();
	test_lengths_and_spoofing();
	test_bounded_and_fair();
	test_uplink_learning();
	test_macs();
	return check_report("net_switch_test");
}
