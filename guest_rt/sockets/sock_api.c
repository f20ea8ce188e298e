/*
 * sock_api.c - the POSIX socket calls (sys/socket.h): checking arguments,
 * converting addresses, and handing the work to sock_tcp.c / sock_udp.c.
 */
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "skiff_fd.h"

/* to_lwip: an AF_INET sockaddr as lwIP's address and host-order port;
 * 0, or EFAULT / EINVAL (too short) / EAFNOSUPPORT. */
static int to_lwip(const struct sockaddr *addr, socklen_t len, ip_addr_t *ip, uint16_t *port)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

	if (!addr)
		return EFAULT;
	if (len < sizeof(struct sockaddr_in))
		return EINVAL;
	if (in->sin_family != AF_INET)
		return EAFNOSUPPORT;
	ip_addr_set_ip4_u32(ip, in->sin_addr.s_addr);
	*port = ntohs(in->sin_port);
	return 0;
}

/* from_lwip: writes ip:port as a sockaddr_in into addr (at most *len
 * bytes: truncated as POSIX says) and sets *len to its full size. */
static void from_lwip(const ip_addr_t *ip, uint16_t port, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_in in = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0,
	};

	if (!addr || !len)
		return;
	memcpy(addr, &in, *len < sizeof(in) ? *len : sizeof(in));
	*len = sizeof(in);
}

int socket(int domain, int type, int protocol)
{
	int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), error, fd;
	struct sock *s;

	if (domain != AF_INET)
		return sock_fail(EAFNOSUPPORT);
	if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
		return sock_fail(kind == SOCK_RAW ? EPROTONOSUPPORT : EINVAL);
	if (protocol != 0 && protocol != (kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return sock_fail(EPROTONOSUPPORT);
	if ((error = sock_net_up()) != 0)
		return sock_fail(error);
	if (!(s = sock_new(kind)))
		return sock_fail(ENOMEM);
	error = kind == SOCK_STREAM ? sock_tcp_open(s) : sock_udp_open(s);
	if (error) {
		free(s);
		return sock_fail(error);
	}
	fd = skiff_fd_install(&sock_fd_ops, s, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (fd < 0) {
		error = errno;
		sock_fd_ops.close(s);
		errno = error;
	}
	return fd;
}

/* is_local: whether a socket may bind to ip: the wildcard, our address or
 * the loopback network (127/8, lwIP's loop interface). */
static bool is_local(const ip_addr_t *ip)
{
	return ip_addr_isany(ip) || ip4_addr_isloopback(ip_2_ip4(ip)) ||
	       (netif_default && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(netif_default)));
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *s = sock_get(fd);
	ip_addr_t ip;
	uint16_t port;
	err_t err;
	int error;

	if (!s)
		return -1;
	if ((error = to_lwip(addr, len, &ip, &port)) != 0)
		return sock_fail(error);
	if (!is_local(&ip))
		return sock_fail(EADDRNOTAVAIL);
	if (s->bound || (s->type == SOCK_STREAM && (s->state != SOCK_NEW || !s->tcp)))
		return sock_fail(EINVAL);
	err = s->type == SOCK_STREAM ? tcp_bind(s->tcp, &ip, port) : udp_bind(s->udp, &ip, port);
	if (err != ERR_OK)
		return sock_fail(sock_lwip_errno(err));
	s->bound = true;
	return 0;
}

int listen(int fd, int backlog)
{
	struct sock *s = sock_get(fd);
	int error;

	if (!s)
		return -1;
	if (s->type != SOCK_STREAM)
		return sock_fail(EOPNOTSUPP);
	if (backlog < 1)
		backlog = 1;
	if (backlog > SOCK_BACKLOG_MAX)
		backlog = SOCK_BACKLOG_MAX;
	error = sock_tcp_listen(s, backlog);
	return error ? sock_fail(error) : 0;
}

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	struct sock *s = sock_get(fd), *c;
	int error, cfd;

	if (!s)
		return -1;
	if (s->type != SOCK_STREAM)
		return sock_fail(EOPNOTSUPP);
	if (addr && !len)
		return sock_fail(EFAULT);
	error = sock_tcp_accept(s, sock_nonblocking(fd), &c);
	if (error)
		return sock_fail(error);
	cfd = skiff_fd_install(&sock_fd_ops, c, 0);
	if (cfd < 0) {
		error = errno;
		sock_fd_ops.close(c);
		return sock_fail(error);
	}
	if (addr)
		from_lwip(c->tcp ? &c->tcp->remote_ip : NULL, c->tcp ? c->tcp->remote_port : 0,
			  addr, len);
	return cfd;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *s = sock_get(fd);
	ip_addr_t ip;
	uint16_t port;
	int error;

	if (!s)
		return -1;
	if (s->type == SOCK_DGRAM && addr && len >= sizeof(sa_family_t) &&
	    addr->sa_family == AF_UNSPEC) {
		udp_disconnect(s->udp);
		s->udp_connected = false;
		return 0;
	}
	if ((error = to_lwip(addr, len, &ip, &port)) != 0)
		return sock_fail(error);
	if (s->type == SOCK_DGRAM) {
		err_t err = udp_connect(s->udp, &ip, port);

		if (err != ERR_OK)
			return sock_fail(sock_lwip_errno(err));
		s->udp_connected = s->bound = true;
		return 0;
	}
	if (port == 0)
		return sock_fail(EADDRNOTAVAIL);
	error = sock_tcp_connect(s, &ip, port, sock_nonblocking(fd));
	return error ? sock_fail(error) : 0;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	struct sock *s = sock_get(fd);
	bool nonblocking = sock_nonblocking(fd) || (flags & MSG_DONTWAIT);
	long n;

	if (!s)
		return -1;
	if (!buf && len)
		return sock_fail(EFAULT);
	if (s->type == SOCK_STREAM) {
		if (to && s->state != SOCK_CONNECTED)
			return sock_fail(s->state == SOCK_NEW ? ENOTCONN : EISCONN);
		n = sock_tcp_send(s, buf, len, nonblocking);
	} else if (to) {
		ip_addr_t ip;
		uint16_t port;
		int error = to_lwip(to, tolen, &ip, &port);

		if (error)
			return sock_fail(error);
		if (s->udp_connected)
			return sock_fail(EISCONN);
		n = sock_udp_send(s, buf, len, &ip, port);
	} else {
		n = sock_udp_send(s, buf, len, NULL, 0);
	}
	return n < 0 ? sock_fail((int)-n) : n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
		 struct sockaddr *restrict from, socklen_t *restrict fromlen)
{
	struct sock *s = sock_get(fd);
	bool nonblocking = sock_nonblocking(fd) || (flags & MSG_DONTWAIT);
	long n;

