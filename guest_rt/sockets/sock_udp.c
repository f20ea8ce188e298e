/*
 * sock_udp.c - datagram sockets on lwIP's UDP callback API: each socket
 * queues at most SOCK_DGRAM_QUEUE datagrams; more are dropped, as a full
 * socket buffer drops them anywhere.
 */
#include "sock.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "lwip/udp.h"

#define UDP_PAYLOAD_MAX 65507u

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;
	struct dgram *d;

	(void)pcb;
	if (!s || s->dq_len >= SOCK_DGRAM_QUEUE || !(d = malloc(sizeof(*d)))) {
		pbuf_free(p);
		return;
	}
	*d = (struct dgram){ .p = p, .port = port };
	ip_addr_copy(d->from, *addr);
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq_head = d;
	s->dq_tail = d;
	s->dq_len++;
}

int sock_udp_open(struct sock *s)
{
	s->udp = udp_new();
	if (!s->udp)
		return ENOBUFS;
	udp_recv(s->udp, on_datagram, s);
	return 0;
}

long sock_udp_send(struct sock *s, const void *buf, size_t len, const ip_addr_t *to,
		   uint16_t port)
{
	struct pbuf *p;
	err_t err;

	if (!to && !s->udp_connected)
		return -EDESTADDRREQ;
	if (len > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	pbuf_take(p, buf, (u16_t)len);
	err = to ? udp_sendto(s->udp, p, to, port) : udp_send(s->udp, p);
	pbuf_free(p);
	if (err != ERR_OK)
		return -sock_lwip_errno(err);
	s->bound = true;
	return (long)len;
}

static bool has_datagram(struct sock *s)
{
	return s->dq_head != NULL;
}

long sock_udp_recv(struct sock *s, void *buf, size_t len, int flags, bool nonblocking,
		   ip_addr_t *from, uint16_t *port)
{
	struct dgram *d;
	size_t n;
	int error = sock_wait(has_datagram, s, nonblocking ? 0 : s->rcvtimeo_ms);

	if (error)
		return -error;
	d = s->dq_head;
	n = d->p->tot_len < len ? d->p->tot_len : len;
	pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
	ip_addr_copy(*from, d->from);
	*port = d->port;
	if (flags & MSG_TRUNC)
		n = d->p->tot_len;
	if (!(flags & MSG_PEEK)) {   /* the rest of a longer datagram is lost, as POSIX says */
		s->dq_head = d->next;
		if (!s->dq_head)
			s->dq_tail = NULL;
		s->dq_len--;
		pbuf_free(d->p);
		free(d);
	}
	return (long)n;
}

void sock_udp_close(struct sock *s)
{
	while (s->dq_head) {
		struct dgram *d = s->dq_head;

		s->dq_head = d->next;
		pbuf_free(d->p);
		free(d);
	}
	s->dq_tail = NULL;
	s->dq_len = 0;
	if (s->udp)
		udp_remove(s->udp);
	s->udp = NULL;
}

short sock_udp_events(struct sock *s)
{
	return (short)(POLLOUT | (s->dq_head ? POLLIN : 0));
}
