#!/bin/sh
# mutants.sh - apply each named breakage in a copy of the tree and report
# which test catches it (ci/mutants.py; docs/testing.md). Not part of the
# default test run. Usage: ci/mutants.sh [--work DIR] [--only NAME...] [--list]
exec python3 "$(dirname "$0")/mutants.py" "$@"
