#!/bin/sh
# bench/smp_bench.sh - CPU-bound guests of fixed work on one and on two CPUs,
# and the cross-CPU invalidation round trip
# (docs/benchmarks.md, "Several CPUs").
#
# Each guest is tests/guests/spin in its "work N" mode: N million loop
# steps, then the TSC time they took. Runs on Bochs (VMX), whose time is
# emulated and whose SMP simulation is deterministic, three machines:
# one guest on one CPU, two guests on one CPU, two guests on two CPUs.
# Prints each guest's line "spin: work N in T us". Needs a build
# ($BUILD, default <repo>/build). WORK sets N (default 10).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
WORK=${WORK:-10}
spin=$BUILD/tests/guests/spin/spin.elf

run() {   # run GUESTS CPUS
	guests=$1 cpus=$2
	set --
	i=1
	while [ "$i" -le "$guests" ]; do
		set -- "$@" --guest "name=w$i $spin work $WORK"
		i=$((i + 1))
	done
	echo "== $guests guest(s) of work $WORK on $cpus CPU(s), bochs-vmx"
	"$here/tools/skiff-run" --emulator bochs --cpu intel --cpus "$cpus" \
		--skiff-args "cpus=$cpus" --timeout 600 "$@" | grep "^\[w[0-9]*\] spin: work"
}

run 1 1
run 2 1
run 2 2

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
