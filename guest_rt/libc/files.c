/*
 * files.c - the file-system calls: a Skiff guest has no file system (its
 * block devices are reached through skiff.h), so every path names nothing:
 * these fail with the errno POSIX gives for that (ENOENT; EROFS for what
 * would create something), quietly unless SKIFF_DEBUG is set (glue_refuse).
 */
#include "glue.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* open: no file exists (ENOENT), and none can be created (EROFS). */
int open(const char *path, int flags, ...)
{
	static bool warned;

	return glue_refuse("open", (flags & O_CREAT) ? EROFS : ENOENT, &warned);
}

/* unlink: nothing to remove. Returns -1, errno ENOENT. */
int unlink(const char *path)
{
	static bool warned;

	return glue_refuse("unlink", ENOENT, &warned);
}

/* link: nothing to link. Returns -1, errno ENOENT. */
int link(const char *existing, const char *new_path)
{
	static bool warned;

	return glue_refuse("link", ENOENT, &warned);
}

/* stat: no paths to describe. Returns -1, errno ENOENT. */
int stat(const char *restrict path, struct stat *restrict st)
{
	static bool warned;

	return glue_refuse("stat", ENOENT, &warned);
}

/* mkdir: nowhere to create one. Returns -1, errno EROFS. */
int mkdir(const char *path, mode_t mode)
{
	static bool warned;

	return glue_refuse("mkdir", EROFS, &warned);
}
