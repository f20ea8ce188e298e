/*
 * posix.c - the POSIX and BSD pieces plain C programs reach for:
 * <stdatomic.h>, getline/getdelim, sysconf, gethostname, clock_getres,
 * anonymous mmap/munmap, <endian.h>, <err.h>, and the errno of calls an
 * appliance cannot make (fork, exec, open of a host path), which must fail
 * quietly: the boot test forbids "skiff libc:" on the console.
 */
#define _DEFAULT_SOURCE

/* First, before anything defines the <stdint.h> types: newlib's own copy
 * of this header compiles only after them. */
#include <stdatomic.h>

#include <endian.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define MAP_BYTES (3 * 4096 + 100)

static void check_atomics(void)
{
	atomic_int counter = ATOMIC_VAR_INIT(5);
	atomic_flag flag = ATOMIC_FLAG_INIT;
	_Atomic unsigned long long wide = 1;

	expect(atomic_fetch_add(&counter, 3) == 5 && atomic_load(&counter) == 8, "atomic_fetch_add");
	int want = 8;
	expect(atomic_compare_exchange_strong(&counter, &want, 1) && counter == 1,
	       "atomic_compare_exchange_strong");
	expect(!atomic_flag_test_and_set(&flag) && atomic_flag_test_and_set(&flag),
	       "atomic_flag_test_and_set");
	atomic_store_explicit(&wide, 1ull << 40, memory_order_release);
	expect(atomic_load_explicit(&wide, memory_order_acquire) == 1ull << 40, "64-bit atomics");
	atomic_thread_fence(memory_order_seq_cst);
}

static void check_lines(void)
{
	char text[] = "first line\nsecond;third";
	FILE *f = fmemopen(text, strlen(text), "r");
	char *line = NULL;
	size_t size = 0;

	expect(f != NULL, "fmemopen");
	if (!f)
		return;
	expect(getline(&line, &size, f) == 11 && strcmp(line, "first line\n") == 0, "getline");
	expect(getdelim(&line, &size, ';', f) == 7 && strcmp(line, "second;") == 0, "getdelim");
	expect(getline(&line, &size, f) == 5 && strcmp(line, "third") == 0, "getline at the end");
	expect(getline(&line, &size, f) == -1, "getline after the end");
	free(line);
	fclose(f);
}

static void check_system(void)
{
	char host[64];
	struct timespec res;

	expect(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE)");
	expect(sysconf(_SC_NPROCESSORS_ONLN) == 1, "sysconf(_SC_NPROCESSORS_ONLN)");
	expect(sysconf(_SC_PHYS_PAGES) * 4096 >= 4 * 1024 * 1024, "sysconf(_SC_PHYS_PAGES)");
	errno = 0;
	expect(sysconf(-1) == -1 && errno == EINVAL, "sysconf of an unknown name: EINVAL");
	expect(gethostname(host, sizeof host) == 0 && strcmp(host, "libc") == 0,
	       "gethostname is the appliance's name");
	expect(gethostname(host, 2) == -1 && errno == ENAMETOOLONG, "gethostname too short");
	expect(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0,
	       "clock_getres(CLOCK_MONOTONIC)");
	expect(clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_nsec > 0,
	       "clock_getres(CLOCK_REALTIME)");
}

static void check_maps(void)
{
	unsigned char *map = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zero = 1;

	expect(map != MAP_FAILED && ((uintptr_t)map & 4095) == 0, "mmap: page-aligned");
	if (map == MAP_FAILED)
		return;
	for (size_t i = 0; i < MAP_BYTES; i++)
		zero &= map[i] == 0;
	expect(zero, "mmap: zeroed");
	memset(map, 0xab, MAP_BYTES);
	expect(munmap(map + 4096, 4096) == -1 && errno == EINVAL, "munmap of part: EINVAL");
	expect(munmap(map, MAP_BYTES) == 0, "munmap");
	expect(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED && errno == ENODEV,
	       "mmap of a file: ENODEV");
}

static void check_endian(void)
{
	expect(htobe16(0x1234) == 0x3412 && be32toh(0x11223344u) == 0x44332211u,
	       "htobe16, be32toh");
	expect(htobe64(1) == 1ull << 56 && htole32(7) == 7 && BYTE_ORDER == LITTLE_ENDIAN,
	       "htobe64, htole32, BYTE_ORDER");
}

static void check_refusals(void)
{
	char *const args[] = { "/bin/sh", NULL };
	struct stat st;

	errno = 0;
	expect(fork() == -1 && errno == EAGAIN, "fork: EAGAIN");
	expect(execve("/bin/sh", args, args + 1) == -1 && errno == ENOENT, "execve: ENOENT");
	expect(open("/etc/passwd", O_RDONLY) == -1 && errno == ENOENT, "open: ENOENT");
	expect(open("/tmp/new", O_WRONLY | O_CREAT, 0644) == -1 && errno == EROFS,
	       "open with O_CREAT: EROFS");
	expect(stat("/", &st) == -1 && errno == ENOENT, "stat: ENOENT");
	expect(fopen("/etc/hosts", "r") == NULL && errno == ENOENT, "fopen: ENOENT");
}

int check_posix(void)
{
	group_begin("posix");
	check_atomics();
	check_lines();
	check_system();
	check_maps();
	check_endian();
	check_refusals();
	errno = EPERM;
	fflush(stdout);
	warn("warn says");
	warnx("warnx says %d", 42);
	return group_end();
}
