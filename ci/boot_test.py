#!/usr/bin/env python3
"""Run one boot test of ci/boot_tests.json on one platform, or list the tests.

  boot_test.py --build DIR --platform qemu-svm --test hello
  boot_test.py --build DIR --platform qemu-svm --test hello --paging shadow
  boot_test.py --build DIR --platform qemu-svm --test hello.shadow   (the same)
  boot_test.py --list     (one line per test and platform, for CMake:
                           "PLATFORM TEST CTEST-TIMEOUT IMAGE...")

A paging variant CASE.MODE is CASE with paging=MODE on every guest that
does not name its own mode (--paging MODE does the same for any case). The
variants CTest runs are listed under "paging_variants" in the case files
(ci/boot_tests.d/shadow.json), each a case name, or {"case": NAME,
"platforms": [...]} to run it on fewer platforms than the case itself.

A CPU variant CASE.smpN is CASE on a machine of N processors, all started
(cpus=N), with each guest that names no CPU placed round robin from CPU 1,
so that even a one-guest case runs on an application processor. CTest runs
those listed under "cpu_variants" (ci/boot_tests.d/smp_variants.json):
{"N": [case name or {"case": NAME, "platforms": [...]}, ...]}.

A sweep (under "paging_sweeps" in the case files) runs several cases' MODE
variants in one boot: {"name": "shadow_sweep_a", "timeout": 90, "platforms":
[...], "cases": [NAME or {"case": NAME, "paging": OTHER}, ...]} (the second
form runs that case's OTHER variant instead, so one boot can try two modes).
Every guest of every case runs side by side and each is still checked for
its own output, status and reason; a guest whose name an earlier case
already used is renamed CASE-NAME. Only cases
that need nothing of the boot itself (no skiff_args, machine, firmware or
final_status of their own) may be swept; networks an earlier case of the
sweep uses are renamed NAME-INDEX, and no log_checks pattern of a case may
name a guest or network so renamed.

Exit status 0 when the boot matched every expectation, 1 when it did not,
2 when the case could not be run (missing image, bad case).
"""

import argparse
import copy
import json
import os
import re
import sys
import tempfile

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from boot_cases import (CASES_FILE, CaseError, case_files, case_images,  # noqa: E402
                        case_platforms, case_timeout, find_case, load_cases, resolve_case)
from boot_check import check_boot  # noqa: E402
from skiff_emulators import QEMU_CPU, MachineOptions, boot  # noqa: E402

LOG_TAIL_LINES = 80
CTEST_MARGIN_SECONDS = 60


# The line Skiff logs for each guest that ran in a mode: a variant requires it,
# so it fails if the mode were not applied.
MODE_SUMMARY = {"shadow": r"guest %s(\.\d+)?: shadow cache=",
                "pv": r"guest %s(\.\d+)?: pv registered="}
# What a mode calls the fault a nested page fault becomes (pv runs on shadows).
MODE_FAULT = {"shadow": "shadow page fault", "pv": "shadow page fault"}


def with_paging(case, mode):
    """Return a copy of case named CASE.MODE whose guests without a "paging" of
    their own run with paging=MODE; a decoded "nested page fault" it expects
    (in a reason or a log check) becomes the mode's own ("shadow page fault"); each such guest that starts
    must log the mode's summary line (MODE_SUMMARY)."""
    variant = copy.deepcopy(case)
    variant["name"] = "%s.%s" % (case["name"], mode)
    variant.setdefault("log_checks", [])
    fault = MODE_FAULT.get(mode, "%s page fault" % mode)
    for check in variant["log_checks"]:
        check["pattern"] = check["pattern"].replace("nested page fault", fault)
    for guest in variant.get("guests", []):
        if "paging" in guest:
            continue
        guest["paging"] = mode
        for expected in [guest] + guest.get("outcomes", []):
            if "reason" in expected:
                expected["reason"] = expected["reason"].replace("nested page fault", fault)
        if mode in MODE_SUMMARY and guest.get("outcome") != "refused":
            name = re.escape(guest.get("name", guest["image"]))
            variant["log_checks"].append({"pattern": MODE_SUMMARY[mode] % name})
    return variant


