#!/usr/bin/env python3
"""Run one boot test of ci/boot_tests.json on one platform, or list the tests.

  boot_test.py --build DIR --platform qemu-svm --test hello
  boot_test.py --list     (one line per test and platform, for CMake:
                           "PLATFORM TEST CTEST-TIMEOUT IMAGE...")

Exit status 0 when the boot matched every expectation, 1 when it did not,
2 when the case could not be run (missing image, bad case).
"""

import argparse
import os
import sys
import tempfile

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from boot_cases import (CaseError, case_images, case_platforms, case_timeout,  # noqa: E402
                        find_case, load_cases, resolve_case)
from boot_check import check_boot  # noqa: E402
from skiff_emulators import QEMU_CPU, MachineOptions, boot  # noqa: E402

LOG_TAIL_LINES = 80
CTEST_MARGIN_SECONDS = 60


def list_tests(cases):
    """Print one line per (platform, test): platform, name, CTest timeout, images."""
    for case in cases:
        for platform in case_platforms(case):
            limit = int(case_timeout(case, platform)) + CTEST_MARGIN_SECONDS
            print(" ".join([platform, case["name"], str(limit)] + case_images(case)))


def report_failure(title, problems, result):
    """Print the problems, then the end of Skiff's log and the console."""
    print("%s: FAIL" % title)
    for problem in problems:
        print("  - " + problem.replace("\n", "\n    "))
    lines = result.com2.splitlines()
    print("--- Skiff's log (COM2), last %d of %d lines ---" % (min(len(lines), LOG_TAIL_LINES),
                                                             len(lines)))
    print("\n".join(lines[-LOG_TAIL_LINES:]))
    print("--- guest console (COM1), %d bytes ---" % len(result.com1))
    print(result.com1.decode("utf-8", errors="replace")[-4000:])
    if result.log.final_status is None:
        print("--- emulator output (end) ---")
        print(result.emulator_output[-3000:])


def machine_options(case, platform):
    """Return the MachineOptions of a resolved case on platform."""
    qemu_cpu = None
    if case.qemu_cpu_flags and platform == "qemu-svm":
        qemu_cpu = ",".join([QEMU_CPU] + case.qemu_cpu_flags)
    return MachineOptions(megabytes=case.machine_mem, qemu_cpu=qemu_cpu, firmware=case.firmware,
                          boot=case.boot, qemu_machine=case.qemu_machine,
                          cpus=case.cpus, nmi_after=case.nmi_after,
                          icount=case.qemu_icount and platform == "qemu-svm")


def run_test(build, platform, name, keep_dir=None):
    """Boot test name on platform with the build in build; return the exit status."""
    title = "boot.%s.%s" % (platform, name)
    try:
        with tempfile.TemporaryDirectory(prefix="skiff-disks-") as disk_dir:
            if keep_dir is not None:
                disk_dir = os.path.join(keep_dir, "disks")
                os.makedirs(disk_dir, exist_ok=True)
            raw_case = find_case(load_cases(), name)
            case = resolve_case(raw_case, build, disk_dir)
            timeout = case_timeout(raw_case, platform)
            result = boot(platform, os.path.join(build, "skiff.elf"), case.guests,
                          case.skiff_args, timeout=timeout, keep_dir=keep_dir,
                          machine=machine_options(case, platform))
    except (CaseError, OSError, RuntimeError, ValueError) as error:
        print("%s: cannot run: %s" % (title, error))
        return 2
    problems = check_boot(case, result)
    instances = sum(len(e.names) for e in case.expectations)
    if problems:
        report_failure(title, problems, result)
    verdict = "FAIL" if problems else "PASS"
    print("%s: %s in %.2f s (%d guests, final status %s)"
          % (title, verdict, result.seconds, instances, result.log.final_status))
    return 1 if problems else 0


def main(argv):
    """Parse the command line and list or run a test; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list tests for CMake")
    parser.add_argument("--build", help="the build directory (holds skiff.elf)")
    parser.add_argument("--platform", help="qemu-svm, bochs-svm or bochs-vmx")
    parser.add_argument("--test", help="the test's name in ci/boot_tests.json")
    parser.add_argument("--keep", metavar="DIR", help="keep the ISO and serial files in DIR")
    options = parser.parse_args(argv)
    if options.list:
        list_tests(load_cases())
        return 0
    if not (options.build and options.platform and options.test):
        parser.error("--build, --platform and --test are required")
    return run_test(options.build, options.platform, options.test, options.keep)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
