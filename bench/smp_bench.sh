#!/bin/sh
# bench/smp_bench.sh - CPU-bound guests of fixed work on one and on two CPUs
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
