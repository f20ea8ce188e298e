/*
 * udpsock - UDP through the BSD socket API, a plain POSIX program (it
 * builds unchanged with skiff-cc and with a Linux C compiler, and the
 * host build passes the same checks on loopback: udp_host_run.sh).
 *
 * Usage:
 *   udpsock server PORT   echo every datagram that reaches PORT back to its
 *                         sender (recvfrom/sendto); "stray" is first
 *                         answered from PORT+1, then echoed; "quit" is
 *                         answered "bye" and ends the server (SUCCESS).
 *   udpsock client SERVER PORT
 *      1. echo: sendto/recvfrom, the sender's address, the implicit bind;
 *      2. sizes: datagrams of 0, 1, 1400 and 1472 bytes echo whole;
 *      3. truncation: a 1000-byte datagram read into 100 bytes gives 100,
 *         the rest is discarded; MSG_TRUNC gives the real length;
 *         MSG_PEEK leaves the datagram queued;
 *      4. connect()ed UDP: send/recv/read/write, getpeername, datagrams
 *         from another port are not delivered, connect(AF_UNSPEC) undoes;
 *      5. errno values of the datagram calls;
 *      then "quit". One line per step and SUCCESS; exit 1 at a failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define UDP_MAX 65507   /* the largest IPv4 UDP payload */
#define SERVER_IDLE_S 30

static struct sockaddr_in server;
static int failures;

static int fail(const char *what)
{
	printf("udpsock: FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

/* udp_socket: a UDP socket bound to port (0: none yet) with a receive
 * timeout of ms milliseconds; -1 on failure. */
static int udp_socket(unsigned short port, long ms)
{
	struct timeval wait = { ms / 1000, (ms % 1000) * 1000 };
	struct sockaddr_in addr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) < 0 ||
	    (port && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int serve(unsigned short port)
{
	static char buf[UDP_MAX];
	long datagrams = 0, bytes = 0;
	int fd = udp_socket(port, SERVER_IDLE_S * 1000L), other = udp_socket(port + 1, 1000);

	if (fd < 0 || other < 0)
		return fail("server sockets");
	printf("udpsock: serving on port %u\n", port);
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n < 0)
			return fail("server recvfrom (idle too long?)");
		if (n == 4 && memcmp(buf, "quit", 4) == 0) {
			sendto(fd, "bye", 3, 0, (struct sockaddr *)&from, len);
			break;
		}
		if (n == 5 && memcmp(buf, "stray", 5) == 0 &&
		    sendto(other, "from the other port", 19, 0, (struct sockaddr *)&from, len) != 19)
			return fail("server stray sendto");
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n)
			return fail("server sendto");
		datagrams++;
		bytes += n;
	}
	printf("udpsock: echoed %ld datagrams, %ld bytes\n", datagrams, bytes);
	close(other);
	close(fd);
	printf("SUCCESS\n");
	return 0;
}

/* exchange: sends len bytes of the pattern to the server on fd (to NULL:
 * the connected peer), waits for the echo into reply (room bytes) with
 * flags; retries while nothing comes back (the first datagram may wait for
 * ARP). Returns recvfrom's answer, -1 with errno. */
static ssize_t exchange(int fd, const unsigned char *out, size_t len, unsigned char *reply,
			size_t room, int flags, struct sockaddr_in *from)
{
	for (int attempt = 0; attempt < 10; attempt++) {
		socklen_t flen = sizeof(*from);
		ssize_t n;

		if (sendto(fd, out, len, 0, (struct sockaddr *)&server, sizeof(server)) != (ssize_t)len)
			return -1;
		n = recvfrom(fd, reply, room, flags, (struct sockaddr *)from, &flen);
		if (n >= 0 || errno != EAGAIN)
			return n;
	}
	return -1;
}

static bool from_server(const struct sockaddr_in *from)
{
	return from->sin_family == AF_INET && from->sin_addr.s_addr == server.sin_addr.s_addr &&
	       from->sin_port == server.sin_port;
}

