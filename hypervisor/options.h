/*
 * options.h - Skiff's own command line (the words after the image path on
 * GRUB's multiboot2 line).
 *
 *   backend=svm|vmx   use this backend instead of the one the CPU vendor
 *                     suggests (hal_select still checks the CPU can run it)
 *   selftest=clock    measure the calibrated TSC against the RTC at boot
 *   selftest=dirty-ram  fill every free frame with a marker before any guest
 *                     is built, so tests see what a guest would find in
 *                     frames that were used before (emulator RAM starts zero)
 *   selftest=nmi      with a second CPU (cpus=2), that CPU sends the boot CPU
 *                     one NMI about a second after it started, while guests
 *                     run: a physical NMI on demand where no emulator can
 *                     be told to raise one (Bochs)
 *   limit=SECONDS     end every guest still running after SECONDS (1..86400;
 *                     default: no limit)
 *   slice_ms=N        a guest's time slice in milliseconds (1..1000; default 10)
 *   asids=N           use at most N address-space tags (ASIDs or VPIDs,
 *                     1..65535; default: all the CPU has), so that tag
 *                     recycling can be exercised with few VMs
 *   guests=N          hold at most N guests (1..16320, the default: one
 *                     address window each); those beyond are refused by
 *                     name, as when the table is full
 *   cpus=N            run on at most N CPUs (1..256; default 1): the boot
 *                     CPU and APs from the ACPI MADT (hypervisor/smp/)
 *   balance=0|1|2     with several CPUs, move runnable guests to idle CPUs
 *                     and from a queue longer than another's by 2 (default
 *                     1); 2 moves them to idle CPUs only, 0 keeps every
 *                     guest where it was placed (both for comparison:
 *                     docs/smp.md)
 *   wake_preempt=0|1  with several CPUs, a guest woken from POLL by another
 *                     CPU (a frame for it) runs at once, cutting short the
 *                     slice of the guest its CPU runs (default 1); 0 makes
 *                     it wait for that slice's end, as before (for
 *                     comparison: docs/smp.md, "Wake-ups")
 *   kick_bench=N      benchmark only (bench/kick_bench.py): the boot CPU
 *                     narrows a page of the first guest of another CPU N
 *                     times while that guest runs, through the one
 *                     invalidation path, and logs what each round cost;
 *                     on one CPU, alternate slices start with a round
 *                     and a kick IPI to itself instead
 *                     (hypervisor/vm/vm_kick_bench.h)
 *   on_end=poweroff|reboot|halt
 *                     what the machine does when every guest has ended:
 *                     ACPI soft-off (default), ACPI reset, or halt for good
 *                     (power.h; docs/acpi.md)
 *   swap=gpt:NAME     evict guests' cold pages that do not compress to the
 *                     GPT partition NAME too (hypervisor/evict/; refused
 *                     with a log line, and Skiff runs without swap, when
 *                     the partition is missing or not whole 4 KiB slots)
 *   console=framed    write each guest's console output to COM1 as a frame
 *                     naming its guest (docs/log-protocol.md), so a reader
 *                     such as tools/skiff-run can tell several guests'
 *                     bytes apart; default console=raw (the bytes alone)
 *   gdb=NAME          debug guest NAME with gdb over COM4: it stops before
 *                     its first instruction (hypervisor/debug/gdb_stub.h,
 *                     docs/debugging.md)
 *
 * Words are separated by spaces. A first word that starts with '/' is taken
 * as the image's own path (some loaders pass it) and skipped. Anything else
 * is an error: a typo must not silently change how Skiff runs.
 */
#ifndef SKIFF_OPTIONS_H
#define SKIFF_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest guest name gdb= takes, NUL included (a guest name's limit). */
#define SKIFF_GDB_NAME_MAX 32
/* "gpt:" and a GPT name of up to 36 characters, NUL-terminated. */
#define SKIFF_SWAP_SPEC_MAX 41

/* What the machine does at the end of a run (on_end=). */
enum skiff_on_end { ON_END_POWEROFF, ON_END_REBOOT, ON_END_HALT };

struct skiff_options {
	const char *backend;      /* "svm", "vmx" or NULL (choose by CPU) */
	bool selftest_clock;      /* selftest=clock */
	bool selftest_dirty_ram;  /* selftest=dirty-ram */
	bool selftest_nmi;        /* selftest=nmi */
	unsigned limit_seconds;   /* limit=, 0 for none */
	unsigned slice_ms;        /* slice_ms=, default 10 */
	unsigned max_tags;        /* asids=, 0 for the hardware's count */
	unsigned max_guests;      /* guests=, 0 for as many as Skiff can hold */
	enum skiff_on_end on_end; /* on_end=, default ON_END_POWEROFF */
	bool console_framed;      /* console=framed */
	unsigned dumpcore;        /* dumpcore=, 0 or 1 */
	unsigned max_cpus;        /* cpus=, default 1 */
	unsigned balance;         /* balance=, 1 (default), 2 (idle CPUs only) or 0 */
	unsigned kick_bench;      /* kick_bench=, 0 for none */
	unsigned wake_preempt;    /* wake_preempt=, 1 (default) or 0 */
	char gdb_guest[SKIFF_GDB_NAME_MAX];  /* gdb=, "" for none */
	char swap[SKIFF_SWAP_SPEC_MAX];  /* swap=gpt:NAME, "" for none */
};

/* The options in force, filled by main.c at boot. */
extern struct skiff_options skiff_options;

/*
 * options_parse: parse cmdline (NUL-terminated; NULL counts as empty) into
 * *out, which starts from the defaults. Returns 0, or -EINVAL with the
 * reason in err (errlen bytes), e.g. "unknown option 'X'".
 */
int options_parse(const char *cmdline, struct skiff_options *out,
		  char *err, size_t errlen);

#endif
