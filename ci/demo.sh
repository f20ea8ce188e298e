#!/usr/bin/env bash
# ci/demo.sh: the demo command. Installs missing packages, builds a fresh
# build/, then boots each example appliance (examples/*) on Skiff in QEMU
# (AMD SVM + NPT) with tools/skiff-run, using the arguments in its demo.args,
# and shows what it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/setup.sh

skiff_install_packages
skiff_fresh_build build
failed=0
# run_example NAME: boot examples/NAME with the skiff-run arguments in its
# demo.args (IMAGE stands for its image, DISK for a fresh zeroed 1 MiB disk;
# without demo.args: just the image).
run_example() {
  local name="$1" image="build/examples/$1/$1.elf" disk="build/demo-$1-disk.img"
  local words=("$image") word status=0
  if [ -f "examples/$name/demo.args" ]; then
    read -r -a words < "examples/$name/demo.args"
    truncate -s 0 "$disk" && truncate -s 1M "$disk"
    for i in "${!words[@]}"; do
      word="${words[$i]//IMAGE/$image}"
      words[$i]="${word//DISK/$disk}"
    done
  fi
  echo
  echo "== $name: tools/skiff-run ${words[*]}"
  echo "   (its console below; Skiff's log in build/demo-$name.log)"
  SKIFF_BUILD=build tools/skiff-run --timeout 60 "${words[@]}" 2>"build/demo-$name.log" || status=$?
  echo "== $name exited with status $status"
  if [ "$status" -ne 0 ]; then
    failed=1
    tail -n 20 "build/demo-$name.log" >&2
  fi
}

for dir in examples/*/; do
  name="$(basename "$dir")"
  if [ -f "build/examples/$name/$name.elf" ]; then
    run_example "$name"
  fi
done
exit "$failed"
