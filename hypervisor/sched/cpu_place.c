/*
 * cpu_place.c - placing guests on CPUs (cpu_place.h).
 *
 * Placement is where a guest starts; balancing (balance.c) may move it
 * later unless it is pinned here (docs/smp.md).
 * Every guest may go on any CPU and move between them: the switch, the
 * NIC and the disk drivers are driven from any CPU under their locks, and
 * a frame's wake-up goes to the CPU the guest is on now (vm_net.c).
 */
#include "hypervisor/sched/cpu_place.h"

#include "hypervisor/smp/smp.h"
#include "lib/format.h"

static unsigned next_cpu;   /* round robin's cursor over CPU indices */

static unsigned round_robin(void)
{
	for (unsigned tries = 0; tries < smp_cpu_slots(); tries++) {
		unsigned cpu = next_cpu;

		next_cpu = (next_cpu + 1) % smp_cpu_slots();
		if (smp_cpu(cpu))
			return cpu;
	}
	return 0;
}

bool cpu_place_pins(const struct guest_config *cfg)
{
	return cfg->has_cpu;
}

int cpu_place(const struct guest_config *cfg, char *err, size_t errlen)
{
	if (!cfg->has_cpu)
		return (int)round_robin();
	if (!smp_cpu(cfg->cpu)) {
		format(err, errlen, "cpu=%u: CPU %u was not started (%u CPUs run; see cpus= on Skiff's command line)",
		       cfg->cpu, cfg->cpu, smp_cpu_count());
		return -1;
	}
	return (int)cfg->cpu;
}
