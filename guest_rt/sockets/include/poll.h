/* poll.h - waiting for descriptors (POSIX); see guest_rt/sockets. */
#ifndef SKIFF_POLL_H
#define SKIFF_POLL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200

/*
 * poll: waits until one of the n descriptors of fds is ready for what its
 * events ask, or timeout_ms passes (-1: forever, 0: just look). Sockets,
 * and the console (0 readable at end of file, 1 and 2 writable).
 * Returns the number of entries with revents set, 0 on timeout, or -1
 * (EFAULT for a NULL fds with n > 0, EINVAL for n too large).
 */
int poll(struct pollfd *fds, nfds_t n, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
