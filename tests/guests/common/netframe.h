/*
 * netframe.h - the few Ethernet, ARP, IPv4 and ICMP pieces the network test
 * guests build and check by hand (no C library, no TCP/IP stack).
 */
#ifndef SKIFF_TEST_NETFRAME_H
#define SKIFF_TEST_NETFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_TYPE_IPV4 0x0800u
#define ETH_TYPE_ARP 0x0806u
#define ETH_TYPE_TEST 0x88b5u     /* IEEE local experimental */
#define ARP_FRAME_LEN 42u         /* 14 + 28 */
#define IP_HLEN 20u
#define ICMP_HLEN 8u

extern const uint8_t netframe_broadcast[6];

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* netframe_parse_ip: dotted quad s into ip (network order); false if bad. */
bool netframe_parse_ip(const char *s, uint8_t ip[4]);

/* netframe_eth: the 14-byte header at f. */
void netframe_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type);

/* netframe_arp: an ARP frame (op 1 request, 2 reply) at f; returns its length. */
size_t netframe_arp(uint8_t *f, unsigned op, const uint8_t *src_mac, const uint8_t *src_ip,
		    const uint8_t *dst_mac, const uint8_t *dst_ip);

/* netframe_checksum: the Internet checksum of p[0..len). */
uint16_t netframe_checksum(const uint8_t *p, size_t len);

/*
 * netframe_icmp_echo: an IPv4 ICMP echo (type 8 request, 0 reply) at f with
 * payload_len bytes of payload (copied from payload); returns its length.
 */
size_t netframe_icmp_echo(uint8_t *f, unsigned type, const uint8_t *src_mac,
			  const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip,
			  uint16_t id, uint16_t seq, const uint8_t *payload, size_t payload_len);

/* netframe_print_mac: "xx:xx:xx:xx:xx:xx" into buf (18 bytes). */
void netframe_print_mac(const uint8_t *mac, char *buf);

#endif
