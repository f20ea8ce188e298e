/*
 * udpbench - the client of the UDP socket benchmark (bench/net_bench.py
 * --path sockets): request/response round trips through the BSD socket
 * API (sendto, then recvfrom of the echo) against tests/guests/udpsock's
 * server, timed with the TSC (instructions under QEMU -icount and Bochs
 * sync=none).
 *
 * Usage: udpbench SERVER PORT COUNT - for payloads of 64, 512 and 1,400
 * bytes: 5 warm-up round trips (ARP, first allocations), then COUNT timed
 * ones, every echo checked. Prints "udp rtt SIZE bytes: N tsc" (per round
 * trip) for each, ends the server ("quit") and prints SUCCESS, or why it
 * failed (exit 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "skiff.h"

#define WARM_UP 5
#define ATTEMPTS 10

static const size_t sizes[] = { 64, 512, 1400 };

/* round_trip: sends len bytes of out to server and waits for them back
 * (retrying a lost one); true when the echo came back whole. */
static bool round_trip(int fd, const struct sockaddr_in *server, const char *out, size_t len)
{
	static char in[2048];

	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		ssize_t n;

		if (sendto(fd, out, len, 0, (const struct sockaddr *)server, sizeof(*server)) != (ssize_t)len)
			break;
		n = recvfrom(fd, in, sizeof(in), 0, NULL, NULL);
		if (n == (ssize_t)len && memcmp(in, out, len) == 0)
			return true;
		if (n >= 0 || errno != EAGAIN)
			break;
	}
	printf("udpbench: no echo of %zu bytes: %s\n", len, strerror(errno));
	return false;
}

/* end_server: "quit" until the server answers "bye"; false if it never does. */
static bool end_server(int fd, const struct sockaddr_in *server)
{
	char in[8];

	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		ssize_t n;

		if (sendto(fd, "quit", 4, 0, (const struct sockaddr *)server, sizeof(*server)) != 4)
			break;
		n = recvfrom(fd, in, sizeof(in), 0, NULL, NULL);
		if (n == 3 && memcmp(in, "bye", 3) == 0)
			return true;
	}
	printf("udpbench: the server did not say bye\n");
	return false;
}

int main(int argc, char **argv)
{
	static char out[1400];
	struct sockaddr_in server = { .sin_family = AF_INET };
	struct timeval wait = { 1, 0 };
	long port = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	long count = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (port <= 0 || port > 65535 || count <= 0 ||
	    inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
		printf("usage: udpbench SERVER PORT COUNT\n");
		return 2;
	}
	server.sin_port = htons((unsigned short)port);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) < 0) {
		printf("udpbench: socket: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)('a' + i % 26);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t start;

		for (int i = 0; i < WARM_UP; i++)
			if (!round_trip(fd, &server, out, sizes[s]))
				return 1;
		start = skiff_tsc();
		for (long i = 0; i < count; i++)
			if (!round_trip(fd, &server, out, sizes[s]))
				return 1;
		printf("udp rtt %zu bytes: %llu tsc\n", sizes[s],
		       (unsigned long long)((skiff_tsc() - start) / (uint64_t)count));
	}
	if (!end_server(fd, &server))
		return 1;
	printf("SUCCESS\n");
	return 0;
}
