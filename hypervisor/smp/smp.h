/*
 * smp.h - running on more than one CPU: which CPUs, started how.
 *
 * The APs are brought up and their backend enabled, then wait for work
 * from the boot CPU (smp_work.h): building the guests placed on them and
 * running their scheduler loop (docs/smp.md). cpus=N on Skiff's command
 * line caps the CPUs used (default 1).
 */
#ifndef SKIFF_SMP_H
#define SKIFF_SMP_H

#include "hypervisor/boot/multiboot2.h"

struct percpu;

/*
 * smp_start_cpus: give the boot CPU its struct percpu (GS base), choose the
 * CPUs from the MADT (acpi_init done) and the cpus= option (options parsed),
 * and start each AP up to C on its own tables (frames_init and time_init
 * done). Call once, before the boot CPU's backend is on: no CPU may be in
 * VMX operation yet, which would block INIT. An AP that fails is logged
 * ("smp: CPU with APIC ID N left out: <step> failed") and left out.
 */
void smp_start_cpus(const struct boot_info *info);

/*
 * smp_enable_backends: after the boot CPU's hal->cpu_init succeeded, have
 * each started AP turn the backend on itself, one at a time, then log how
 * many CPUs were found and how many run ("smp: N CPUs in the MADT, M
 * started (cpus=K)").
 */
void smp_enable_backends(void);

/* smp_cpu_count: CPUs running with the backend on, the boot CPU included (1 before). */
unsigned smp_cpu_count(void);

/*
 * smp_selftest_nmi: with selftest=nmi, on the first AP: wait about a second
 * (guests are then likely running), then send the boot CPU one NMI, which
 * must be counted (skiff: nmi: ...) and never end Skiff or a guest. Does
 * nothing otherwise or on another CPU.
 */
void smp_selftest_nmi(void);

/*
 * smp_kick: send CPU index the kick IPI (APIC_VECTOR_KICK), which makes it
 * leave guest mode if it is in one (both backends exit on a physical
 * interrupt) and is then taken and acknowledged by the host. Returns at
 * once; nothing for an index that is not started or is the caller.
 */
void smp_kick(unsigned index);

/*
 * smp_kick_self: send the calling CPU the kick IPI, with the same interrupt
 * command as smp_kick (physical destination: its own APIC ID). Benchmark
 * only (kick_bench=N on one CPU, vm_kick_bench.h): sent with interrupts
 * off right before a guest runs, it ends guest mode as a kick from another
 * CPU would. Needs smp_start_cpus to have run.
 */
void smp_kick_self(void);

/*
 * smp_kick_wake: a guest placed on CPU index, asleep in POLL, was just given
 * a reason to wake (its frame is queued): mark the wake-up due on that CPU
 * (percpu wake_due), then send it the kick IPI, so that a CPU running
 * another guest leaves it at once (vm_exit.c) and runs the woken one, and
 * a halted one wakes. Same rules as smp_kick (nothing for the caller or an
 * index not started).
 */
void smp_kick_wake(unsigned index);

/*
 * smp_wake: send CPU index the wake IPI (APIC_VECTOR_WAKE), which ends its
 * halt (sti; hlt) so its loop looks again for work it was handed. Same
 * rules as smp_kick; a CPU in guest mode leaves it and resumes.
 */
void smp_wake(unsigned index);

/* smp_cpu_slots: CPU indices in use, 0..smp_cpu_slots()-1 (some may have failed). */
unsigned smp_cpu_slots(void);

/*
 * smp_cpu: the struct percpu of CPU index when it runs with the backend on
 * (index 0, the boot CPU, always once smp_start_cpus ran); NULL for an
 * index that was left out or is beyond smp_cpu_slots().
 */
struct percpu *smp_cpu(unsigned index);

#endif
