#!/usr/bin/env bash
# ci/test.sh: the project's test command. Installs missing packages, builds a
# fresh build/, runs every CTest test (unit tests and boot tests).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/setup.sh

skiff_install_packages
skiff_fresh_build build
echo "== running the tests (ctest -j2)"
status=0
(cd build && ctest --output-on-failure -j2) || status=$?
if [ "$status" -ne 0 ]; then
  # A boot test runs a whole machine in an emulator on a shared, loaded host;
  # one that fails is run once more, alone, and is named either way, so a
  # timing accident is told apart from a fault that repeats.
  failed=$(tr '\n' ' ' < build/Testing/Temporary/LastTestsFailed.log 2>/dev/null || true)
  echo "== failed on the first run: $failed"
  echo "== running them once more, one at a time"
  if (cd build && ctest --output-on-failure --rerun-failed -j1); then
    echo "== FLAKY: failed once, passed on the second run: $failed" >&2
    status=0
  fi
fi
if [ "$status" -eq 0 ]; then
  echo "== all tests passed"
else
  echo "== some tests failed (ctest status $status); see the output above" >&2
fi
exit "$status"
