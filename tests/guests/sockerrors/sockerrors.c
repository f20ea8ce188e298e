/*
 * sockerrors - conformance of the socket calls' errors: each check does
 * one wrong thing and expects the errno POSIX gives for it. Plain POSIX:
 * it builds unchanged with skiff-cc and with a Linux C compiler.
 *
 * Usage: sockerrors PEER [PORT [CLOSED_PORT [LOCAL_PORT]]]  (defaults: 7,
 * 9, 5005). PEER runs an echo server on PORT (sockecho) and nothing on
 * CLOSED_PORT; the checks bind LOCAL_PORT to LOCAL_PORT + 2 here.
 * Prints "ok NAME" per check, then "N checks passed" and SUCCESS (exit 0),
 * or "FAIL NAME: ..." for each check that failed (exit 1). At the end it
 * opens and closes one connection to PEER:PORT, so that the server knows
 * it is done.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static unsigned short local_port = 5005;
static int passed, failed;

/* expect: records a check whose call returned result: it must be -1 with
 * errno error. */
static void expect(const char *name, long result, int error)
{
	if (result == -1 && errno == error) {
		passed++;
		printf("ok %s\n", name);
		return;
	}
	failed++;
	printf("FAIL %s: returned %ld, errno %d (%s); want errno %d (%s)\n", name, result,
	       errno, strerror(errno), error, strerror(error));
}

/* check: records a check that holds when ok is true. */
static void check(const char *name, int ok)
{
	if (ok) {
		passed++;
		printf("ok %s\n", name);
	} else {
		failed++;
		printf("FAIL %s (errno %d: %s)\n", name, errno, strerror(errno));
	}
}

