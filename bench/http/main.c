/*
 * httpbench - the client of the HTTP benchmark (bench/http_bench.py):
 * GETs "/" from examples/httpd over BSD sockets, one connection per
 * request as an HTTP/1.0 client does, and counts the TSC around them
 * (instructions under QEMU -icount and Bochs sync=none).
 *
 * Usage: httpbench SERVER COUNT - 5 warm-up requests (ARP, first
 * allocations), then COUNT timed ones; every answer must be the page.
 * Prints "http COUNT requests: N tsc" and SUCCESS, or why it failed (exit 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "skiff.h"

#define WARM_UP 5
static const char request[] = "GET / HTTP/1.0\r\nHost: bench\r\n\r\n";

/* get: one request on a new connection; true when the page came back. */
static bool get(const struct sockaddr_in *server)
{
	char reply[2048];
	size_t len = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	if (fd < 0 || connect(fd, (const struct sockaddr *)server, sizeof(*server)) < 0 ||
	    send(fd, request, sizeof(request) - 1, 0) != (ssize_t)sizeof(request) - 1) {
		printf("httpbench: request failed: %s\n", strerror(errno));
		return false;
	}
	while (len < sizeof(reply) - 1 && (n = recv(fd, reply + len, sizeof(reply) - 1 - len, 0)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	if (strncmp(reply, "HTTP/1.0 200 OK", 15) != 0 || !strstr(reply, "Hello from a Skiff appliance")) {
		printf("httpbench: unexpected answer (%zu bytes)\n", len);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(80) };
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	uint64_t start;

	if (count <= 0 || inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
		printf("usage: httpbench SERVER COUNT\n");
		return 2;
	}
	for (int i = 0; i < WARM_UP; i++)
		if (!get(&server))
			return 1;
	start = skiff_tsc();
	for (long i = 0; i < count; i++)
		if (!get(&server))
			return 1;
	printf("http %ld requests: %llu tsc\n", count, (unsigned long long)(skiff_tsc() - start));
	printf("SUCCESS\n");
	return 0;
}
