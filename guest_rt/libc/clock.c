/*
 * clock.c - the clocks: CLOCK_REALTIME from Skiff's WALLTIME hypercall,
 * CLOCK_MONOTONIC from the TSC and the rate the boot information gives.
 * newlib's time() and clock() come through gettimeofday and times here.
 */
#include "glue.h"

#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "skiff.h"

bool glue_has_tsc(void)
{
	return skiff_tsc_hz() != 0;
}

uint64_t glue_monotonic_ns(void)
{
	uint64_t hz = skiff_tsc_hz();

	return hz ? glue_ticks_to_ns(skiff_tsc(), hz) : 0;
}

/* to_timespec: ns as a struct timespec. */
static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){
		.tv_sec = (time_t)(ns / GLUE_NSEC_PER_SEC),
		.tv_nsec = (long)(ns % GLUE_NSEC_PER_SEC),
	};
}

/* is_monotonic / is_realtime: the clock ids each source serves. The GNU
 * variants exist only with _GNU_SOURCE; where they do, they are served
 * by the same source (nothing here is coarser, rawer or suspends). */
static bool is_monotonic(clockid_t id)
{
#ifdef CLOCK_MONOTONIC_RAW
	if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_MONOTONIC_COARSE ||
	    id == CLOCK_BOOTTIME)
		return true;
#endif
	return id == CLOCK_MONOTONIC;
}

static bool is_realtime(clockid_t id)
{
#ifdef CLOCK_REALTIME_COARSE
	if (id == CLOCK_REALTIME_COARSE)
		return true;
#endif
	return id == CLOCK_REALTIME;
}

/* clock_gettime: CLOCK_REALTIME and CLOCK_MONOTONIC; EINVAL for any other
 * clock, and for CLOCK_MONOTONIC when Skiff announced no TSC rate. */
int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (is_realtime(id)) {
		*ts = to_timespec(skiff_walltime_ns());
		return 0;
	}
	if (is_monotonic(id) && glue_has_tsc()) {
		*ts = to_timespec(glue_monotonic_ns());
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* clock_getres: one TSC tick (rounded up to 1 ns) for the monotonic clock;
 * 1 ns for the real-time clock, WALLTIME's unit. res may be NULL. */
int clock_getres(clockid_t id, struct timespec *res)
{
	uint64_t hz = skiff_tsc_hz();
	uint64_t ns;

	if (is_realtime(id))
		ns = 1;
	else if (is_monotonic(id) && hz)
		ns = hz >= GLUE_NSEC_PER_SEC ? 1 : (GLUE_NSEC_PER_SEC + hz - 1) / hz;
	else {
		errno = EINVAL;
		return -1;
	}
	if (res)
		*res = to_timespec(ns);
	return 0;
}

/* clock_settime: the wall clock is Skiff's to keep: EPERM, as for an
 * unprivileged process; EINVAL for clocks that cannot be set at all. */
int clock_settime(clockid_t id, const struct timespec *ts)
{
	errno = is_realtime(id) ? EPERM : EINVAL;
	return -1;
}

/* gettimeofday: the wall clock in microseconds. A time zone, if asked for,
 * is UTC: Skiff knows no other. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	uint64_t ns = skiff_walltime_ns();

	if (tv) {
		tv->tv_sec = (time_t)(ns / GLUE_NSEC_PER_SEC);
		tv->tv_usec = (suseconds_t)(ns % GLUE_NSEC_PER_SEC / 1000);
	}
	if (tz)
		*(struct timezone *)tz = (struct timezone){ 0, 0 };
	return 0;
}

/* times: a unikernel is the only process, so all the time since the
 * guest's first instruction (skiff_entry_tsc) counts as its user time, in
 * CLOCKS_PER_SEC units (newlib's clock() returns them as they are).
 * Without a TSC rate it fails with ENOSYS and clock() returns -1. */
clock_t times(struct tms *buf)
{
	uint64_t hz = skiff_tsc_hz();
	clock_t t;

	if (!hz) {
		errno = ENOSYS;
		return (clock_t)-1;
	}
	t = (clock_t)(glue_ticks_to_ns(skiff_tsc() - skiff_entry_tsc, hz) /
		      (GLUE_NSEC_PER_SEC / CLOCKS_PER_SEC));
	if (buf)
		*buf = (struct tms){ .tms_utime = t };
	return t;
}
