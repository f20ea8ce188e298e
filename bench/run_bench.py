#!/usr/bin/env python3
"""Run Skiff's benchmarks and write build/bench/report.{json,md,png}.

Usage: run_bench.py --build DIR [--runs N] [--out DIR]

Each run measures everything once: the bench guest on both backends (exit
round trips, boot, overhead), the most 32 MiB hello guests in 256 MiB and
1 GiB of machine memory, and the nested-paging engine under callgrind.
With --runs 2 (run.sh's default) the whole set is measured twice and the
report says whether the figures were identical; the first run's figures
are reported. Exit status 0 when every measurement produced its lines
(targets missed or not), 1 when a run failed.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, HERE)

import bench_report  # noqa: E402
from skiff_emulators import BOCHS_CPU, MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

# backend -> (skiff_emulators platform, machine options). QEMU counts
# instructions as time (icount); Bochs with clock: sync=none already does.
QEMU_CPU = "max,+svm,+npt"
BACKENDS = {
    "svm": ("qemu-svm", dict(qemu_cpu=QEMU_CPU, icount=True)),
    "vmx": ("bochs-vmx", dict()),
}
BENCH_GUEST = "bench_guest"
HELLO_COUNT = 1000
MEMORY_RUNS = (("max_hello_256m", 256), ("max_hello_1g", 1024))
HOST_COUNTS = (512, 1024)   # two op counts: the fixed cost cancels
BOOT_TIMEOUT = 600


def log(text):
    """Progress on standard error (standard output stays free)."""
    print("bench: " + text, file=sys.stderr, flush=True)


def run_boot(backend, hypervisor, guests, megabytes=None, cpus=None, words=()):
    """Boot guests on backend; return the BootResult, raising when Skiff did not finish.

    cpus: processors of the machine, all started by Skiff (cpus=N); None: one.
    words: more words of Skiff's command line (e.g. selftest=dirty-ram).
    """
    platform, options = BACKENDS[backend]
    result = boot(platform, hypervisor, guests, timeout=BOOT_TIMEOUT,
                  skiff_words=(["cpus=%d" % cpus] if cpus else []) + list(words),
                  machine=MachineOptions(megabytes=megabytes, cpus=cpus, **options))
    if result.timed_out or result.log.final_status is None:
        raise RuntimeError("%s run did not finish (status %d):\n%s" % (
            backend, result.status, result.com2[-2000:]))
    return result


def measure_backend(backend, build):
    """(figures, reasons, details) of one backend."""
    hypervisor = os.path.join(build, "skiff.elf")
    # 32 MiB: the size boot_to_main's target names; RAM comes on first touch.
    guest = make_guest(os.path.join(build, "bench", BENCH_GUEST + ".elf"), mem="32M")
    log("%s: bench guest" % backend)
    result = run_boot(backend, hypervisor, [guest])
    figures, reasons, details = bench_report.guest_figures(
        BENCH_GUEST, result.com1.decode("utf-8", "replace"), result.com2)
    log("%s: bench guest on an AP" % backend)
    guest = make_guest(os.path.join(build, "bench", BENCH_GUEST + ".elf"), mem="32M", cpu=1)
    result = run_boot(backend, hypervisor, [guest], cpus=2)
    figures.update(bench_report.ap_exit_figures(
        BENCH_GUEST, result.com1.decode("utf-8", "replace"), result.com2))
    hello = os.path.join(build, "examples", "hello", "hello.elf")
    for name, megabytes in MEMORY_RUNS:
        log("%s: %d x 32 MiB hello in %d MiB" % (backend, HELLO_COUNT, megabytes))
        guests = [make_guest(hello, mem="32M", count=HELLO_COUNT)]
        result = run_boot(backend, hypervisor, guests, megabytes)
        started, refused = bench_report.count_started(result.com2)
        figures[name] = started
        first_refusal = next((why for why in result.log.refused.values()), None)
        details[name] = {"started": started, "refused": refused,
                         "machine_mib": megabytes, "first_refusal": first_refusal}
    return figures, reasons, details


def measure_host(build):
    """figures.host: callgrind instructions per nested-paging operation."""
    program = os.path.join(build, "bench", "np_ops")
    host = {}
    with tempfile.TemporaryDirectory(prefix="skiff-bench-") as work:
        for fmt in bench_report.HOST_FORMATS:
            host[fmt] = {}
            for op in bench_report.HOST_OPS:
                totals = []
                for n in HOST_COUNTS:
                    out = os.path.join(work, "callgrind.%s.%s.%d" % (fmt, op, n))
                    subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=measure_phase",
                                    "--callgrind-out-file=" + out, program, fmt, op, str(n)],
                                   check=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    with open(out) as f:
                        totals.append(bench_report.callgrind_total(f.read()))
                host[fmt][op] = bench_report.per_op(totals[0], HOST_COUNTS[0],
                                                    totals[1], HOST_COUNTS[1])
    return host


def measure_all(build):
    """One complete measurement: (figures, reasons, details)."""
    figures, reasons, details = {}, {}, {}
    for backend in BACKENDS:
        f, r, d = measure_backend(backend, build)
        figures[backend] = f
        details[backend] = d
        reasons.update({"%s.%s" % (backend, k): v for k, v in r.items()})
    log("host: callgrind")
    figures["host"] = measure_host(build)
    return figures, reasons, details


def first_line(command):
    """The first line a command prints (standard output or error), or '?'."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "?"


