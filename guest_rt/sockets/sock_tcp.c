/*
 * sock_tcp.c - stream sockets on lwIP's TCP callback API.
 *
 * lwIP's callbacks (on_*) record what happened in the struct sock; the
 * calls wait for it with sock_wait. The receive window opens only as the
 * program reads (tcp_recved in sock_tcp_recv), so a slow reader slows the
 * sender instead of filling memory.
 */
#include "sock.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "lwip/tcp.h"

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	if (!s) {   /* closed by the program: lwIP's default would do the same */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		s->rx_eof = true;
		return ERR_OK;
	}
	if (err != ERR_OK || s->shut_rd) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	if (s->rx)
		pbuf_cat(s->rx, p);
	else
		s->rx = p;
	return ERR_OK;
}

/* on_err: lwIP has already freed the pcb. */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;

	if (!s)
		return;
	if (err == ERR_RST)
		s->error = s->state == SOCK_CONNECTING ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		s->error = ETIMEDOUT;   /* retransmissions gave up: we clear arg before our aborts */
	else
		s->error = sock_lwip_errno(err);
	s->tcp = NULL;
	s->state = SOCK_CLOSED;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	if (s && err == ERR_OK)
		s->state = SOCK_CONNECTED;
	return ERR_OK;
}

/* attach: s owns pcb from now on: lwIP's callbacks reach s. */
static void attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	if (s->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
}

/* detach: the program lets go of its pcb; lwIP finishes the close. */
static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg, *c;

	if (err != ERR_OK || !pcb || !l)
		return ERR_VAL;
	if (l->backlog_len >= l->backlog_max || !(c = sock_new(SOCK_STREAM))) {
		tcp_arg(pcb, NULL);
		return ERR_MEM;   /* lwIP aborts the connection: the peer sees a reset */
	}
	c->state = SOCK_CONNECTED;
	c->bound = true;
	c->keepalive = l->keepalive;
	attach(c, pcb);
	l->backlog[l->backlog_len++] = c;
	return ERR_OK;
}

int sock_tcp_open(struct sock *s)
{
	struct tcp_pcb *pcb = tcp_new();

	if (!pcb)
		return ENOBUFS;
	s->state = SOCK_NEW;
	s->bound = false;
	s->error = 0;
	s->rx_eof = s->shut_rd = s->shut_wr = false;
	attach(s, pcb);
	return 0;
}

int sock_tcp_listen(struct sock *s, int backlog)
{
	struct tcp_pcb *lpcb;
	err_t err;

	if (s->state == SOCK_LISTENING) {
		s->backlog_max = backlog;
		return 0;
	}
	if (s->state != SOCK_NEW || !s->tcp)
		return EINVAL;
	if (!s->bound) {
		err = tcp_bind(s->tcp, IP4_ADDR_ANY, 0);
		if (err != ERR_OK)
			return sock_lwip_errno(err);
		s->bound = true;
	}
	lpcb = tcp_listen_with_backlog(s->tcp, (u8_t)backlog);
	if (!lpcb)
		return ENOBUFS;   /* the old pcb is still s->tcp */
	s->tcp = lpcb;
	tcp_arg(lpcb, s);
	tcp_accept(lpcb, on_accept);
	s->state = SOCK_LISTENING;
	s->backlog_max = backlog;
	return 0;
}

static bool can_accept(struct sock *s)
{
	return s->backlog_len > 0 || s->state != SOCK_LISTENING;
}

int sock_tcp_accept(struct sock *s, bool nonblocking, struct sock **out)
{
	int error;

	if (s->state != SOCK_LISTENING)
		return EINVAL;
	error = sock_wait(can_accept, s, nonblocking ? 0 : s->rcvtimeo_ms);
	if (error)
		return error;
	if (s->state != SOCK_LISTENING)
		return ECONNABORTED;
	*out = s->backlog[0];
	s->backlog_len--;
	for (int i = 0; i < s->backlog_len; i++)
		s->backlog[i] = s->backlog[i + 1];
	return 0;
}

static bool connect_done(struct sock *s)
{
	return s->state != SOCK_CONNECTING;
}

/* take_error: the pending error (cleared), or fallback when none. */
static int take_error(struct sock *s, int fallback)
{
	int error = s->error ? s->error : fallback;

	s->error = 0;
	return error;
}

int sock_tcp_connect(struct sock *s, const ip_addr_t *addr, uint16_t port, bool nonblocking)
{
	err_t err;
	int error;

	switch (s->state) {
	case SOCK_CONNECTING:
		if (nonblocking)
			return EALREADY;
		break;
	case SOCK_CONNECTED:
		return EISCONN;
	case SOCK_LISTENING:
		return EINVAL;
	case SOCK_CLOSED:   /* a failed attempt: a fresh pcb for the next one */
		if (!s->tcp && (error = sock_tcp_open(s)) != 0)
			return error;
		/* fall through */
	case SOCK_NEW:
		err = tcp_connect(s->tcp, addr, port, on_connected);
		if (err != ERR_OK)
			return sock_lwip_errno(err);
		s->bound = true;
		s->error = 0;
		s->state = SOCK_CONNECTING;
		if (nonblocking)
			return EINPROGRESS;
		break;
	}
	if (sock_wait(connect_done, s, s->sndtimeo_ms) != 0)
		return EINPROGRESS;
	return s->state == SOCK_CONNECTED ? 0 : take_error(s, ECONNREFUSED);
}

/* room: how many bytes tcp_write takes now without ERR_MEM. */
static size_t room(struct sock *s)
{
	size_t bytes, segments;

	if (!s->tcp || s->state != SOCK_CONNECTED)
		return 0;
	bytes = tcp_sndbuf(s->tcp);
	segments = tcp_sndqueuelen(s->tcp) + 2u < TCP_SND_QUEUELEN ?
		TCP_SND_QUEUELEN - tcp_sndqueuelen(s->tcp) - 2u : 0;
	if (bytes > segments * tcp_mss(s->tcp))
		bytes = segments * tcp_mss(s->tcp);
	return bytes;
}

