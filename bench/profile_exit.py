#!/usr/bin/env python3
"""Where one exit path spends its instructions, by hypervisor function (QEMU, svm).

Usage: profile_exit.py --build DIR NAME   (NAME: null_hypercall, puts_1, walltime, cpuid)

Boots the bench guest with only benchmark NAME under QEMU TCG with
`-d in_asm,exec,nochain` limited (-dfilter) to skiff.elf's text, so GRUB and
the guest are not logged. Each executed translation block adds its
instruction count to the function holding its first address (blocks do not
cross calls, so that is the function the instructions belong to).
Prints instructions per exit of each function: total over the run divided
by the exits NAME made (REPS x N, from bench/guest/main.c). The division
includes Skiff's boot and halt work, spread thinly; it is a profile, not a
figure, and is not part of report.json.
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

from skiff_emulators import qemu_command, run_emulator  # noqa: E402
from skiff_grub import build_iso  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

EXITS = 5 * 1000          # REPS x N of bench/guest/main.c
_TB_HEAD = re.compile(r"^IN: ")
_INSN = re.compile(r"^0x([0-9a-f]+):")
_EXEC = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")


def symbols(elf):
    """(sorted start addresses, names, text range) of elf's function symbols."""
    out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                         text=True, check=True).stdout
    starts, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            starts.append(int(parts[0], 16))
            names.append(parts[2])
    return starts, names, (starts[0], starts[-1] + 0x1000)


def profile(log_path, starts, names):
    """{function: instructions executed} from a -d in_asm,exec log."""
    size = {}
    current = None
    counts = collections.Counter()
    with open(log_path, errors="replace") as log:
        for line in log:
            if _TB_HEAD.match(line):
                current = None
                continue
            match = _INSN.match(line)
            if match:
                pc = int(match.group(1), 16)
                if current is None:
                    current = pc
                    size[current] = 0
                size[current] += 1
                continue
            match = _EXEC.match(line)
            if match:
                current = None
                pc = int(match.group(1), 16)
                i = bisect.bisect_right(starts, pc) - 1
                counts[names[i] if i >= 0 else "?"] += size.get(pc, 0)
    return counts


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("name")
    options = parser.parse_args(argv)
    elf = os.path.join(options.build, "skiff.elf")
    starts, names, (low, high) = symbols(elf)
    guest = make_guest(os.path.join(options.build, "bench", "bench_guest.elf"),
                       [options.name], mem="2M")
    with tempfile.TemporaryDirectory(prefix="skiff-profile-") as work:
        iso = build_iso(work, elf, [], [guest])
        com1, com2 = os.path.join(work, "com1"), os.path.join(work, "com2")
        log_path = os.path.join(work, "qemu.log")
        command = qemu_command(iso, com1, com2, 96, cpu="max,+svm,+npt") + [
            "-d", "in_asm,exec,nochain", "-dfilter", "0x%x..0x%x" % (low, high - 1),
            "-D", log_path]
        run_emulator(command, com2, 600, os.path.join(work, "emulator.out"))
        counts = profile(log_path, starts, names)
    total = sum(counts.values())
    print("%s: %.1f hypervisor instructions per exit (whole run / %d exits)"
          % (options.name, total / EXITS, EXITS))
    for name, count in counts.most_common(options.top):
        print("%8.1f  %s" % (count / EXITS, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
