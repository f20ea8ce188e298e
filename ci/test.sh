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
if [ "$status" -eq 0 ]; then
  echo "== all tests passed"
else
  echo "== some tests failed (ctest status $status); see the output above" >&2
fi
exit "$status"
