/*
 * sockecho - a plain POSIX TCP and UDP echo server: it builds unchanged
 * with skiff-cc and with a Linux C compiler (the build checks both).
 *
 * Usage: sockecho [PORT [CONNECTIONS]]  (defaults: 7, 1)
 * Echoes every UDP datagram and every TCP stream on PORT, one poll() loop
 * for all of them; after CONNECTIONS TCP connections have been closed by
 * their clients it prints what it served and "SUCCESS" and exits 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 8

static int fail(const char *what)
{
	printf("sockecho: %s: %s\n", what, strerror(errno));
	return 1;
}

/* send_all: sends len bytes of buf on fd; 0, or -1 with errno. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, 0);

		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_socket(int type, unsigned short port)
{
	struct sockaddr_in addr;
	int fd = socket(AF_INET, type, 0), on = 1;

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* echo_datagram: answers one waiting datagram on fd; 0 or -1. */
static int echo_datagram(int fd, unsigned long *count)
{
	char buf[2048];
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

	if (n < 0 || sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n)
		return -1;
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned short port = (unsigned short)(argc > 1 ? atoi(argv[1]) : 7);
	unsigned long want = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	unsigned long closed = 0, datagrams = 0, bytes = 0;
	struct pollfd fds[2 + MAX_CLIENTS];
	nfds_t n = 2;
	char buf[4096];

	fds[0].fd = open_socket(SOCK_STREAM, port);
	if (fds[0].fd < 0)
		return fail("tcp listen");
	fds[1].fd = open_socket(SOCK_DGRAM, port);
	if (fds[1].fd < 0)
		return fail("udp bind");
	fds[0].events = fds[1].events = POLLIN;
	printf("sockecho: listening on port %u\n", port);
	fflush(stdout);
	while (closed < want) {
		if (poll(fds, n, -1) < 0)
			return fail("poll");
		if ((fds[1].revents & POLLIN) && echo_datagram(fds[1].fd, &datagrams) < 0)
			return fail("udp echo");
		for (nfds_t i = 2; i < n; i++) {
			ssize_t got;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = recv(fds[i].fd, buf, sizeof(buf), 0);
			if (got > 0 && send_all(fds[i].fd, buf, (size_t)got) == 0) {
				bytes += (unsigned long)got;
				continue;
			}
			if (got < 0)
				printf("sockecho: connection lost: %s\n", strerror(errno));
			close(fds[i].fd);
			fds[i--] = fds[--n];
			closed++;
		}
		if ((fds[0].revents & POLLIN) && n < 2 + MAX_CLIENTS) {
			int c = accept(fds[0].fd, NULL, NULL);

			if (c < 0)
				return fail("accept");
			fds[n].fd = c;
			fds[n++].events = POLLIN;
		}
	}
	printf("sockecho: %lu connections, %lu bytes, %lu datagrams echoed\n", closed, bytes,
	       datagrams);
	printf("SUCCESS\n");
	close(fds[0].fd);
	close(fds[1].fd);
	return 0;
}
