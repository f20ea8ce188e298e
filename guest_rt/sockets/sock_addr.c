/*
 * sock_addr.c - byte order, address text (arpa/inet.h) and numeric
 * getaddrinfo (netdb.h). No lwIP here: plain C on the POSIX types.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#undef htonl
#undef htons
#undef ntohl
#undef ntohs

uint32_t htonl(uint32_t host) { return __builtin_bswap32(host); }
uint16_t htons(uint16_t host) { return __builtin_bswap16(host); }
uint32_t ntohl(uint32_t net) { return __builtin_bswap32(net); }
uint16_t ntohs(uint16_t net) { return __builtin_bswap16(net); }

/* dotted_quad: exactly four decimal parts 0-255, no leading zeros beyond
 * one digit (as inet_pton demands); the address in network order. */
static bool dotted_quad(const char *text, uint32_t *out)
{
	uint32_t value = 0;

	for (int part = 0; part < 4; part++) {
		unsigned int n = 0, digits = 0;

		if (part > 0 && *text++ != '.')
			return false;
		while (*text >= '0' && *text <= '9' && digits < 4) {
			if (digits == 1 && n == 0)
				return false;   /* "01": not allowed */
			n = n * 10 + (unsigned int)(*text++ - '0');
			digits++;
		}
		if (digits == 0 || n > 255)
			return false;
		value = value << 8 | n;
	}
	if (*text)
		return false;
	*out = htonl(value);
	return true;
}

int inet_pton(int af, const char *restrict src, void *restrict dst)
{
	uint32_t addr;

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (!dotted_quad(src, &addr))
		return 0;
	memcpy(dst, &addr, sizeof(addr));
	return 1;
}

const char *inet_ntop(int af, const void *restrict src, char *restrict dst, socklen_t size)
{
	const unsigned char *b = src;
	char text[INET_ADDRSTRLEN];
	int n;

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	n = snprintf(text, sizeof(text), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	if ((socklen_t)n >= size) {
		errno = ENOSPC;
		return NULL;
	}
	memcpy(dst, text, (size_t)n + 1);
	return dst;
}

/* bsd_number: one part of a BSD address: decimal, 0x hex or 0 octal. */
static bool bsd_number(const char **text, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (**text < '0' || **text > '9')
		return false;
	v = strtoul(*text, &end, 0);
	if (v > 0xffffffffu)
		return false;
	*text = end;
	*out = (uint32_t)v;
	return true;
}

int inet_aton(const char *text, struct in_addr *addr)
{
	uint32_t parts[4], value;
	int n = 0;

	while (n < 4) {
		if (!bsd_number(&text, &parts[n++]))
			return 0;
		if (*text != '.')
			break;
		text++;
	}
	if (*text)
		return 0;
	/* a.b.c.d, a.b.c (c: 16 bits), a.b (b: 24 bits), a (32 bits) */
	value = parts[n - 1];
	if (value > (n == 1 ? 0xffffffffu : 0xffffffffu >> (8 * (n - 1))))
		return 0;
	for (int i = 0; i < n - 1; i++) {
		if (parts[i] > 255)
			return 0;
		value |= parts[i] << (24 - 8 * i);
	}
	if (addr)
		addr->s_addr = htonl(value);
	return 1;
}

in_addr_t inet_addr(const char *text)
{
	struct in_addr addr;

	return inet_aton(text, &addr) ? addr.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr addr)
{
	static char text[INET_ADDRSTRLEN];

	return (char *)inet_ntop(AF_INET, &addr, text, sizeof(text));
}

/* ---- getaddrinfo ---- */

/* One allocation per answer: the list entry and its address. */
struct answer {
	struct addrinfo info;
	struct sockaddr_in addr;
};

static int parse_service(const char *service, int flags, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (!service) {
		*port = 0;
		return 0;
	}
	v = strtoul(service, &end, 10);
	if (*service < '0' || *service > '9' || *end || v > 65535)
		return (flags & AI_NUMERICSERV) ? EAI_NONAME : EAI_SERVICE;
	*port = (uint16_t)v;
	return 0;
}

static int parse_node(const char *node, int flags, uint32_t *addr)
{
	if (!node) {
		*addr = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
		return 0;
	}
	if (inet_pton(AF_INET, node, addr) == 1)
		return 0;
	if (!(flags & AI_NUMERICHOST) && strcmp(node, "localhost") == 0) {
		*addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	return EAI_NONAME;   /* no resolver in an appliance */
}

int getaddrinfo(const char *restrict node, const char *restrict service,
		const struct addrinfo *restrict hints, struct addrinfo **restrict res)
{
	static const int types[2] = { SOCK_STREAM, SOCK_DGRAM };
	static const int protocols[2] = { IPPROTO_TCP, IPPROTO_UDP };
	struct addrinfo none = { 0 }, **tail = res;
	const struct addrinfo *h = hints ? hints : &none;
	uint32_t addr;
	uint16_t port;
	int error;

	if (!res || (!node && !service))
		return EAI_NONAME;
	*res = NULL;
	if (h->ai_flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
			     AI_ADDRCONFIG | AI_NUMERICSERV))
		return EAI_BADFLAGS;
	if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET)
		return EAI_FAMILY;
	if (h->ai_socktype != 0 && h->ai_socktype != SOCK_STREAM && h->ai_socktype != SOCK_DGRAM)
		return EAI_SOCKTYPE;
	if ((error = parse_node(node, h->ai_flags, &addr)) != 0 ||
	    (error = parse_service(service, h->ai_flags, &port)) != 0)
		return error;
	for (int i = 0; i < 2; i++) {
		struct answer *a;

		if (h->ai_socktype && h->ai_socktype != types[i])
			continue;
		if (h->ai_protocol && h->ai_protocol != protocols[i])
			continue;
		if (!(a = calloc(1, sizeof(*a)))) {
			freeaddrinfo(*res);
			*res = NULL;
			return EAI_MEMORY;
		}
		a->addr = (struct sockaddr_in){
			.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = addr,
		};
		a->info = (struct addrinfo){
			.ai_family = AF_INET, .ai_socktype = types[i], .ai_protocol = protocols[i],
			.ai_addrlen = sizeof(a->addr), .ai_addr = (struct sockaddr *)&a->addr,
		};
		*tail = &a->info;
		tail = &a->info.ai_next;
	}
	return *res ? 0 : EAI_SOCKTYPE;
}

void freeaddrinfo(struct addrinfo *list)
{
	while (list) {
		struct addrinfo *next = list->ai_next;

		free(list);   /* the struct answer it starts */
		list = next;
	}
}

const char *gai_strerror(int code)
{
	switch (code) {
	case 0: return "Success";
	case EAI_BADFLAGS: return "Invalid value for ai_flags";
	case EAI_NONAME: return "Name or service not known";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Argument buffer overflow";
	default: return "Unknown error";
	}
}

int getnameinfo(const struct sockaddr *restrict addr, socklen_t addrlen,
		char *restrict host, socklen_t hostlen,
		char *restrict serv, socklen_t servlen, int flags)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

	if (!addr || addrlen < sizeof(*in) || in->sin_family != AF_INET)
		return EAI_FAMILY;
	if (flags & NI_NAMEREQD)
		return EAI_NONAME;
	if (host && hostlen && !inet_ntop(AF_INET, &in->sin_addr, host, hostlen))
		return EAI_OVERFLOW;
	if (serv && servlen &&
	    (socklen_t)snprintf(serv, servlen, "%u", ntohs(in->sin_port)) >= servlen)
		return EAI_OVERFLOW;
	return 0;
}
