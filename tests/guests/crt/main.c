/*
 * crt - the C environment of a newlib guest on Skiff.
 *
 * The first argument (after the environment) picks the case:
 *   check       thread block and TLS, constructors (preinit, priorities,
 *               default; the environment is visible to them), getenv,
 *               errno; prints SUCCESS and returns 0 (destructors then print)
 *   exit N      exit(N) (atexit handler and destructors print first)
 *   return1     main returns 1
 *   assert      a failing assert: newlib prints file:line, abort -> 255
 *   abort       abort() -> 255
 *   smash       overruns a stack buffer: the protector -> 255
 * Lines to expect are in ci/boot_tests.json (case "crt").
 */
/* The build's release flags define NDEBUG; this guest tests assert. */
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thread_block.h"

/* The order constructors ran in, as they recorded it. */
static char order[64];
/* GREETING as the first constructor saw it. */
static const char *ctor_greeting;

static void record(const char *what)
{
	strncat(order, what, sizeof(order) - strlen(order) - 1);
}

static void preinit(void)
{
	record("preinit ");
}

/* A .preinit_array entry runs before every constructor. */
__attribute__((section(".preinit_array"), used))
static void (*const preinit_entry)(void) = preinit;

__attribute__((constructor(200))) static void ctor_200(void)
{
	record("200 ");
}

__attribute__((constructor(101))) static void ctor_101(void)
{
	ctor_greeting = getenv("GREETING");
	record("101 ");
}

__attribute__((constructor)) static void ctor_default(void)
{
	record("default");
}

__attribute__((destructor)) static void dtor_default(void)
{
	printf("destructor default\n");
}

__attribute__((destructor(101))) static void dtor_101(void)
{
	printf("destructor 101\n");
}

static void at_exit(void)
{
	printf("atexit handler\n");
}

static int failures;

static void say(const char *what, int ok)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failures += !ok;
}

static int check(int argc, char **argv)
{
	const char *greeting = getenv("GREETING"), *empty = getenv("EMPTY");

	thread_block_report(say);
	printf("constructors: %s\n", order);
	say("constructor order", strcmp(order, "preinit 101 200 default") == 0);
	say("constructor saw the environment",
	    ctor_greeting && strcmp(ctor_greeting, "hello") == 0);
	say("getenv", greeting && strcmp(greeting, "hello") == 0 && empty &&
		      *empty == '\0' && getenv("MISSING") == NULL);
	say("environment removed from argv",
	    argc == 3 && strcmp(argv[2], "X=1") == 0);
	errno = 0;
	say("errno ERANGE", strtol("99999999999999999999", NULL, 10) == LONG_MAX &&
			    errno == ERANGE);
	errno = 0;
	say("errno ENOMEM", malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);
	errno = 0;
	say("errno ENOENT", open("/nothing", O_RDONLY) == -1 && errno == ENOENT);
	if (failures)
		return 1;
	printf("SUCCESS\n");
	return 0;
}

/* smash: copy n bytes into a 16-byte buffer. The length comes through a
 * volatile, so the compiler cannot see the overrun and refuse it. */
static __attribute__((noinline)) void smash(size_t n)
{
	/* The source is static: on the stack it could sit between buf and
	 * the canary and take the overrun itself. */
	static char src[64];
	char buf[16];

	memset(src, 'A', sizeof(src));
	memcpy(buf, src, n);
	/* buf must exist in memory with its contents, as if used. */
	__asm__ volatile("" : : "r"(buf) : "memory");
}

/* The file name and line newlib's message shows, independent of where
 * the build keeps the source. */
#line 1000 "crt.c"
static void fail_assert(int argc)
{
	assert(argc < 0);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	volatile size_t overrun = 64;

	atexit(at_exit);
	printf("attempting %s\n", what);
	if (strcmp(what, "check") == 0)
		return check(argc, argv);
	if (strcmp(what, "exit") == 0 && argc > 2)
		exit(atoi(argv[2]));
	if (strcmp(what, "return1") == 0)
		return 1;
	if (strcmp(what, "assert") == 0)
		fail_assert(argc);
	if (strcmp(what, "abort") == 0)
		abort();
	if (strcmp(what, "smash") == 0) {
		smash(overrun);
		printf("ESCAPED: the smash went unnoticed\n");
		return 1;
	}
	printf("crt: unknown case '%s'\n", what);
	return 2;
}
