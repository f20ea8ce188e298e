/*
 * sock.h - what the files of the socket layer share.
 *
 * A socket is a struct sock behind a descriptor of the table (skiff_fd.h).
 * lwIP runs single-threaded with its callback API (NO_SYS): its callbacks
 * only fill the socket's queues and state; the calls (recv, accept, ...)
 * take from them, and a call that must wait drives lwIP (sock_wait) until
 * its condition holds or its time is up.
 */
#ifndef SKIFF_SOCK_H
#define SKIFF_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

struct tcp_pcb;
struct udp_pcb;

enum sock_state {
	SOCK_NEW,          /* TCP: neither listening nor connected */
	SOCK_LISTENING,
	SOCK_CONNECTING,
	SOCK_CONNECTED,
	SOCK_CLOSED,       /* TCP: the connection is gone (reset, aborted) */
};

#define SOCK_BACKLOG_MAX 16
#define SOCK_DGRAM_QUEUE 32

struct dgram {
	struct dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	uint16_t port;
};

struct sock {
	int type;                 /* SOCK_STREAM or SOCK_DGRAM */
	enum sock_state state;
	int error;                /* pending error (errno value), SO_ERROR */
	struct tcp_pcb *tcp;      /* NULL once lwIP freed it */
	struct udp_pcb *udp;
	bool bound;
	/* TCP receive side: data not yet read (at most TCP_WND bytes: the
	 * window opens only as the program reads). */
	struct pbuf *rx;
	bool rx_eof;              /* the peer sent FIN */
	bool shut_rd, shut_wr;
	/* Listening: connections accepted by lwIP, not yet by the program. */
	struct sock *backlog[SOCK_BACKLOG_MAX];
	int backlog_len, backlog_max;
	/* UDP receive queue. */
	struct dgram *dq_head, *dq_tail;
	int dq_len;
	bool udp_connected;
	/* Options. */
	bool reuseaddr, keepalive, broadcast;
	int rcvtimeo_ms, sndtimeo_ms;   /* -1: none (wait forever) */
};

/* The descriptor operations of sockets (sock_fd.c). */
extern const struct skiff_fd_ops sock_fd_ops;

/*
 * sock_get: the socket descriptor fd names, or NULL with errno EBADF (not
 * open) or ENOTSOCK (not a socket).
 */
struct sock *sock_get(int fd);

/* sock_nonblocking: whether calls on fd must not wait (O_NONBLOCK). */
bool sock_nonblocking(int fd);

/* sock_fail: sets errno to error and returns -1. */
int sock_fail(int error);

/*
 * sock_net_up: brings lwIP up on first use (sock_net.c): the NET device
 * named by SKIFF_SOCKETS_NET, or "service", addressed as skiff_lwip_start
 * does (SKIFF_NET_<DEV> or DHCP). Returns 0, or an errno value (ENETDOWN)
 * after printing why. Nothing to do when the appliance started lwIP itself.
 */
int sock_net_up(void);

/* sock_net_running: whether lwIP has an interface up (frames to wait for). */
bool sock_net_running(void);

/*
 * sock_wait: drives lwIP until ready(s) holds (true: returns 0) or
 * timeout_ms passes (-1: never; 0: only what is already waiting is
 * handled): returns EAGAIN then.
 */
int sock_wait(bool (*ready)(struct sock *s), struct sock *s, int timeout_ms);

/* sock_drive: hands lwIP what waits (frames, timers), without sleeping. */
void sock_drive(void);

/* sock_new: a zeroed socket of type, no pcb; NULL when out of memory. */
struct sock *sock_new(int type);

/* sock_tcp_*: TCP (sock_tcp.c). The errno contracts are the POSIX calls'. */
int sock_tcp_open(struct sock *s);
int sock_tcp_listen(struct sock *s, int backlog);
int sock_tcp_accept(struct sock *s, bool nonblocking, struct sock **out);
int sock_tcp_connect(struct sock *s, const ip_addr_t *addr, uint16_t port, bool nonblocking);
long sock_tcp_send(struct sock *s, const void *buf, size_t len, bool nonblocking);
long sock_tcp_recv(struct sock *s, void *buf, size_t len, int flags, bool nonblocking);
int sock_tcp_shutdown(struct sock *s, bool rd, bool wr);
void sock_tcp_close(struct sock *s);
short sock_tcp_events(struct sock *s);

/* sock_udp_*: UDP (sock_udp.c). */
int sock_udp_open(struct sock *s);
long sock_udp_send(struct sock *s, const void *buf, size_t len, const ip_addr_t *to,
		   uint16_t port);
long sock_udp_recv(struct sock *s, void *buf, size_t len, int flags, bool nonblocking,
		   ip_addr_t *from, uint16_t *port);
void sock_udp_close(struct sock *s);
short sock_udp_events(struct sock *s);

/* sock_events: poll events of s now (POLLIN, POLLOUT, POLLERR, POLLHUP). */
short sock_events(struct sock *s);

/* sock_lwip_errno: the errno value for an lwIP err_t (0 for ERR_OK). */
int sock_lwip_errno(int err);

#endif
