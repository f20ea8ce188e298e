#!/usr/bin/env python3
"""Boot tests on CPUs that lack a feature.

Where Skiff cannot run at all (no SVM), it must name exactly what is
missing and stop cleanly: no panic, no guest started, no final status line
(so skiff-run reports 125). Where only nested paging is missing (NPT, EPT),
guests run on shadow page tables instead (docs/shadow-paging.md): hello
must start in shadow paging, print its lines and halt with status 0. Each
case boots hello on an emulated CPU with one feature taken away.

    cpu_support_test.py --list
    cpu_support_test.py --build BUILD --platform PLATFORM --test CASE
"""

import argparse
import os
import re
import sys

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

# name -> platform, machine options, patterns the log must contain
CASES = {
    "cpu_no_npt": ("qemu-svm", MachineOptions(qemu_cpu="qemu64,+svm,-npt"),
                   [r"guest hello: shadow paging", r"guest hello: halted with status 0",
                    r"guest hello: shadow cache=4 cr3_loads=[1-9]"]),
    "cpu_no_svm": ("qemu-svm", MachineOptions(qemu_cpu="qemu64,-svm"),
                   [r"cannot virtualize with svm .*SVM"]),
    # Bochs's only VMX model without EPT (penryn) also lacks the VM-entry and
    # VM-exit controls that load and save EFER and PAT, which Skiff needs
    # whatever the paging mode: it must still refuse it and name them (EPT
    # itself is optional now). VMX without EPT is covered by paging=shadow
    # on haswell (boot.bochs-vmx.shadow_*, docs/shadow-paging.md).
    "cpu_no_ept": ("bochs-vmx", MachineOptions(bochs_model="core2_penryn_t9600"),
                   [r"cannot virtualize with vmx .*entry control 'load EFER'"]),
}
TIMEOUT = {"qemu-svm": 60, "bochs-vmx": 240}


# Cases where the guest runs (on shadow paging) rather than Skiff stopping.
RUNS = {"cpu_no_npt"}


def check_runs(result, patterns):
    """Return the list of problems with a boot whose guest should run and halt with 0."""
    problems = []
    for pattern in patterns:
        if not re.search(pattern, result.com2):
            problems.append("no log line matches %r" % pattern)
    if "skiff: PANIC" in result.com2:
        problems.append("Skiff panicked")
    if b"Hello from Skiff!" not in result.com1:
        problems.append("hello did not print its greeting")
    if result.timed_out:
        problems.append("the run timed out")
    if result.status != 0:
        problems.append("status %d, expected 0 (hello halted with 0)" % result.status)
    return problems


def check(result, patterns):
    """Return the list of problems with a boot that should have stopped cleanly."""
    problems = []
    for pattern in patterns:
        if not re.search(pattern, result.com2):
            problems.append("no log line matches %r" % pattern)
    if "skiff: PANIC" in result.com2:
        problems.append("Skiff panicked")
    if "skiff: final status" in result.com2:
        problems.append("a final status line was written: Skiff went on")
    if re.search(r"guest \S+: started", result.com2):
        problems.append("a guest was started")
    if result.timed_out:
        problems.append("the run timed out instead of stopping")
    if result.status != 125:
        problems.append("status %d, expected 125 (no final status)" % result.status)
    return problems


def run(build, platform, name):
    """Run one case; print the verdict; return the process exit status."""
    case_platform, machine, patterns = CASES[name]
    if platform != case_platform:
        print("%s runs on %s only" % (name, case_platform))
        return 2
    hello = make_guest(os.path.join(build, "examples", "hello", "hello.elf"))
    result = boot(platform, os.path.join(build, "skiff.elf"), [hello],
                  timeout=TIMEOUT[platform], machine=machine)
    problems = (check_runs if name in RUNS else check)(result, patterns)
    verdict = "FAIL" if problems else "PASS"
    for problem in problems:
        print("problem: " + problem)
    if problems:
        print("--- Skiff's log ---\n" + result.com2[-3000:])
    print("boot.%s.%s: %s in %.2f s" % (platform, name, verdict, result.seconds))
    return 1 if problems else 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--build")
    parser.add_argument("--platform")
    parser.add_argument("--test")
    args = parser.parse_args(argv)
    if args.list:
        for name, (platform, _, _) in CASES.items():
            print("%s %s %d hello" % (platform, name, TIMEOUT[platform] + 60))
        return 0
    if not (args.build and args.platform and args.test in CASES):
        parser.error("give --list, or --build, --platform and a --test from %s" % list(CASES))
    return run(args.build, args.platform, args.test)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
