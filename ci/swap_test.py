#!/usr/bin/env python3
"""Boot tests of evicting guests' cold pages (hypervisor/evict/, vm/reclaim/vm_evict.c).

    swap_test.py --list   ("PLATFORM CASE CTEST-TIMEOUT IMAGE...", as boot_test.py)
    swap_test.py --build BUILD --platform PLATFORM --test CASE

Each case runs tools/skiff-run with a small emulated machine, a GPT disk
holding a partition named "swap" and Skiff's swap=gpt:swap:

  swap-overcommit  swaptest writes more data than the machine has (alternate
                   1 MiB stretches of incompressible and compressible pages),
                   reads every byte back twice and exits 0; Skiff's log shows
                   pages evicted to the compressed pool AND to swap, and
                   faulted back
  swap-secret      under the same pressure, secret holds a secret while the
                   hunter scans its own RAM: the hunter never finds it, the
                   holder's copies survive eviction
  swap-shadow      swap-overcommit with the guest shadow-paged: the eviction
                   clock reads the shadow leaves' accessed bits (second
                   chances above zero), clears them one leaf at a time (no
                   drop of every shadow), and evicted pages leave exactly
                   their shadow leaves (reclaim_drops above zero)
  swap-refused     swap=gpt:NAME refused with a precise line when the
                   partition is missing, or not whole 4 KiB slots (Skiff then
                   runs without swap); a guest whose block device overlaps
                   the swap partition is refused naming it
"""

import os
import re
import sys

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from boot_cases import image_path  # noqa: E402
from disk_test import (Failure, PLATFORM_OPTIONS, case_main, expect_in, run_case,  # noqa: E402
                       skiff_run)
from skiff_gpt import make_gpt_image  # noqa: E402

MACHINE_MIB = "24"       # emulated RAM (about 21 MiB free for guests)
SWAP_SECTORS = 96 * 2048  # a 96 MiB swap partition (sparse file)
DISK_SECTORS = SWAP_SECTORS + 4096
CASES = {"swap-overcommit": ["swaptest"], "swap-shadow": ["swaptest"],
         "swap-secret": ["secret", "swaptest"],
         "swap-refused": ["swaptest", "disk"]}
CASE_LIMIT = {"qemu-svm": 240, "bochs-svm": 420, "bochs-vmx": 420}


def swap_disk(tmp, partitions=None):
    """A GPT disk with the given (name, sectors) partitions; the path."""
    path = os.path.join(tmp, "swap.img")
    make_gpt_image(path, partitions or [("swap", SWAP_SECTORS)], DISK_SECTORS)
    return path


def expect_match(text, pattern, where):
    """Raise Failure unless the regular expression matches a line of text."""
    if not re.search(pattern, text, re.M):
        raise Failure("%s has no line matching %r:\n%s" % (where, pattern, text[-4000:]))


def case_overcommit(build, platform, tmp, paging=""):
    """More data than RAM, every byte read back; pool and swap both used."""
    out, err = skiff_run(build, platform, [
        "--disk", swap_disk(tmp), "--machine-mem", MACHINE_MIB, "--skiff-args", "swap=gpt:swap",
        "--guest", "mem=32M %s%s both" % (paging, image_path(build, "swaptest"))])
    expect_in(out, "swaptest: read back: 30 MiB checked", "the swaptest guest")
    expect_in(out, "SUCCESS", "the swaptest guest")
    expect_in(err, "skiff: swap: gpt:swap is swap: disk 0", "Skiff's log")
    # Pages went to both stores and came back; accessed bits gave second
    # chances (NPT, and EPT with A/D on: a CPU that never set them shows 0).
    expect_match(err, r"^skiff: evict swaptest to_pool=[1-9]\d* to_swap=[1-9]\d* "
                      r"faulted_back=[1-9]\d* .* second_chances=[1-9]\d*$", "Skiff's log")
    expect_match(err, r"^skiff: evict: pool stored=[1-9]\d* loaded=[1-9]\d* ", "Skiff's log")
    expect_match(err, r"^skiff: evict: swap gpt:swap written=[1-9]\d* read=[1-9]\d* errors=0 ",
                 "Skiff's log")
    expect_match(err, r"^skiff: summary swaptest status=0 reason=halt", "Skiff's log")
    return err


def case_shadow(build, platform, tmp):
    """swap-overcommit under paging=shadow: the clock uses the shadow leaves."""
    err = case_overcommit(build, platform, tmp, "paging=shadow ")
    line = re.search(r"^skiff: guest swaptest: shadow cache=4 .* zaps=(\d+) .* "
                     r"clock_used=(\d+) clock_cleared=(\d+) clock_blind=(\d+) "
                     r"rmap_cap=\d+ rmap_compacts=\d+ rmap_grows=\d+ rmap_losses=(\d+) "
                     r"rmap_drops=\d+ reclaim_drops=(\d+) reclaim_zaps=(\d+) ", err, re.M)
    if not line:
        raise Failure("no shadow line for swaptest:\n%s" % err[-3000:])
    # The figures docs/shadow-paging.md quotes, printed for whoever measures.
    for wanted in (r"^skiff: guest swaptest: shadow cache=.*$", r"^skiff: evict swaptest .*$"):
        print(re.search(wanted, err, re.M).group(0))
    zaps, used, cleared, blind, losses, drops, reclaim_zaps = (int(g) for g in line.groups())
    # The clock found pages used through the shadows and cleared their
    # leaves' bits; evictions dropped single leaves; the map never
    # overflowed (it grows with the guest), so no take fell back to a full
    # drop, and the guest's shadows were dropped whole only by its own
    # doing (paging setup), never once per clock step.
    if not (used > 0 and cleared > 0 and drops > 0):
        raise Failure("clock_used=%d clock_cleared=%d reclaim_drops=%d: each must be above 0"
                      % (used, cleared, drops))
    if blind or losses or reclaim_zaps:
        raise Failure("clock_blind=%d rmap_losses=%d reclaim_zaps=%d: each must be 0"
                      % (blind, losses, reclaim_zaps))
    if zaps > 2:
        raise Failure("zaps=%d: the shadows were dropped whole more than twice" % zaps)


