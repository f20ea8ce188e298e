/*
 * files.c - the file-system calls: a Skiff guest has no file system (its
 * block devices are reached through skiff.h), so these fail with ENOSYS,
 * each warning once on the console.
 */
#include "glue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* open: no files to open. Returns -1, errno ENOSYS. */
int open(const char *path, int flags, ...)
{
	static bool warned;

	return glue_unsupported("open", &warned);
}

/* unlink: nothing to remove. Returns -1, errno ENOSYS. */
int unlink(const char *path)
{
	static bool warned;

	return glue_unsupported("unlink", &warned);
}

/* link: nothing to link. Returns -1, errno ENOSYS. */
int link(const char *existing, const char *new_path)
{
	static bool warned;

	return glue_unsupported("link", &warned);
}

/* stat: no paths to describe. Returns -1, errno ENOSYS. */
int stat(const char *restrict path, struct stat *restrict st)
{
	static bool warned;

	return glue_unsupported("stat", &warned);
}

/* mkdir: nowhere to create one. Returns -1, errno ENOSYS. */
int mkdir(const char *path, mode_t mode)
{
	static bool warned;

	return glue_unsupported("mkdir", &warned);
}
