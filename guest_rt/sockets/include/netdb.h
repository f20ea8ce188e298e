/*
 * netdb.h - name to address translation (POSIX). Skiff appliances have no
 * resolver: getaddrinfo takes numeric IPv4 hosts, "localhost" and numeric
 * services; any other name answers EAI_NONAME.
 */
#ifndef SKIFF_NETDB_H
#define SKIFF_NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	socklen_t ai_addrlen;
	struct sockaddr *ai_addr;
	char *ai_canonname;
	struct addrinfo *ai_next;
};

#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define AI_V4MAPPED 0x08
#define AI_ALL 0x10
#define AI_ADDRCONFIG 0x20
#define AI_NUMERICSERV 0x400

#define NI_NUMERICHOST 0x01
#define NI_NUMERICSERV 0x02
#define NI_NOFQDN 0x04
#define NI_NAMEREQD 0x08
#define NI_DGRAM 0x10
#define NI_MAXHOST 1025
#define NI_MAXSERV 32

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12

/*
 * getaddrinfo: the addresses for node (numeric IPv4, "localhost", or NULL:
 * the wildcard with AI_PASSIVE, else loopback) and service (a port number
 * or NULL), one per socket type hints allows (stream, datagram). Returns 0
 * and *res (free with freeaddrinfo), or an EAI_ code.
 */
int getaddrinfo(const char *restrict node, const char *restrict service,
		const struct addrinfo *restrict hints, struct addrinfo **restrict res);
/* freeaddrinfo: frees a list from getaddrinfo; NULL is ignored. */
void freeaddrinfo(struct addrinfo *list);
/* gai_strerror: the text of an EAI_ code. */
const char *gai_strerror(int code);
/* getnameinfo: numeric host and service text of an AF_INET address. */
int getnameinfo(const struct sockaddr *restrict addr, socklen_t addrlen,
		char *restrict host, socklen_t hostlen,
		char *restrict serv, socklen_t servlen, int flags);

#ifdef __cplusplus
}
#endif

#endif
