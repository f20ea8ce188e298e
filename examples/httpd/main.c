/*
 * httpd - an HTTP/1.0 server appliance on lwIP: a static page at "/" and a
 * small JSON API ("/api/status", "/api/hello?name=NAME"), on port 80 of the
 * net device "service".
 *
 * Usage: httpd [REQUESTS]  - serve forever, or stop after REQUESTS answers
 * (tests use that to end). The address comes from DHCP, or from
 * SKIFF_NET_SERVICE=A.B.C.D/PREFIX[,gw=...] in the environment.
 *
 *   tools/skiff-run --net service=user --forward tcp:18080:80 \
 *       build/examples/httpd/httpd.elf
 *   curl http://127.0.0.1:18080/api/status
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/tcp.h"
#include "skiff_lwip.h"

#define PORT 80
#define REQUEST_MAX 2048

struct conn {
	char request[REQUEST_MAX];
	size_t len;
	size_t unsent;   /* response bytes not yet acknowledged */
};

static unsigned long served, limit;

static const char page[] =
	"<!doctype html>\n<html><head><title>Skiff</title></head>\n"
	"<body><h1>Hello from a Skiff appliance</h1>\n"
	"<p>Served by lwIP on a unikernel under Skiff.</p></body></html>\n";

/* respond: the response for the request line in c into out; its length. */
static int respond(const struct conn *c, char *out, size_t size)
{
	char path[256], body[512];
	const char *type = "application/json", *status = "200 OK";
	int n;

	if (sscanf(c->request, "GET %255s", path) != 1) {
		status = "400 Bad Request";
		snprintf(body, sizeof(body), "{\"error\": \"only GET is served\"}\n");
	} else if (strcmp(path, "/") == 0) {
		type = "text/html";
		snprintf(body, sizeof(body), "%s", page);
	} else if (strcmp(path, "/api/status") == 0) {
		snprintf(body, sizeof(body),
			 "{\"server\": \"skiff-httpd\", \"requests\": %lu, \"uptime_ms\": %lu}\n",
			 served + 1, (unsigned long)sys_now());
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

static void finish(struct tcp_pcb *pcb, struct conn *c)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	free(c);
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct conn *c = arg;

	c->unsent = c->unsent > len ? c->unsent - len : 0;
	if (c->unsent == 0) {
		finish(pcb, c);
		served++;
	}
	return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;
	char response[1024];
	int n;

	if (!p || err != ERR_OK) {   /* the client closed before asking */
		if (p)
			pbuf_free(p);
		finish(pcb, c);
		return ERR_OK;
	}
	if (c->unsent == 0 && c->len < REQUEST_MAX - 1) {
		size_t take = p->tot_len < REQUEST_MAX - 1 - c->len ? p->tot_len : REQUEST_MAX - 1 - c->len;

		pbuf_copy_partial(p, c->request + c->len, (u16_t)take, 0);
		c->len += take;
		c->request[c->len] = '\0';
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (c->unsent != 0 || (!strstr(c->request, "\r\n\r\n") && c->len < REQUEST_MAX - 1))
		return ERR_OK;
	n = respond(c, response, sizeof(response));
	c->unsent = (size_t)n;
	tcp_sent(pcb, on_sent);
	if (tcp_write(pcb, response, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
		tcp_abort(pcb);
		free(c);
		return ERR_ABRT;
	}
	tcp_output(pcb);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_MEM;
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	return ERR_OK;
}

int main(int argc, char **argv)
{
	struct tcp_pcb *listener;

	limit = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	if (!skiff_lwip_start("service", 10000))
		return 1;
	listener = tcp_new();
	if (!listener || tcp_bind(listener, IP4_ADDR_ANY, PORT) != ERR_OK ||
	    !(listener = tcp_listen(listener))) {
		printf("httpd: cannot listen on port %d\n", PORT);
		return 1;
	}
	tcp_accept(listener, on_accept);
	printf("httpd: listening on port %d\n", PORT);
	fflush(stdout);
	while (limit == 0 || served < limit)
		skiff_lwip_poll(1000);
	printf("httpd: served %lu requests\n", served);
	/* Let the last FINs and ACKs go out before the guest ends. */
	for (int i = 0; i < 5; i++)
		skiff_lwip_poll(20);
	return 0;
}