def setup_details():
    """Where and how the figures were measured."""
    def package(name):
        return first_line(["dpkg-query", "-W", "-f", "${Version}", name])
    status = subprocess.run(["git", "-C", REPO, "status", "--porcelain"],
                            capture_output=True, text=True).stdout
    return {
        "commit": first_line(["git", "-C", REPO, "rev-parse", "HEAD"]),
        "uncommitted_changes": bool(status.strip()),
        "qemu": first_line(["qemu-system-x86_64", "--version"]),
        "qemu_options": "-cpu %s -icount shift=0,sleep=off" % QEMU_CPU,
        "bochs": "bochs " + package("bochs"),
        "bochs_options": "cpu: model=%s; clock: sync=none, time0=1700000000"
                         % BOCHS_CPU["bochs-vmx"],
        "valgrind": first_line(["valgrind", "--version"]),
        "gcc": first_line(["gcc", "--version"]),
        "exit_loops": "N=1000 iterations, min of 5 repetitions, minus the same loop "
                      "without the exiting instruction",
        "bench_guest_mem": "2M (one guest: VMs are entered only after all are built)",
        "memory_runs": "%d x hello mem=2M; machine memory %s MiB" % (
            HELLO_COUNT, " and ".join(str(m) for _, m in MEMORY_RUNS)),
        "host_counts": list(HOST_COUNTS),
    }


NOTES = [
    "Exit figures are instructions per round trip as the guest's TSC sees them: the "
    "hypervisor's software path plus a constant (VMRUN/VMRESUME counts 1; the world "
    "switch itself and nested page walks count 0). They are path lengths, not hardware time.",
    "boot_to_first_insn and boot_to_main count from the start of vm_create to the guest's "
    "first instruction / the first instruction of main, excluding boot_zeroing (the memset "
    "of guest RAM, reported alone); details.<backend> has the totals with zeroing.",
    "*_ap: the same exit figures with two CPUs started and the bench guest placed on the "
    "second (cpu=1).",
    "vm_overhead_bytes: frames the VM took beyond its RAM (bookkeeping page, nested "
    "tables, vCPU control structures), from Skiff's log.",
    "max_hello_*: 32 MiB hello guests (mem=32M; RAM on first touch) that started out of 1000 asked for; "
    "details.<backend>.max_hello_*.first_refusal says what stopped the rest.",
    "figures.host: callgrind instructions per call of np_map/np_unmap, from runs with %d "
    "and %d operations (difference / difference), including amortised table allocation "
    "through the host test allocator." % HOST_COUNTS,
]


def plot(report, path):
    """report.png: exit-path figures per backend as grouped bars."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = bench_report.EXIT_FIGURES
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    width = 0.38
    for i, backend in enumerate(("svm", "vmx")):
        values = [report["figures"][backend].get(n) or 0 for n in names]
        xs = [x + (i - 0.5) * width for x in range(len(names))]
        bars = ax.bar(xs, values, width, label=backend)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_ylabel("instructions per round trip")
    ax.set_title("Skiff exit paths (QEMU icount svm, Bochs vmx)")
    ax.legend()
    fig.tight_layout()
    # A fixed creation date keeps the PNG's bytes the same from run to run.
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--out", help="output directory (default BUILD/bench)")
    parser.add_argument("--runs", type=int, default=2, help="complete measurements (default 2)")
    options = parser.parse_args(argv)
    out = options.out or os.path.join(options.build, "bench")
    os.makedirs(out, exist_ok=True)
    runs = []
    try:
        for i in range(options.runs):
            log("run %d of %d" % (i + 1, options.runs))
            runs.append(measure_all(options.build))
    except (RuntimeError, ValueError, OSError, subprocess.CalledProcessError) as error:
        print("bench: failed: %s" % error, file=sys.stderr)
        return 1
    figures, reasons, details = runs[0]
    differ = sorted({p for other in runs[1:]
                     for p in bench_report.compare_figures(figures, other[0])})
    report = {
        "figures": figures,
        "reasons": reasons,
        "details": details,
        "targets": {name: {"limit": limit, "kind": kind}
                    for name, limit, kind in bench_report.TARGETS},
        "target_checks": [dict(zip(("backend", "figure", "value", "limit", "kind", "met"), c))
                          for c in bench_report.target_checks(figures)],
        "repeatability": {"runs": len(runs), "identical": not differ, "differ": differ},
        "setup": setup_details(),
        "notes": NOTES,
    }
    with open(os.path.join(out, "report.json"), "w") as f:
        f.write(bench_report.dumps(report))
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(bench_report.markdown(report))
    plot(report, os.path.join(out, "report.png"))
    log("wrote %s/report.json, report.md, report.png" % out)
    sys.stdout.write(bench_report.markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
