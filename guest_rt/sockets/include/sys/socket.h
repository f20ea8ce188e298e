/*
 * sys/socket.h - BSD sockets for Skiff appliances (POSIX), implemented by
 * guest_rt/sockets on lwIP's callback API. IPv4 only: AF_INET6 exists so
 * that portable code compiles, and socket() refuses it (EAFNOSUPPORT).
 * The constants have Linux's values, which is what people expect to see
 * in a trace; nothing depends on that.
 */
#ifndef SKIFF_SYS_SOCKET_H
#define SKIFF_SYS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

/* Large enough and aligned for every address this layer knows. */
struct sockaddr_storage {
	sa_family_t ss_family;
	char ss_pad[126 - sizeof(uint64_t)];
	uint64_t ss_align;
};

struct linger {
	int l_onoff;
	int l_linger;
};

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_INET6 AF_INET6

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_NONBLOCK 0x4000   /* = O_NONBLOCK */
#define SOCK_CLOEXEC 0x80000

#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30

#define SOMAXCONN 16

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/*
 * Each call behaves as POSIX specifies and, on failure, returns -1 with
 * errno set to the value POSIX names for the case (EBADF for a descriptor
 * that is not open, ENOTSOCK for one that is not a socket, EFAULT for a
 * NULL address where one is needed, EINVAL for a short address length).
 * Calls that wait (accept, connect, recv, send, and poll/select in
 * <poll.h>/<sys/select.h>) sleep in Skiff's POLL hypercall while lwIP has
 * nothing for them; on a descriptor with O_NONBLOCK (or MSG_DONTWAIT) they
 * answer EAGAIN (connect: EINPROGRESS) instead.
 */

/* socket: AF_INET only (else EAFNOSUPPORT); SOCK_STREAM or SOCK_DGRAM, with
 * SOCK_NONBLOCK; brings the network up on first use (ENETDOWN if it cannot). */
int socket(int domain, int type, int protocol);
/* bind: the wildcard or the interface's address (else EADDRNOTAVAIL);
 * EADDRINUSE when taken, EINVAL when already bound. */
int bind(int fd, const struct sockaddr *addr, socklen_t len);
/* listen: backlog clamped to 1..SOMAXCONN; EOPNOTSUPP on a datagram socket. */
int listen(int fd, int backlog);
/* accept: the next connection (its peer in *addr); EINVAL when not listening. */
int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len);
/* connect: TCP: ECONNREFUSED when the peer resets, EISCONN, EALREADY; UDP:
 * sets the default peer (AF_UNSPEC clears it). */
int connect(int fd, const struct sockaddr *addr, socklen_t len);
/* send, sendto: the bytes taken (TCP may take fewer when non-blocking);
 * ENOTCONN, EPIPE after shutdown or reset, EDESTADDRREQ (UDP without a
 * peer), EMSGSIZE (UDP over 65,507 bytes). No SIGPIPE is ever raised. */
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen);
/* recv, recvfrom: bytes read, 0 at end of stream; ENOTCONN on an
 * unconnected stream socket; a datagram longer than len is cut (MSG_TRUNC
 * returns its full length). MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT work. */
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
		 struct sockaddr *restrict from, socklen_t *restrict fromlen);
/* setsockopt, getsockopt: the options docs/networking.md lists;
 * ENOPROTOOPT for others. */
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int getsockopt(int fd, int level, int name, void *restrict value, socklen_t *restrict len);
/* shutdown: SHUT_RD, SHUT_WR (sends FIN) or SHUT_RDWR; ENOTCONN when not connected. */
int shutdown(int fd, int how);
/* getsockname, getpeername: the address, truncated to *len as POSIX says;
 * getpeername: ENOTCONN when there is no peer. */
int getsockname(int fd, struct sockaddr *restrict addr, socklen_t *restrict len);
int getpeername(int fd, struct sockaddr *restrict addr, socklen_t *restrict len);

#ifdef __cplusplus
}
#endif

#endif