static int echo(void)
{
	unsigned char reply[64];
	struct sockaddr_in from, local;
	socklen_t len = sizeof(local);
	int fd = udp_socket(0, 1000);
	ssize_t n;

	if (fd < 0)
		return fail("socket");
	n = exchange(fd, (const unsigned char *)"hello", 5, reply, sizeof(reply), 0, &from);
	if (n != 5 || memcmp(reply, "hello", 5) != 0 || !from_server(&from))
		return fail("echo content or sender");
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0 || local.sin_port == 0)
		return fail("getsockname after sendto (implicit bind)");
	close(fd);
	printf("udpsock: echo ok\n");
	return 0;
}

static int sizes(void)
{
	static const size_t lengths[] = { 0, 1, 1400, 1472 };
	static unsigned char out[1472], in[1600];
	struct sockaddr_in from;
	int fd = udp_socket(0, 1000);

	if (fd < 0)
		return fail("socket");
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = pattern(i);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		ssize_t n = exchange(fd, out, lengths[i], in, sizeof(in), 0, &from);

		if (n != (ssize_t)lengths[i] || memcmp(in, out, lengths[i]) != 0 || !from_server(&from)) {
			printf("udpsock: %zu-byte datagram came back as %zd bytes\n", lengths[i], n);
			return fail("sizes");
		}
	}
	close(fd);
	printf("udpsock: sizes ok (0, 1, 1400, 1472)\n");
	return 0;
}

static int truncation(void)
{
	static unsigned char out[1000], in[1000];
	struct sockaddr_in from;
	int fd = udp_socket(0, 1000);
	ssize_t n;

	if (fd < 0)
		return fail("socket");
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = pattern(i);
	n = exchange(fd, out, sizeof(out), in, 100, 0, &from);
	if (n != 100 || memcmp(in, out, 100) != 0)
		return fail("a 1000-byte datagram into 100 bytes");
	if (recv(fd, in, sizeof(in), MSG_DONTWAIT) != -1 || errno != EAGAIN)
		return fail("the rest of a truncated datagram was not discarded");
	n = exchange(fd, out, sizeof(out), in, 100, MSG_TRUNC, &from);
	if (n != 1000 || memcmp(in, out, 100) != 0)
		return fail("MSG_TRUNC gives the datagram's length");
	n = exchange(fd, out, sizeof(out), in, 10, MSG_PEEK, &from);
	if (n != 10 || memcmp(in, out, 10) != 0)
		return fail("MSG_PEEK of 10 bytes");
	n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
	if (n != 1000 || memcmp(in, out, sizeof(out)) != 0)
		return fail("the peeked datagram is still whole");
	close(fd);
	printf("udpsock: truncation ok (100 of 1000, MSG_TRUNC, MSG_PEEK)\n");
	return 0;
}

static int connected(void)
{
	struct sockaddr_in peer;
	struct sockaddr unspec;
	socklen_t len = sizeof(peer);
	char in[64];
	int fd = udp_socket(0, 1000);
	ssize_t n = -1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0)
		return fail("connect a UDP socket");
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0 || !from_server(&peer))
		return fail("getpeername of a connected UDP socket");
	for (int attempt = 0; attempt < 10 && n < 0; attempt++) {
		if (send(fd, "conn", 4, 0) != 4)
			return fail("send on a connected UDP socket");
		n = recv(fd, in, sizeof(in), 0);
		if (n < 0 && errno != EAGAIN)
			break;
	}
	if (n != 4 || memcmp(in, "conn", 4) != 0)
		return fail("recv on a connected UDP socket");
	/* The server answers "stray" from its other port first: not our peer. */
	if (write(fd, "stray", 5) != 5 || read(fd, in, sizeof(in)) != 5 || memcmp(in, "stray", 5) != 0)
		return fail("a datagram from another port reached a connected socket");
	if (recv(fd, in, sizeof(in), MSG_DONTWAIT) != -1 || errno != EAGAIN)
		return fail("a datagram from another port was queued");
	memset(&unspec, 0, sizeof(unspec));
	unspec.sa_family = AF_UNSPEC;
	if (connect(fd, &unspec, sizeof(unspec)) < 0)
		return fail("connect(AF_UNSPEC) dissolves the association");
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) != -1 || errno != ENOTCONN)
		return fail("getpeername after connect(AF_UNSPEC)");
	if (send(fd, "x", 1, 0) != -1 || errno != EDESTADDRREQ)
		return fail("send after connect(AF_UNSPEC)");
	close(fd);
	printf("udpsock: connected ok (send, recv, read, write, filtering, AF_UNSPEC)\n");
	return 0;
}

