#!/usr/bin/env bash
# ci/demo.sh: the demo command. Installs missing packages, builds a fresh
# build/, then boots each example appliance (examples/*) on Skiff in QEMU
# (AMD SVM + NPT) with tools/skiff-run and shows what it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/setup.sh

skiff_install_packages
skiff_fresh_build build
failed=0
for dir in examples/*/; do
  name="$(basename "$dir")"
  image="build/examples/$name/$name.elf"
  if [ ! -f "$image" ]; then
    continue
  fi
  echo
  echo "== $name: tools/skiff-run $image (console below; Skiff's log on stderr)"
  status=0
  SKIFF_BUILD=build tools/skiff-run --timeout 60 "$image" 2>"build/demo-$name.log" || status=$?
  echo "== $name exited with status $status (Skiff's log: build/demo-$name.log)"
  if [ "$status" -ne 0 ]; then
    failed=1
    tail -n 20 "build/demo-$name.log" >&2
  fi
done
exit "$failed"
