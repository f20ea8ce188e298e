/*
 * smp_work.c - one posted function at a time per AP (smp_work.h).
 */
#include "hypervisor/smp/smp_work.h"

#include "hypervisor/panic.h"
#include "hypervisor/smp/smp.h"

void smp_post(unsigned index, void (*fn)(void *arg), void *arg)
{
	struct percpu *cpu = smp_cpu(index);

	if (index == 0 || !cpu || __atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE))
		panic("smp: work posted to CPU %u, which is not an idle started AP", index);
	cpu->work_arg = arg;
	/* The argument is visible before the AP can see the function. */
	__atomic_store_n(&cpu->work, fn, __ATOMIC_RELEASE);
}

bool smp_done(unsigned index)
{
	struct percpu *cpu = smp_cpu(index);

	return !cpu || index == 0 || !__atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE);
}

void smp_call(unsigned index, void (*fn)(void *arg), void *arg)
{
	if (index == 0) {
		fn(arg);
		return;
	}
	smp_post(index, fn, arg);
	while (!smp_done(index))
		__asm__ volatile("pause");
}

void smp_ap_serve(struct percpu *cpu)
{
	for (;;) {
		void (*fn)(void *) = __atomic_load_n(&cpu->work, __ATOMIC_ACQUIRE);

		if (!fn) {
			__asm__ volatile("pause");
			continue;
		}
		fn(cpu->work_arg);
		/* What fn wrote is visible before the boot CPU sees it done. */
		__atomic_store_n(&cpu->work, NULL, __ATOMIC_RELEASE);
	}
}
