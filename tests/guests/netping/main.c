/*
 * netping - guests that talk over Skiff's virtual switch with hand-built
 * frames, as Solo5's ARP + ping test unikernels do. Declares one net
 * device, "service". Modes (first argument):
 *
 *   responder IP COUNT
 *       Answers ARP requests for IP and ICMP echo requests to IP, sleeping
 *       in POLL (30 s timeout) between frames; after COUNT echo requests
 *       prints "served COUNT echo requests" and SUCCESS. Exits 1 when no
 *       frame comes for 30 s (so it fails if a frame does not wake POLL:
 *       the pinger's retries give up long before).
 *   pinger IP PEER COUNT
 *       Resolves PEER by ARP, then sends COUNT echo requests of 56 bytes
 *       and checks each reply (addresses, id, sequence, payload); waits at
 *       most 2 s per try, 3 tries each. Prints the peer's MAC, "COUNT/COUNT
 *       replies" and SUCCESS; exits 1 on any failure.
 *   bench IP PEER COUNT
 *       Like pinger, COUNT round trips of 64-byte and then of 1,472-byte
 *       payloads; prints "rtt SIZE bytes: N tsc" (mean per round trip).
 *   flooder MS
 *       Broadcasts 1,514-byte frames for MS milliseconds, as fast as it can;
 *       prints "flood done" and exits 0 if every send was accepted.
 *   spoof VICTIM-IP
 *       Tries to send frames with another source MAC (a made-up one, a
 *       broadcast one, and as a gratuitous ARP claiming VICTIM-IP with the
 *       victim's default MAC 02:..): each must be refused with EINVAL while
 *       a frame with its own MAC is accepted. Prints SUCCESS.
 *
 *   ringhostile PEER-IP
 *       Hostile NET ring use (docs/guest-abi.md): registrations over the
 *       page tables, unaligned, outside RAM, without the magic, for a
 *       handle that is no net device, with indices not zero: each refused.
 *       Then a real ring with descriptors outside RAM and lengths over the
 *       MTU (each refused, status REFUSED), a garbage producer index (the
 *       ring stops), 2,000 rounds of random rewrites of the transmit half
 *       and the receive consumer with kicks; finally a fresh ring pings
 *       PEER-IP 3 times. Prints SUCCESS.
 *
 * A first "after MS" sleeps MS milliseconds in POLL before anything else
 * (so a peer's memory can be squeezed meanwhile: ci/boot_tests.d/xreclaim.json).
 * A first argument "ring" makes responder, pinger and bench use an
 * exitless NET ring (skiff_net_ring.h) instead of NET_WRITE/NET_READ;
 * "ring spin" also makes them wait by spinning on the ring, never in POLL
 * (no exit of their own), and the responder then fails when a request took
 * more than 200 ms to reach it after its previous reply (the pinger asks
 * again at once): Skiff must serve a spinning guest's ring within its
 * slice (ring ticks, hypervisor/vm/vm_ring_tick.h), not at its end.
 *
 * Every mode first checks the manifest: the device is attached, its MAC
 * unicast and locally administered, its MTU 1500 (prints "mac ok").
 */
#include "skiff.h"
#include "skiff_net_ring.h"

#include "../common/netframe.h"
#include "lib/kstring.h"

SKIFF_MANIFEST(SKIFF_DEVICE_NET("service"));

#define MS 1000000ull
#define SECOND 1000000000ull

static uint64_t handle;
static struct skiff_net_info info;
static uint8_t frame[1600], reply[1600];
static struct skiff_net_ring ring;
static bool use_ring, spin_wait;

#define SPIN_GAP_LIMIT_NS (200 * MS)

/* now_ns: nanoseconds from the TSC, without an exit (WALLTIME is a call):
 * the benchmark's exit counts are then the network path's alone. */
static uint64_t now_ns(void)
{
	uint64_t tsc = skiff_tsc(), hz = skiff_tsc_hz();

	return tsc / hz * SECOND + tsc % hz * SECOND / hz;
}

