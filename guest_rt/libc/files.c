/*
 * files.c - the file-system calls: a Skiff guest has no file system (its
 * block devices are reached through skiff.h), so these fail with ENOSYS,
 * each warning once on the console.
 */
#include "glue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int open(const char *path, int flags, ...)
{
	static bool warned;

	return glue_unsupported("open", &warned);
}

int unlink(const char *path)
{
	static bool warned;

	return glue_unsupported("unlink", &warned);
}

int link(const char *existing, const char *new_path)
{
	static bool warned;

	return glue_unsupported("link", &warned);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	static bool warned;

	return glue_unsupported("stat", &warned);
}

int mkdir(const char *path, mode_t mode)
{
	static bool warned;

	return glue_unsupported("mkdir", &warned);
}
