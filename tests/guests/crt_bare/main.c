/*
 * crt_bare - the C environment of a guest built on the runtime alone.
 *
 * The first argument (after the environment) picks the case:
 *   check   thread block and TLS, constructor order, skiff_getenv; prints
 *           SUCCESS and returns 0, after which the destructors print
 *   smash   overruns a stack buffer: the protector ends the guest with 255
 */
#include "skiff.h"
#include "lib/kstring.h"
#include "thread_block.h"

static char order[64];
static size_t order_len;

static void record(const char *what)
{
	size_t n = strlen(what);

	if (order_len + n < sizeof(order)) {
		memcpy(order + order_len, what, n + 1);
		order_len += n;
	}
}

static void preinit(void)
{
	record("preinit ");
}

__attribute__((section(".preinit_array"), used))
static void (*const preinit_entry)(void) = preinit;

__attribute__((constructor(101))) static void ctor_101(void)
{
	record("101 ");
}

__attribute__((constructor)) static void ctor_default(void)
{
	record("default");
}

__attribute__((destructor)) static void dtor_default(void)
{
	skiff_puts("destructor default\n");
}

__attribute__((destructor(101))) static void dtor_101(void)
{
	skiff_puts("destructor 101\n");
}

static int failures;

static void say(const char *what, int ok)
{
	skiff_printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failures += !ok;
}

/* smash: copy n bytes into a 16-byte buffer (n through a volatile, so the
 * compiler cannot see the overrun). */
static __attribute__((noinline)) void smash(size_t n)
{
	/* The source is static: on the stack it could sit between buf and
	 * the canary and take the overrun itself. */
	static char src[64];
	char buf[16];

	memset(src, 'B', sizeof(src));
	memcpy(buf, src, n);
	/* buf must exist in memory with its contents, as if used. */
	__asm__ volatile("" : : "r"(buf) : "memory");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	const char *mode = skiff_getenv("MODE");
	volatile size_t overrun = 64;

	skiff_printf("attempting %s\n", what);
	if (strcmp(what, "smash") == 0) {
		smash(overrun);
		skiff_puts("ESCAPED: the smash went unnoticed\n");
		return 1;
	}
	thread_block_report(say);
	skiff_printf("constructors: %s\n", order);
	say("constructor order", strcmp(order, "preinit 101 default") == 0);
	say("skiff_getenv", mode && strcmp(mode, "bare") == 0 &&
			    skiff_getenv("MISSING") == NULL);
	say("environment removed from argv", argc == 2);
	if (failures)
		return 1;
	skiff_puts("SUCCESS\n");
	return 0;
}
