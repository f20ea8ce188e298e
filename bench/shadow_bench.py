#!/usr/bin/env python3
"""Nested, shadow and PV paging, in instructions, with the aspaces guest (tests/guests/aspaces).

bench/shadow_bench.py [--build B] [--platforms qemu-svm,bochs-svm,bochs-vmx]
                      [--rates-platform qemu-svm] [--quick] [--chart FILE.svg]

1. Path lengths: `aspaces 4 4 bench OP` under paging=nested, shadow and pv. Under QEMU with
   `-icount shift=0,sleep=off` (and Bochs with sync=none) the TSC counts instructions, so each
   "aspaces bench: WHAT: N tsc" line is instructions per operation, the guest's own work included:
   a CR3 switch followed by one read, a page-table update (PTE write + INVLPG, twice), a page fault
   the guest handles itself, a first touch of a page; and the two switching patterns of the test
   (round robin, hot/cold) timed whole; an update followed by a read through it, twice (so each
   update finds its table page shadowed). Each operation runs alone in its own boot; its exits per
   operation are that guest's exits (Skiff's summary line) less those of `bench none` (the
   warm-up alone), divided by how many times it ran. Under pv a CR3 switch and a page-table
   update are calls (no INVLPG: an update drops stale translations itself).
2. The shadow cache's hit rate: `aspaces N 16 rr` and `aspaces N 16 hotcold` for N = 2, 4, 8, 16,
   with shadow_cache K = 1, 2, 4, 8 (four guests, one per K, in one boot), from each guest's
   "shadow cache=K cr3_loads=.. hits=.." line (the runtime's own CR3 load at start included),
   and the memory its shadows held at most (peak_tables) from the same line.
3. Large shadow leaves: `ramtest sleep-first` (16M and 64M: it sleeps first, so idle time fills
   the pool of zeroed 2 MiB frames its first touches then take) under paging=shadow: fills, of
   which 2 MiB leaves, exits, peak shadow memory; with --compare-elf OTHER also for another
   Skiff build (for example one whose large_leaf always returns 0), side by side.
4. With --chart FILE: the hit rates as an SVG bar chart (bench/shadow_chart.py: matplotlib, so
   run it with Debian's /usr/bin/python3, as bench/run.sh does).
Prints Markdown tables (docs/benchmarks.md, "Shadow paging"). Exit status 1 when a run produced
no figures.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest  # noqa: E402
from shadow_chart import write_hit_rate_svg  # noqa: E402

OPS = ["CR3 switch and one read", "page-table update (PTE write and INVLPG, twice)",
       "page fault handled by the guest", "first touch of a page (64 pages)",
       "round robin and hot/cold, whole", "page-table update and a read, twice"]


def run(build, platform, guests, timeout=600, skiff_elf=None):
    """Boot guests on platform with instruction-counting time; return Skiff's log."""
    machine = MachineOptions(icount=True) if platform == "qemu-svm" else None
    kwargs = {"machine": machine} if machine else {}
    result = boot(platform, skiff_elf or os.path.join(build, "skiff.elf"), guests,
                  timeout=timeout, **kwargs)
    return result.com2


def large_leaves(build, skiff_elf=None):
    """Return {mem: (fills, large, exits, peak KiB)} for ramtest sleep-first under shadow."""
    image = os.path.join(build, "tests", "guests", "ramtest", "ramtest.elf")
    figures = {}
    for mem in ("16M", "64M"):
        log = run(build, "qemu-svm", [make_guest(image, ["sleep-first"], name="ramtest", mem=mem,
                                                 paging="shadow")], skiff_elf=skiff_elf)
        line = re.search(r"guest ramtest: shadow .* fills=(\d+) large=(\d+) .*"
                         r"peak_tables=(\d+) KiB", log)
        exits = re.search(r"summary ramtest status=0 .*? exits=(\d+)", log)
        if line and exits:
            figures[mem] = (int(line.group(1)), int(line.group(2)), int(exits.group(1)),
                            int(line.group(3)))
    return figures


