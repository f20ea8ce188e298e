/*
 * sock_poll.c - poll and select over sockets and the console. Both look at
 * every descriptor, and while none is ready drive lwIP (sleeping in POLL
 * until a frame or a timer) until one is or the time is up.
 */
#include "sock.h"

#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <unistd.h>

#include "skiff_fd.h"
#include "skiff_lwip.h"

#define FOREVER_STEP_MS 1000u

/* fd_events: what fd is ready for now; POLLNVAL when it is not open. */
static short fd_events(int fd)
{
	struct sock *s;

	if (fd == STDIN_FILENO)
		return POLLIN;   /* always at end of file */
	if (fd == STDOUT_FILENO || fd == STDERR_FILENO)
		return POLLOUT;
	if (!skiff_fd_is_open(fd))
		return POLLNVAL;
	s = sock_get(fd);
	return s ? sock_events(s) : (POLLIN | POLLOUT);
}

/* scan: sets revents; returns the number of entries with any. */
static int scan(struct pollfd *fds, nfds_t n)
{
	int ready = 0;

	for (nfds_t i = 0; i < n; i++) {
		short events;

		if (fds[i].fd < 0) {
			fds[i].revents = 0;
			continue;
		}
		events = fd_events(fds[i].fd);
		/* POLLERR, POLLHUP and POLLNVAL are reported unasked. */
		fds[i].revents = events & (fds[i].events | POLLERR | POLLHUP | POLLNVAL);
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* wait_any: scans until something is ready or timeout_ms passes. */
static int wait_any(int (*look)(void *arg), void *arg, int timeout_ms)
{
	uint32_t start = sys_now();
	int ready = look(arg);

	if (ready)
		return ready;
	if (sock_net_running())
		sock_drive();
	for (;;) {
		uint32_t spent = sys_now() - start;

		if ((ready = look(arg)) != 0 || timeout_ms == 0)
			return ready;
		if (timeout_ms > 0 && spent >= (uint32_t)timeout_ms)
			return 0;
		if (!sock_net_running()) {   /* no network: nothing can change but time */
			usleep((useconds_t)(timeout_ms > 0 ? (uint32_t)timeout_ms - spent : FOREVER_STEP_MS) * 1000u);
			continue;
		}
		skiff_lwip_poll(timeout_ms > 0 ? (uint32_t)timeout_ms - spent : FOREVER_STEP_MS);
	}
}

struct poll_args {
	struct pollfd *fds;
	nfds_t n;
};

static int look_poll(void *arg)
{
	struct poll_args *a = arg;

	return scan(a->fds, a->n);
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct poll_args a = { fds, n };

	if (n > SKIFF_FD_MAX * 4)
		return sock_fail(EINVAL);
	if (!fds && n)
		return sock_fail(EFAULT);
	return wait_any(look_poll, &a, timeout_ms < 0 ? -1 : timeout_ms);
}

struct select_args {
	int n;
	fd_set *in[3];    /* what was asked: read, write, except */
	fd_set out[3];    /* what is ready */
};

static int look_select(void *arg)
{
	static const short want[3] = { POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI };
	struct select_args *a = arg;
	int ready = 0;

	for (int k = 0; k < 3; k++)
		FD_ZERO(&a->out[k]);
	for (int fd = 0; fd < a->n; fd++) {
		short events = -1;

		for (int k = 0; k < 3; k++) {
			if (!a->in[k] || !FD_ISSET(fd, a->in[k]))
				continue;
			if (events == -1)
				events = fd_events(fd);
			if (events & want[k]) {
				FD_SET(fd, &a->out[k]);
				ready++;
			}
		}
	}
	return ready;
}

int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
	struct select_args a = { .n = n, .in = { rd, wr, ex } };
	int timeout_ms = -1, ready;

	if (n < 0 || n > FD_SETSIZE)
		return sock_fail(EINVAL);
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)
			return sock_fail(EINVAL);
		timeout_ms = timeout->tv_sec > 2000000 ? 2000000000 :
			(int)(timeout->tv_sec * 1000 + (timeout->tv_usec + 999) / 1000);
	}
	for (int fd = 0; fd < n; fd++)
		for (int k = 0; k < 3; k++)
			if (a.in[k] && FD_ISSET(fd, a.in[k]) && !skiff_fd_is_open(fd))
				return sock_fail(EBADF);
	ready = wait_any(look_select, &a, timeout_ms);
	for (int k = 0; k < 3; k++)
		if (a.in[k])
			*a.in[k] = a.out[k];
	return ready;
}
