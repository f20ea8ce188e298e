/*
 * sockclient - a plain POSIX client of sockecho (builds unchanged with
 * skiff-cc and with a Linux C compiler).
 *
 * Usage: sockclient SERVER [PORT [CLOSED_PORT]]  (defaults: 7, 9)
 *  1. UDP: sendto/recvfrom echo of a datagram (SO_RCVTIMEO, retried).
 *  2. TCP, blocking connect: 20,000 bytes of a pattern, echoes awaited
 *     with select(), every byte checked; shutdown(SHUT_WR), then EOF.
 *  3. connect to CLOSED_PORT: ECONNREFUSED, blocking and non-blocking.
 *  4. TCP, non-blocking connect (O_NONBLOCK via fcntl): EINPROGRESS, then
 *     poll() says writable and SO_ERROR is 0; an echo with EAGAIN waits.
 * Prints one line per step and SUCCESS; exit 1 at the first failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define TOTAL 20000

static struct sockaddr_in server;

static int fail(const char *what)
{
	printf("sockclient: FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8));
}

static struct sockaddr_in at_port(unsigned short port)
{
	struct sockaddr_in a = server;

	a.sin_port = htons(port);
	return a;
}

static int udp_echo(unsigned short port)
{
	struct sockaddr_in to = at_port(port), from;
	struct timeval wait = { 1, 0 };
	char reply[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) < 0)
		return fail("udp socket");
	for (int attempt = 0; attempt < 10; attempt++) {
		socklen_t len = sizeof(from);
		ssize_t n;

		if (sendto(fd, "ping 42", 7, 0, (struct sockaddr *)&to, sizeof(to)) != 7)
			return fail("sendto");
		n = recvfrom(fd, reply, sizeof(reply), 0, (struct sockaddr *)&from, &len);
		if (n < 0 && errno == EAGAIN)
			continue;   /* the first datagram may wait for ARP */
		if (n != 7 || memcmp(reply, "ping 42", 7) != 0 ||
		    from.sin_addr.s_addr != to.sin_addr.s_addr || from.sin_port != to.sin_port)
			return fail("udp echo content");
		close(fd);
		printf("sockclient: udp echo ok\n");
		return 0;
	}
	return fail("udp echo (no answer)");
}

/* wait_readable: select() until fd is readable; 0 or -1. */
static int wait_readable(int fd)
{
	fd_set set;
	struct timeval wait = { 10, 0 };

	FD_ZERO(&set);
	FD_SET(fd, &set);
	if (select(fd + 1, &set, NULL, NULL, &wait) != 1 || !FD_ISSET(fd, &set)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

static int tcp_stream(unsigned short port)
{
	static unsigned char out[TOTAL], in[TOTAL];
	struct sockaddr_in to = at_port(port), peer;
	socklen_t len = sizeof(peer);
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	char extra;

	for (size_t i = 0; i < TOTAL; i++)
		out[i] = pattern(i);
	if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
		return fail("tcp socket");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		return fail("connect");
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0 ||
	    peer.sin_addr.s_addr != to.sin_addr.s_addr || peer.sin_port != to.sin_port)
		return fail("getpeername");
	/* Interleave: the echo server answers while we send. */
	for (size_t sent = 0; sent < TOTAL || got < TOTAL;) {
		if (sent < TOTAL) {
			size_t chunk = TOTAL - sent < 1000 ? TOTAL - sent : 1000;
			ssize_t n = send(fd, out + sent, chunk, 0);

			if (n <= 0)
				return fail("send");
			sent += (size_t)n;
		}
		if (sent == TOTAL || got + 4000 < sent) {
			ssize_t n;

			if (wait_readable(fd) < 0)
				return fail("select");
			n = recv(fd, in + got, TOTAL - got, 0);
			if (n <= 0)
				return fail("recv");
			got += (size_t)n;
		}
	}
	if (memcmp(in, out, TOTAL) != 0) {
		errno = EIO;
		return fail("echoed bytes differ");
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return fail("shutdown");
	if (wait_readable(fd) < 0 || recv(fd, &extra, 1, 0) != 0)
		return fail("EOF after shutdown");
	close(fd);
	printf("sockclient: tcp echo ok (%d bytes, select)\n", TOTAL);
	return 0;
}

/* poll_one: poll fd for events for at most 10 s; the revents, or 0. */
static short poll_one(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, 10000) == 1 ? p.revents : 0;
}

static int nonblocking_echo(unsigned short port)
{
	struct sockaddr_in to = at_port(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), error = -1;
	socklen_t len = sizeof(error);
	char reply[8];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return fail("non-blocking socket");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 || errno != EINPROGRESS)
		return fail("non-blocking connect (want EINPROGRESS)");
	if (!(poll_one(fd, POLLOUT) & POLLOUT))
		return fail("poll for the connection");
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error != 0) {
		errno = error;
		return fail("SO_ERROR after connect");
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return fail("recv before data (want EAGAIN)");
	if (send(fd, "hello", 5, 0) != 5)
		return fail("non-blocking send");
	if (!(poll_one(fd, POLLIN) & POLLIN) || recv(fd, reply, sizeof(reply), 0) != 5 ||
	    memcmp(reply, "hello", 5) != 0)
		return fail("non-blocking echo");
	close(fd);
	printf("sockclient: non-blocking connect ok (EINPROGRESS, poll, EAGAIN)\n");
	return 0;
}

static int refused(unsigned short port)
{
	struct sockaddr_in to = at_port(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), error = 0;
	socklen_t len = sizeof(error);

	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 || errno != ECONNREFUSED)
		return fail("connect to a closed port (want ECONNREFUSED)");
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 || errno != EINPROGRESS)
		return fail("non-blocking connect to a closed port (want EINPROGRESS)");
	if (!(poll_one(fd, POLLOUT) & (POLLOUT | POLLERR)) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error != ECONNREFUSED) {
		errno = error;
		return fail("SO_ERROR of a refused connect (want ECONNREFUSED)");
	}
	close(fd);
	printf("sockclient: refused ok (ECONNREFUSED)\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct addrinfo hints, *found;
	unsigned short port = (unsigned short)(argc > 2 ? atoi(argv[2]) : 7);
	unsigned short closed = (unsigned short)(argc > 3 ? atoi(argv[3]) : 9);
	int error;

	if (argc < 2) {
		printf("usage: sockclient SERVER [PORT [CLOSED_PORT]]\n");
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if ((error = getaddrinfo(argv[1], NULL, &hints, &found)) != 0) {
		printf("sockclient: %s: %s\n", argv[1], gai_strerror(error));
		return 1;
	}
	memcpy(&server, found->ai_addr, sizeof(server));
	freeaddrinfo(found);
	/* The refusals come before the last connection: the server ends once
	 * its connections are done, and a server gone answers no SYN at all. */
	if (udp_echo(port) || tcp_stream(port) || refused(closed) || nonblocking_echo(port))
		return 1;
	printf("SUCCESS\n");
	return 0;
}