	if (!s)
		return -1;
	if (!buf && len)
		return sock_fail(EFAULT);
	if (from && !fromlen)
		return sock_fail(EFAULT);
	if (s->type == SOCK_STREAM) {
		n = sock_tcp_recv(s, buf, len, flags, nonblocking);
		if (n >= 0 && from && s->tcp)
			from_lwip(&s->tcp->remote_ip, s->tcp->remote_port, from, fromlen);
	} else {
		ip_addr_t ip;
		uint16_t port;

		n = sock_udp_recv(s, buf, len, flags, nonblocking, &ip, &port);
		if (n >= 0)
			from_lwip(&ip, port, from, fromlen);
	}
	return n < 0 ? sock_fail((int)-n) : n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

int shutdown(int fd, int how)
{
	struct sock *s = sock_get(fd);
	int error;

	if (!s)
		return -1;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return sock_fail(EINVAL);
	if (s->type != SOCK_STREAM)
		return s->udp_connected ? 0 : sock_fail(ENOTCONN);
	error = sock_tcp_shutdown(s, how != SHUT_WR, how != SHUT_RD);
	return error ? sock_fail(error) : 0;
}

int getsockname(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	struct sock *s = sock_get(fd);

	if (!s)
		return -1;
	if (!addr || !len)
		return sock_fail(EFAULT);
	if (s->type == SOCK_STREAM)
		from_lwip(s->tcp ? &s->tcp->local_ip : NULL, s->tcp ? s->tcp->local_port : 0, addr, len);
	else
		from_lwip(&s->udp->local_ip, s->udp->local_port, addr, len);
	return 0;
}

int getpeername(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	struct sock *s = sock_get(fd);

	if (!s)
		return -1;
	if (!addr || !len)
		return sock_fail(EFAULT);
	if (s->type == SOCK_STREAM) {
		if (s->state != SOCK_CONNECTED || !s->tcp)
			return sock_fail(ENOTCONN);
		from_lwip(&s->tcp->remote_ip, s->tcp->remote_port, addr, len);
	} else {
		if (!s->udp_connected)
			return sock_fail(ENOTCONN);
		from_lwip(&s->udp->remote_ip, s->udp->remote_port, addr, len);
	}
	return 0;
}
