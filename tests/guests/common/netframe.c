/*
 * netframe.c - building test frames (netframe.h).
 */
#include "netframe.h"

#include "lib/kstring.h"

const uint8_t netframe_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool netframe_parse_ip(const char *s, uint8_t ip[4])
{
	for (unsigned i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255 || (i < 3 && *s++ != '.'))
			return false;
		ip[i] = (uint8_t)v;
	}
	return *s == '\0';
}

void netframe_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

size_t netframe_arp(uint8_t *f, unsigned op, const uint8_t *src_mac, const uint8_t *src_ip,
		    const uint8_t *dst_mac, const uint8_t *dst_ip)
{
	static const uint8_t zero[6];
	uint8_t *a = f + 14;

	netframe_eth(f, op == 1 ? netframe_broadcast : dst_mac, src_mac, ETH_TYPE_ARP);
	put16(a, 1);
	put16(a + 2, ETH_TYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, (uint16_t)op);
	memcpy(a + 8, src_mac, 6);
	memcpy(a + 14, src_ip, 4);
	memcpy(a + 18, op == 1 ? zero : dst_mac, 6);
	memcpy(a + 24, dst_ip, 4);
	return ARP_FRAME_LEN;
}

uint16_t netframe_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t netframe_icmp_echo(uint8_t *f, unsigned type, const uint8_t *src_mac,
			  const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip,
			  uint16_t id, uint16_t seq, const uint8_t *payload, size_t payload_len)
{
	uint8_t *ip = f + 14, *icmp = ip + IP_HLEN;
	size_t ip_len = IP_HLEN + ICMP_HLEN + payload_len;

	netframe_eth(f, dst_mac, src_mac, ETH_TYPE_IPV4);
	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)ip_len);
	put16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, src_ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	put16(ip + 10, netframe_checksum(ip, IP_HLEN));
	icmp[0] = (uint8_t)type;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	memmove(icmp + ICMP_HLEN, payload, payload_len);
	put16(icmp + 2, netframe_checksum(icmp, ICMP_HLEN + payload_len));
	return 14 + ip_len;
}

void netframe_print_mac(const uint8_t *mac, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < 6; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 15];
		buf[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}
