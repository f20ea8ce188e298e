#!/bin/sh
# run_one.sh - replay one fuzzer's regression inputs, then fuzz for a while.
#
# usage: run_one.sh FUZZER SECONDS RUNS SEED WORKDIR REGRESSIONS [SEEDS...]
#
#   FUZZER       the libFuzzer binary (its name picks per-target flags below)
#   SECONDS      -max_total_time; RUNS: -runs (-1: no cap); SEED: -seed
#                (0: a random seed, for long runs that should explore)
#   WORKDIR      gets corpus/ (what the run found; fuzzed together with the
#                seeds and kept between runs) and crashes/ (artifacts)
#   REGRESSIONS  inputs that once crashed: each is run first, and any that
#                fails again fails the whole run before fuzzing starts
#   SEEDS        read-only seed folders (missing ones are skipped)
#
# Exits non-zero on a failing regression input or a new crash; the crash's
# input is then in WORKDIR/crashes/ (see docs/fuzzing.md).
set -eu

if [ $# -lt 6 ]; then
	echo "usage: run_one.sh FUZZER SECONDS RUNS SEED WORKDIR REGRESSIONS [SEEDS...]" >&2
	exit 2
fi
fuzzer=$1 seconds=$2 runs=$3 seed=$4 workdir=$5 regressions=$6
shift 6
name=$(basename "$fuzzer")

# Larger inputs where the format needs them: a guest command line may be
# 8 KiB, and images are a few KiB on top of it.
case $name in
fuzz_guest_image) extra=-max_len=24576 ;;
fuzz_hypercall) extra=-max_len=16448 ;;
fuzz_acpi) extra=-max_len=8192 ;;
*) extra= ;;
esac

if [ -d "$regressions" ]; then
	# Each file is run once; README and other notes are not inputs. find
	# fails when the fuzzer fails on any of them.
	echo "run_one: replaying regression inputs of $name from $regressions"
	find "$regressions" -type f ! -name '*.md' -exec "$fuzzer" $extra {} +
fi

mkdir -p "$workdir/corpus" "$workdir/crashes"
for dir do
	shift
	if [ -d "$dir" ]; then
		set -- "$@" "$dir"
	fi
done
exec "$fuzzer" -seed="$seed" -max_total_time="$seconds" -runs="$runs" \
	-artifact_prefix="$workdir/crashes/" -print_final_stats=1 $extra \
	"$workdir/corpus" "$@"
