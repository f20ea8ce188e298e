#!/usr/bin/env python3
"""Memory benchmarks of free-page reporting and read-only sharing.

Usage: mem_bench.py --build DIR [--out DIR] [--only free_report,clones,sharing]
                    [--backend svm|vmx]

Writes DIR/bench/mem.{json,md} (default: the build directory), per backend,
and adds clone_to_first_insn and clone_to_first_insn_pool_empty to
DIR/bench/report.json when it exists (bench/run_bench.py writes it first):

- free_report_pages_per_minsn: 4 KiB pages a guest gets back per million
  instructions of Skiff call 0x581 (freereport bench: 16 MiB written, then
  reported in calls of 4096 pages; best of three), counted by the guest's
  TSC, which follows executed instructions under QEMU -icount and Bochs
  sync=none. The guest's own loop around the call is included (small).
- sharing_saved_kib_<N>_hello: what N hello guests (mem=32M) saved by
  sharing their read-only segments, from Skiff's "memory sharing" line,
  with the shared frames and the guest pages they backed.
- clone_to_first_insn: instructions from Skiff's decision to start a clone
  (decided_tsc of the clone's memory line, read in vm_clone_start) to its first
  instruction after its SNAPSHOT call (the clonetest guest's RDTSC there),
  clone=1 of a 16 MiB guest that wrote 1 MiB before the snapshot. Both
  TSCs follow executed instructions (QEMU -icount, Bochs sync=none).
- clone_to_first_insn_pool_empty: the same with Skiff's 4 KiB zeroed
  pool empty (selftest=dirty-ram: every free frame taken, dirtied and
  freed before any guest; no idle time before the clone), as in a burst
  of clones: each page the clone needs is zeroed on its path.
- max_clones_1g: clones of that appliance (clone=N, mem=16M each, each
  staying 20 ms so they coexist) that started and exited 0 in a 1 GiB
  machine. N (--max-clones, default 16,319) is one less than the guests
  Skiff can hold (one address window each, hypervisor/mem/host_window.h),
  far more than fit: memory is what stops them; details give how many
  could not be built or ran out of memory, and the memory one clone took.

- max_hello_1g_asked_<N>: hello guests (mem=32M, one module count=N,
  --hello-count, default 8,000) that started in a 1 GiB machine, as
  run_bench.py's max_hello_1g (which asks for 1,000 only), with the first
  refusal's reason in details.

--only takes free_report, clones (both clone figures), clone_first,
max_clones, max_hello and sharing (default: free_report,clones,sharing).
Exit status 0 when every run produced its figures.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)

import bench_report  # noqa: E402
import run_bench  # noqa: E402
from run_bench import BACKENDS, log, run_boot  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

HELLO_COUNTS = (1, 10, 100)
MAX_CLONES = 16319
MAX_HELLO = 8000
DECIDED_RE = re.compile(r"skiff: memory clonetest\.1 clone=1 .* decided_tsc=(\d+)")
FIRST_RE = re.compile(r"\[clonetest\.1\] clonetest: clone number 1 first_insn_tsc=(\d+)")
DIRTIED_RE = re.compile(r"skiff: selftest: [1-9][0-9]* free frames filled with a marker")
CLONE_OK_RE = re.compile(r"skiff: summary clonetest\.\d+ status=0 reason=halt")
CLONE_MEM_RE = re.compile(r"skiff: memory clonetest\.\d+ resident=\d+ KiB peak=(\d+) KiB")
CLONE_OOM_RE = re.compile(r"skiff: guest clonetest\.\d+: ended by skiff: out of memory")
CLONE_UNBUILT_RE = re.compile(r"skiff: guest clonetest\.\d+: (refused|ended by skiff: clone \d+ of)")
REPORT_RE = re.compile(r"bench: free_report pages=(\d+) tsc=(\d+)")
SHARING_RE = re.compile(r"skiff: memory sharing: peak (\d+) KiB in shared frames backing "
                        r"(\d+) KiB of guest pages \(saved (\d+) KiB\)")


def free_report(backend, build):
    """(pages per million instructions, details) of one backend."""
    image = os.path.join(build, "tests", "guests", "freereport", "freereport.elf")
    result = run_boot(backend, os.path.join(build, "skiff.elf"),
                      [make_guest(image, args=["bench"], mem="64M")])
    found = REPORT_RE.search(result.com1.decode("utf-8", "replace"))
    if not found:
        raise RuntimeError("%s: no free_report line" % backend)
    pages, tsc = int(found.group(1)), int(found.group(2))
    return round(pages * 1e6 / tsc), {"pages": pages, "instructions": tsc}


def sharing(backend, build, count):
    """(saved KiB, details) of count hello guests."""
    hello = os.path.join(build, "examples", "hello", "hello.elf")
    result = run_boot(backend, os.path.join(build, "skiff.elf"),
                      [make_guest(hello, mem="32M", count=count)], 1024)
    found = SHARING_RE.search(result.com2)
    if not found:
        raise RuntimeError("%s: no memory sharing line" % backend)
    frames, backed, saved = (int(g) for g in found.groups())
    return saved, {"guests": count, "shared_frames_kib": frames, "guest_pages_kib": backed}


def clonetest_image(build):
    return os.path.join(build, "tests", "guests", "clonetest", "clonetest.elf")


def clone_to_first_insn(backend, build, pool_empty=False):
    """(instructions, details) from the decision to start clone 1 to its first instruction.

    pool_empty: with selftest=dirty-ram, which takes every free frame (the
    4 KiB zeroed pool's too) and frees it dirty before any guest, so the
    clone zeroes every page of its own itself, as in a burst of clones.
    """
    words = ["selftest=dirty-ram"] if pool_empty else []
    result = run_boot(backend, os.path.join(build, "skiff.elf"),
                      [make_guest(clonetest_image(build), args=["bench"], mem="16M", clone=1)],
                      words=words)
    decided, first = DECIDED_RE.search(result.com2), FIRST_RE.search(result.com2)
    if not decided or not first:
        raise RuntimeError("%s: no clone start or first-instruction line" % backend)
    if pool_empty and not DIRTIED_RE.search(result.com2):
        raise RuntimeError("%s: no selftest line: the pool was not emptied" % backend)
    return int(first.group(1)) - int(decided.group(1)), {
        "decided_tsc": int(decided.group(1)), "first_insn_tsc": int(first.group(1)),
        "skiff_words": words}


NOT_STARTED_RE = re.compile(r"skiff: guest clonetest: clones (\d+) to \d+ not started: (\d+) KiB free")


def max_clones(backend, build, asked, out):
    """(clones that ran to status 0, details) of clone=asked in a 1 GiB machine."""
    result = run_boot(backend, os.path.join(build, "skiff.elf"),
                      [make_guest(clonetest_image(build), args=["bench"], mem="16M",
                                  clone=asked)], 1024)
    with open(os.path.join(out, "max_clones_%s.log" % backend), "w") as f:
        f.write(result.com2)
    stopped = NOT_STARTED_RE.search(result.com2)
    ok = len(CLONE_OK_RE.findall(result.com2))   # NAME.k only: not the snapshotted guest
    peaks = [int(p) for p in CLONE_MEM_RE.findall(result.com2)]
    return ok, {"asked": asked, "machine_mib": 1024,
                "out_of_memory": len(CLONE_OOM_RE.findall(result.com2)),
                "not_built": len(CLONE_UNBUILT_RE.findall(result.com2)),
                "first_not_started": int(stopped.group(1)) if stopped else None,
                "clone_peak_kib_max": max(peaks) if peaks else None}


def max_hello(backend, build, asked):
    """(hello guests started, details) of count=asked in a 1 GiB machine."""
    hello = os.path.join(build, "examples", "hello", "hello.elf")
    result = run_boot(backend, os.path.join(build, "skiff.elf"),
                      [make_guest(hello, mem="32M", count=asked)], 1024)
    started, refused = bench_report.count_started(result.com2)
    first_refusal = next((why for why in result.log.refused.values()), None)
    return started, {"asked": asked, "refused": refused, "machine_mib": 1024,
                     "first_refusal": first_refusal}


REPORT_FIGURES = ("clone_to_first_insn", "clone_to_first_insn_pool_empty")


def merge_report(out, report):
    """Add the clone figures to OUT/report.json (bench/run_bench.py's) when it exists."""
    path = os.path.join(out, "report.json")
    if not os.path.isfile(path):
        return
    with open(path) as f:
        merged = json.load(f)
    for backend in BACKENDS:
        for name in REPORT_FIGURES:
            if name in report["figures"][backend]:
                merged.setdefault("figures", {}).setdefault(backend, {})[name] = \
                    report["figures"][backend][name]
    with open(path, "w") as f:
        f.write(json.dumps(merged, indent=2, sort_keys=True) + "\n")   # as bench_report.dumps


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--out")
    parser.add_argument("--only", default="free_report,clones,sharing",
                        help="groups of figures to measure (comma-separated)")
    parser.add_argument("--backend", action="append", choices=sorted(BACKENDS),
                        help="measure on this backend only (repeatable; default both)")
    parser.add_argument("--max-clones", type=int, default=MAX_CLONES,
                        help="clones max_clones_1g asks for (default %(default)s)")
    parser.add_argument("--hello-count", type=int, default=MAX_HELLO,
                        help="hello guests max_hello asks for (default %(default)s)")
    parser.add_argument("--timeout", type=int, default=run_bench.BOOT_TIMEOUT,
                        help="seconds each boot may take (default %(default)s)")
    args = parser.parse_args(argv)
    run_bench.BOOT_TIMEOUT = args.timeout
    only = set(args.only.split(","))
    out = os.path.join(args.out or args.build, "bench")
    os.makedirs(out, exist_ok=True)
    report = {"figures": {}, "details": {}}
    status = 0
    backends = args.backend or list(BACKENDS)
    for backend in BACKENDS:
        figures, details = {}, {}
        if backend not in backends:
            report["figures"][backend], report["details"][backend] = figures, details
            continue
        try:
            if "free_report" in only:
                log("%s: free-page reporting" % backend)
                figures["free_report_pages_per_minsn"], details["free_report"] = free_report(backend, args.build)
            if only & {"clones", "clone_first"}:
                log("%s: clone_to_first_insn" % backend)
                figures["clone_to_first_insn"], details["clone_to_first_insn"] = clone_to_first_insn(backend, args.build)
                log("%s: clone_to_first_insn_pool_empty" % backend)
                name = "clone_to_first_insn_pool_empty"
                figures[name], details[name] = clone_to_first_insn(backend, args.build, pool_empty=True)
            if only & {"clones", "max_clones"}:
                log("%s: max_clones_1g (%d asked)" % (backend, args.max_clones))
                figures["max_clones_1g"], details["max_clones_1g"] = max_clones(backend, args.build,
                                                                                args.max_clones, out)
            if "max_hello" in only:
                log("%s: max_hello_1g (%d asked)" % (backend, args.hello_count))
                name = "max_hello_1g_asked_%d" % args.hello_count
                figures[name], details[name] = max_hello(backend, args.build, args.hello_count)
            for count in (HELLO_COUNTS if "sharing" in only else ()):
                log("%s: sharing, %d hello" % (backend, count))
                name = "sharing_saved_kib_%d_hello" % count
                figures[name], details[name] = sharing(backend, args.build, count)
        except RuntimeError as err:
            log(str(err))
            status = 1
        report["figures"][backend] = figures
        report["details"][backend] = details
    with open(os.path.join(out, "mem.json"), "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    with open(os.path.join(out, "mem.md"), "w") as f:
        f.write("| figure | %s |\n| --- | %s |\n" % (" | ".join(BACKENDS), " | ".join("---" for _ in BACKENDS)))
        names = sorted({n for b in BACKENDS for n in report["figures"][b]})
        for name in names:
            f.write("| %s | %s |\n" % (name, " | ".join(
                str(report["figures"][b].get(name, "-")) for b in BACKENDS)))
    merge_report(out, report)
    print(json.dumps(report["figures"], indent=2, sort_keys=True))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
