/*
 * runtime.c - what the C runtime sets up before main: thread-local
 * storage (initialised, zeroed and over-aligned variables), constructors
 * and the environment taken from the leading KEY=VALUE words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static _Thread_local int tls_counter = 42;
static _Thread_local char tls_zeroes[256];
static _Thread_local _Alignas(64) double tls_aligned = 1.5;

static int constructed;
static const char *greeting_at_construction;

/* Constructors run before main, after the environment is set. */
__attribute__((constructor)) static void construct(void)
{
	constructed++;
	greeting_at_construction = getenv("GREETING");
}

/* bump: through a non-inlined call, so the TLS access is a real %fs load. */
__attribute__((noinline)) static int bump(void)
{
	return ++tls_counter;
}

int check_runtime(int argc, char **argv)
{
	int zero = 1;

	group_begin("runtime");
	expect(tls_counter == 42 && bump() == 43 && tls_counter == 43,
	       "a _Thread_local variable starts initialised and can change");
	for (size_t i = 0; i < sizeof(tls_zeroes); i++)
		zero &= tls_zeroes[i] == 0;
	expect(zero, "a _Thread_local array without initialiser is zero");
	expect(((uintptr_t)&tls_aligned & 63) == 0 && tls_aligned == 1.5,
	       "an _Alignas(64) _Thread_local variable is aligned and initialised");
	expect(constructed == 1, "a constructor ran once before main");
	expect(greeting_at_construction && strcmp(greeting_at_construction, "hello") == 0,
	       "the constructor saw the environment (GREETING=hello)");
	expect(getenv("GREETING") && strcmp(getenv("GREETING"), "hello") == 0, "getenv");
	expect(getenv("NOT_SET") == NULL, "getenv of an unset name is NULL");
	expect(argc == 2 && strcmp(argv[1], "last") == 0,
	       "environment words are not arguments (argv: libc last)");
	return group_end();
}
