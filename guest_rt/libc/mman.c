/*
 * mman.c - anonymous memory maps, from the heap.
 *
 * A Skiff guest has one address space and no files, so mmap can give only
 * fresh, zeroed, page-aligned memory (MAP_ANONYMOUS with MAP_PRIVATE or
 * MAP_SHARED, which are the same with one process); it comes from malloc's
 * heap. munmap gives back exactly what one mmap returned: unmapping part of
 * a map or an address mmap never returned is EINVAL. The protection is not
 * enforced (the guest's page tables map the heap read-write).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define MMAN_PAGE 4096u
/* A map's size hides in front of it, in a page of its own (alignment). */
#define MMAN_HEADER MMAN_PAGE

/* mmap_header: the size word stored in the page before a map. */
static size_t *mmap_header(void *map)
{
	return (size_t *)((uint8_t *)map - sizeof(size_t));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	size_t rounded = (len + MMAN_PAGE - 1) & ~(size_t)(MMAN_PAGE - 1);
	uint8_t *block;

	if (len == 0 || rounded < len || !(flags & MAP_ANONYMOUS) || (flags & MAP_FIXED) ||
	    !(flags & (MAP_PRIVATE | MAP_SHARED))) {
		errno = (flags & MAP_ANONYMOUS) || len == 0 ? EINVAL : ENODEV;
		return MAP_FAILED;
	}
	if (rounded > SIZE_MAX - MMAN_HEADER ||
	    !(block = memalign(MMAN_PAGE, MMAN_HEADER + rounded))) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	memset(block + MMAN_HEADER, 0, rounded);
	*mmap_header(block + MMAN_HEADER) = rounded;
	return block + MMAN_HEADER;
}

int munmap(void *addr, size_t len)
{
	size_t rounded = (len + MMAN_PAGE - 1) & ~(size_t)(MMAN_PAGE - 1);

	if (!addr || ((uintptr_t)addr & (MMAN_PAGE - 1)) || len == 0 ||
	    *mmap_header(addr) != rounded) {
		errno = EINVAL;
		return -1;
	}
	*mmap_header(addr) = 0;
	free((uint8_t *)addr - MMAN_HEADER);
	return 0;
}

/* mprotect: accepted for a whole page range, not enforced (see above). */
int mprotect(void *addr, size_t len, int prot)
{
	if ((uintptr_t)addr & (MMAN_PAGE - 1)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
