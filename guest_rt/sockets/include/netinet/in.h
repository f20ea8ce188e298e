/*
 * netinet/in.h - Internet addresses for sockets (POSIX). IPv4 works;
 * the IPv6 types exist so that portable code compiles.
 */
#ifndef SKIFF_NETINET_IN_H
#define SKIFF_NETINET_IN_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

/* newlib's <sys/types.h> declares these only for BSD code. */
#ifndef _IN_ADDR_T_DECLARED
typedef uint32_t in_addr_t;
#define _IN_ADDR_T_DECLARED
#endif
#ifndef _IN_PORT_T_DECLARED
typedef uint16_t in_port_t;
#define _IN_PORT_T_DECLARED
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct in_addr {
	in_addr_t s_addr;   /* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;
	in_port_t sin_port;   /* network byte order */
	struct in_addr sin_addr;
	unsigned char sin_zero[8];
};

struct in6_addr {
	uint8_t s6_addr[16];
};

struct sockaddr_in6 {
	sa_family_t sin6_family;
	in_port_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_RAW 255

#define INADDR_ANY ((in_addr_t)0x00000000)
#define INADDR_BROADCAST ((in_addr_t)0xffffffff)
#define INADDR_NONE ((in_addr_t)0xffffffff)
#define INADDR_LOOPBACK ((in_addr_t)0x7f000001)

#define INET_ADDRSTRLEN 16
#define INET6_ADDRSTRLEN 46

#define IP_TOS 1
#define IP_TTL 2

/* Byte order: host (little-endian) to network (big-endian) and back. */
uint32_t htonl(uint32_t host);
uint16_t htons(uint16_t host);
uint32_t ntohl(uint32_t net);
uint16_t ntohs(uint16_t net);

/* x86-64 is little-endian: network order is the byte-swapped one. */
#define htonl(x) __builtin_bswap32((uint32_t)(x))
#define htons(x) __builtin_bswap16((uint16_t)(x))
#define ntohl(x) __builtin_bswap32((uint32_t)(x))
#define ntohs(x) __builtin_bswap16((uint16_t)(x))

#ifdef __cplusplus
}
#endif

#endif
