/*
 * cpu_place.h - on which CPU a new guest is built and runs.
 */
#ifndef SKIFF_CPU_PLACE_H
#define SKIFF_CPU_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "hypervisor/loader/guest_cmdline.h"

/*
 * cpu_place: the CPU index for the next guest instance of cfg: cpu=K when
 * given, otherwise the next started CPU in round robin (CPU 0 first, so
 * cpus=1 places everything on CPU 0), network and disk-region guests
 * included. Returns -1 with the reason in err (a sentence without the
 * guest's name, which the caller adds) when cpu=K names a CPU that was not
 * started.
 */
int cpu_place(const struct guest_config *cfg, char *err, size_t errlen);

/*
 * cpu_place_pins: whether a guest of cfg must stay on the CPU it is placed
 * on: cpu=K given. Others (network, disk, shadow and PV guests included)
 * may be moved by balancing (balance.h).
 */
bool cpu_place_pins(const struct guest_config *cfg);

#endif
