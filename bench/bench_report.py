"""Turn benchmark output into figures and the report (no emulator needed).

Input contracts:
  - the bench guest's console lines `bench: NAME VALUE [KEY=VALUE...]`
    (bench/guest/main.c);
  - Skiff's log lines (docs/log-protocol.md) plus the benchmark lines of
    hypervisor/vm/vm_create.c: `skiff: guest NAME: build started at tsc N`,
    `... zeroing took T tsc` (only from Skiffs that zero RAM up front),
    `... overhead B bytes`;
  - callgrind output files (their `totals:` or `summary:` line).
Every figure is a number or None; a None figure has a reason in
report["reasons"]. Functions here are pure, so bench/tests checks them.
"""

import json
import re

EXIT_FIGURES = ("null_hypercall", "puts_1", "walltime", "cpuid")
# The same exits taken by the bench guest on an application processor
# (two CPUs started, the guest placed with cpu=1): SMP must not lengthen them.
AP_EXIT_FIGURES = tuple(name + "_ap" for name in EXIT_FIGURES)
BACKEND_FIGURES = EXIT_FIGURES + AP_EXIT_FIGURES + ("npf_first_touch", "npf_first_touch_2m", "boot_to_first_insn",
                                  "boot_to_main",
                                  "boot_zeroing", "vm_overhead_bytes", "max_hello_256m",
                                  "max_hello_1g")
HOST_FORMATS = ("ept", "npt")
HOST_OPS = ("map_4k", "unmap_4k", "map_2m", "unmap_2m")

# Nested tables of a guest below 1 GiB whose segments need 4 KiB
# permissions: one page each of PML4, PDPT, PD and PT.
NESTED_TABLE_BYTES_SMALL_GUEST = 4 * 4096

# (figure, limit, "max" = figure must be <= limit, "min" = >= limit)
TARGETS = (
    ("null_hypercall", 300, "max"),
    ("cpuid", 250, "max"),
    ("boot_to_main", 100000, "max"),
    ("vm_overhead_bytes", 64 * 1024 + NESTED_TABLE_BYTES_SMALL_GUEST, "max"),
    ("max_hello_1g", 1000, "min"),
)

_BENCH_LINE = re.compile(r"^bench: ([a-z0-9_]+)(?: (-?\d+|null))?((?: [a-z0-9_]+=\S+)*)\s*$")
_BUILD = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): build started at tsc (\d+)$")
_ZERO = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): zeroing took (\d+) tsc$")
_OVERHEAD = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): overhead (\d+) bytes$")
_STARTED = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): started\b")
_REFUSED = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): refused: ")
_SUMMARY_NPF = re.compile(r"^skiff: summary ([A-Za-z0-9_.-]+) .*\bnpf=(\d+)")
_CALLGRIND_TOTAL = re.compile(r"^(?:totals|summary):\s+(\d+)", re.MULTILINE)


def runs_table(runs, column, figures):
    """Markdown table of bench runs: one row per run dict with "backend", column and a
    "figures" dict; one right-aligned column per name in figures (0 where missing)."""
    lines = ["| backend | %s | " % column + " | ".join(figures) + " |",
             "| --- | --- | " + " | ".join("---:" for _ in figures) + " |"]
    for row in runs:
        lines.append("| %s | %s | %s |" % (row["backend"], row[column], " | ".join(
            "{:,}".format(row["figures"].get(name, 0)) for name in figures)))
    return "\n".join(lines) + "\n"


def parse_bench_lines(text):
    """Return {name: (value or None, {key: value})} from the guest's console text.

    Lines that are not bench lines (the PUTS benchmark's dots, greetings)
    are skipped; a later line with the same name wins.
    """
    found = {}
    for line in text.splitlines():
        match = _BENCH_LINE.match(line.strip("."))
        if not match:
            continue
        value = match.group(2)
        extra = dict(word.split("=", 1) for word in match.group(3).split())
        found[match.group(1)] = (None if value in (None, "null") else int(value), extra)
    return found


