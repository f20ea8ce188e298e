#!/usr/bin/env python3
"""Eviction benchmarks per backend; writes build/bench/evict.{json,md}.

Usage: evict_bench.py --build DIR [--out DIR]

A 24 MiB machine (about 21 MiB free) with a 96 MiB swap partition runs
swaptest in a 32 MiB guest, writing 28 MiB of one kind of page and reading
it back: "compressible" pages all go to the LZ4 pool, "random" ones all to
swap. Skiff counts, in TSC ticks (executed instructions under QEMU -icount
shift=0,sleep=off and Bochs clock: sync=none), the time spent in eviction
steps (scanning and second chances included) and in restoring pages
(decompressing, or reading swap's eight sectors), and logs them at the end
(`skiff: evict: cost ...`). Figures: reclaim throughput in pages evicted
per million instructions, and instructions per page restored; a whole
fault-back adds the first-touch mapping (npf_first_touch without its
zeroing). The emulators do not count device emulation, so swap figures are
Skiff's path through the ATA driver, not a disk's latency.
Exit status 0 when every run produced its figures.
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
from skiff_gpt import make_gpt_image  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

MACHINE_MIB = 24
SWAP_SECTORS = 96 * 2048
RUNS = (("svm", "compressible", "pool"), ("svm", "random", "swap"),
        ("vmx", "compressible", "pool"), ("vmx", "random", "swap"))
COST = re.compile(r"^skiff: evict: cost evicted=(\d+) evict_ticks=(\d+) restored=(\d+) "
                  r"restore_ticks=(\d+)$", re.M)


def measure(build, backend, mode):
    """Return {figure: value} for one backend and page kind; raises RuntimeError."""
    platform, options = BACKENDS[backend]
    with tempfile.TemporaryDirectory(prefix="skiff-evict-bench-") as tmp:
        disk = os.path.join(tmp, "swap.img")
        make_gpt_image(disk, [("swap", SWAP_SECTORS)], SWAP_SECTORS + 4096)
        guest = make_guest(os.path.join(build, "tests", "guests", "swaptest", "swaptest.elf"),
                           [mode, "28"], mem="32M")
        result = boot(platform, os.path.join(build, "skiff.elf"), [guest],
                      skiff_words=["swap=gpt:swap"], timeout=900,
                      machine=MachineOptions(megabytes=MACHINE_MIB, disks=(disk,), **options))
    console = result.com1.decode("utf-8", "replace")
    match = COST.search(result.com2)
    if "SUCCESS" not in console or not match:
        raise RuntimeError("%s/%s: no figures:\n%s\n%s" % (backend, mode, console[-1000:],
                                                          result.com2[-2000:]))
    evicted, evict_ticks, restored, restore_ticks = (int(g) for g in match.groups())
    return {"pages_evicted": evicted, "pages_restored": restored,
            "evicted_per_1e6_instructions": evicted * 10**6 // max(evict_ticks, 1),
            "instructions_per_evicted_page": evict_ticks // max(evicted, 1),
            "instructions_per_restore": restore_ticks // max(restored, 1)}


FIGURES = ("pages_evicted", "evicted_per_1e6_instructions", "instructions_per_evicted_page",
           "pages_restored", "instructions_per_restore")


def markdown(report):
    """The report as a Markdown table."""
    return runs_table(report["runs"], "store", FIGURES)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True)
    parser.add_argument("--out", help="output folder (default BUILD/bench)")
    options = parser.parse_args(argv)
    out = options.out or os.path.join(options.build, "bench")
    os.makedirs(out, exist_ok=True)
    report = {"unit": "instructions (TSC ticks)", "machine_mib": MACHINE_MIB, "runs": []}
    mode_of = {(backend, store): mode for backend, mode, store in RUNS}
    cases = [{"backend": backend, "store": store} for backend, _, store in RUNS]
    status = collect_runs(report, "evict", cases, lambda case: measure(
        options.build, case["backend"], mode_of[(case["backend"], case["store"])]))
    write_report(out, "evict", report, markdown(report))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