def with_cpus(case, cpus):
    """Return a copy of case named CASE.smpCPUS on a machine of cpus processors,
    all started (cpus= on Skiff's line); its guests that name no CPU are placed
    round robin from CPU 1; Skiff must log that it started every CPU."""
    variant = copy.deepcopy(case)
    variant["name"] = "%s.smp%d" % (case["name"], cpus)
    variant["cpus"] = cpus
    variant["skiff_args"] = [word for word in variant.get("skiff_args", [])
                             if not word.startswith("cpus=")] + ["cpus=%d" % cpus]
    unplaced = [guest for guest in variant.get("guests", []) if "cpu" not in guest]
    for index, guest in enumerate(unplaced):
        guest["cpu"] = (index + 1) % cpus
    variant.setdefault("log_checks", []).append(
        {"pattern": r"^skiff: smp: \d+ CPUs in the MADT, %d started" % cpus})
    return variant


def with_variant(case, suffix):
    """CASE.SUFFIX: the CPU variant for smpN, else the paging variant of mode SUFFIX."""
    match = re.fullmatch(r"smp(\d+)", suffix)
    return with_cpus(case, int(match.group(1))) if match else with_paging(case, suffix)


def listed_variants(cases, key, make, path=CASES_FILE):
    """(variant case, platforms) of each entry under key in the case files: key maps a
    variant argument to entries, each a case name or {"case": NAME, "platforms": [...]};
    make(case, argument) builds the variant. Raises CaseError for an entry naming no
    case or a platform its case does not run on."""
    variants = []
    for name in case_files(path):
        with open(name) as f:
            listed = json.load(f).get(key, {})
        for argument, entries in sorted(listed.items()):
            for entry in entries:
                spec = entry if isinstance(entry, dict) else {"case": entry}
                case = find_case(cases, spec["case"])
                platforms = spec.get("platforms", case_platforms(case))
                if not set(platforms) <= set(case_platforms(case)):
                    raise CaseError("%s: variant of %s on a platform the case does not run on"
                                    % (name, spec["case"]))
                variants.append((make(case, argument), platforms))
    return variants


def paging_variants(cases, path=CASES_FILE):
    """Return (variant case, platforms) for each "paging_variants" entry of the case files
    (listed_variants)."""
    return listed_variants(cases, "paging_variants", with_paging, path)


# The keys a case may have to be swept: anything else shapes the boot itself.
SWEEPABLE_KEYS = {"name", "guests", "timeout", "platforms", "forbidden", "why_platforms",
                  "log_checks"}


def _sweep_rename(guests, case_name, index, seen, networks):
    """Rename the guests (to CASE-NAME) and networks (to NAME-INDEX) that an earlier
    case of a sweep already uses, so each case keeps its own; record the names
    in seen and networks. Return the old names of what was renamed."""
    renamed = set()
    own = {n["network"] for g in guests for n in g.get("nets", [])}
    moved = {net: "%s-%d" % (net, index) for net in own & networks}
    for guest in guests:
        name = guest.get("name", guest["image"])
        if name in seen:
            guest["name"] = "%s-%s" % (case_name, name)
            renamed.add(name)
        seen.add(guest.get("name", name))
        for net in guest.get("nets", []):
            if net["network"] in moved:
                renamed.add(net["network"])
                net["network"] = moved[net["network"]]
        for old, new in moved.items():   # a refusal's reason names the network
            for expected in [guest] + guest.get("outcomes", []):
                if "reason" in expected:
                    expected["reason"] = re.sub(r"\b%s\b(?!-)" % re.escape(old), new,
                                                expected["reason"])
    networks |= {moved.get(net, net) for net in own}
    return renamed


