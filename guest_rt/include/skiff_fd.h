/*
 * skiff_fd.h - the descriptor table above the console: descriptors 0, 1
 * and 2 are the console (guest_rt/libc/console.c); 3 up to
 * SKIFF_FD_MAX - 1 are objects another part of the runtime installs (the
 * socket layer, guest_rt/sockets), which read, write, close, fstat and
 * fcntl then reach through their operations.
 */
#ifndef SKIFF_FD_H
#define SKIFF_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One more than the highest descriptor: FD_SETSIZE, so select sees all. */
#define SKIFF_FD_MAX 64

/* What a kind of object does for the generic calls; each returns as the
 * POSIX call does (-1 with errno set on failure). flags are the
 * descriptor's status flags (O_NONBLOCK: do not wait). */
struct skiff_fd_ops {
	ssize_t (*read)(void *object, int flags, void *buf, size_t count);
	ssize_t (*write)(void *object, int flags, const void *buf, size_t count);
	int (*close)(void *object);   /* the descriptor is freed whatever it returns */
	unsigned int mode;            /* st_mode for fstat (S_IFSOCK, ...) */
};

/*
 * skiff_fd_install: the lowest free descriptor from 3, now naming object
 * with ops and the status flags (O_NONBLOCK) flags. Returns it, or -1 with
 * errno EMFILE when all are in use. ops must outlive the descriptor.
 */
int skiff_fd_install(const struct skiff_fd_ops *ops, void *object, int flags);

/*
 * skiff_fd_object: the object descriptor fd names when its operations are
 * ops; NULL when fd is not open (errno EBADF) or is something else
 * (errno ENOTSOCK when ops is of another kind: the socket layer's case).
 */
void *skiff_fd_object(int fd, const struct skiff_fd_ops *ops);

/* skiff_fd_flags: the status flags of open descriptor fd; 0 otherwise
 * (errno untouched). */
int skiff_fd_flags(int fd);

/* skiff_fd_set_flags: replaces the status flags of open descriptor fd. */
void skiff_fd_set_flags(int fd, int flags);

/* skiff_fd_is_open: whether fd names a console or an installed object. */
bool skiff_fd_is_open(int fd);

/*
 * The console's calls hand descriptors other than 0-2 to these; each
 * answers EBADF for a descriptor that is not open.
 */
ssize_t skiff_fd_read(int fd, void *buf, size_t count);
ssize_t skiff_fd_write(int fd, const void *buf, size_t count);
int skiff_fd_close(int fd);
/* skiff_fd_mode: st_mode of open object fd, or 0 (errno EBADF). */
unsigned int skiff_fd_mode(int fd);

#endif
