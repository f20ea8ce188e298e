#!/bin/sh
# run_fuzzers.sh - fuzz longer than the CTest smoke runs do.
#
# usage: tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
#
# Runs each TARGET (default: every fuzzer BUILD_DIR has built; the list is
# BUILD_DIR/tests/fuzz/fuzz_targets.txt, written by CMake) one after the
# other for SECONDS each, with a random seed and no cap on executions. The
# corpus grows in BUILD_DIR/tests/fuzz/long/TARGET/corpus and is reused by
# the next run; crashes land in .../crashes/. Stops at the first target
# that crashes (see docs/fuzzing.md for turning a crash into a regression
# input).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]" >&2
	exit 2
fi
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
list=$build/tests/fuzz/fuzz_targets.txt
if [ ! -f "$list" ]; then
	echo "run_fuzzers: $list not found: configure and build $build with a clang that links libFuzzer" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	set -- $(cut -d' ' -f1 "$list")
fi

for target do
	line=$(grep "^$target " "$list" || true)
	if [ -z "$line" ]; then
		echo "run_fuzzers: unknown target $target (known: $(cut -d' ' -f1 "$list" | tr '\n' ' '))" >&2
		exit 2
	fi
	# shellcheck disable=SC2086
	set -- $line
	shift
	echo "run_fuzzers: $target for ${seconds}s"
	"$here/run_one.sh" "$build/tests/fuzz/$target" "$seconds" -1 0 \
		"$build/tests/fuzz/long/$target" "$here/regressions/$target" "$@"
done