def parse_skiff_log(text):
    """Return what the benchmark lines of Skiff's log say.

    {"build_tsc": {name: N}, "zeroing": {name: T}, "overhead": {name: B},
     "started": [names], "refused": [names], "npf": {name: count}}
    """
    log = {"build_tsc": {}, "zeroing": {}, "overhead": {}, "started": [], "refused": [],
           "npf": {}}
    for line in text.splitlines():
        for pattern, key in ((_BUILD, "build_tsc"), (_ZERO, "zeroing"), (_OVERHEAD, "overhead"),
                             (_SUMMARY_NPF, "npf")):
            match = pattern.match(line)
            if match:
                log[key][match.group(1)] = int(match.group(2))
        for pattern, key in ((_STARTED, "started"), (_REFUSED, "refused")):
            match = pattern.match(line)
            if match:
                log[key].append(match.group(1))
    return log


def guest_figures(name, console_text, log_text):
    """Figures of one bench-guest run: (figures, reasons, details).

    Boot figures exclude the zeroing of guest RAM (boot_zeroing reports it);
    the totals including it are in details. Raises ValueError when a line
    the figures need is missing.
    """
    bench = parse_bench_lines(console_text)
    log = parse_skiff_log(log_text)
    figures, reasons, details = {}, {}, {}
    for key in EXIT_FIGURES:
        if key not in bench:
            raise ValueError("bench guest printed no %r line" % key)
        figures[key] = bench[key][0]
        details[key] = {k: int(v) for k, v in bench[key][1].items()}
    for key in ("entry_tsc", "main_tsc"):
        if key not in bench:
            raise ValueError("bench guest printed no %r line" % key)
    for key in ("build_tsc", "overhead"):
        if name not in log[key]:
            raise ValueError("Skiff's log has no %s line for guest %s" % (key, name))
    start, zeroing = log["build_tsc"][name], log["zeroing"].get(name)
    entry, main = bench["entry_tsc"][0], bench["main_tsc"][0]
    if zeroing is None:
        # RAM is zeroed on first touch: the boot figures include all of it.
        figures["boot_to_first_insn"] = entry - start
        figures["boot_to_main"] = main - start
        figures["boot_zeroing"] = None
        reasons["boot_zeroing"] = ("included in the boot figures: Skiff zeroes only what the "
                                   "loader places and each page on first touch")
    else:
        figures["boot_to_first_insn"] = entry - start - zeroing
        figures["boot_to_main"] = main - start - zeroing
        figures["boot_zeroing"] = zeroing
    details["boot_to_first_insn_with_zeroing"] = entry - start
    details["boot_to_main_with_zeroing"] = main - start
    figures["vm_overhead_bytes"] = log["overhead"][name]
    npf = log["npf"].get(name)
    touch = bench.get("first_touch_delta", (None, {}))[0]
    details["npf_exits"] = npf
    details["first_touch_delta_per_page"] = touch
    if npf == 0:
        figures["npf_first_touch"] = None
        reasons["npf_first_touch"] = (
            "not applicable: Skiff maps all guest RAM before the guest starts, so a first "
            "touch takes no nested page fault (npf exits %d; first touch costs %s extra "
            "instructions per page)" % (npf, touch))
    else:
        figures["npf_first_touch"] = touch
    touch_2m = bench.get("first_touch_2m_delta", (None, {}))[0]
    figures["npf_first_touch_2m"] = touch_2m
    if touch_2m is None:
        reasons["npf_first_touch_2m"] = "the bench guest printed no 2 MiB first-touch figure"
    return figures, reasons, details


def ap_exit_figures(name, console_text, log_text):
    """{NAME_ap: value} of the exit figures of a bench-guest run on an AP.

    Raises ValueError as guest_figures does when a line is missing.
    """
    figures, _, _ = guest_figures(name, console_text, log_text)
    return {key + "_ap": figures[key] for key in EXIT_FIGURES}


