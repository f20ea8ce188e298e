/*
 * errno.h - Skiff's error numbers, shared by the hypervisor and host tests.
 * Functions that can fail return 0 or a negative number from this list.
 * The values match Linux so host tests may mix them with <errno.h>.
 */
#ifndef SKIFF_LIB_ERRNO_H
#define SKIFF_LIB_ERRNO_H

#ifndef EIO
#define EIO 5
#endif
#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EIO
#define EIO 5
#endif
#ifndef ENOEXEC
#define ENOEXEC 8
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
#ifndef ENOSYS
#define ENOSYS 38
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT 110
#endif
#ifndef ENOTSUP
#define ENOTSUP 95
#endif

#endif
