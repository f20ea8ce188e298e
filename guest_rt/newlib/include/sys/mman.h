/*
 * sys/mman.h - memory maps, which newlib lacks for a bare target. A Skiff
 * guest has one address space and no files: guest_rt/libc/mman.c gives
 * anonymous maps (zeroed, page-aligned memory from the heap) and takes
 * them back whole; anything else fails with the errno POSIX names.
 */
#ifndef SKIFF_SYS_MMAN_H
#define SKIFF_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

/*
 * mmap: len bytes (rounded up to pages) of zeroed memory for
 * MAP_ANONYMOUS with MAP_PRIVATE or MAP_SHARED; addr is a hint and is
 * ignored. MAP_FAILED with errno ENODEV (a file map), EINVAL (len 0,
 * MAP_FIXED, neither sharing flag) or ENOMEM.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);

/* munmap: give back a whole map mmap returned; EINVAL for anything else. */
int munmap(void *addr, size_t len);

/* mprotect: accepted, not enforced (the heap stays read-write). */
int mprotect(void *addr, size_t len, int prot);

#endif
