#!/usr/bin/env python3
"""Run one case of ci/skiff_run_tests.json: tools/skiff-run as a user runs it.

  skiff_run_test.py --build DIR --platform qemu-svm --test skiff-run-args
  skiff_run_test.py --list   (same line format as boot_test.py --list)

A case gives the image, its arguments, optional block devices ("blocks",
generated as in ci/boot_tests.json and passed with --block), the exact
standard output expected (null: not checked) and the exit status. Exit status 0 when both match,
1 when not, 2 when the case cannot run.
"""

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
import time

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

import boot_cases  # noqa: E402
from boot_cases import (CaseError, case_platforms, case_timeout, find_case,  # noqa: E402
                        image_path, write_disk)

CASES_FILE = os.path.join(CI_DIR, "skiff_run_tests.json")
SKIFF_RUN = os.path.join(CI_DIR, "..", "tools", "skiff-run")
PLATFORM_OPTIONS = {"qemu-svm": ["--cpu", "amd", "--emulator", "qemu"],
                    "bochs-svm": ["--cpu", "amd", "--emulator", "bochs"],
                    "bochs-vmx": ["--cpu", "intel", "--emulator", "bochs"]}
CTEST_MARGIN_SECONDS = 60


def load_cases():
    """Return the cases of ci/skiff_run_tests.json and ci/skiff_run_tests.d/*.json."""
    return boot_cases.load_cases(CASES_FILE)


def list_tests(cases):
    """Print "PLATFORM CASE CTEST-TIMEOUT IMAGE" for every case and platform."""
    for case in cases:
        for platform in case_platforms(case):
            limit = int(case_timeout(case, platform)) + CTEST_MARGIN_SECONDS
            print("%s %s %d %s" % (platform, case["name"], limit, case["image"]))


def block_options(case, disk_dir):
    """Write the case's disks into disk_dir; return their --block options."""
    options = []
    for index, spec in enumerate(case.get("blocks", [])):
        path = os.path.join(disk_dir, "%d.img" % index)
        write_disk(path, spec)
        options += ["--block", "%s=%s" % (spec["name"], path)]
    return options


def skiff_run_command(case, build, platform, disk_dir=None):
    """Return the skiff-run command line for a case (disks, if any, written to disk_dir)."""
    timeout = case_timeout(case, platform)
    blocks = block_options(case, disk_dir) if disk_dir is not None else []
    return ([sys.executable, SKIFF_RUN] + PLATFORM_OPTIONS[platform] + blocks
            + case.get("options", [])
            + ["--timeout", str(timeout), image_path(build, case["image"])] + case["args"])


def compare_stdout(expected, actual):
    """Return a list of problems comparing expected text with actual bytes."""
    if expected is None or actual == expected.encode():
        return []
    diff = difflib.unified_diff(expected.splitlines(True),
                                actual.decode("utf-8", "replace").splitlines(True),
                                "expected stdout", "actual stdout")
    return ["standard output differs (byte for byte):\n" + "".join(diff)
            + "\nexpected %r\nactual   %r" % (expected.encode(), actual)]


def run_test(build, platform, name):
    """Run one case; print the verdict and timing; return the exit status."""
    title = "boot.%s.%s" % (platform, name)
    environment = dict(os.environ, SKIFF_BUILD=build)
    with tempfile.TemporaryDirectory(prefix="skiff-run-disks-") as disk_dir:
        try:
            case = find_case(load_cases(), name)
            command = skiff_run_command(case, build, platform, disk_dir)
        except CaseError as error:
            print("%s: cannot run: %s" % (title, error))
            return 2
        start = time.monotonic()
        done = subprocess.run(command, env=environment, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seconds = time.monotonic() - start
    problems = compare_stdout(case.get("stdout"), done.stdout)
    if done.returncode != case["status"]:
        problems.append("exit status %d, expected %d" % (done.returncode, case["status"]))
    stderr = done.stderr.decode("utf-8", "replace")
    problems += ["standard error has no %r" % text for text in case.get("stderr_has", [])
                 if text not in stderr]
    if problems:
        print("%s: FAIL\n  command: %s" % (title, command))
        for problem in problems:
            print("  - " + problem)
        print("--- skiff-run's standard error ---\n" + done.stderr.decode("utf-8", "replace"))
    verdict = "FAIL" if problems else "PASS"
    print("%s: %s in %.2f s (exit status %d)" % (title, verdict, seconds, done.returncode))
    return 1 if problems else 0


def main(argv):
    """Parse the command line and list or run a case; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list tests for CMake")
    parser.add_argument("--build", help="the build directory (holds skiff.elf)")
    parser.add_argument("--platform", choices=sorted(PLATFORM_OPTIONS))
    parser.add_argument("--test", help="the case's name in ci/skiff_run_tests.json")
    options = parser.parse_args(argv)
    if options.list:
        list_tests(load_cases())
        return 0
    if not (options.build and options.platform and options.test):
        parser.error("--build, --platform and --test are required")
    return run_test(options.build, options.platform, options.test)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
