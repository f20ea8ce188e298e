#!/usr/bin/env python3
"""Block-path benchmarks per disk driver and backend; writes build/bench/disk.{json,md}.

Usage: disk_bench.py --build DIR [--out DIR] [--blocks N]

The disk guest (tests/guests/disk, mode `bench N`) is given a 4 MiB file
attached as a disk and measures, in TSC ticks, which are executed
instructions under QEMU -icount shift=0,sleep=off and Bochs clock:
sync=none: one BLOCK_READ and one BLOCK_WRITE round trip through the
hypercall path to the device (a write includes its cache flush), and N
blocks read and written sequentially and at pseudo-random offsets, as
blocks per 10^9 instructions. The emulators do not count their own device
emulation, so the figures are Skiff's path plus the guest's, not a
device's latency. Drivers: IDE on both backends, virtio-blk on svm (QEMU;
Bochs has no virtio). Exit status 0 when every run produced its figures.
"""

import argparse
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
sys.path.insert(0, HERE)

from run_bench import BACKENDS  # noqa: E402
from bench_report import runs_table  # noqa: E402
from bench_runs import collect_runs, write_report  # noqa: E402
from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest, parse_block_option  # noqa: E402

RUNS = (("svm", "ide"), ("svm", "virtio"), ("vmx", "ide"))
DISK_BYTES = 4 << 20
FIGURES = ("read_round_trip", "write_round_trip", "seq_read_blocks_per_1e9",
           "seq_write_blocks_per_1e9", "random_read_blocks_per_1e9",
           "random_write_blocks_per_1e9")
LINE = re.compile(r"^bench: (\w+) (\d+)", re.M)


def measure(build, backend, interface, blocks):
    """Return {figure: value} for one backend and driver; raises RuntimeError."""
    platform, options = BACKENDS[backend]
    with tempfile.TemporaryDirectory(prefix="skiff-disk-bench-") as tmp:
        disk = os.path.join(tmp, "bench.img")
        with open(disk, "wb") as f:
            f.truncate(DISK_BYTES)
        guest = make_guest(os.path.join(build, "tests", "guests", "disk", "disk.elf"),
                           ["bench", str(blocks)], blocks=[parse_block_option("storage=" + disk)])
        result = boot(platform, os.path.join(build, "skiff.elf"), [guest], timeout=900,
                      machine=MachineOptions(disk_interface=interface, **options))
    console = result.com1.decode("utf-8", "replace")
    if "bench: done" not in console:
        raise RuntimeError("%s/%s: no figures:\n%s\n%s" % (backend, interface, console[-1000:],
                                                          result.com2[-2000:]))
    return {name: int(value) for name, value in LINE.findall(console) if name in FIGURES}


def markdown(report):
    """The report as a Markdown table."""
    return runs_table(report["runs"], "driver", FIGURES)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True)
    parser.add_argument("--out", help="output folder (default BUILD/bench)")
    parser.add_argument("--blocks", type=int, default=256, help="blocks per pattern run")
    options = parser.parse_args(argv)
    out = options.out or os.path.join(options.build, "bench")
    os.makedirs(out, exist_ok=True)
    report = {"blocks": options.blocks, "unit": "instructions (TSC ticks)", "runs": []}
    cases = [{"backend": backend, "driver": interface} for backend, interface in RUNS]
    status = collect_runs(report, "disk", cases, lambda case: measure(
        options.build, case["backend"], case["driver"], options.blocks))
    write_report(out, "disk", report, markdown(report))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