static bool writable(struct sock *s)
{
	return room(s) > 0 || s->state != SOCK_CONNECTED || s->shut_wr;
}

long sock_tcp_send(struct sock *s, const void *buf, size_t len, bool nonblocking)
{
	size_t sent = 0;

	if (s->state == SOCK_CONNECTING) {   /* as Linux: wait for it, or EAGAIN */
		if (nonblocking)
			return -EAGAIN;
		if (sock_wait(connect_done, s, s->sndtimeo_ms) != 0)
			return -EAGAIN;
	}
	if (s->state == SOCK_NEW || s->state == SOCK_LISTENING)
		return -ENOTCONN;
	while (sent < len) {
		size_t n;
		err_t err;
		int error;

		error = sock_wait(writable, s, nonblocking ? 0 : s->sndtimeo_ms);
		if (error || s->shut_wr || s->state != SOCK_CONNECTED) {
			if (sent)
				break;
			if (error)
				return -error;
			return -(s->shut_wr ? EPIPE : take_error(s, EPIPE));
		}
		n = room(s);
		if (n > len - sent)
			n = len - sent;
		if (n > 0xffffu)
			n = 0xffffu;
		err = tcp_write(s->tcp, (const char *)buf + sent, (u16_t)n,
				TCP_WRITE_FLAG_COPY | (sent + n < len ? TCP_WRITE_FLAG_MORE : 0));
		if (err == ERR_MEM) {   /* out of segments or pbufs: let some go out */
			tcp_output(s->tcp);
			sock_drive();
			continue;
		}
		if (err != ERR_OK)
			return sent ? (long)sent : -sock_lwip_errno(err);
		sent += n;
	}
	if (s->tcp)
		tcp_output(s->tcp);
	return (long)sent;
}

static bool readable(struct sock *s)
{
	return s->rx || s->rx_eof || s->shut_rd || s->state == SOCK_CLOSED;
}

/* take: copies up to len bytes of s->rx into buf; consumes them unless peek. */
static size_t take(struct sock *s, char *buf, size_t len, bool peek)
{
	size_t n = s->rx->tot_len < len ? s->rx->tot_len : len;

	pbuf_copy_partial(s->rx, buf, (u16_t)n, 0);
	if (!peek) {
		s->rx = pbuf_free_header(s->rx, (u16_t)n);
		if (s->tcp)
			tcp_recved(s->tcp, (u16_t)n);
	}
	return n;
}

long sock_tcp_recv(struct sock *s, void *buf, size_t len, int flags, bool nonblocking)
{
	size_t got = 0;

	if (s->state == SOCK_NEW || s->state == SOCK_LISTENING ||
	    (s->state == SOCK_CONNECTING && !nonblocking))
		return -ENOTCONN;
	if (len == 0)
		return 0;
	if (len > 0xffffu)
		len = 0xffffu;   /* a short read: the caller asks again */
	do {
		int error = sock_wait(readable, s, nonblocking ? 0 : s->rcvtimeo_ms);

		if (error)
			return got ? (long)got : -error;
		if (!s->rx) {
			if (got || s->rx_eof || s->shut_rd || !s->error)
				break;
			return -take_error(s, ECONNRESET);
		}
		got += take(s, (char *)buf + got, len - got, flags & MSG_PEEK);
	} while ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && got < len);
	return (long)got;
}

int sock_tcp_shutdown(struct sock *s, bool rd, bool wr)
{
	if (s->state != SOCK_CONNECTED)
		return ENOTCONN;
	if (rd) {
		s->shut_rd = true;
		if (s->rx && s->tcp)
			tcp_recved(s->tcp, s->rx->tot_len);
		if (s->rx)
			pbuf_free(s->rx);
		s->rx = NULL;
	}
	if (wr && !s->shut_wr && s->tcp) {
		err_t err = tcp_shutdown(s->tcp, 0, 1);

		if (err != ERR_OK)
			return sock_lwip_errno(err);
		s->shut_wr = true;
	}
	return 0;
}

void sock_tcp_close(struct sock *s)
{
	for (int i = 0; i < s->backlog_len; i++) {
		sock_tcp_close(s->backlog[i]);
		free(s->backlog[i]);
	}
	s->backlog_len = 0;
	if (s->rx)
		pbuf_free(s->rx);
	s->rx = NULL;
	if (!s->tcp)
		return;
	if (s->state == SOCK_LISTENING) {   /* lwIP asserts on recv/err callbacks here */
		tcp_arg(s->tcp, NULL);
		tcp_accept(s->tcp, NULL);
	} else {
		detach(s->tcp);
	}
	if (tcp_close(s->tcp) != ERR_OK)
		tcp_abort(s->tcp);
	s->tcp = NULL;
}

short sock_tcp_events(struct sock *s)
{
	short events = 0;

	switch (s->state) {
	case SOCK_NEW:
		return POLLOUT | POLLHUP;
	case SOCK_LISTENING:
		return s->backlog_len > 0 ? POLLIN : 0;
	case SOCK_CONNECTING:
		return 0;
	case SOCK_CONNECTED:
		if (s->rx || s->rx_eof || s->shut_rd)
			events |= POLLIN;
		if (room(s) > 0 || s->shut_wr)
			events |= POLLOUT;
		if (s->rx_eof && s->shut_wr)
			events |= POLLHUP;
		return events;
	case SOCK_CLOSED:
		break;
	}
	return POLLIN | POLLOUT | POLLHUP | (s->error ? POLLERR : 0);
}
