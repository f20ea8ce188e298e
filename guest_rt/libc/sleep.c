/*
 * sleep.c - sleeping through Skiff's POLL hypercall, which suspends the
 * guest until a timeout (or input on a device) instead of spinning.
 */
#include "glue.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"

/* timespec_ns: a valid, non-negative duration in nanoseconds, saturating
 * at UINT64_MAX (about 584 years). */
static uint64_t timespec_ns(const struct timespec *ts)
{
	uint64_t sec = (uint64_t)ts->tv_sec;

	if (sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / GLUE_NSEC_PER_SEC)
		return UINT64_MAX;
	return sec * GLUE_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

/* sleep_ns: sleep at least ns nanoseconds by the monotonic clock. POLL
 * may end early when a device has input, so sleep again for the rest.
 * Without a TSC rate there is no clock to check: one POLL it is. */
static void sleep_ns(uint64_t ns)
{
	uint64_t start, done;

	if (!glue_has_tsc()) {
		skiff_poll(ns);
		return;
	}
	start = glue_monotonic_ns();
	while ((done = glue_monotonic_ns() - start) < ns)
		skiff_poll(ns - done);
}

/* nanosleep: sleep for *req; never interrupted (no signals arrive), so
 * *rem, if given, is set to zero. EINVAL for a negative or malformed req. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!req || req->tv_sec < 0 || req->tv_nsec < 0 ||
	    req->tv_nsec >= (long)GLUE_NSEC_PER_SEC) {
		errno = EINVAL;
		return -1;
	}
	sleep_ns(timespec_ns(req));
	if (rem)
		*rem = (struct timespec){ 0, 0 };
	return 0;
}

/* sleep: newlib's POSIX folder, which would define it, is not built for a
 * bare target. Returns 0: the whole time was slept. */
unsigned sleep(unsigned seconds)
{
	sleep_ns((uint64_t)seconds * GLUE_NSEC_PER_SEC);
	return 0;
}

/* usleep: as sleep, in microseconds. */
int usleep(useconds_t usec)
{
	sleep_ns((uint64_t)usec * 1000u);
	return 0;
}