/* send_frame, read_frame: through the ring when one is open, else by hypercall. */
static enum skiff_result send_frame(const void *f, size_t len)
{
	return use_ring ? skiff_net_ring_write(&ring, f, len) : skiff_net_write(handle, f, len);
}

static enum skiff_result read_frame(void *buf, size_t cap, size_t *len)
{
	return use_ring ? skiff_net_ring_read(&ring, buf, cap, len)
			: skiff_net_read(handle, buf, cap, len);
}

static int fail(const char *why)
{
	skiff_printf("FAIL: %s\n", why);
	return 1;
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static bool check_device(void)
{
	if (skiff_net_find("service", &handle) != SKIFF_OK ||
	    skiff_net_info(handle, &info) != SKIFF_OK)
		return false;
	if ((info.mac[0] & 3u) != 2u || info.mtu != 1500)
		return false;
	skiff_printf("mac ok\n");
	return true;
}

/* next_frame: wait until deadline (walltime) for a frame; its length or 0. */
static size_t next_frame(uint64_t deadline)
{
	size_t len;

	for (;;) {
		uint64_t now = now_ns();

		if (read_frame(frame, sizeof(frame), &len) == SKIFF_OK)
			return len;
		if (now >= deadline)
			return 0;
		if (spin_wait)
			__asm__ volatile("pause");   /* no exit: only Skiff's ring service helps */
		else
			skiff_poll(deadline - now);
	}
}

static bool is_arp_for(const uint8_t *f, size_t len, unsigned op, const uint8_t *ip)
{
	return len >= ARP_FRAME_LEN && get16(f + 12) == ETH_TYPE_ARP &&
	       get16(f + 20) == op && memcmp(f + 38, ip, 4) == 0;
}

static bool is_echo(const uint8_t *f, size_t len, unsigned type, const uint8_t *to)
{
	return len >= 14 + IP_HLEN + ICMP_HLEN && get16(f + 12) == ETH_TYPE_IPV4 &&
	       f[14] == 0x45 && f[23] == 1 && memcmp(f + 30, to, 4) == 0 &&
	       f[34] == type;
}

static int responder(const char *ip_text, uint64_t count)
{
	uint8_t ip[4];
	uint64_t served = 0, replied_at = 0, longest_gap = 0;

	if (!netframe_parse_ip(ip_text, ip))
		return fail("bad IP");
	while (served < count) {
		size_t len = next_frame(now_ns() + 30 * SECOND), out;

		if (len == 0)
			return fail("no frame for 30 s");
		if (replied_at && is_echo(frame, len, 8, ip) && now_ns() - replied_at > longest_gap)
			longest_gap = now_ns() - replied_at;
		if (is_arp_for(frame, len, 1, ip)) {
			out = netframe_arp(reply, 2, info.mac, ip, frame + 22, frame + 28);
		} else if (is_echo(frame, len, 8, ip)) {
			size_t ip_len = get16(frame + 16);

			if (ip_len < IP_HLEN + ICMP_HLEN || 14 + ip_len > len)
				continue;
			out = netframe_icmp_echo(reply, 0, info.mac, frame + 6, ip, frame + 26,
						 get16(frame + 38), get16(frame + 40),
						 frame + 42, ip_len - IP_HLEN - ICMP_HLEN);
			served++;
		} else {
			continue;
		}
		if (send_frame(reply, out) != SKIFF_OK)
			return fail("reply refused");
		if (is_echo(frame, len, 8, ip))
			replied_at = now_ns();
	}
	skiff_printf("served %llu echo requests\n", (unsigned long long)served);
	if (spin_wait) {
		skiff_printf("longest wait for a request after a reply: %llu ms\n",
			     (unsigned long long)(longest_gap / MS));
		if (longest_gap > SPIN_GAP_LIMIT_NS)
			return fail("a spinning guest's ring was not served within its slice");
		skiff_printf("spinning ring served within 200 ms\n");
	}
	return 0;
}

/* resolve: the MAC of peer by ARP, in mac. */
static bool resolve(const uint8_t *ip, const uint8_t *peer, uint8_t *mac)
{
	for (unsigned attempt = 0; attempt < 3; attempt++) {
		uint64_t deadline = now_ns() + 2 * SECOND;
		size_t len;

		if (send_frame(reply, netframe_arp(reply, 1, info.mac, ip, NULL, peer)) != SKIFF_OK)
			return false;
		while ((len = next_frame(deadline)) != 0)
			if (is_arp_for(frame, len, 2, ip) && memcmp(frame + 28, peer, 4) == 0) {
				memcpy(mac, frame + 22, 6);
				return true;
			}
	}
	return false;
}

static bool echo_once(const uint8_t *ip, const uint8_t *peer, const uint8_t *mac, uint16_t seq,
		      size_t size)
{
	static uint8_t payload[1472];

	for (unsigned i = 0; i < size; i++)
		payload[i] = (uint8_t)(i * 7 + seq);
	for (unsigned attempt = 0; attempt < 3; attempt++) {
		uint64_t deadline = now_ns() + 2 * SECOND;
		size_t len, out = netframe_icmp_echo(reply, 8, info.mac, mac, ip, peer, 0x5eed, seq,
						     payload, size);

		if (send_frame(reply, out) != SKIFF_OK)
			return false;
		while ((len = next_frame(deadline)) != 0)
			if (is_echo(frame, len, 0, ip) && memcmp(frame + 26, peer, 4) == 0 &&
			    memcmp(frame + 6, mac, 6) == 0 && get16(frame + 38) == 0x5eed &&
			    get16(frame + 40) == seq && len == out &&
			    memcmp(frame + 42, payload, size) == 0 &&
			    netframe_checksum(frame + 34, len - 34) == 0)
				return true;
	}
	return false;
}

static int pinger(const char *ip_text, const char *peer_text, uint64_t count)
{
	uint8_t ip[4], peer[4], mac[6];
	char shown[18];
	uint64_t ok = 0;

	if (!netframe_parse_ip(ip_text, ip) || !netframe_parse_ip(peer_text, peer))
		return fail("bad IP");
	if (!resolve(ip, peer, mac))
		return fail("no ARP reply");
	netframe_print_mac(mac, shown);
	skiff_printf("%s is at %s\n", peer_text, shown);
	for (uint64_t seq = 1; seq <= count; seq++)
		if (echo_once(ip, peer, mac, (uint16_t)seq, 56))
			ok++;
	skiff_printf("%llu/%llu replies\n", (unsigned long long)ok, (unsigned long long)count);
	return ok == count ? 0 : fail("replies missing");
}

/*
 * bench: COUNT echo round trips with payloads of 64 and of 1,472 bytes
 * (the largest in one 1,514-byte frame); prints the mean TSC ticks per
 * round trip for each (instructions under QEMU -icount).
 */
static int bench(const char *ip_text, const char *peer_text, uint64_t count)
{
	static const size_t sizes[2] = { 64, 1472 };
	uint8_t ip[4], peer[4], mac[6];

	if (!netframe_parse_ip(ip_text, ip) || !netframe_parse_ip(peer_text, peer) ||
	    !resolve(ip, peer, mac) || count == 0)
		return fail("no peer");
	for (unsigned s = 0; s < 2; s++) {
		uint64_t start = skiff_tsc();

		for (uint64_t seq = 1; seq <= count; seq++)
			if (!echo_once(ip, peer, mac, (uint16_t)seq, sizes[s]))
				return fail("echo lost");
		skiff_printf("rtt %u bytes: %llu tsc\n", (unsigned)sizes[s],
			     (unsigned long long)((skiff_tsc() - start) / count));
	}
	return 0;
}

static int flooder(uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS, sent = 0;

	netframe_eth(frame, netframe_broadcast, info.mac, ETH_TYPE_TEST);
	memset(frame + 14, 0xf1, 1500);
	while (now_ns() < end) {
		if (skiff_net_write(handle, frame, 1514) != SKIFF_OK)
			return fail("flood frame refused");
		sent++;
	}
	skiff_printf("flood done\n");
	return sent > 0 ? 0 : fail("nothing sent");
}

static int spoof(const char *victim_text)
{
	static const uint8_t made_up[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };
	uint8_t victim_ip[4], victim_mac[6];
	int failures = 0;

	if (!netframe_parse_ip(victim_text, victim_ip))
		return fail("bad IP");
	memcpy(victim_mac, made_up, 6);
	victim_mac[5] ^= 1;
	netframe_eth(frame, netframe_broadcast, made_up, ETH_TYPE_TEST);
	memset(frame + 14, 0, 46);
	if (skiff_net_write(handle, frame, 60) != SKIFF_EINVAL)
		failures += fail("made-up source MAC accepted");
	netframe_eth(frame, netframe_broadcast, netframe_broadcast, ETH_TYPE_TEST);
	if (skiff_net_write(handle, frame, 60) != SKIFF_EINVAL)
		failures += fail("broadcast source MAC accepted");
	/* A gratuitous ARP taking the victim's address under another MAC. */
	netframe_arp(frame, 2, victim_mac, victim_ip, netframe_broadcast, victim_ip);
	if (skiff_net_write(handle, frame, ARP_FRAME_LEN) != SKIFF_EINVAL)
		failures += fail("spoofed ARP accepted");
	netframe_eth(frame, made_up, info.mac, ETH_TYPE_TEST);
	if (skiff_net_write(handle, frame, 60) != SKIFF_OK)
		failures += fail("own source MAC refused");
	if (failures)
		return 1;
	skiff_printf("spoofed frames refused\n");
	return 0;
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* refused: a registration Skiff must refuse. */
static bool refused(uint64_t h, uint64_t gpa, const char *what)
{
	if (skiff_net_ring_register_raw(h, gpa) == SKIFF_EINVAL)
		return true;
	skiff_printf("ring registration %s accepted\n", what);
	return false;
}

/* put_tx: a raw transmit descriptor, published; then a kick. */
static uint32_t put_tx(uint32_t prod, uint64_t addr, uint32_t len)
{
	ring.page.tx.desc[prod % SKIFF_RING_ENTRIES].addr = addr;
	ring.page.tx.desc[prod % SKIFF_RING_ENTRIES].len = len;
	ring.page.tx.desc[prod % SKIFF_RING_ENTRIES].status = SKIFF_RING_PENDING;
	ring.page.tx.prod = prod + 1;
	skiff_hypercall_raw(SKIFF_CALL_NET_KICK_PORT, 0);
	return prod + 1;
}

static int ring_hostile(const char *peer_text)
{
	static struct skiff_ring_page blank;
	uint64_t page = (uintptr_t)&ring.page;
	uint32_t prod = 0;
	uint8_t *bytes = (uint8_t *)&ring.page;

	if (!refused(handle, 0x2000, "over the page tables") ||
	    !refused(handle, page + 8, "unaligned") ||
	    !refused(handle, 1ull << 40, "outside RAM") ||
	    !refused(handle, (uintptr_t)&blank, "without magic") ||
	    !refused(99, page, "for handle 99") || !refused(0, page, "for handle 0"))
		return fail("a bad ring was registered");
	ring.page.magic = SKIFF_RING_MAGIC;
	ring.page.version = SKIFF_RING_VERSION;
	ring.page.entries = SKIFF_RING_ENTRIES;
	ring.page.tx.prod = 5;
	if (!refused(handle, page, "with indices not zero"))
		return fail("a bad ring was registered");
	skiff_printf("bad registrations refused\n");
	if (skiff_net_ring_open(handle, &ring) != SKIFF_OK)
		return fail("ring refused");
	prod = put_tx(prod, 1ull << 40, 60);                          /* outside RAM */
	prod = put_tx(prod, (uintptr_t)ring.tx_buf[0], 1515);          /* over the MTU */
	prod = put_tx(prod, (uintptr_t)ring.tx_buf[0], 0xffffffffu);   /* "negative" */
	prod = put_tx(prod, (uintptr_t)ring.tx_buf[0], 10);            /* runt */
	for (uint32_t i = 0; i < prod; i++)
		if (ring.page.tx.desc[i].status != SKIFF_RING_REFUSED)
			return fail("a bad descriptor was not refused");
	if (ring.page.tx.cons != prod)
		return fail("Skiff did not consume the bad descriptors");
	skiff_printf("bad descriptors refused\n");
	ring.page.tx.prod = prod + 1000;   /* garbage: the ring stops */
	skiff_hypercall_raw(SKIFF_CALL_NET_KICK_PORT, 0);
	/* The transmit half and the receive consumer rewritten at random while
	 * Skiff serves the ring; re-registered now and then, since Skiff stops a
	 * ring at its first garbage index. (The receive descriptors are left
	 * alone: frames Skiff places would land wherever they point.) */
	for (unsigned round = 0; round < 2000; round++) {
		uint32_t tx = (uint32_t)((uint8_t *)&ring.page.tx - bytes);
		uint32_t off = tx + rng() % (sizeof(ring.page.tx) - 4), v = rng();

		if (round % 100 == 0 && skiff_net_ring_open(handle, &ring) != SKIFF_OK)
			return fail("ring refused while rewriting");
		if (round % 7 == 0)
			ring.page.rx.cons = v;
		else
			memcpy(bytes + off, &v, 4);
		if (round % 4 == 0)
			skiff_hypercall_raw(SKIFF_CALL_NET_KICK_PORT, 0);
	}
	skiff_printf("ring rewrites survived\n");
	if (skiff_net_ring_open(handle, &ring) != SKIFF_OK)
		return fail("fresh ring refused");
	use_ring = true;
	return pinger("10.0.0.9", peer_text, 3);
}

int main(int argc, char **argv)
{
	int rc;

	if (!check_device())
		return fail("net device 'service' not attached with a local MAC and MTU 1500");
	if (argc >= 3 && strcmp(argv[1], "after") == 0) {
		uint64_t until = now_ns() + parse_u64(argv[2]) * MS, now;

		skiff_printf("waiting %llu ms\n", (unsigned long long)parse_u64(argv[2]));
		while ((now = now_ns()) < until)
			skiff_poll(until - now);
		argc -= 2;
		argv += 2;
	}
	if (argc >= 2 && strcmp(argv[1], "ring") == 0) {
		if (skiff_net_ring_open(handle, &ring) != SKIFF_OK)
			return fail("ring refused");
		skiff_printf("ring open\n");
		use_ring = true;
		argc--;
		argv++;
		if (argc >= 2 && strcmp(argv[1], "spin") == 0) {
			spin_wait = true;
			argc--;
			argv++;
		}
	}
	if (argc >= 3 && strcmp(argv[1], "ringhostile") == 0) {
		rc = ring_hostile(argv[2]);
		if (rc == 0)
			skiff_printf("SUCCESS\n");
		return rc;
	}
	if (argc >= 4 && strcmp(argv[1], "responder") == 0)
		rc = responder(argv[2], parse_u64(argv[3]));
	else if (argc >= 5 && strcmp(argv[1], "pinger") == 0)
		rc = pinger(argv[2], argv[3], parse_u64(argv[4]));
	else if (argc >= 5 && strcmp(argv[1], "bench") == 0)
		rc = bench(argv[2], argv[3], parse_u64(argv[4]));
	else if (argc >= 3 && strcmp(argv[1], "flooder") == 0)
		rc = flooder(parse_u64(argv[2]));
	else if (argc >= 3 && strcmp(argv[1], "spoof") == 0)
		rc = spoof(argv[2]);
	else
		return fail("usage: responder IP N | pinger IP PEER N | flooder MS | spoof IP");
	if (rc == 0)
		skiff_printf("SUCCESS\n");
	return rc;
}
