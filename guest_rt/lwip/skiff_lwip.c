/*
 * skiff_lwip.c - lwIP's network interface on a Skiff NET device, its
 * clock, and the poll loop (skiff_lwip.h).
 */
#include "skiff_lwip.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dhcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "skiff.h"
#include "skiff_net_ring.h"

#define FRAME_MAX 1514u
#define MAX_DELAY_MS 1000u

static struct netif netif;
static uint64_t handle;
static uint8_t frame[FRAME_MAX];
static struct skiff_net_ring ring;   /* used when Skiff accepts it (ring.open) */

uint32_t sys_now(void)
{
	static uint64_t ticks_per_ms;

	if (!ticks_per_ms)
		ticks_per_ms = skiff_tsc_hz() / 1000u;
	return (uint32_t)(skiff_tsc() / ticks_per_ms);
}

uint32_t skiff_lwip_rand(void)
{
	uint64_t x = skiff_tsc() * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x >> 29);
}

/* linkoutput: one pbuf chain becomes one frame. */
static err_t link_output(struct netif *nif, struct pbuf *p)
{
	(void)nif;
	if (p->tot_len > FRAME_MAX)
		return ERR_BUF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	return (ring.open ? skiff_net_ring_write(&ring, frame, p->tot_len)
			  : skiff_net_write(handle, frame, p->tot_len)) == SKIFF_OK ? ERR_OK : ERR_IF;
}

static err_t interface_init(struct netif *nif)
{
	struct skiff_net_info info;

	if (skiff_net_info(handle, &info) != SKIFF_OK)
		return ERR_IF;
	nif->name[0] = 's';
	nif->name[1] = 'k';
	nif->mtu = info.mtu;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, info.mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = link_output;
	return ERR_OK;
}

/* env_name: "SKIFF_NET_" + device, upper-cased, non-alphanumerics as '_'. */
static void env_name(const char *device, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "SKIFF_NET_");

	for (; *device && n + 1 < size; device++)
		out[n++] = isalnum((unsigned char)*device) ? (char)toupper((unsigned char)*device) : '_';
	out[n] = '\0';
}

/* parse_static: "A.B.C.D/PREFIX[,gw=E.F.G.H]"; false when malformed. */
static bool parse_static(const char *text, ip4_addr_t *ip, ip4_addr_t *mask, ip4_addr_t *gw)
{
	char copy[64], *slash, *comma;
	long prefix;

	if (strlen(text) >= sizeof(copy))
		return false;
	strcpy(copy, text);
	comma = strchr(copy, ',');
	if (comma) {
		*comma++ = '\0';
		if (strncmp(comma, "gw=", 3) != 0 || !ip4addr_aton(comma + 3, gw))
			return false;
	} else {
		ip4_addr_set_zero(gw);
	}
	slash = strchr(copy, '/');
	if (!slash)
		return false;
	*slash++ = '\0';
	prefix = strtol(slash, &comma, 10);
	if (*slash == '\0' || *comma != '\0' || prefix < 0 || prefix > 32 || !ip4addr_aton(copy, ip))
		return false;
	ip4_addr_set_u32(mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
	return true;
}

/* loop_pending: a packet sent to ourselves (127.0.0.1 or our own address)
 * waits on an interface's loop queue for netif_poll_all. */
static bool loop_pending(void)
{
	struct netif *n;

	NETIF_FOREACH(n)
		if (n->loop_first)
			return true;
	return false;
}

void skiff_lwip_poll(uint32_t timeout_ms)
{
	uint32_t wait = sys_timeouts_sleeptime();
	size_t len;

	/* What we sent ourselves is delivered first and ends the wait: the
	 * caller's condition may hold now. */
	if (loop_pending()) {
		netif_poll_all();
		wait = 0;
	}
	if (wait > timeout_ms)
		wait = timeout_ms;
	if (wait > MAX_DELAY_MS)
		wait = MAX_DELAY_MS;
	if (wait && !(skiff_poll((uint64_t)wait * 1000000u) & (1ull << handle)))
		wait = 0;   /* timed out: nothing to read, timers below */
	while ((ring.open ? skiff_net_ring_read(&ring, frame, sizeof(frame), &len)
			  : skiff_net_read(handle, frame, sizeof(frame), &len)) == SKIFF_OK) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

		if (!p)
			break;   /* out of buffers: the frame is lost, as on a wire */
		pbuf_take(p, frame, (u16_t)len);
		if (netif.input(p, &netif) != ERR_OK)
			pbuf_free(p);
	}
	sys_check_timeouts();
	netif_poll_all();
	skiff_net_ring_kick(&ring);   /* what lwIP just sent, before it computes on */
}

static bool wait_for_lease(uint32_t timeout_ms)
{
	uint32_t start = sys_now();

	while (!dhcp_supplied_address(&netif)) {
		if (sys_now() - start >= timeout_ms)
			return false;
		skiff_lwip_poll(100);
	}
	return true;
}

struct netif *skiff_lwip_start(const char *device, uint32_t timeout_ms)
{
	ip4_addr_t ip, mask, gw;
	char name[96];
	const char *setting;

	if (skiff_net_find(device, &handle) != SKIFF_OK || handle >= 64) {
		printf("net %s: no such net device attached\n", device);
		return NULL;
	}
	env_name(device, name, sizeof(name));
	setting = getenv(name);
	ip4_addr_set_zero(&ip);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (setting && !parse_static(setting, &ip, &mask, &gw)) {
		printf("net %s: %s=%s is not A.B.C.D/PREFIX[,gw=E.F.G.H]\n", device, name, setting);
		return NULL;
	}
	/* The exitless ring when Skiff offers it; SKIFF_NET_RING=off keeps the
	 * hypercall path (for comparisons). */
	if (!(getenv("SKIFF_NET_RING") && strcmp(getenv("SKIFF_NET_RING"), "off") == 0))
		(void)skiff_net_ring_open(handle, &ring);
	lwip_init();
	if (!netif_add(&netif, &ip, &mask, &gw, NULL, interface_init, ethernet_input)) {
		printf("net %s: lwIP refused the interface\n", device);
		return NULL;
	}
	netif_set_default(&netif);
	netif_set_link_up(&netif);
	netif_set_up(&netif);
	if (!setting && (dhcp_start(&netif) != ERR_OK || !wait_for_lease(timeout_ms))) {
		printf("net %s: no DHCP lease within %u ms\n", device, (unsigned)timeout_ms);
		return NULL;
	}
	printf("net %s: %s\n", device, ip4addr_ntoa(netif_ip4_addr(&netif)));
	return &netif;
}