def sweep_case(cases, mode, spec):
    """Return the one case that runs the MODE variants of spec["cases"] in one boot.
    Raises CaseError for a case that cannot share a boot or a platform one lacks."""
    guests, forbidden, checks, seen, networks = [], [], [], set(), set()
    for index, entry in enumerate(spec["cases"]):
        name = entry["case"] if isinstance(entry, dict) else entry
        case = find_case(cases, name)
        extra = set(case) - SWEEPABLE_KEYS
        if extra:
            raise CaseError("sweep %s: case %s has %s, which shape its boot"
                            % (spec["name"], name, sorted(extra)))
        if not set(spec["platforms"]) <= set(case_platforms(case)):
            raise CaseError("sweep %s: case %s does not run on all of %s"
                            % (spec["name"], name, spec["platforms"]))
        case_guests = copy.deepcopy(case["guests"])
        renamed = _sweep_rename(case_guests, name, index, seen, networks)
        if any(old in check["pattern"] for old in renamed for check in case.get("log_checks", [])):
            raise CaseError("sweep %s: case %s checks the log for a guest or network an "
                            "earlier case already uses; put it first" % (spec["name"], name))
        case_checks = copy.deepcopy(case.get("log_checks", []))
        if isinstance(entry, dict) and "paging" in entry:
            own = with_paging({"name": name, "guests": case_guests, "log_checks": case_checks},
                              entry["paging"])
            case_guests, case_checks = own["guests"], own["log_checks"]
        guests += case_guests
        checks += case_checks
        forbidden += [f for f in case.get("forbidden", []) if f not in forbidden]
    swept = {"name": spec["name"], "timeout": spec["timeout"], "platforms": spec["platforms"],
             "guests": guests, "forbidden": forbidden, "log_checks": checks}
    variant = with_paging(swept, mode)
    variant["name"] = spec["name"]
    return variant


def paging_sweeps(cases, path=CASES_FILE):
    """Return (sweep case, platforms) for each "paging_sweeps" entry of the case files."""
    sweeps = []
    for name in case_files(path):
        with open(name) as f:
            listed = json.load(f).get("paging_sweeps", {})
        for mode, specs in sorted(listed.items()):
            for spec in specs:
                sweeps.append((sweep_case(cases, mode, spec), spec["platforms"]))
    return sweeps


def find_any_case(name, paging=None):
    """The case called name: a case of the files, or CASE.MODE, a paging variant;
    with paging, that mode's variant of it."""
    cases = load_cases()
    sweeps = {case["name"]: case for case, _ in paging_sweeps(cases)}
    if name in sweeps:
        case = sweeps[name]
    elif name in [c["name"] for c in cases] or "." not in name:
        case = find_case(cases, name)
    else:
        base, _, suffix = name.rpartition(".")
        case = with_variant(find_any_case(base), suffix)
    if paging:
        case = with_paging(case, paging)
    return case


def list_tests(cases):
    """Print one line per (platform, test): platform, name, CTest timeout, images."""
    listed = ([(case, case_platforms(case)) for case in cases] + paging_variants(cases) +
              listed_variants(cases, "cpu_variants", lambda case, n: with_cpus(case, int(n))) +
              paging_sweeps(cases))
    for case, platforms in listed:
        for platform in platforms:
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


def run_test(build, platform, name, keep_dir=None, paging=None):
    """Boot test name (CASE or CASE.MODE, see with_paging) on platform with the
    build in build, with paging=paging on its guests if given; return the exit status."""
    title = "boot.%s.%s" % (platform, name + ("." + paging if paging else ""))
    try:
        with tempfile.TemporaryDirectory(prefix="skiff-disks-") as disk_dir:
            if keep_dir is not None:
                disk_dir = os.path.join(keep_dir, "disks")
                os.makedirs(disk_dir, exist_ok=True)
            raw_case = find_any_case(name, paging)
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
    parser.add_argument("--paging", choices=("nested", "shadow", "pv"),
                        help="paging=MODE on every guest that names no mode of its own")
    options = parser.parse_args(argv)
    if options.list:
        list_tests(load_cases())
        return 0
    if not (options.build and options.platform and options.test):
        parser.error("--build, --platform and --test are required")
    return run_test(options.build, options.platform, options.test, options.keep,
                    options.paging)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
