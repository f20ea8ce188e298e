/*
 * calls.c - ending the guest, the clock and sleeping: the hypercalls that
 * need no device.
 */
#include "runtime.h"

/* halt: the HALT hypercall; cookie 0 says "no trap registers". */
static _Noreturn void halt(int status)
{
	struct skiff_hc_halt call = { .cookie = 0, .exit_status = status };

	skiff_hypercall(SKIFF_HC_HALT, &call);
	/* HALT does not return; if a broken hypervisor resumed us, spinning is
	 * the only thing left that cannot do harm. */
	for (;;)
		__asm__ volatile("pause");
}

_Noreturn void skiff_exit(int status)
{
	halt(status);
}

_Noreturn void skiff_abort(const char *why)
{
	skiff_puts("abort: ");
	skiff_puts(why ? why : "(no reason given)");
	skiff_puts("\n");
	halt(SKIFF_EXIT_ABORT);
}

uint64_t skiff_walltime_ns(void)
{
	struct skiff_hc_walltime call = { 0 };

	skiff_hypercall(SKIFF_HC_WALLTIME, &call);
	return call.nsecs;
}

uint64_t skiff_poll(uint64_t timeout_ns)
{
	struct skiff_hc_poll call = { .timeout_nsecs = timeout_ns };

	skiff_hypercall(SKIFF_HC_POLL, &call);
	return call.ready_set;
}