static struct sockaddr_in address(const char *ip, unsigned short port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
		a.sin_addr.s_addr = htonl(INADDR_NONE);
	return a;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void bad_descriptors(void)
{
	char byte = 0;
	int value;
	socklen_t len = sizeof(value);
	struct pollfd p = { 42, POLLIN, 0 };
	fd_set set;
	struct timeval none = { 0, 0 };

	expect("send on a descriptor never opened: EBADF", send(42, &byte, 1, 0), EBADF);
	expect("recv on -1: EBADF", recv(-1, &byte, 1, 0), EBADF);
	expect("close of a descriptor never opened: EBADF", close(42), EBADF);
	expect("getsockopt on a bad descriptor: EBADF",
	       getsockopt(42, SOL_SOCKET, SO_TYPE, &value, &len), EBADF);
	expect("fcntl on a bad descriptor: EBADF", fcntl(42, F_GETFL), EBADF);
	expect("send on stdout: ENOTSOCK", send(STDOUT_FILENO, &byte, 1, 0), ENOTSOCK);
	check("poll on a bad descriptor: POLLNVAL", poll(&p, 1, 0) == 1 && p.revents == POLLNVAL);
	FD_ZERO(&set);
	FD_SET(42, &set);
	expect("select on a bad descriptor: EBADF", select(43, &set, NULL, NULL, &none), EBADF);
}

static void creation(void)
{
	expect("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP): EPROTONOSUPPORT",
	       socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
}

static void binding(void)
{
	struct sockaddr_in any = address("0.0.0.0", local_port);
	struct sockaddr_in foreign = address("192.0.2.1", (unsigned short)(local_port + 1));
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);

	check("bind a free port", bind(a, (struct sockaddr *)&any, sizeof(any)) == 0);
	expect("bind a port in use (TCP): EADDRINUSE",
	       bind(b, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	expect("bind a bound socket again: EINVAL",
	       bind(a, (struct sockaddr *)&any, sizeof(any)), EINVAL);
	check("bind a free port (UDP)", bind(u, (struct sockaddr *)&any, sizeof(any)) == 0);
	expect("bind a port in use (UDP): EADDRINUSE",
	       bind(v, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	expect("bind an address that is not ours: EADDRNOTAVAIL",
	       bind(b, (struct sockaddr *)&foreign, sizeof(foreign)), EADDRNOTAVAIL);
	close(a);
	close(b);
	close(u);
	close(v);
}

static void unconnected(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char byte = 0;

	expect("recv on an unconnected TCP socket: ENOTCONN", recv(t, &byte, 1, 0), ENOTCONN);
	expect("read on an unconnected TCP socket: ENOTCONN", read(t, &byte, 1), ENOTCONN);
	expect("getpeername unconnected: ENOTCONN",
	       getpeername(t, (struct sockaddr *)&peer, &len), ENOTCONN);
	expect("shutdown unconnected: ENOTCONN", shutdown(t, SHUT_RDWR), ENOTCONN);
	expect("accept on a socket that is not listening: EINVAL", accept(t, NULL, NULL), EINVAL);
	expect("listen on a UDP socket: EOPNOTSUPP", listen(u, 1), EOPNOTSUPP);
	expect("send on an unconnected UDP socket: EDESTADDRREQ", send(u, &byte, 1, 0),
	       EDESTADDRREQ);
	close(t);
	close(u);
}

static void waiting(void)
{
	struct sockaddr_in any = address("0.0.0.0", (unsigned short)(local_port + 2));
	struct timeval wait = { 0, 200000 };
	struct timespec start;
	int l = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	char byte;
	long spent;
	struct stat st;

	check("listen", bind(l, (struct sockaddr *)&any, sizeof(any)) == 0 && listen(l, 2) == 0);
	check("fcntl sets O_NONBLOCK",
	      fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK) == 0 &&
	      (fcntl(l, F_GETFL) & O_NONBLOCK));
	expect("accept with nothing waiting, non-blocking: EAGAIN", accept(l, NULL, NULL), EAGAIN);
	check("fstat says socket", fstat(l, &st) == 0 && S_ISSOCK(st.st_mode));
	check("bind UDP", bind(u, (struct sockaddr *)&any, sizeof(any)) == 0);
	expect("recv MSG_DONTWAIT with nothing waiting: EAGAIN",
	       recv(u, &byte, 1, MSG_DONTWAIT), EAGAIN);
	check("SO_RCVTIMEO accepted",
	      setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	expect("recv past SO_RCVTIMEO: EAGAIN", recv(u, &byte, 1, 0), EAGAIN);
	spent = ms_since(&start);
	check("SO_RCVTIMEO waited about 200 ms", spent >= 150 && spent < 5000);
	clock_gettime(CLOCK_MONOTONIC, &start);
	{
		struct pollfd p = { u, POLLIN, 0 };

		check("poll times out with nothing ready", poll(&p, 1, 100) == 0);
	}
	spent = ms_since(&start);
	check("poll waited about 100 ms", spent >= 80 && spent < 5000);
	close(l);
	close(u);
	expect("send on a closed socket: EBADF", send(l, &byte, 1, 0), EBADF);
}

static void options(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), value = 0, on = 1;
	socklen_t len = sizeof(value);

	check("SO_REUSEADDR accepted", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0);
	check("SO_TYPE is SOCK_STREAM",
	      getsockopt(t, SOL_SOCKET, SO_TYPE, &value, &len) == 0 && value == SOCK_STREAM);
	expect("an unknown option: ENOPROTOOPT",
	       setsockopt(t, SOL_SOCKET, 12345, &on, sizeof(on)), ENOPROTOOPT);
	close(t);
}

static void addresses(void)
{
	struct in_addr a;
	char text[INET_ADDRSTRLEN], small[8];
	struct addrinfo hints, *res = NULL;
	unsigned short net = htons(0x1234);
	const unsigned char *bytes = (const unsigned char *)&net;
	int error;

	check("inet_pton 10.0.0.1", inet_pton(AF_INET, "10.0.0.1", &a) == 1 &&
	      a.s_addr == htonl(0x0a000001));
	check("inet_pton refuses 256.0.0.1", inet_pton(AF_INET, "256.0.0.1", &a) == 0);
	check("inet_pton refuses 1.2.3", inet_pton(AF_INET, "1.2.3", &a) == 0);
	check("inet_ntop", inet_ntop(AF_INET, &a, text, sizeof(text)) != NULL &&
	      strcmp(text, "10.0.0.1") == 0);
	check("inet_ntop into too small a buffer: ENOSPC",
	      inet_ntop(AF_INET, &a, small, sizeof(small)) == NULL && errno == ENOSPC);
	check("htons is big-endian", bytes[0] == 0x12 && bytes[1] == 0x34);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	error = getaddrinfo("10.1.2.3", "80", &hints, &res);
	check("getaddrinfo of a numeric host", error == 0 && res && res->ai_family == AF_INET &&
	      ((struct sockaddr_in *)res->ai_addr)->sin_port == htons(80) &&
	      ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr == htonl(0x0a010203));
	if (error == 0)
		freeaddrinfo(res);
	hints.ai_flags = AI_NUMERICHOST;
	error = getaddrinfo("no.such.host", NULL, &hints, &res);
	check("getaddrinfo of a name with AI_NUMERICHOST: EAI_NONAME", error == EAI_NONAME);
	check("gai_strerror", strlen(gai_strerror(EAI_NONAME)) > 0);
}

static void refused(const char *peer, unsigned short port)
{
	struct sockaddr_in to = address(peer, port);
	int t = socket(AF_INET, SOCK_STREAM, 0);

	expect("connect to a closed port: ECONNREFUSED",
	       connect(t, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
	close(t);
}

static void say_done(const char *peer, unsigned short port)
{
	struct sockaddr_in to = address(peer, port);
	int t = socket(AF_INET, SOCK_STREAM, 0);

	check("connect to the echo server", connect(t, (struct sockaddr *)&to, sizeof(to)) == 0);
	close(t);
}

int main(int argc, char **argv)
{
	unsigned short port = (unsigned short)(argc > 2 ? atoi(argv[2]) : 7);
	unsigned short closed = (unsigned short)(argc > 3 ? atoi(argv[3]) : 9);

	if (argc < 2) {
		printf("usage: sockerrors PEER [PORT [CLOSED_PORT [LOCAL_PORT]]]\n");
		return 2;
	}
	if (argc > 4)
		local_port = (unsigned short)atoi(argv[4]);
	bad_descriptors();
	creation();
	binding();
	unconnected();
	waiting();
	options();
	addresses();
	refused(argv[1], closed);
	say_done(argv[1], port);
	printf("%d checks passed, %d failed\n", passed, failed);
	if (failed)
		return 1;
	printf("SUCCESS\n");
	return 0;
}
