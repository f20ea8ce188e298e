/*
 * sock_fd.c - sockets as descriptors: read, write and close of a socket
 * descriptor, and finding the socket behind one.
 */
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "skiff_fd.h"

int sock_fail(int error)
{
	errno = error;
	return -1;
}

struct sock *sock_new(int type)
{
	struct sock *s = calloc(1, sizeof(*s));

	if (s) {
		s->type = type;
		s->rcvtimeo_ms = -1;
		s->sndtimeo_ms = -1;
	}
	return s;
}

/* read on a socket: recv without flags. */
static ssize_t sock_read(void *object, int flags, void *buf, size_t count)
{
	struct sock *s = object;
	long n;

	if (s->type == SOCK_STREAM) {
		n = sock_tcp_recv(s, buf, count, 0, flags & O_NONBLOCK);
	} else {
		ip_addr_t from;
		uint16_t port;

		n = sock_udp_recv(s, buf, count, 0, flags & O_NONBLOCK, &from, &port);
	}
	return n < 0 ? sock_fail((int)-n) : n;
}

/* write on a socket: send without flags. */
static ssize_t sock_write(void *object, int flags, const void *buf, size_t count)
{
	struct sock *s = object;
	long n = s->type == SOCK_STREAM ? sock_tcp_send(s, buf, count, flags & O_NONBLOCK) :
		sock_udp_send(s, buf, count, NULL, 0);

	return n < 0 ? sock_fail((int)-n) : n;
}

static int sock_close(void *object)
{
	struct sock *s = object;

	if (s->type == SOCK_STREAM)
		sock_tcp_close(s);
	else
		sock_udp_close(s);
	free(s);
	return 0;
}

const struct skiff_fd_ops sock_fd_ops = {
	.read = sock_read,
	.write = sock_write,
	.close = sock_close,
	.mode = S_IFSOCK | 0777,
};

struct sock *sock_get(int fd)
{
	return skiff_fd_object(fd, &sock_fd_ops);
}

bool sock_nonblocking(int fd)
{
	return (skiff_fd_flags(fd) & O_NONBLOCK) != 0;
}

short sock_events(struct sock *s)
{
	return s->type == SOCK_STREAM ? sock_tcp_events(s) : sock_udp_events(s);
}
