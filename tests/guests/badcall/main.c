/*
 * badcall - hypercalls with bad arguments. The first argument picks one.
 *
 * Skiff must answer each with EINVAL (2) in the call's ret field or end
 * the guest (status 1); it must never read or write outside the guest's
 * RAM. Calls without a ret field (PUTS, WALLTIME, unknown numbers) can
 * only be refused by ending the guest, so their returning is a failure.
 *
 *   struct-outside    WALLTIME whose struct lies just beyond RAM    ended
 *   struct-straddle   WALLTIME whose struct crosses the end of RAM  ended
 *   puts-wrap         PUTS of 0x2000 bytes at 0xfffffffffffff000     ended
 *   puts-huge         PUTS of 2^40 bytes from the heap              ended
 *   puts-null         PUTS of a message the guest wrote at address 0:
 *                     guest-physical 0 is the guest's own RAM (the ABI
 *                     only requires buffers inside guest memory; page 0
 *                     is unmapped in the guest's page tables, not in its
 *                     memory), so Skiff must print it             message,
 *                                                                 SUCCESS
 *   unknown           a call at port 0x50f (no such Solo5 call)     ended
 *   reserved          a call at port 0x59f (Skiff's, unassigned)    ended
 *   short-out         a 1-byte OUT to PUTS's port: not a hypercall  ended
 *   block-unattached  BLOCK_READ of handle 1 with no device         result 2
 *   block-wrap        BLOCK_WRITE from a buffer wrapping 2^64       result 2
 *                                                                   or ended
 * Prints "attempting X", then "result N" for calls that return a code.
 */
#include "skiff.h"

#include "lib/kstring.h"

#include "../common/identity_map.h"

#define WRAPPING_ADDRESS 0xfffffffffffff000ull
#define NOT_WRITTEN 0x7777   /* a ret value Skiff never writes */

static const char null_message[] = "badcall: this was read from guest-physical 0\n";

/* ended_expected: a call that should not have returned did. */
static int ended_expected(const char *what)
{
	skiff_printf("ESCAPED: %s returned instead of ending the guest\n", what);
	return SKIFF_EXIT_FAILURE;
}

/* einval_expected: the result of a call that must return EINVAL. */
static int einval_expected(int32_t ret)
{
	skiff_printf("result %d\n", (int)ret);
	if (ret != SKIFF_EINVAL) {
		skiff_puts("FAILED: expected EINVAL (2)\n");
		return SKIFF_EXIT_FAILURE;
	}
	skiff_puts("SUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int struct_outside(void)
{
	uint64_t mem = skiff_mem_size();

	if (mem >= (1ull << 32)) {
		skiff_puts("needs less than 4 GiB of RAM\n");
		return SKIFF_EXIT_FAILURE;
	}
	skiff_hypercall_raw(SKIFF_HC_PORT(SKIFF_HC_WALLTIME), (uint32_t)mem);
	return ended_expected("walltime beyond RAM");
}

static int struct_straddle(void)
{
	/* Four bytes inside RAM, four beyond it. */
	skiff_hypercall_raw(SKIFF_HC_PORT(SKIFF_HC_WALLTIME),
			    (uint32_t)(skiff_mem_size() - 4));
	return ended_expected("walltime across the end of RAM");
}

static int puts_wrap(void)
{
	struct skiff_hc_puts call = { .data = WRAPPING_ADDRESS, .len = 0x2000 };

	skiff_hypercall(SKIFF_HC_PUTS, &call);
	return ended_expected("puts wrapping 2^64");
}

static int puts_huge(void)
{
	struct skiff_hc_puts call = { .data = skiff_heap_start(), .len = 1ull << 40 };

	skiff_hypercall(SKIFF_HC_PUTS, &call);
	return ended_expected("puts of 2^40 bytes");
}

static int puts_null(void)
{
	uintptr_t zero = 0;
	struct skiff_hc_puts call = { .data = 0, .len = sizeof(null_message) - 1 };

	/* Hide the value from the compiler: a store through a known null
	 * pointer is undefined behaviour it may replace with a trap. */
	__asm__ volatile("" : "+r"(zero));
	identity_map_4g();
	for (size_t i = 0; i < call.len; i++)
		((volatile char *)zero)[i] = null_message[i];
	skiff_hypercall(SKIFF_HC_PUTS, &call);
	skiff_puts("result returned\nSUCCESS\n");
	return SKIFF_EXIT_SUCCESS;
}

static int unknown_call(void)
{
	struct skiff_hc_walltime call = { 0 };

	skiff_hypercall_raw(0x50f, (uint32_t)(uintptr_t)&call);
	return ended_expected("call 0x50f");
}

static int reserved_call(void)
{
	struct skiff_hc_walltime call = { 0 };

	skiff_hypercall_raw(SKIFF_CALL_PORT_LAST, (uint32_t)(uintptr_t)&call);
	return ended_expected("call 0x59f");
}

static int short_out(void)
{
	uint8_t value = 0;
	uint16_t port = SKIFF_HC_PORT(SKIFF_HC_PUTS);

	__asm__ volatile("outb %0, %1" : : "a"(value), "d"(port) : "memory");
	return ended_expected("1-byte out to the puts port");
}

static int block_unattached(void)
{
	static uint8_t block[512];
	struct skiff_hc_block call = {
		.handle = 1, .offset = 0, .data = (uintptr_t)block,
		.len = sizeof(block), .ret = NOT_WRITTEN,
	};

	skiff_hypercall(SKIFF_HC_BLOCK_READ, &call);
	return einval_expected(call.ret);
}

static int block_wrap(void)
{
	struct skiff_hc_block call = {
		.handle = 0, .offset = 0, .data = WRAPPING_ADDRESS,
		.len = 0x2000, .ret = NOT_WRITTEN,
	};

	skiff_hypercall(SKIFF_HC_BLOCK_WRITE, &call);
	return einval_expected(call.ret);
}

struct attempt {
	const char *name;
	int (*run)(void);
};

static const struct attempt attempts[] = {
	{ "struct-outside", struct_outside },
	{ "struct-straddle", struct_straddle },
	{ "puts-wrap", puts_wrap },
	{ "puts-huge", puts_huge },
	{ "puts-null", puts_null },
	{ "unknown", unknown_call },
	{ "reserved", reserved_call },
	{ "short-out", short_out },
	{ "block-unattached", block_unattached },
	{ "block-wrap", block_wrap },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(attempts) / sizeof(attempts[0]);
	     i++) {
		if (strcmp(argv[1], attempts[i].name) == 0) {
			skiff_printf("attempting %s\n", attempts[i].name);
			return attempts[i].run();
		}
	}
	skiff_puts("usage: badcall struct-outside|struct-straddle|puts-wrap|"
		   "puts-huge|puts-null|unknown|reserved|short-out|"
		   "block-unattached|block-wrap\n");
	return SKIFF_EXIT_FAILURE;
}
