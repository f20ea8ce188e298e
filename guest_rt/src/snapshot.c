/*
 * snapshot.c - the SNAPSHOT call (Skiff call 0x582, skiff_snapshot in
 * skiff.h). Unlike the other calls it returns a value in RAX: the clone's
 * number, which differs between clones that share every byte of memory.
 */
#include "runtime.h"

unsigned skiff_snapshot_raw(uint64_t flags, int32_t *ret)
{
	struct skiff_hc_snapshot call = { .flags = flags, .ret = SKIFF_EUNSPEC };
	uint64_t rax = (uint32_t)(uintptr_t)&call;

	/* OUT of EAX to the port in DX; Skiff writes RAX before resuming. */
	__asm__ volatile("outl %%eax, %%dx"
			 : "+a"(rax)
			 : "d"((uint16_t)SKIFF_CALL_SNAPSHOT_PORT)
			 : "memory");
	if (ret)
		*ret = call.ret;
	return (unsigned)rax;
}

unsigned skiff_snapshot(void)
{
	return skiff_snapshot_raw(0, NULL);
}