def count_started(log_text):
    """(started, refused) guest counts of a run's log."""
    log = parse_skiff_log(log_text)
    return len(log["started"]), len(log["refused"])


def callgrind_total(text):
    """The collected instruction count (Ir) of a callgrind output file's text."""
    match = _CALLGRIND_TOTAL.search(text)
    if not match:
        raise ValueError("no totals line in callgrind output")
    return int(match.group(1))


def per_op(total_small, n_small, total_large, n_large):
    """Instructions per operation from two runs of n_small and n_large ops.

    The fixed cost common to both runs cancels. Rounded to 2 decimals.
    """
    if n_large == n_small:
        raise ValueError("the two runs need different operation counts")
    return round((total_large - total_small) / (n_large - n_small), 2)


def target_checks(figures):
    """[(backend, figure, value, limit, kind, met)] for every target and backend."""
    checks = []
    for backend in ("svm", "vmx"):
        for name, limit, kind in TARGETS:
            value = figures.get(backend, {}).get(name)
            if value is None:
                met = None
            else:
                met = value <= limit if kind == "max" else value >= limit
            checks.append((backend, name, value, limit, kind, met))
    return checks


def compare_figures(first, second):
    """Paths (a.b.c) whose values differ between two figures trees; [] when identical."""
    differ = []

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), path + [key])
        elif a != b:
            differ.append(".".join(path))
    walk(first, second, [])
    return differ


def _cell(value):
    """A figure as report.md shows it."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return "%.2f" % value
    return "{:,}".format(value)


def markdown(report):
    """report.md's text: the figures table, host table, targets and set-up."""
    figures, reasons = report["figures"], report.get("reasons", {})
    lines = ["# Skiff benchmark report", "",
             "Instructions (TSC ticks under instruction-counting emulators), bytes or counts.",
             "Commit `%s`." % report.get("setup", {}).get("commit", "?"), "",
             "| figure | svm (QEMU TCG) | vmx (Bochs) |", "| --- | ---: | ---: |"]
    for name in BACKEND_FIGURES:
        lines.append("| %s | %s | %s |" % (name, _cell(figures.get("svm", {}).get(name)),
                                           _cell(figures.get("vmx", {}).get(name))))
    lines += ["", "| host (callgrind) | " + " | ".join(HOST_OPS) + " |",
              "| --- |" + " ---: |" * len(HOST_OPS)]
    for fmt in HOST_FORMATS:
        row = figures.get("host", {}).get(fmt, {})
        lines.append("| %s | %s |" % (fmt, " | ".join(_cell(row.get(op)) for op in HOST_OPS)))
    lines += ["", "## Targets", "", "| backend | figure | value | target | met |",
              "| --- | --- | ---: | ---: | --- |"]
    for backend, name, value, limit, kind, met in target_checks(figures):
        lines.append("| %s | %s | %s | %s %s | %s |" % (
            backend, name, _cell(value), "<=" if kind == "max" else ">=", _cell(limit),
            "n/a" if met is None else ("yes" if met else "**no**")))
    if reasons:
        lines += ["", "## Figures without a value", ""]
        lines += ["- `%s`: %s" % (key, why) for key, why in sorted(reasons.items())]
    repeat = report.get("repeatability")
    if repeat:
        lines += ["", "## Repeatability", "",
                  "%d runs; figures identical: %s%s" % (
                      repeat["runs"], "yes" if repeat["identical"] else "**no**",
                      "" if repeat["identical"] else " (differ: %s)" % ", ".join(repeat["differ"]))]
    notes = report.get("notes", [])
    if notes:
        lines += ["", "## Notes", ""] + ["- " + note for note in notes]
    return "\n".join(lines) + "\n"


def dumps(report):
    """report.json's text: sorted keys, so two identical reports are identical bytes."""
    return json.dumps(report, indent=2, sort_keys=True) + "\n"
