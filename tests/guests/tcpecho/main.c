/*
 * tcpecho - two lwIP appliances talking over a Skiff network, with static
 * addresses from SKIFF_NET_SERVICE=A.B.C.D/PREFIX. Modes:
 *
 *   server      echoes UDP datagrams and TCP streams on port 7; after one
 *               UDP echo and one TCP connection closed by the client,
 *               prints "echoed N bytes over TCP" and exits 0.
 *   client IP   sends a UDP datagram to IP:7 and checks the echo (retried),
 *               then connects by TCP, sends 20,000 bytes of a pattern,
 *               checks every echoed byte, closes; prints "udp echo ok",
 *               "tcp echo ok (20000 bytes)" and SUCCESS.
 *
 * Either gives up (exit 1) after 20 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "skiff_lwip.h"

#define ECHO_PORT 7
#define TOTAL 20000u
#define GIVE_UP_MS 20000u

static bool udp_done, tcp_done, tcp_failed;
static size_t echoed, sent, checked;

static uint8_t pattern(size_t i) { return (uint8_t)(i * 31 + (i >> 8)); }

/* ---- server ---- */

static void server_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		       const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
	udp_done = true;
}

static err_t server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		tcp_recv(pcb, NULL);
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
		tcp_done = true;
		return ERR_OK;
	}
	for (struct pbuf *q = p; q; q = q->next)
		if (tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK)
			tcp_failed = true;
	echoed += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	tcp_output(pcb);
	pbuf_free(p);
	return ERR_OK;
}

static err_t server_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_recv(pcb, server_recv);
	return ERR_OK;
}

static int server(void)
{
	struct udp_pcb *u = udp_new();
	struct tcp_pcb *t = tcp_new();

	if (!u || !t || udp_bind(u, IP4_ADDR_ANY, ECHO_PORT) != ERR_OK ||
	    tcp_bind(t, IP4_ADDR_ANY, ECHO_PORT) != ERR_OK || !(t = tcp_listen(t)))
		return 1;
	udp_recv(u, server_udp, NULL);
	tcp_accept(t, server_accept);
	printf("listening on port %d\n", ECHO_PORT);
	for (uint32_t start = sys_now(); !(udp_done && tcp_done) && !tcp_failed &&
					 sys_now() - start < GIVE_UP_MS;)
		skiff_lwip_poll(100);
	for (int i = 0; i < 5; i++)
		skiff_lwip_poll(20);
	printf("echoed %zu bytes over TCP\n", echoed);
	return udp_done && tcp_done && !tcp_failed && echoed == TOTAL ? 0 : 1;
}

/* ---- client ---- */

static void client_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		       const ip_addr_t *addr, u16_t port)
{
	char text[32] = "";

	(void)arg; (void)pcb; (void)addr; (void)port;
	pbuf_copy_partial(p, text, sizeof(text) - 1, 0);
	udp_done = strcmp(text, "ping over udp") == 0;
	pbuf_free(p);
}

static void push(struct tcp_pcb *pcb)
{
	uint8_t chunk[1024];

	while (sent < TOTAL && tcp_sndbuf(pcb) > 0) {
		size_t n = TOTAL - sent;

		if (n > sizeof(chunk))
			n = sizeof(chunk);
		if (n > tcp_sndbuf(pcb))
			n = tcp_sndbuf(pcb);
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		if (tcp_write(pcb, chunk, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		sent += n;
	}
	tcp_output(pcb);
}

static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg; (void)len;
	push(pcb);
	return ERR_OK;
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p || err != ERR_OK) {
		tcp_failed = true;
		return ERR_OK;
	}
	for (struct pbuf *q = p; q; q = q->next)
		for (u16_t i = 0; i < q->len; i++, checked++)
			if (((uint8_t *)q->payload)[i] != pattern(checked))
				tcp_failed = true;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (checked == TOTAL) {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_close(pcb);
		tcp_done = true;
	}
	return ERR_OK;
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK)
		return err;
	tcp_recv(pcb, client_recv);
	tcp_sent(pcb, client_sent);
	push(pcb);
	return ERR_OK;
}

static void client_error(void *arg, err_t err)
{
	(void)arg;
	printf("tcp error %d\n", err);
	tcp_failed = true;
}

static int client(const char *peer_text)
{
	uint32_t start = sys_now(), last_try = 0;
	struct udp_pcb *u = udp_new();
	struct tcp_pcb *t = tcp_new();
	ip_addr_t peer;

	if (!u || !t || !ipaddr_aton(peer_text, &peer))
		return 1;
	udp_recv(u, client_udp, NULL);
	while (!udp_done && sys_now() - start < GIVE_UP_MS) {
		if (sys_now() - last_try >= 500) {
			struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 13, PBUF_RAM);

			last_try = sys_now();
			pbuf_take(p, "ping over udp", 13);
			udp_sendto(u, p, &peer, ECHO_PORT);
			pbuf_free(p);
		}
		skiff_lwip_poll(100);
	}
	if (!udp_done)
		return printf("no udp echo\n"), 1;
	printf("udp echo ok\n");
	tcp_err(t, client_error);
	if (tcp_connect(t, &peer, ECHO_PORT, client_connected) != ERR_OK)
		return 1;
	while (!tcp_done && !tcp_failed && sys_now() - start < GIVE_UP_MS)
		skiff_lwip_poll(100);
	for (int i = 0; i < 5; i++)
		skiff_lwip_poll(20);
	if (!tcp_done || tcp_failed)
		return printf("tcp echo failed after %zu bytes\n", checked), 1;
	printf("tcp echo ok (%zu bytes)\n", checked);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (!skiff_lwip_start("service", 5000))
		return 1;
	if (argc >= 2 && strcmp(argv[1], "server") == 0)
		rc = server();
	else if (argc >= 3 && strcmp(argv[1], "client") == 0)
		rc = client(argv[2]);
	else
		return printf("usage: server | client IP\n"), 1;
	if (rc == 0)
		printf("SUCCESS\n");
	return rc;
}
