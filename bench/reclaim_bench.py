#!/usr/bin/env python3
"""Reclaim throughput per kind and backend; writes build/bench/reclaim.{json,md}.

Usage: reclaim_bench.py --build DIR [--out DIR] [--backend svm|vmx]

Skiff takes frames back from guests cheapest first (docs/memory.md,
"Reclaim under pressure"): all-zero pages, pages the guest reported free,
guests' own copies of their image's read-only pages merged into one
shared frame, and cold pages compressed into the LZ4 pool or written to
swap. It counts, per kind, the pages freed and the TSC ticks its steps
took (executed instructions under QEMU -icount shift=0,sleep=off and Bochs
clock: sync=none; unsuccessful scanning included), and logs them at the
end (`skiff: reclaim: cost zero=N zero_ticks=T reported=...`). Figures:
pages per million instructions of each kind.

Two boots per backend, in a machine too small for its guests:
- "mixed" (no swap, 30 MiB, the guests of boot test mem_compressed_summary):
  swaptest writing 18 MiB of compressible pages beside a ramtest holding
  12 MiB of data, a second ramtest reading 6 MiB of zeros and holding
  them 20 s (zero pages;
  both ramtests print strings of their read-only data, which a hypercall
  turns into private copies: merged back under pressure) and freereport
  freeing and reporting 8 MiB twice;
- "swap": swaptest writing incompressible pages, which go to a 96 MiB swap
  partition.
Reported pages are taken back by the report's hypercall itself, not by a
step under pressure (vm_free_report.c): their figure is that call's cost.
The emulators do not count device emulation, so the swap figure is
Skiff's path through the ATA driver, not a disk's latency.
The figures go to DIR/bench/reclaim.{json,md} and, when run_bench.py's
report.json is there (bench/run.sh runs it first), into it as "reclaim".
Exit status 0 when every run produced its figures.
"""

import argparse
import json
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
sys.path.insert(0, HERE)

from run_bench import BACKENDS  # noqa: E402
from bench_report import dumps, runs_table  # noqa: E402
from bench_runs import collect_runs, write_report  # noqa: E402
from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_gpt import make_gpt_image  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

KINDS = ("zero", "reported", "shared", "compressed", "swapped")
COST = re.compile(r"^skiff: reclaim: cost " +
                  " ".join(r"%s=(\d+) %s_ticks=(\d+)" % (k, k) for k in KINDS) + "$", re.M)
SWAP_SECTORS = 96 * 2048
# run -> (machine MiB, swap?, guests as (image, args, name, mem))
RUNS = {
    "mixed": (30, False, (
        ("swaptest", ["compressible", "18"], "squeezed", "20M"),
        ("ramtest", ["hold"], "holder", "12M"),
        ("ramtest", ["zero-only", "20000"], "zreader", "6M"),
        ("freereport", ["reclaim"], "reporter", "16M"),
    )),
    "swap": (24, True, (
        ("swaptest", ["random", "28"], "swapper", "32M"),
    )),
}


def guest_elf(build, image):
    return os.path.join(build, "tests", "guests", image, image + ".elf")


def measure(build, backend, run):
    """Return {kind: (pages, ticks)} for one boot; raises RuntimeError."""
    platform, options = BACKENDS[backend]
    megabytes, swap, specs = RUNS[run]
    guests = [make_guest(guest_elf(build, image), args, name=name, mem=mem)
              for image, args, name, mem in specs]
    with tempfile.TemporaryDirectory(prefix="skiff-reclaim-bench-") as tmp:
        disks, words = (), []
        if swap:
            disk = os.path.join(tmp, "swap.img")
            make_gpt_image(disk, [("swap", SWAP_SECTORS)], SWAP_SECTORS + 4096)
            disks, words = (disk,), ["swap=gpt:swap"]
        result = boot(platform, os.path.join(build, "skiff.elf"), guests,
                      skiff_words=words, timeout=900,
                      machine=MachineOptions(megabytes=megabytes, disks=disks, **options))
    console = result.com1.decode("utf-8", "replace")
    match = COST.search(result.com2)
    if console.count("SUCCESS") != len(specs) or not match:
        raise RuntimeError("%s/%s: no figures:\n%s\n%s" % (backend, run, console[-1000:],
                                                          result.com2[-2000:]))
    values = [int(g) for g in match.groups()]
    return {kind: (values[2 * i], values[2 * i + 1]) for i, kind in enumerate(KINDS)}


def figures_of(costs):
    """Per kind: pages, and pages per 10^6 instructions (0 when it took none)."""
    figures = {}
    for kind in KINDS:
        pages, ticks = costs[kind]
        figures["%s_pages" % kind] = pages
        figures["%s_per_1e6_instructions" % kind] = (
            pages * 10**6 // max(ticks, 1) if pages else 0)
    return figures


FIGURES = tuple(f for k in KINDS for f in ("%s_pages" % k, "%s_per_1e6_instructions" % k))


def markdown(report):
    """The report as a Markdown table."""
    return runs_table(report["runs"], "run", FIGURES)


def add_to_main_report(out, report):
    """Put the figures into out/report.json (run_bench.py's) under "reclaim", when it exists."""
    path = os.path.join(out, "report.json")
    if not os.path.exists(path) or not report["runs"]:
        return
    with open(path) as f:
        main_report = json.load(f)
    main_report["reclaim"] = report
    with open(path, "w") as f:
        f.write(dumps(main_report))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True)
    parser.add_argument("--out", help="output folder (default BUILD/bench)")
    parser.add_argument("--backend", choices=sorted(BACKENDS), action="append",
                        help="only this backend (repeatable; default both)")
    parser.add_argument("--run", choices=sorted(RUNS), action="append",
                        help="only this run (repeatable; default both)")
    options = parser.parse_args(argv)
    out = options.out or os.path.join(options.build, "bench")
    os.makedirs(out, exist_ok=True)
    report = {"unit": "pages per 10^6 instructions (TSC ticks)", "runs": []}
    cases = [{"backend": backend, "run": run}
             for backend in options.backend or ("svm", "vmx")
             for run in options.run or ("mixed", "swap")]
    status = collect_runs(report, "reclaim", cases, lambda case: figures_of(
        measure(options.build, case["backend"], case["run"])))
    write_report(out, "reclaim", report, markdown(report))
    add_to_main_report(out, report)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
