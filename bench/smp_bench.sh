#!/bin/sh
# bench/smp_bench.sh - CPU-bound guests of fixed work on 1, 2 and 4 CPUs, balancing,
# and the cross-CPU invalidation round trip
# (docs/benchmarks.md, "Several CPUs").
#
# Each guest is tests/guests/spin in its "work N" mode: N million loop
# steps, then the TSC time they took. Runs on Bochs (VMX), whose time is
# emulated and whose SMP simulation is deterministic: N guests on one CPU
# and on N CPUs (N = 1, 2, 4), 2N guests of uneven work on N CPUs, and
# six guests whose queues grow uneven while both CPUs stay busy, each with
# balancing off (balance=0), to idle CPUs only (balance=2) and between
# uneven queues too (balance=1). Prints each guest's line "spin: work N in T
# us", its summary (cpu=, moves=) and the balancing totals. Needs a build
# ($BUILD, default <repo>/build). WORK sets N (default 10).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
WORK=${WORK:-10}
spin=$BUILD/tests/guests/spin/spin.elf

run() {   # run GUESTS CPUS [SKIFF-ARGS [WORKS]]: WORKS, one work count per guest, else WORK each
	guests=$1 cpus=$2 args=${3:-} works=${4:-}
	set --
	i=1
	for w in ${works:-$(i=0; while [ "$i" -lt "$guests" ]; do echo "$WORK"; i=$((i + 1)); done)}; do
		set -- "$@" --guest "name=w$i $spin work $w"
		i=$((i + 1))
	done
	echo "== $guests guest(s) of work ${works:-$WORK} on $cpus CPU(s)${args:+ ($args)}, bochs-vmx"
	"$here/tools/skiff-run" --emulator bochs --cpu intel --cpus "$cpus" \
		--skiff-args "cpus=$cpus${args:+ $args}" --timeout 900 "$@" 2>&1 |
		grep "^\[w[0-9]*\] spin: work\|^skiff: summary w\|^skiff: smp: balancing"
}

run 1 1
run 2 1
run 2 2
run 4 1
run 4 4

# Balancing: 2N guests of uneven work on N CPUs. Round robin gives CPU 0
# the short ones (every other guest), so it runs dry while the others still
# have two each; the longest guest's time is the machine's time to finish.
UNEVEN2="$((WORK / 5)) $WORK $((WORK / 5)) $WORK"
UNEVEN4="$((WORK / 5)) $WORK $WORK $WORK $((WORK / 5)) $WORK $WORK $WORK"
for b in 0 2 1; do   # off, idle CPUs only, and uneven queues too (the default)
	run 4 2 "balance=$b" "$UNEVEN2"
	run 8 4 "balance=$b" "$UNEVEN4"
done

# Busy but uneven: 6 guests on 2 CPUs, CPU 0 gets three long ones, CPU 1
# two short ones and a long one. When CPU 1's short ones end it still has
# work (queues of 3 and 1, both CPUs busy): only balancing between busy
# CPUs moves a guest then; idle-only balancing waits until CPU 1 runs dry.
BUSY2="$WORK $((WORK / 5)) $WORK $((WORK / 5)) $WORK $WORK"
for b in 0 2 1; do
	run 6 2 "balance=$b" "$BUSY2"
done

# The cross-CPU invalidation round trip: a reader of zero pages on CPU 0 and
# a writer on CPU 1 that runs out of memory, so CPU 1 takes CPU 0's zero
# pages and kicks CPU 0 out of its guest. Skiff's log gives the average
# time from the kick IPI to the guest's exit seen, in emulated time: on
# QEMU -icount shift=0 (--fast-clock) one nanosecond is one instruction.
ramtest=$BUILD/tests/guests/ramtest/ramtest.elf
echo "== kick round trip, 2 CPUs, qemu-svm -icount"
"$here/tools/skiff-run" --emulator qemu --cpus 2 --machine-mem 48 \
	--skiff-args "cpus=2" --timeout 600 \
	--guest "name=reader mem=32M cpu=0 $ramtest zero-only" \
	--guest "name=writer mem=32M cpu=1 $ramtest hold" 2>&1 >/dev/null |
	grep "^skiff: smp: \(cross-CPU\|kick round trip\)"