def case_secret(build, platform, tmp):
    """Secret and hunter under pressure: the hunter never sees the secret."""
    out, err = skiff_run(build, platform, [
        "--disk", swap_disk(tmp), "--machine-mem", MACHINE_MIB, "--skiff-args", "swap=gpt:swap",
        "--guest", "name=holder mem=4M %s hold 3000" % image_path(build, "secret"),
        "--guest", "name=pressure mem=32M %s random 24" % image_path(build, "swaptest"),
        "--guest", "name=hunter mem=4M %s hunt" % image_path(build, "secret")],
        expect_status=1)
    expect_in(out, "[hunter] scan: 0 matches", "the hunter")
    for bad in ("LEAKED", "ESCAPED"):
        if bad in out:
            raise Failure("the hunter printed %s:\n%s" % (bad, out[-4000:]))
    expect_in(out, "[holder] secret: 5 of 5 copies intact", "the holder")
    expect_in(out, "[pressure] SUCCESS", "the pressure guest")
    expect_in(err, "guest hunter: ended by skiff: nested page fault: read at gpa 0x400000, "
                   "outside its RAM", "Skiff's log")
    expect_match(err, r"^skiff: summary holder status=0 reason=halt", "Skiff's log")
    # The holder's pages (its secret among them) really went away and came back.
    match = re.search(r"^skiff: evict holder to_pool=(\d+) to_swap=(\d+) faulted_back=(\d+)",
                      err, re.M)
    if not match or int(match.group(1)) + int(match.group(2)) == 0 or int(match.group(3)) == 0:
        raise Failure("the holder's pages were not evicted and faulted back:\n%s" % err[-3000:])
    expect_match(err, r"^skiff: evict pressure to_pool=\d+ to_swap=[1-9]\d* ", "Skiff's log")


def case_refused(build, platform, tmp):
    """Missing and odd-sized partitions refused; a guest overlapping swap refused."""
    small = "%s compressible 1" % image_path(build, "swaptest")
    disk = swap_disk(tmp, [("swap", 2048), ("odd", 9)])
    _, err = skiff_run(build, platform, ["--disk", disk, "--skiff-args", "swap=gpt:nosuch",
                                         "--guest", small])
    expect_match(err, r"^skiff: swap: swap=gpt:nosuch refused: no GPT partition is named "
                      r"'nosuch'.*; running without swap$", "Skiff's log")
    _, err = skiff_run(build, platform, ["--disk", disk, "--skiff-args", "swap=gpt:odd",
                                         "--guest", small])
    expect_in(err, "skiff: swap: swap=gpt:odd refused: it holds 9 sectors (4608 bytes), not a "
                   "whole number of 4096-byte slots; running without swap", "Skiff's log")
    _, err = skiff_run(build, platform, [
        "--disk", disk, "--skiff-args", "swap=gpt:swap",
        "--guest", "name=thief block.storage=gpt:swap %s own 1 0 1" % image_path(build, "disk"),
        "--guest", small], expect_status=1)
    expect_in(err, "skiff: swap: gpt:swap is swap: disk 0 sectors 2048..4095, 256 slots of 4 KiB",
              "Skiff's log")
    expect_match(err, r"^skiff: guest thief: refused: block\.storage=gpt:swap: .*which backs "
                      r"guest swap$", "Skiff's log")
    expect_match(err, r"^skiff: summary swaptest status=0 reason=halt", "Skiff's log")


RUNNERS = {"swap-overcommit": case_overcommit, "swap-shadow": case_shadow,
           "swap-secret": case_secret,
           "swap-refused": case_refused}


# The swap path is vendor-neutral: QEMU runs every case on SVM; Bochs runs
# swap-shadow on VMX, in place of the overcommit case there (the same run
# with the guest shadow-paged: the time it adds is qemu-svm's alone); EPT's
# accessed bits still give second chances in mem_compressed_summary on
# bochs-vmx, which checks them. More would add a minute to the suite's time.
# Bochs's AMD model left out for time (the shadow code is vendor-neutral and
# QEMU runs SVM).
SWAP_PLATFORMS = {"swap-overcommit": ("qemu-svm",),
                  "swap-shadow": ("qemu-svm", "bochs-vmx"), "swap-secret": ("qemu-svm",),
                  "swap-refused": ("qemu-svm",)}


def list_tests():
    """Print one line per case and platform for CMake."""
    for name, images in CASES.items():
        for platform in SWAP_PLATFORMS[name]:
            print("%s %s %d %s" % (platform, name, CASE_LIMIT[platform], " ".join(images)))


def run_test(build, platform, name):
    """Run one case; print the verdict; return the exit status."""
    return run_case(build, platform, name, RUNNERS, "skiff-swap-")


def main(argv):
    """Parse the command line and list or run a case; return the exit status."""
    return case_main(argv, __doc__, RUNNERS, list_tests, run_test)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