static void expect(const char *what, long got, int error)
{
	if (got == -1 && errno == error) {
		printf("ok %s\n", what);
		return;
	}
	printf("udpsock: FAIL %s: returned %ld, errno %d (%s), wanted %d (%s)\n", what, got, errno,
	       strerror(errno), error, strerror(error));
	failures++;
}

static int errors(void)
{
	static char big[UDP_MAX + 1];
	struct sockaddr_in to = server, mine;
	socklen_t len = sizeof(mine);
	struct sockaddr_in6 six;
	int fd = udp_socket(0, 200), second = udp_socket(0, 200), closed;
	char in[8];

	if (fd < 0 || second < 0)
		return fail("socket");
	expect("send on an unconnected UDP socket: EDESTADDRREQ", send(fd, "x", 1, 0), EDESTADDRREQ);
	expect("recv MSG_DONTWAIT with nothing queued: EAGAIN",
	       recv(fd, in, sizeof(in), MSG_DONTWAIT), EAGAIN);
	expect("recv past SO_RCVTIMEO: EAGAIN", recv(fd, in, sizeof(in), 0), EAGAIN);
	expect("sendto with a short address: EINVAL",
	       sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to) - 4), EINVAL);
	memset(&six, 0, sizeof(six));
	six.sin6_family = AF_INET6;
	expect("sendto an AF_INET6 address: EAFNOSUPPORT",
	       sendto(fd, "x", 1, 0, (struct sockaddr *)&six, sizeof(six)), EAFNOSUPPORT);
	expect("sendto of 65508 bytes: EMSGSIZE",
	       sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)), EMSGSIZE);
	expect("listen on a UDP socket: EOPNOTSUPP", listen(fd, 1), EOPNOTSUPP);
	expect("accept on a UDP socket: EOPNOTSUPP", accept(fd, NULL, NULL), EOPNOTSUPP);
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) != 1 ||
	    getsockname(fd, (struct sockaddr *)&mine, &len) < 0)
		return fail("sendto to bind");
	mine.sin_addr.s_addr = htonl(INADDR_ANY);
	expect("bind a UDP port in use: EADDRINUSE",
	       bind(second, (struct sockaddr *)&mine, sizeof(mine)), EADDRINUSE);
	expect("bind a bound UDP socket again: EINVAL",
	       bind(fd, (struct sockaddr *)&mine, sizeof(mine)), EINVAL);
	closed = fd;
	close(fd);
	close(second);
	expect("recvfrom on a closed descriptor: EBADF", recv(closed, in, sizeof(in), 0), EBADF);
	expect("sendto on a closed descriptor: EBADF",
	       sendto(closed, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), EBADF);
	printf("udpsock: %d error checks failed\n", failures);
	return failures ? 1 : 0;
}

static int quit(void)
{
	unsigned char reply[8];
	struct sockaddr_in from;
	int fd = udp_socket(0, 1000);

	if (fd < 0 || exchange(fd, (const unsigned char *)"quit", 4, reply, sizeof(reply), 0, &from) != 3 ||
	    memcmp(reply, "bye", 3) != 0)
		return fail("quit");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long port = argc > 2 ? strtol(argv[argc - 1], NULL, 10) : 0;

	if (port <= 0 || port > 65534) {
		printf("usage: udpsock server PORT | udpsock client SERVER PORT\n");
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return serve((unsigned short)port);
	memset(&server, 0, sizeof(server));
	server.sin_family = AF_INET;
	server.sin_port = htons((unsigned short)port);
	if (argc != 4 || strcmp(argv[1], "client") != 0 ||
	    inet_pton(AF_INET, argv[2], &server.sin_addr) != 1) {
		printf("usage: udpsock server PORT | udpsock client SERVER PORT\n");
		return 2;
	}
	if (echo() || sizes() || truncation() || connected() || errors() || quit())
		return 1;
	printf("SUCCESS\n");
	return 0;
}
