/*
 * stack_chk.c - what a guest does when the stack protector fires.
 *
 * gcc's -fstack-protector* code compares a function's copy of the canary
 * (from %fs:0x28, set by tls.c) with the original before returning, and
 * calls __stack_chk_fail when they differ: the stack was overwritten, so
 * nothing on it can be trusted. The guest says so and halts with the abort
 * status, without flushing stdio or running destructors (they might use
 * the corrupted state). Linked as an object into every image, so newlib's
 * own __stack_chk_fail (libc/ssp) is never pulled in instead.
 */
#include "runtime.h"

_Noreturn void __stack_chk_fail(void)
{
	skiff_puts("*** stack smashing detected ***: terminated\n");
	skiff_exit(SKIFF_EXIT_ABORT);
}