def print_large_leaves(build, compare_elf):
    """Print the large-leaf table (this build, and compare_elf's if given); False if empty."""
    columns = [("this build", large_leaves(build))]
    if compare_elf:
        columns.append((os.path.basename(compare_elf), large_leaves(build, compare_elf)))
    print("\n### 2 MiB shadow leaves: ramtest sleep-first under shadow, qemu-svm\n")
    print("| mem | Skiff | fills | of which 2 MiB | exits | peak shadow tables |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    ok = True
    for mem in ("16M", "64M"):
        for name, figures in columns:
            ok &= mem in figures
            fills, large, exits, kib = figures.get(mem, ("-",) * 4)
            print("| %s | %s | %s | %s | %s | %s KiB |" % (mem, name, fills, large, exits, kib))
    return ok


MODES = ("nested", "shadow", "pv")
# Each operation alone ("aspaces 4 4 bench OP"): its report line and how many times it ran.
RUNS = {"cr3": (OPS[0], 256), "update": (OPS[1], 256), "fault": (OPS[2], 256),
        "touch": (OPS[3], 64), "whole": (OPS[4], 1), "update-read": (OPS[5], 256)}


def total_exits(log):
    """All exits of the aspaces guest, from its summary line (0 when missing)."""
    summary = re.search(r"summary aspaces status=0 .* exits=(\d+)", log)
    return int(summary.group(1)) if summary else 0


def path_lengths(build, platform):
    """Return {mode: {op: tsc, op + " exits": exits per operation}}.

    Each operation runs alone after the warm-up; its exits per operation are the run's exits
    less those of the warm-up alone ("bench none"), divided by how many times it ran."""
    image = os.path.join(build, "tests", "guests", "aspaces", "aspaces.elf")
    figures = {}
    for mode in MODES:
        def boot_part(part):
            return run(build, platform, [make_guest(image, ["4", "4", "bench", part],
                                                    name="aspaces", paging=mode)])
        base = total_exits(boot_part("none"))
        figures[mode] = {}
        for part, (op, count) in RUNS.items():
            log = boot_part(part)
            ops = dict(re.findall(r"\[aspaces\] aspaces bench: (.+?): (\d+) tsc", log))
            exits = total_exits(log)
            if op in ops and exits and base:
                figures[mode][op] = int(ops[op])
                figures[mode][op + " exits"] = "%.2f" % ((exits - base) / count)
    return figures


def hit_rates(build, platform, spaces, patterns):
    """Return ({(pattern, n, k): (hits, loads)}, {(pattern, n, k): peak shadow KiB})."""
    image = os.path.join(build, "tests", "guests", "aspaces", "aspaces.elf")
    rates, memory = {}, {}
    for pattern in patterns:
        for n in spaces:
            guests = [make_guest(image, [str(n), "16", pattern], name="k%d" % k, paging="shadow",
                                 shadow_cache=k) for k in (1, 2, 4, 8)]
            log = run(build, platform, guests)
            for k, loads, hits, kib in re.findall(
                    r"guest k\d+: shadow cache=(\d+) cr3_loads=(\d+) hits=(\d+) .*"
                    r"peak_tables=(\d+) KiB", log):
                rates[(pattern, n, int(k))] = (int(hits), int(loads))
                memory[(pattern, n, int(k))] = int(kib)
    return rates, memory


def print_path_lengths(figures, platform):
    """Print one platform's path-length table; False when a figure is missing."""
    ok = True
    print("\n### %s: instructions (and exits) per operation (aspaces 4 4 bench OP)\n" % platform)
    print("| operation | %s |" % " | ".join(MODES))
    print("| --- |%s" % " ---: |" * len(MODES))
    for op in OPS:
        cells = []
        for mode in MODES:
            tsc, exits = figures[mode].get(op), figures[mode].get(op + " exits")
            ok &= tsc is not None
            cells.append("-" if tsc is None else "%d (%s)" % (tsc, exits))
        print("| %s | %s |" % (op, " | ".join(cells)))
    return ok


def print_table(title, spaces, cell):
    """Print a pattern x spaces x K table; cell(pattern, n, k) gives the text or None."""
    ok = True
    print("\n### %s\n" % title)
    print("| pattern | spaces | K=1 | K=2 | K=4 | K=8 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for pattern in ("rr", "hotcold"):
        for n in spaces:
            cells = [cell(pattern, n, k) for k in (1, 2, 4, 8)]
            ok &= None not in cells
            print("| %s | %d | %s |" % ("round robin" if pattern == "rr" else "hot/cold", n,
                                         " | ".join(c or "-" for c in cells)))
    return ok


def main():
    """Run both parts and print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--platforms", default="qemu-svm,bochs-svm,bochs-vmx")
    parser.add_argument("--rates-platform", default="qemu-svm",
                        help="where the hit rates are measured ('' to skip them)")
    parser.add_argument("--quick", action="store_true", help="hit rates for N = 2 and 16 only")
    parser.add_argument("--chart", metavar="FILE", help="write the hit rates as an SVG chart")
    parser.add_argument("--compare-elf", metavar="SKIFF_ELF",
                        help="also measure the large-leaf part with this Skiff build")
    parser.add_argument("--no-hit-rates", action="store_true", help="path lengths only")
    options = parser.parse_args()
    ok = True
    for platform in [p for p in options.platforms.split(",") if p]:
        ok &= print_path_lengths(path_lengths(options.build, platform), platform)
    ok &= print_large_leaves(options.build, options.compare_elf)
    if options.no_hit_rates or not options.rates_platform:
        return 0 if ok else 1
    spaces = (2, 16) if options.quick else (2, 4, 8, 16)
    rates, memory = hit_rates(options.build, options.rates_platform, spaces, ("rr", "hotcold"))

    def rate(pattern, n, k):
        hits, loads = rates.get((pattern, n, k), (0, 0))
        return "%.0f%%" % (100.0 * hits / loads) if loads else None

    def kib(pattern, n, k):
        value = memory.get((pattern, n, k))
        return None if value is None else "%d KiB" % value

    ok &= print_table("shadow cache hit rate (hits / CR3 loads), %s" % options.rates_platform,
                      spaces, rate)
    ok &= print_table("memory held by shadow tables at most (peak_tables), %s"
                      % options.rates_platform, spaces, kib)
    if options.chart:
        write_hit_rate_svg(options.chart, rates, spaces,
                           "Shadow cache hit rate (aspaces N 16, %s)" % options.rates_platform)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
