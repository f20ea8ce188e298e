#!/bin/bash
# bench/run.sh - Skiff's benchmark suite in one command (docs/benchmarks.md).
#
# Installs what is missing (apt-get), builds into $BUILD (default
# <repo>/build), measures everything twice and writes
# $BUILD/bench/report.json, report.md and report.png. Extra arguments go to
# bench/run_bench.py (e.g. --runs 1 for a quicker, unchecked run). Then
# bench/disk_bench.py measures the block paths (build/bench/disk.{json,md}),
# bench/evict_bench.py eviction (build/bench/evict.{json,md}), bench/reclaim_bench.py
# reclaim per kind (build/bench/reclaim.{json,md}, added to report.json).
# Exit status: run_bench.py's (0 when every measurement produced figures).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$repo/build}

# program-or-file -> Debian package that provides it
need=(
  "cmake:cmake" "ninja:ninja-build" "gcc:gcc" "python3:python3"
  "qemu-system-x86_64:qemu-system-x86" "bochs-bin:bochs"
  "/usr/share/bochs/BIOS-bochs-latest:bochsbios" "/usr/share/vgabios/vgabios.bin:vgabios"
  "grub-mkrescue:grub-common" "/usr/lib/grub/i386-pc:grub-pc-bin" "xorriso:xorriso"
  "mformat:mtools" "valgrind:valgrind" "script:bsdutils"
)
missing=()
for pair in "${need[@]}"; do
  what=${pair%%:*} pkg=${pair##*:}
  if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("$pkg")
  else command -v "$what" >/dev/null || missing+=("$pkg"); fi
done
# Debian's interpreter: python3-matplotlib installs for it, and PATH may
# name another python3 first (pyenv).
py=/usr/bin/python3
"$py" -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

cmake -S "$repo" -B "$build" -G Ninja >/dev/null
# Only what the benchmarks run: skiff.elf, the guests, the host program.
ninja -C "$build" -j2 skiff_elf bench_guest hello np_ops disk netping httpd httpbench udpsock udpbench \
  aspaces swaptest freereport spin clonetest ramtest
status=0
"$py" "$repo/bench/run_bench.py" --build "$build" "$@" || status=$?
# The cross-CPU invalidation round trip in instructions, three platforms, twice,
# on two CPUs and split into its halves on one CPU (exact on every platform)
# (build/bench/kick.{json,md}; added to report.json as xcpu_kick_*).
"$py" "$repo/bench/kick_bench.py" --build "$build" || status=$?
# Wake-up latency on a busy CPU, wake_preempt=0 against 1 (qemu-svm -icount;
# build/bench/wake.{json,md}).
"$py" "$repo/bench/wake_bench.py" --build "$build" || status=$?
# Block paths per disk driver (build/bench/disk.{json,md}).
"$py" "$repo/bench/disk_bench.py" --build "$build" || status=$?
# Eviction: reclaim throughput to the pool and to swap, restore cost.
"$py" "$repo/bench/evict_bench.py" --build "$build" || status=$?
# Reclaim throughput per kind (zero, reported, shared, compressed, swapped), both backends
# (build/bench/reclaim.{json,md}, and "reclaim" in report.json).
"$py" "$repo/bench/reclaim_bench.py" --build "$build" || status=$?
# Network path lengths (guest-to-guest echo over the switch, hypercalls and rings).
"$py" "$repo/bench/net_bench.py" --build "$build" || status=$?
for platform in bochs-svm bochs-vmx; do
  "$py" "$repo/bench/net_bench.py" --build "$build" --count 50 --platform "$platform" || status=$?
done
# UDP request/response through the BSD socket API (64, 512, 1,400 bytes), both backends.
"$py" "$repo/bench/net_bench.py" --build "$build" --path sockets || status=$?
"$py" "$repo/bench/net_bench.py" --build "$build" --path sockets --count 50 --platform bochs-vmx || status=$?
# HTTP requests per 10^9 instructions (two socket appliances), both backends.
"$py" "$repo/bench/http_bench.py" --build "$build" --platform qemu-svm || status=$?
"$py" "$repo/bench/http_bench.py" --build "$build" --platform bochs-vmx || status=$?
# Nested against shadow paging (docs/benchmarks.md, "Shadow paging").
mkdir -p "$build/bench"
"$py" "$repo/bench/shadow_bench.py" --build "$build" --chart "$build/bench/shadow-hit-rate.svg" || status=$?
# CR3 storms per 10^6 instructions in each mode, alone and beside other guests.
"$py" "$repo/bench/cr3_storm.py" --build "$build" || status=$?
# Free-page reporting, read-only sharing and clone_to_first_insn with the 4 KiB zeroed pool full and
# empty (build/bench/mem.{json,md}; the clone figures also go into report.json).
"$py" "$repo/bench/mem_bench.py" --build "$build" --only free_report,clone_first,sharing || status=$?
# How many clones and hello guests fit in 1 GiB now that memory, not the guest table, is the limit
# (long runs: 16,319 clones and 8,000 hellos asked; clones on svm only, Bochs would take hours).
"$py" "$repo/bench/mem_bench.py" --build "$build" --only max_clones,max_hello --backend svm \
  --timeout 2400 --out "$build/bench/max" || status=$?
"$py" "$repo/bench/mem_bench.py" --build "$build" --only max_hello --backend vmx \
  --timeout 1500 --out "$build/bench/max-vmx" || status=$?
# Fixed work on one and two CPUs (build/bench/smp.txt).
BUILD="$build" sh "$repo/bench/smp_bench.sh" > "$build/bench/smp.txt" || status=$?
exit $status
