/*
 * console.c - the three standard descriptors.
 *
 * A Skiff guest has a console and no file system: descriptors 0, 1 and 2
 * are always open (stdin reads as empty, stdout and stderr go to the
 * console through the PUTS hypercall). Other descriptors are objects of
 * the descriptor table (fds.c: sockets), or EBADF when not open: the
 * truth, not a missing feature, so no warning is printed for it.
 */
#include "glue.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff_fd.h"

/* is_console: whether fd is one of the three standard descriptors. */
static bool is_console(int fd)
{
	return fd == STDIN_FILENO || fd == STDOUT_FILENO || fd == STDERR_FILENO;
}

/* newlib's read and write return _READ_WRITE_RETURN_TYPE, which is int
 * (not ssize_t) on this target: a count must fit in one. */
typedef _READ_WRITE_RETURN_TYPE io_result;
_Static_assert(sizeof(io_result) == sizeof(int), "read/write return int");

/* write: fd 1 and 2 go to the console unchanged; returns the bytes written
 * (count, or INT_MAX if count is larger: the caller writes the rest). */
io_result write(int fd, const void *buf, size_t count)
{
	if (count > INT_MAX)
		count = INT_MAX;
	if (fd == STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	if (!is_console(fd))
		return (io_result)skiff_fd_write(fd, buf, count);
	skiff_write(buf, count);
	return (io_result)count;
}

/* read: stdin is always at end of file (Skiff has no console input). */
io_result read(int fd, void *buf, size_t count)
{
	if (count > INT_MAX)
		count = INT_MAX;
	if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	if (!is_console(fd))
		return (io_result)skiff_fd_read(fd, buf, count);
	return 0;
}

/* close: closing a standard descriptor succeeds (newlib's exit closes the
 * standard streams) and leaves the console usable. */
int close(int fd)
{
	if (!is_console(fd))
		return skiff_fd_close(fd);
	return 0;
}

/* fstat: the console is a character device, so newlib line-buffers
 * stdout: each line reaches the console as soon as it is complete. */
int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		unsigned int mode = skiff_fd_mode(fd);

		if (!mode)
			return -1;
		*st = (struct stat){ .st_mode = mode };
		return 0;
	}
	*st = (struct stat){ .st_mode = S_IFCHR | 0620 };
	return 0;
}

/* isatty: the standard descriptors are the console, a terminal. */
int isatty(int fd)
{
	if (!is_console(fd)) {
		errno = skiff_fd_is_open(fd) ? ENOTTY : EBADF;
		return 0;
	}
	return 1;
}

/* lseek: a console cannot seek. */
off_t lseek(int fd, off_t offset, int whence)
{
	errno = skiff_fd_is_open(fd) ? ESPIPE : EBADF;
	return -1;
}
