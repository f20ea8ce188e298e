#!/usr/bin/env bash
# ci/demo.sh [--fresh] [EXAMPLE...]: the demo command. Installs missing
# packages, brings build/ up to date (reusing what is built; --fresh starts
# from scratch), then boots each example appliance (examples/*, or the ones
# named) on Skiff in QEMU (AMD SVM + NPT) with tools/skiff-run, using the
# arguments in its demo.args, and shows what it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/setup.sh

fresh=0
if [ "${1:-}" = "--fresh" ]; then
  fresh=1
  shift
fi
skiff_install_packages
if [ "$fresh" -eq 1 ]; then
  skiff_fresh_build build
else
  skiff_build build
fi

cat <<'TEXT'

== What you are looking at
   Each example below is a unikernel appliance: one C program linked with
   Skiff's runtime and newlib into a bootable ELF image. tools/skiff-run
   puts Skiff (the hypervisor) and the image on a GRUB boot CD and starts
   QEMU, which emulates an AMD CPU with SVM and nested paging. GRUB loads
   Skiff, Skiff takes the machine, builds a VM for the appliance and runs
   it; the lines under each heading are the appliance's own console output,
   shown as it writes them. Skiff's log (what it did, and each guest's
   exit status) goes to build/demo-NAME.log. Run one yourself with
   tools/skiff-run build/examples/hello/hello.elf 'any words'.
TEXT

failed=0
# run_example NAME: boot examples/NAME with the skiff-run arguments in its
# demo.args (IMAGE stands for its image, DISK for a fresh zeroed 1 MiB disk;
# without demo.args: just the image), with examples/NAME/demo_client.py
# running on the host beside it when there is one.
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
  # An example with a demo_client.py (a server) gets a visitor from the host.
  local client=""
  if [ -f "examples/$name/demo_client.py" ]; then
    python3 "examples/$name/demo_client.py" &
    client=$!
  fi
  SKIFF_BUILD=build tools/skiff-run --timeout 60 "${words[@]}" 2>"build/demo-$name.log" || status=$?
  if [ -n "$client" ]; then
    wait "$client" || true
  fi
  echo "== $name exited with status $status"
  if [ "$status" -ne 0 ]; then
    failed=1
    tail -n 20 "build/demo-$name.log" >&2
  fi
}

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
  for dir in examples/*/; do
    names+=("$(basename "$dir")")
  done
fi
for name in "${names[@]}"; do
  if [ -f "build/examples/$name/$name.elf" ]; then
    run_example "$name"
  else
    echo "== $name: no such example in build/examples" >&2
    failed=1
  fi
done
exit "$failed"
