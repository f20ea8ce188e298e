/*
 * clocks.c - the clocks only move forward, and sleeping takes at least
 * the time asked for.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"

#define READS 1000
#define SLEEP_NS 50000000ll
#define NS_PER_S 1000000000ll

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * NS_PER_S + t->tv_nsec;
}

/* forward: READS successive readings of id never go backwards. */
static int forward(clockid_t id)
{
	struct timespec t;
	long long last = 0;

	for (int i = 0; i < READS; i++) {
		if (clock_gettime(id, &t) != 0 || t.tv_nsec < 0 || t.tv_nsec >= NS_PER_S)
			return 0;
		if (ns_of(&t) < last)
			return 0;
		last = ns_of(&t);
	}
	return 1;
}

static void check_sleep(void)
{
	struct timespec before, after, wall_before, wall_after;
	struct timespec req = { 0, SLEEP_NS }, bad = { 0, NS_PER_S };
	long long slept;

	clock_gettime(CLOCK_REALTIME, &wall_before);
	clock_gettime(CLOCK_MONOTONIC, &before);
	expect(nanosleep(&req, NULL) == 0, "nanosleep 50 ms returns 0");
	clock_gettime(CLOCK_MONOTONIC, &after);
	clock_gettime(CLOCK_REALTIME, &wall_after);
	slept = ns_of(&after) - ns_of(&before);
	expect(slept >= SLEEP_NS, "nanosleep 50 ms lasts at least 50 ms (monotonic)");
	expect(ns_of(&wall_after) >= ns_of(&wall_before), "the wall clock did not go back");
	errno = 0;
	expect(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep tv_nsec = 1e9: EINVAL");
}

int check_clocks(void)
{
	struct timespec wall;
	struct timeval tv;
	time_t first;

	group_begin("clocks");
	expect(forward(CLOCK_MONOTONIC), "CLOCK_MONOTONIC never goes back");
	expect(forward(CLOCK_REALTIME), "CLOCK_REALTIME never goes back");
	/* 2020-01-01: any wall clock that is set at all is past it. */
	expect(clock_gettime(CLOCK_REALTIME, &wall) == 0 && wall.tv_sec > 1577836800,
	       "CLOCK_REALTIME is a date after 2020");
	first = time(NULL);
	expect(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= first, "gettimeofday agrees with time()");
	check_sleep();
	expect(time(NULL) >= first, "time() did not go back");
	return group_end();
}
