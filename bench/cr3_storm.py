#!/usr/bin/env python3
"""CR3 storms under nested, shadow and pv paging, counted in instructions.

bench/cr3_storm.py [--build B] [--platforms qemu-svm,bochs-svm,bochs-vmx] [--seconds 1]

`aspaces 2 SECONDS storm` switches CR3 between two spaces (under pv with the CR3
call) as fast as it can for SECONDS of guest time or 10^6 switches. Under QEMU
with `-icount shift=0,sleep=off` and Bochs with sync=none the TSC counts the
whole machine's instructions (Skiff's and every guest's), so the guest's line
"N switches in .. ms, T TSC ticks: R per 10^6 ticks" is switches per 10^6
instructions. Each mode runs once alone, then all three storms together beside
a sleeper and hello, as in the boot case aspaces_hostile_more: there each
storm's rate is its share of the machine, and the storms' summary lines say
how many time slices each used up (Skiff kept rotating them). Prints a Markdown
table (docs/shadow-paging.md, "CR3 storms"). Exit status 1 when a run produced
no figures.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

MODES = ("nested", "shadow", "pv")
STORM = re.compile(r"\[storm-(\w+)\] aspaces: CR3 storm: (\d+) switches in \d+ ms, (\d+) TSC "
                   r"ticks: (\d+) per 10\^6 ticks")


def run(build, platform, guests, timeout=900):
    """Boot guests with instruction-counting time; return Skiff's log (each guest's
    lines in it behind [NAME])."""
    machine = MachineOptions(icount=True) if platform == "qemu-svm" else None
    kwargs = {"machine": machine} if machine else {}
    return boot(platform, os.path.join(build, "skiff.elf"), guests, timeout=timeout,
                **kwargs).com2


def storm_guest(build, mode, seconds):
    """The storming aspaces guest in mode."""
    image = os.path.join(build, "tests", "guests", "aspaces", "aspaces.elf")
    return make_guest(image, ["2", str(seconds), "storm"], name="storm-" + mode, paging=mode)


def figures(log):
    """{mode: (switches, ticks, per 10^6, slices)} from one boot's log."""
    found = {}
    for mode, switches, ticks, rate in STORM.findall(log):
        slices = re.search(r"summary storm-%s status=0 \S+ slices=(\d+)" % mode, log)
        found[mode] = (int(switches), int(ticks), int(rate),
                       int(slices.group(1)) if slices else None)
    return found


def measure(build, platform, seconds):
    """{(mode, "alone" or "together"): figures} on platform."""
    table = {}
    for mode in MODES:
        for got_mode, row in figures(run(build, platform,
                                         [storm_guest(build, mode, seconds)])).items():
            table[(got_mode, "alone")] = row
    neighbours = [make_guest(os.path.join(build, "tests", "guests", "sleeper", "sleeper.elf"),
                             ["10", "20"], mem="2M"),
                  make_guest(os.path.join(build, "examples", "hello", "hello.elf"))]
    log = run(build, platform, [storm_guest(build, m, seconds) for m in MODES] + neighbours)
    for got_mode, row in figures(log).items():
        table[(got_mode, "together")] = row
    table["neighbours ok"] = ("[sleeper] sleeper: tick 10" in log and
                              "[hello] Hello from Skiff!" in log and
                              len(re.findall(r"summary \S+ status=0 ", log)) == len(MODES) + 2)
    return table


def main():
    """Measure and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--platforms", default="qemu-svm,bochs-svm,bochs-vmx")
    parser.add_argument("--seconds", type=int, default=1)
    options = parser.parse_args()
    print("| platform | mode | alone: switches per 10^6 instructions | together: per 10^6 "
          "| together: switches | together: slices used up | neighbours finished |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ok = True
    for platform in [p for p in options.platforms.split(",") if p]:
        table = measure(options.build, platform, options.seconds)
        for mode in MODES:
            alone, together = table.get((mode, "alone")), table.get((mode, "together"))
            ok &= bool(alone and together)
            print("| %s | %s | %s | %s | %s | %s | %s |" % (
                platform, mode, alone[2] if alone else "-", together[2] if together else "-",
                together[0] if together else "-", together[3] if together else "-",
                "yes" if table["neighbours ok"] else "NO"))
        ok &= table["neighbours ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
