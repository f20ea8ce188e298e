/*
 * sock_opt.c - setsockopt and getsockopt for the common options:
 * SOL_SOCKET SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, SO_RCVTIMEO,
 * SO_SNDTIMEO, SO_LINGER, SO_RCVBUF, SO_SNDBUF (accepted; lwIP's sizes
 * are fixed at build time), SO_TYPE, SO_ERROR, SO_ACCEPTCONN; IPPROTO_TCP
 * TCP_NODELAY. SO_REUSEADDR is recorded only: lwIP is built without
 * SO_REUSE, and a guest has no earlier run whose TIME_WAIT it would meet.
 */
#include "sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lwip/tcp.h"

static int int_value(const void *value, socklen_t len, int *out)
{
	if (!value)
		return EFAULT;
	if (len < sizeof(int))
		return EINVAL;
	memcpy(out, value, sizeof(int));
	return 0;
}

/* timeout_value: a struct timeval as milliseconds (-1 for zero: none). */
static int timeout_value(const void *value, socklen_t len, int *ms)
{
	struct timeval tv;

	if (!value)
		return EFAULT;
	if (len < sizeof(tv))
		return EINVAL;
	memcpy(&tv, value, sizeof(tv));
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return EDOM;
	if (tv.tv_sec > 2000000)
		tv.tv_sec = 2000000;   /* ~23 days: fits in an int of milliseconds */
	*ms = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	if (*ms == 0)
		*ms = -1;
	return 0;
}

static int set_socket_option(struct sock *s, int name, const void *value, socklen_t len)
{
	int v, error;

	switch (name) {
	case SO_RCVTIMEO:
		return timeout_value(value, len, &s->rcvtimeo_ms);
	case SO_SNDTIMEO:
		return timeout_value(value, len, &s->sndtimeo_ms);
	case SO_LINGER:
		return !value ? EFAULT : len < sizeof(struct linger) ? EINVAL : 0;
	}
	if ((error = int_value(value, len, &v)) != 0)
		return error;
	switch (name) {
	case SO_REUSEADDR:
	case SO_REUSEPORT:
		s->reuseaddr = v != 0;
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		if (s->tcp && s->state != SOCK_LISTENING) {
			if (v)
				ip_set_option(s->tcp, SOF_KEEPALIVE);
			else
				ip_reset_option(s->tcp, SOF_KEEPALIVE);
		}
		return 0;
	case SO_BROADCAST:
		s->broadcast = v != 0;
		return 0;
	case SO_RCVBUF:
	case SO_SNDBUF:
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_RCVLOWAT:
	case SO_SNDLOWAT:
		return 0;
	default:
		return ENOPROTOOPT;
	}
}

static int set_tcp_option(struct sock *s, int name, const void *value, socklen_t len)
{
	int v, error;

	if (s->type != SOCK_STREAM)
		return ENOPROTOOPT;
	if ((error = int_value(value, len, &v)) != 0)
		return error;
	switch (name) {
	case TCP_NODELAY:
		if (s->tcp && s->state != SOCK_LISTENING) {
			if (v)
				tcp_nagle_disable(s->tcp);
			else
				tcp_nagle_enable(s->tcp);
		}
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_MAXSEG:
		return v > 0 ? 0 : EINVAL;
	default:
		return ENOPROTOOPT;
	}
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	struct sock *s = sock_get(fd);
	int error;

	if (!s)
		return -1;
	if (level == SOL_SOCKET)
		error = set_socket_option(s, name, value, len);
	else if (level == IPPROTO_TCP)
		error = set_tcp_option(s, name, value, len);
	else if (level == IPPROTO_IP && (name == IP_TOS || name == IP_TTL))
		error = 0;
	else
		error = ENOPROTOOPT;
	return error ? sock_fail(error) : 0;
}

/* put: copies size bytes of value out as POSIX says (truncated to *len). */
static int put(void *out, socklen_t *len, const void *value, socklen_t size)
{
	if (!out || !len)
		return EFAULT;
	memcpy(out, value, *len < size ? *len : size);
	*len = size;
	return 0;
}

static int put_int(void *out, socklen_t *len, int value)
{
	return put(out, len, &value, sizeof(value));
}

static int put_timeout(void *out, socklen_t *len, int ms)
{
	struct timeval tv = { 0 };

	if (ms > 0) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	return put(out, len, &tv, sizeof(tv));
}

static int get_socket_option(struct sock *s, int name, void *value, socklen_t *len)
{
	int error;

	switch (name) {
	case SO_TYPE:
		return put_int(value, len, s->type);
	case SO_ERROR:
		error = s->error;
		s->error = 0;
		return put_int(value, len, error);
	case SO_REUSEADDR:
	case SO_REUSEPORT:
		return put_int(value, len, s->reuseaddr);
	case SO_KEEPALIVE:
		return put_int(value, len, s->keepalive);
	case SO_BROADCAST:
		return put_int(value, len, s->broadcast);
	case SO_ACCEPTCONN:
		return put_int(value, len, s->state == SOCK_LISTENING);
	case SO_RCVBUF:
		return put_int(value, len, s->type == SOCK_STREAM ? TCP_WND : 65536);
	case SO_SNDBUF:
		return put_int(value, len, s->type == SOCK_STREAM ? TCP_SND_BUF : 65536);
	case SO_RCVTIMEO:
		return put_timeout(value, len, s->rcvtimeo_ms);
	case SO_SNDTIMEO:
		return put_timeout(value, len, s->sndtimeo_ms);
	case SO_LINGER: {
		struct linger none = { 0, 0 };

		return put(value, len, &none, sizeof(none));
	}
	default:
		return ENOPROTOOPT;
	}
}

int getsockopt(int fd, int level, int name, void *restrict value, socklen_t *restrict len)
{
	struct sock *s = sock_get(fd);
	int error;

	if (!s)
		return -1;
	if (level == SOL_SOCKET)
		error = get_socket_option(s, name, value, len);
	else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_NODELAY)
		error = put_int(value, len, s->tcp && s->state != SOCK_LISTENING &&
					    tcp_nagle_disabled(s->tcp));
	else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_MAXSEG)
		error = put_int(value, len, TCP_MSS);
	else
		error = ENOPROTOOPT;
	return error ? sock_fail(error) : 0;
}
