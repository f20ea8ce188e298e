/*
 * sockloop - connections from a program to itself: the loopback interface
 * (127.0.0.1) and the interface's own address. A plain POSIX program: it
 * builds unchanged with skiff-cc and with a Linux C compiler.
 *
 * Usage: sockloop OWN_ADDRESS [PORT]  (default port 5000)
 *   1. TCP to 127.0.0.1: listen, a blocking connect, accept, a message
 *      each way, getpeername says 127.0.0.1;
 *   2. the same to OWN_ADDRESS;
 *   3. UDP: a datagram from one socket to another bound to 127.0.0.1.
 * One line per step and SUCCESS; exit 1 at the first failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("sockloop: FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static struct sockaddr_in address(in_addr_t ip, unsigned short port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = ip;
	a.sin_port = htons(port);
	return a;
}

static int with_timeout(int fd)
{
	struct timeval wait = { 5, 0 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
}

/* tcp_to_self: listen on port, connect to ip:port, one message each way. */
static int tcp_to_self(in_addr_t ip, unsigned short port, const char *label)
{
	struct sockaddr_in any = address(htonl(INADDR_ANY), port), to = address(ip, port), peer;
	socklen_t len = sizeof(peer);
	int listener = socket(AF_INET, SOCK_STREAM, 0), client = socket(AF_INET, SOCK_STREAM, 0), server;
	char buf[16];

	if (listener < 0 || client < 0 || bind(listener, (struct sockaddr *)&any, sizeof(any)) < 0 ||
	    listen(listener, 1) < 0)
		return fail("listen");
	if (connect(client, (struct sockaddr *)&to, sizeof(to)) < 0)
		return fail("connect to self");
	server = accept(listener, (struct sockaddr *)&peer, &len);
	if (server < 0 || with_timeout(server) < 0 || with_timeout(client) < 0)
		return fail("accept");
	if (peer.sin_addr.s_addr != ip)
		return fail("the accepted peer's address");
	if (send(client, "ping", 4, 0) != 4 || recv(server, buf, sizeof(buf), 0) != 4 ||
	    memcmp(buf, "ping", 4) != 0)
		return fail("client to server");
	if (send(server, "pong", 4, 0) != 4 || recv(client, buf, sizeof(buf), 0) != 4 ||
	    memcmp(buf, "pong", 4) != 0)
		return fail("server to client");
	len = sizeof(peer);
	if (getpeername(client, (struct sockaddr *)&peer, &len) < 0 || peer.sin_addr.s_addr != ip ||
	    peer.sin_port != htons(port))
		return fail("getpeername");
	close(client);
	if (recv(server, buf, sizeof(buf), 0) != 0)
		return fail("end of stream after close");
	close(server);
	close(listener);
	printf("sockloop: tcp to %s ok\n", label);
	return 0;
}

static int udp_to_self(unsigned short port)
{
	struct sockaddr_in to = address(htonl(INADDR_LOOPBACK), port), from;
	socklen_t len = sizeof(from);
	int receiver = socket(AF_INET, SOCK_DGRAM, 0), sender = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[16];

	if (receiver < 0 || sender < 0 || with_timeout(receiver) < 0 ||
	    bind(receiver, (struct sockaddr *)&to, sizeof(to)) < 0)
		return fail("udp sockets");
	if (sendto(sender, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) != 5 ||
	    recvfrom(receiver, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) != 5 ||
	    memcmp(buf, "hello", 5) != 0 || from.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
		return fail("a datagram to 127.0.0.1");
	close(sender);
	close(receiver);
	printf("sockloop: udp to 127.0.0.1 ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct in_addr own;
	long port = argc > 2 ? strtol(argv[2], NULL, 10) : 5000;

	if (argc < 2 || inet_pton(AF_INET, argv[1], &own) != 1 || port <= 0 || port > 65533) {
		printf("usage: sockloop OWN_ADDRESS [PORT]\n");
		return 2;
	}
	if (tcp_to_self(htonl(INADDR_LOOPBACK), (unsigned short)port, "127.0.0.1") ||
	    tcp_to_self(own.s_addr, (unsigned short)(port + 1), "own address") ||
	    udp_to_self((unsigned short)(port + 2)))
		return 1;
	printf("SUCCESS\n");
	return 0;
}
