/*
 * thread_block.c - checks of the thread block: the TCB self-pointer at
 * %fs:0 equals the FS base, the canary at %fs:0x28 is set (non-zero, low
 * byte zero), initialised TLS variables carry their values, .tbss ones
 * start at zero, an over-aligned one is aligned, all lie below the TCB,
 * and writes stick. Shared by crt (newlib) and crt_bare (runtime only).
 */
#include "thread_block.h"

#include <stdalign.h>
#include <stdbool.h>

static _Thread_local int tls_answer = 42;
static _Thread_local long tls_minus = -7;
static _Thread_local int tls_zero;
/* Over-aligned, in .tbss: its alignment exceeds the runtime's anchor (64),
 * so the thread pointer's placement must honour it. */
static _Thread_local alignas(128) unsigned char tls_big[100];

uint64_t fs_base(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000100u));
	return ((uint64_t)hi << 32) | lo;
}

int thread_block_report(void (*say)(const char *what, int ok))
{
	uint64_t base = fs_base(), canary = fs_word(0x28);
	uintptr_t answer = (uintptr_t)&tls_answer, big = (uintptr_t)&tls_big;
	bool big_zero = true;
	int failures = 0;

	for (unsigned i = 0; i < sizeof(tls_big); i++)
		big_zero = big_zero && tls_big[i] == 0;
#define CHECK(what, cond)                                                    \
	do {                                                                 \
		int ok_ = (cond);                                            \
		say(what, ok_);                                              \
		failures += !ok_;                                            \
	} while (0)
	CHECK("fs base set", base != 0);
	CHECK("tcb self-pointer at %fs:0", fs_word(0) == base);
	CHECK("canary at %fs:0x28 non-zero", canary != 0);
	CHECK("canary low byte zero", (canary & 0xff) == 0);
	CHECK("tls initialised", tls_answer == 42 && tls_minus == -7);
	CHECK("tls zeroed", tls_zero == 0 && big_zero);
	CHECK("tls aligned 128", big % 128 == 0);
	CHECK("tls below the tcb", answer < base && big < base &&
				   base - answer < 4096 && base - big < 4096);
	tls_answer++;
	tls_zero = 5;
	tls_big[99] = 9;
	CHECK("tls writes stick", tls_answer == 43 && tls_zero == 5 &&
				  *(volatile unsigned char *)(big + 99) == 9);
#undef CHECK
	return failures;
}
