/*
 * fds.c - descriptors 3 and up (skiff_fd.h) and fcntl for all of them.
 */
#include "glue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "skiff_fd.h"

#define FIRST_OBJECT_FD 3

struct fd_entry {
	const struct skiff_fd_ops *ops;   /* NULL: free */
	void *object;
	int flags;
	int fd_flags;   /* FD_CLOEXEC: kept for F_GETFD, meaningless without exec */
};

static struct fd_entry table[SKIFF_FD_MAX];

/* entry: the open object descriptor fd, or NULL with errno EBADF. */
static struct fd_entry *entry(int fd)
{
	if (fd < FIRST_OBJECT_FD || fd >= SKIFF_FD_MAX || !table[fd].ops) {
		errno = EBADF;
		return NULL;
	}
	return &table[fd];
}

static bool is_console(int fd)
{
	return fd >= 0 && fd < FIRST_OBJECT_FD;
}

int skiff_fd_install(const struct skiff_fd_ops *ops, void *object, int flags)
{
	for (int fd = FIRST_OBJECT_FD; fd < SKIFF_FD_MAX; fd++) {
		if (!table[fd].ops) {
			table[fd] = (struct fd_entry){ .ops = ops, .object = object, .flags = flags };
			return fd;
		}
	}
	errno = EMFILE;
	return -1;
}

void *skiff_fd_object(int fd, const struct skiff_fd_ops *ops)
{
	struct fd_entry *e = entry(fd);

	if (!e) {
		if (is_console(fd))
			errno = ENOTSOCK;
		return NULL;
	}
	if (e->ops != ops) {
		errno = ENOTSOCK;
		return NULL;
	}
	return e->object;
}

int skiff_fd_flags(int fd)
{
	/* Leaves errno alone: callers ask after checking the descriptor. */
	return fd >= FIRST_OBJECT_FD && fd < SKIFF_FD_MAX && table[fd].ops ? table[fd].flags : 0;
}

void skiff_fd_set_flags(int fd, int flags)
{
	struct fd_entry *e = entry(fd);

	if (e)
		e->flags = flags;
}

bool skiff_fd_is_open(int fd)
{
	return is_console(fd) || (fd >= 0 && fd < SKIFF_FD_MAX && table[fd].ops);
}

ssize_t skiff_fd_read(int fd, void *buf, size_t count)
{
	struct fd_entry *e = entry(fd);

	return e ? e->ops->read(e->object, e->flags, buf, count) : -1;
}

ssize_t skiff_fd_write(int fd, const void *buf, size_t count)
{
	struct fd_entry *e = entry(fd);

	return e ? e->ops->write(e->object, e->flags, buf, count) : -1;
}

int skiff_fd_close(int fd)
{
	struct fd_entry *e = entry(fd);
	struct fd_entry gone;

	if (!e)
		return -1;
	/* Free the slot first: the object's close may install descriptors. */
	gone = *e;
	*e = (struct fd_entry){ 0 };
	return gone.ops->close(gone.object);
}

unsigned int skiff_fd_mode(int fd)
{
	struct fd_entry *e = entry(fd);

	return e ? e->ops->mode : 0;
}

/* console_flags: the access mode of a standard descriptor. */
static int console_flags(int fd)
{
	return fd == STDIN_FILENO ? O_RDONLY : O_WRONLY;
}

/*
 * fcntl: F_GETFL/F_SETFL (only O_NONBLOCK changes, and only on objects:
 * the console never blocks), F_GETFD/F_SETFD. Others: EINVAL. A
 * descriptor that is not open: EBADF.
 */
int fcntl(int fd, int command, ...)
{
	struct fd_entry *e = NULL;
	va_list ap;
	int arg;

	if (!is_console(fd) && !(e = entry(fd)))
		return -1;
	va_start(ap, command);
	arg = (command == F_SETFL || command == F_SETFD) ? va_arg(ap, int) : 0;
	va_end(ap);
	switch (command) {
	case F_GETFL:
		return e ? (e->flags | O_RDWR) : console_flags(fd);
	case F_SETFL:
		if (e)
			e->flags = (e->flags & ~O_NONBLOCK) | (arg & O_NONBLOCK);
		return 0;
	case F_GETFD:
		return e ? e->fd_flags : 0;
	case F_SETFD:
		if (e)
			e->fd_flags = arg & FD_CLOEXEC;
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}
