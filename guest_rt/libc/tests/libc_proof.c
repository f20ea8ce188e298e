/*
 * libc_proof.c - a guest that uses newlib through Skiff's glue: formatted
 * output with C99 and floating-point conversions, malloc up to exhaustion
 * and back, the clocks and sleeping. Prints one line per check and
 * "libc_proof: SUCCESS" only when every check passed; exits 1 otherwise.
 *
 * Compiled as strict C11 plus POSIX and BSD (sbrk): CLOCK_MONOTONIC and
 * nanosleep are visible only through the sys/features.h overlay
 * (guest_rt/newlib), so this file does not even compile without it.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256u * 1024u)
#define MAX_CHUNKS 4096

static int failures;

/* check: report one named check; count it if it failed. */
static void check(const char *what, int ok)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	if (!ok)
		failures++;
}

static void check_formats(void)
{
	char line[128];

	snprintf(line, sizeof(line), "%zu %jd %.3f %lld %Lg", SIZE_MAX,
		 -INTMAX_MAX, 3.14159, -5LL, 0.5L);
	printf("%zu %jd %.3f\n", sizeof(line), (intmax_t)-42, 2.0 / 3.0);
	check("printf %zu %jd %.3f %lld %Lg",
	      strcmp(line, "18446744073709551615 -9223372036854775807 3.142 -5 0.5") == 0);
	check("strtod", strtod("2.5e3", NULL) == 2500.0);
}

/* fill_heap: allocate CHUNK blocks until malloc says no; returns how many. */
static size_t fill_heap(void **chunks)
{
	size_t n = 0;

	while (n < MAX_CHUNKS && (chunks[n] = malloc(CHUNK)) != NULL)
		memset(chunks[n++], 0xa5, CHUNK);
	return n;
}

/* check_break: the break given back and taken again reads as zeroes.
 * Run while malloc is idle; the break is left where it was. */
static void check_break(void)
{
	unsigned char *p = sbrk(4096), *q;
	int clean = 1;

	if (p == (void *)-1) {
		check("sbrk grows", 0);
		return;
	}
	memset(p, 0xa5, 4096);
	sbrk(-4096);
	q = sbrk(4096);
	for (size_t i = 0; q == p && i < 4096; i++)
		clean &= q[i] == 0;
	check("memory the break hands out again is zeroed", q == p && clean);
	sbrk(-4096);
}

static void check_heap(void)
{
	static void *chunks[MAX_CHUNKS];
	size_t first, second;
	unsigned char *zeroed;
	int clean = 1;

	check("malloc of 1 TiB fails", malloc((size_t)1 << 40) == NULL);
	first = fill_heap(chunks);
	check("heap runs out with ENOMEM, not a crash", first > 0 && errno == ENOMEM);
	for (size_t i = first; i > 0; i--)
		free(chunks[i - 1]);
	zeroed = calloc(first, CHUNK / 2);
	check("calloc after free", zeroed != NULL);
	for (size_t i = 0; zeroed && i < first * (CHUNK / 2); i++)
		clean &= zeroed[i] == 0;
	check("calloc memory is zeroed", zeroed && clean);
	free(zeroed);
	check_break();
	second = fill_heap(chunks);
	printf("heap: %zu then %zu chunks of %u KiB\n", first, second, CHUNK / 1024);
	check("the whole heap is usable again", second == first);
	for (size_t i = 0; i < second; i++)
		free(chunks[i]);
}

/* ns_between: b - a in nanoseconds. */
static long long ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

static void check_clocks(void)
{
	struct timespec before, after, real, res;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
	long long slept;

	check("clock_gettime(CLOCK_MONOTONIC)",
	      clock_gettime(CLOCK_MONOTONIC, &before) == 0);
	check("nanosleep 20 ms", nanosleep(&nap, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &after);
	slept = ns_between(&before, &after);
	printf("slept %lld us\n", slept / 1000);
	check("monotonic clock advanced by at least 20 ms", slept >= 20000000);
	check("clock_gettime(CLOCK_REALTIME)",
	      clock_gettime(CLOCK_REALTIME, &real) == 0);
	/* Any sane wall clock is past 2017 (1483228800). */
	check("wall clock after 2017", real.tv_sec > 1483228800 && time(NULL) > 1483228800);
	check("clock() counts from the guest's start",
	      clock() != (clock_t)-1 && clock() >= CLOCKS_PER_SEC / 50);
	check("clock_getres", clock_getres(CLOCK_MONOTONIC, &res) == 0 &&
	      res.tv_sec == 0 && res.tv_nsec > 0);
	check("bad clock id is EINVAL", clock_gettime((clockid_t)99, &real) == -1 &&
	      errno == EINVAL);
	check("bad nanosleep is EINVAL", nanosleep(&(struct timespec){ 0, -1 }, NULL) == -1 &&
	      errno == EINVAL);
}

int main(void)
{
	check_formats();
	check_heap();
	check_clocks();
	check("fopen fails with ENOENT", fopen("/x", "r") == NULL && errno == ENOENT);
	if (failures == 0)
		printf("libc_proof: SUCCESS\n");
	/* exit, not return: newlib's exit flushes stdio before _exit halts. */
	exit(failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
