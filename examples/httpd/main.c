/*
 * httpd - an HTTP/1.0 server appliance in plain POSIX C (BSD sockets): a
 * static page at "/" and a small JSON API ("/api/status",
 * "/api/hello?name=NAME"). It builds unchanged for Linux too.
 *
 * Usage: httpd [REQUESTS [PORT]] - serve on PORT (80) forever, or stop
 * after REQUESTS answers (tests use that to end). Under Skiff the socket
 * layer brings up the net device "service": its address comes from DHCP,
 * or from SKIFF_NET_SERVICE=A.B.C.D/PREFIX[,gw=...] in the environment.
 *
 *   tools/skiff-run --net service=user --forward tcp:18080:80 \
 *       build/examples/httpd/httpd.elf
 *   curl http://127.0.0.1:18080/api/status
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX 2048

static unsigned long served;

static const char page[] =
	"<!doctype html>\n<html><head><title>Skiff</title></head>\n"
	"<body><h1>Hello from a Skiff appliance</h1>\n"
	"<p>Served by lwIP on a unikernel under Skiff.</p></body></html>\n";

static unsigned long uptime_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)now.tv_sec * 1000u + (unsigned long)now.tv_nsec / 1000000u;
}

/* respond: the response to request (a NUL-terminated request head) in
 * out; its length. */
static int respond(const char *request, char *out, size_t size)
{
	char path[256], body[512];
	const char *type = "application/json", *status = "200 OK";
	int n;

	if (sscanf(request, "GET %255s", path) != 1) {
		status = "400 Bad Request";
		snprintf(body, sizeof(body), "{\"error\": \"only GET is served\"}\n");
	} else if (strcmp(path, "/") == 0) {
		type = "text/html";
		snprintf(body, sizeof(body), "%s", page);
	} else if (strcmp(path, "/api/status") == 0) {
		snprintf(body, sizeof(body),
			 "{\"server\": \"skiff-httpd\", \"requests\": %lu, \"uptime_ms\": %lu}\n",
			 served + 1, uptime_ms());
	} else if (strncmp(path, "/api/hello?name=", 16) == 0 &&
		   strspn(path + 16, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
			   strlen(path + 16)) {
		snprintf(body, sizeof(body), "{\"hello\": \"%s\"}\n", path + 16);
	} else {
		status = "404 Not Found";
		snprintf(body, sizeof(body), "{\"error\": \"no such path\"}\n");
	}
	n = snprintf(out, size,
		     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%s", status, type, strlen(body), body);
	return n < (int)size ? n : (int)size - 1;
}

/* serve: reads one request head from connection c and answers it; true
 * when an answer went out. */
static int serve(int c)
{
	char request[REQUEST_MAX], response[1024];
	size_t len = 0;
	int n;

	while (len < sizeof(request) - 1) {
		ssize_t got = recv(c, request + len, sizeof(request) - 1 - len, 0);

		if (got <= 0)
			return 0;   /* closed or silent (SO_RCVTIMEO) before asking */
		len += (size_t)got;
		request[len] = '\0';
		if (strstr(request, "\r\n\r\n"))
			break;
	}
	n = respond(request, response, sizeof(response));
	for (int sent = 0; sent < n;) {
		ssize_t put = send(c, response + sent, (size_t)(n - sent), 0);

		if (put <= 0)
			return 0;
		sent += (int)put;
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long limit = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	int port = argc > 2 ? atoi(argv[2]) : 80, on = 1, listener;
	struct timeval patience = { 10, 0 };
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(listener, 8) < 0) {
		printf("httpd: cannot listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("httpd: listening on port %d\n", port);
	fflush(stdout);
	while (limit == 0 || served < limit) {
		int c = accept(listener, NULL, NULL);

		if (c < 0) {
			printf("httpd: accept: %s\n", strerror(errno));
			return 1;
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience));
		served += (unsigned long)serve(c);
		close(c);
	}
	printf("httpd: served %lu requests\n", served);
	close(listener);
	return 0;
}
