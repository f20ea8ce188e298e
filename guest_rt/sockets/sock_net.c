/*
 * sock_net.c - the socket layer's link to lwIP: bringing the interface up
 * on first use, and waiting (driving lwIP while a condition is false).
 */
#include "sock.h"

#include <errno.h>
#include <stdlib.h>

#include "lwip/err.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "skiff_lwip.h"

#define DEFAULT_DEVICE "service"
#define LEASE_WAIT_MS 10000u
#define FOREVER_STEP_MS 1000u
#define EXIT_FLUSH_MS 500u

/* data_in_flight: whether a connection still has data or a FIN that the
 * peer has not acknowledged (closed sockets' pcbs included). */
static bool data_in_flight(void)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->unsent || pcb->unacked)
			return true;
	return false;
}

/*
 * flush_at_exit: a program's last answer is often written just before it
 * returns from main; an operating system would go on delivering it after
 * the process ends. Here the stack ends with the guest, so give it a
 * moment to be acknowledged (at most EXIT_FLUSH_MS).
 */
static void flush_at_exit(void)
{
	uint32_t start = sys_now();

	while (data_in_flight() && sys_now() - start < EXIT_FLUSH_MS)
		skiff_lwip_poll(10);
}

int sock_net_up(void)
{
	static int failed;
	static bool flush_registered;
	const char *device;

	if (!flush_registered)
		flush_registered = atexit(flush_at_exit) == 0;
	if (failed)
		return failed;
	if (netif_default)
		return 0;   /* up: by us earlier, or by the appliance itself */
	device = getenv("SKIFF_SOCKETS_NET");
	if (!device || !*device)
		device = DEFAULT_DEVICE;
	if (!skiff_lwip_start(device, LEASE_WAIT_MS))
		failed = ENETDOWN;   /* skiff_lwip_start printed why; once is enough */
	return failed;
}

bool sock_net_running(void)
{
	return netif_default != NULL;
}

void sock_drive(void)
{
	skiff_lwip_poll(0);
}

int sock_wait(bool (*ready)(struct sock *s), struct sock *s, int timeout_ms)
{
	uint32_t start;

	if (ready(s))
		return 0;
	sock_drive();
	if (ready(s))
		return 0;
	if (timeout_ms == 0)
		return EAGAIN;
	start = sys_now();
	for (;;) {
		uint32_t spent = sys_now() - start, left;

		if (timeout_ms > 0 && spent >= (uint32_t)timeout_ms)
			return EAGAIN;
		left = timeout_ms > 0 ? (uint32_t)timeout_ms - spent : FOREVER_STEP_MS;
		skiff_lwip_poll(left);   /* sleeps in POLL: no CPU while nothing comes */
		if (ready(s))
			return 0;
	}
}

int sock_lwip_errno(int err)
{
	switch (err) {
	case ERR_OK: return 0;
	case ERR_MEM: return ENOBUFS;
	case ERR_BUF: return ENOBUFS;
	case ERR_TIMEOUT: return ETIMEDOUT;
	case ERR_RTE: return EHOSTUNREACH;
	case ERR_INPROGRESS: return EINPROGRESS;
	case ERR_VAL: return EINVAL;
	case ERR_WOULDBLOCK: return EWOULDBLOCK;
	case ERR_USE: return EADDRINUSE;
	case ERR_ALREADY: return EALREADY;
	case ERR_ISCONN: return EISCONN;
	case ERR_CONN: return ENOTCONN;
	case ERR_IF: return EIO;
	case ERR_ABRT: return ECONNABORTED;
	case ERR_RST: return ECONNRESET;
	case ERR_CLSD: return ENOTCONN;
	case ERR_ARG: return EINVAL;
	default: return EIO;
	}
}
