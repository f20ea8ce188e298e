/* arpa/inet.h - address text conversions and byte order (POSIX). */
#ifndef SKIFF_ARPA_INET_H
#define SKIFF_ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* inet_pton: AF_INET text "a.b.c.d" (four decimal parts, each 0-255) into
 * *dst; 1 when converted, 0 when not an address, -1 (EAFNOSUPPORT) for
 * another family. */
int inet_pton(int af, const char *restrict src, void *restrict dst);
/* inet_ntop: AF_INET address at src as text into dst (size bytes); dst,
 * or NULL with errno ENOSPC (too small) or EAFNOSUPPORT. */
const char *inet_ntop(int af, const void *restrict src, char *restrict dst, socklen_t size);
/* inet_addr: "a.b.c.d" (also the BSD short forms) in network order, or
 * INADDR_NONE. */
in_addr_t inet_addr(const char *text);
/* inet_aton: like inet_addr into *addr; nonzero when valid. */
int inet_aton(const char *text, struct in_addr *addr);
/* inet_ntoa: the address as text in a static buffer. */
char *inet_ntoa(struct in_addr addr);

#ifdef __cplusplus
}
#endif

#endif
