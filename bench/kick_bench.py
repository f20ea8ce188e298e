#!/usr/bin/env python3
"""The cross-CPU invalidation round trip in instructions (kick_bench=N), per platform.

Usage: kick_bench.py --build DIR [--rounds N] [--runs R] [--platforms LIST] [--modes two,one]
                     [--out DIR]

Skiff runs with two CPUs, `cpus=2 slice_ms=1000 kick_bench=N` and one guest,
`spin kicked` placed on CPU 1 (hypervisor/vm/vm_kick_bench.h): CPU 0 narrows a
page of the running guest N times through mem_remove (hypervisor/mem/
mem_invalidate.c), which kicks CPU 1 out of the guest and waits for it.
Per round trip it reports:

  initiator  instructions CPU 0 executes from the rdtsc before mem_remove to
             the rdtsc after it, less those from the clock read after the
             IPI was sent to the one after the wait loop (the spinning,
             whose length depends on the other CPU);
  target     instructions CPU 1 executes in the host from the kick's exit
             to the VMRUN/VMRESUME that re-enters the guest, inclusive (IPI
             taken and acknowledged, mem_leave, the exit's handling, the
             flush due at entry, the world switch);
  exits      the guest's exits during the rounds / rounds.

How each emulator counts them:
  qemu-svm (exact): `-icount shift=0,sleep=off` runs the CPUs in turns but
    its TSC counts every CPU's instructions together, so the figures come
    from QEMU's trace (`-d in_asm,exec,nochain`, limited to skiff.elf's
    text): each CPU's executed blocks are expanded into instructions and
    counted between the same rdtsc instructions (initiator) or between two
    VMRUNs where the kick handler ran (target). A block that an I/O access
    stopped in its middle (`cpu_io_recompile: rewound`) counts up to it.
  bochs-svm, bochs-vmx (deterministic ticks, not instructions): Bochs 2.7
    runs one trace (a straight run of instructions) of each CPU per turn
    and advances its clock by the mean of the instructions the CPUs
    executed in that turn, so a TSC difference on one CPU mixes in the
    other CPU's work. Skiff logs the initiator's ticks; the guest's loop
    logs its gaps, target = gap - the loop's shortest round. The figures
    repeat exactly from run to run and both Bochs platforms measure alike,
    so they compare SVM with VMX, but they are not instruction counts.

One CPU (--modes one; vm_kick_bench_slice in hypervisor/vm/vm_kick_bench.c):
Skiff runs `cpus=1 slice_ms=1 kick_bench=N`; slices start in turn plainly,
with a round (this CPU's flush becomes due), or with a round and the kick
IPI sent to the CPU itself. On one CPU Bochs's and QEMU's TSC count that
CPU's instructions, so from the guest's gaps (less the hook's own timed
work): flush = flushed - plain, target = kicked - plain (the kick's exit
to the re-entry, and the flush, paid at the slice's first entry instead
of the re-entry); the initiator's round without the kick, and the IPI's
sending, from Skiff's own reads. On qemu-svm the run is traced as well.
docs/benchmarks.md, "The two halves on one CPU".

Writes OUT/kick.json and OUT/kick.md (OUT default BUILD/bench) and, when
OUT/report.json exists (bench/run_bench.py), adds the figures to it as
figures.<svm|vmx>.xcpu_kick_{initiator,target,exits} and details under
kick_bench. Exit status 0 when every platform gave figures.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

from skiff_emulators import MachineOptions, boot, qemu_command, run_emulator  # noqa: E402
from skiff_grub import build_iso  # noqa: E402
from skiff_guests import make_guest  # noqa: E402

QEMU_CPU = "max,+svm,+npt"   # as bench/run_bench.py
BACKEND = {"qemu-svm": "svm", "bochs-svm": "svm", "bochs-vmx": "vmx"}
TIMEOUT = 1500

_HIST = re.compile(r"kick bench: (initiator ticks per round, waiting left out|CPUs kicked per round): "
                   r"(.*) \(min (\d+), max (\d+), (\d+) rounds at other values\)")
_ROUNDS = re.compile(r"kick bench: guest \S+ on CPU (\d+), page gpa 0x[0-9a-f]+: (\d+) of (\d+) rounds")
_EXITS = re.compile(r"kick bench: guest exits during the rounds: (\d+) \(external interrupts (\d+)\)")
_SELF_HIST = re.compile(r"kick bench: one CPU: (hook ticks at (?:plain|flushed|kicked) slices|"
                        r"initiator ticks per round, no CPU to kick|kick IPI send ticks): "
                        r"(.*) \(min (\d+), max (\d+), (\d+) rounds at other values\)")
_SELF_SLICES = re.compile(r"kick bench: one CPU: guest \S+, page gpa 0x[0-9a-f]+: (\d+) slices of each kind")
_SELF_INTR = re.compile(r"kick bench: one CPU: external-interrupt exits meanwhile: (\d+), "
                        r"kick IPIs taken (\d+)")
_SELF_KEYS = {"hook ticks at plain slices": "hook_plain", "hook ticks at flushed slices": "hook_flushed",
              "hook ticks at kicked slices": "hook_kicked",
              "initiator ticks per round, no CPU to kick": "initiator",
              "kick IPI send ticks": "send"}
_SHORTEST = re.compile(r"spin: kicked: shortest round (\d+) ticks")
_GAP = re.compile(r"spin: kicked: gap (\d+) x (\d+)")


def log(text):
    print("kick_bench: " + text, file=sys.stderr, flush=True)


def histogram(text):
    """{value: times} from '1 x 5, 2 x 3'."""
    out = {}
    for part in text.split(", "):
        if " x " in part:
            value, times = part.split(" x ")
            out[int(value)] = int(times)
    return out


def mode(hist):
    """The most frequent value (the smallest of equals), or None."""
    return min(hist, key=lambda v: (-hist[v], v)) if hist else None


def skiff_figures(com2):
    """Rounds, initiator histogram, kicks histogram, exits from Skiff's log."""
    out = {}
    for line in com2.splitlines():
        m = _ROUNDS.search(line)
        if m:
            out["cpu"], out["rounds"], out["asked"] = int(m[1]), int(m[2]), int(m[3])
        m = _HIST.search(line)
        if m:
            key = "initiator_ticks" if m[1].startswith("initiator") else "kicked"
            out[key] = histogram(m[2])
            out[key + "_other_rounds"] = int(m[5])
        m = _EXITS.search(line)
        if m:
            out["exits"], out["external_interrupts"] = int(m[1]), int(m[2])
    if "rounds" not in out or "exits" not in out:
        raise RuntimeError("no kick bench lines in Skiff's log:\n" + com2[-2000:])
    return out


def guest_gaps(com1):
    """(shortest loop round, {gap: times}) from the guest's console."""
    text = com1.decode("utf-8", "replace")
    m = _SHORTEST.search(text)
    return (int(m[1]) if m else None), {int(g): int(t) for g, t in _GAP.findall(text)}


def guest_and_words(build, rounds, cpu=1):
    guest = make_guest(os.path.join(build, "tests", "guests", "spin", "spin.elf"), ["kicked"],
                       name="kicked", mem="8M", cpu=cpu)
    return guest, ["cpus=2", "slice_ms=1000", "kick_bench=%d" % rounds]


def boot_bochs(platform, build, rounds, cpu):
    """One Bochs run with the guest on CPU cpu; (Skiff's figures, guest's shortest round, gaps)."""
    guest, words = guest_and_words(build, rounds, cpu)
    machine = MachineOptions(cpus=2)
    result = boot(platform, os.path.join(build, "skiff.elf"), [guest], words, timeout=TIMEOUT,
                  machine=machine)
    if result.timed_out or result.log.final_status is None or result.log.final_status != 0:
        raise RuntimeError("%s did not finish cleanly:\n%s" % (platform, result.com2[-2000:]))
    shortest, gaps = guest_gaps(result.com1)
    return skiff_figures(result.com2), shortest, gaps


def run_bochs(platform, build, rounds):
    """Bochs ticks, not instructions (module docstring): the same run gives both figures."""
    fig, shortest, gaps = boot_bochs(platform, build, rounds, 1)
    fig["initiator_insns"] = fig["initiator_ticks"]
    fig["guest_shortest_round"] = shortest
    fig["guest_gaps"] = gaps
    fig["target_insns"] = {g - shortest: t for g, t in gaps.items()} if shortest else {}
    return fig


# ---- QEMU: the trace ----------------------------------------------------------

def disassembly(elf):
    """{function: [(address, mnemonic)]} of elf's text."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf], capture_output=True,
                         text=True, check=True).stdout
    functions, current = {}, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <([^>]+)>:$", line)
        if m:
            current = functions.setdefault(m[2], [])
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)", line)
        if m and current is not None:
            current.append((int(m[1], 16), m[2]))
    return functions


def markers(elf):
    """Addresses the trace is cut at (see the module's docstring)."""
    fns = disassembly(elf)
    bench = [a for a, op in fns.get("round_locked", []) if op == "rdtsc"]
    clock = [a for a, op in fns.get("tsc_read", []) if op == "rdtsc"]
    entries = {a for insns in fns.values() for a, op in insns if op in ("vmrun", "vmresume", "vmlaunch")}
    kick = fns.get("apic_kick_interrupt", [(None, None)])[0][0]
    if len(bench) != 2 or len(clock) != 1 or not entries or kick is None:
        raise RuntimeError("skiff.elf: markers not found (round_locked rdtsc %s, tsc_read rdtsc %s, "
                           "entries %d, apic_kick_interrupt %s)" % (bench, clock, len(entries), kick))
    text = sorted(a for insns in fns.values() for a, _ in insns)
    # One CPU: the hook's return, and what tells its kind.
    hook = [a for a, op in fns.get("self_round", []) if op.startswith("ret")]
    kick_self = fns.get("smp_kick_self", [(None, None)])[0][0]
    return {"t0": bench[0], "t1": bench[1], "clock": clock[0], "entries": entries,
            "kick": kick, "low": text[0], "high": text[-1],
            "hook_end": hook[0] if len(hook) == 1 else None, "kick_self": kick_self}


class Counter:
    """Per-CPU instruction streams cut into the two figures."""

    def __init__(self, mark):
        self.mark = mark
        self.initiator = collections.Counter()
        self.target = collections.Counter()
        self.cpu0 = None          # [count, clock reads, excluding] inside a round
        self.bench_cpu = None     # the CPU that runs the rounds
        self.segment = {}         # cpu -> [count, kick seen]
        self.post_hook = {"plain": collections.Counter(), "flushed": collections.Counter(),
                          "kicked": collections.Counter()}
        self.hook = None          # one CPU: [kind, count since the hook's last read] or None

    def feed(self, cpu, insns):
        for addr in insns:
            self._initiator(cpu, addr)
            self._target(cpu, addr)

    def _initiator(self, cpu, addr):
        mark = self.mark
        state = self.cpu0
        if state is None:
            if addr == mark["t0"]:
                self.cpu0 = [0, 0, False]
                self.bench_cpu = cpu
            return
        if cpu != self.bench_cpu:
            return
        if not state[2]:
            state[0] += 1
        if addr == mark["clock"]:
            state[1] += 1
            # Reads per kick: before the IPI, after it, after the wait.
            state[2] = state[1] % 3 == 2
        if addr == mark["t1"]:
            self.initiator[state[0]] += 1
            self.cpu0 = None

    def _hook(self, addr):
        """One CPU: from the hook's return to the guest entry, by kind."""
        mark = self.mark
        if addr == mark["t0"]:
            self.kind = "flushed"
        elif addr == mark["kick_self"]:
            self.kind = "kicked"
        if self.hook is not None:
            self.hook[1] += 1
            if addr in mark["entries"]:
                self.post_hook[self.hook[0]][self.hook[1]] += 1
                self.hook = None
        if addr == mark["hook_end"]:
            self.hook = [getattr(self, "kind", "plain"), 0]
            self.kind = "plain"

    def _target(self, cpu, addr):
        if self.mark.get("hook_end") is not None:
            self._hook(addr)
        state = self.segment.setdefault(cpu, [0, False])
        state[0] += 1
        if addr == self.mark["kick"]:
            state[1] = True
        if addr in self.mark["entries"]:
            if state[1]:
                self.target[state[0]] += 1
            self.segment[cpu] = [0, False]


_TB_HEAD = re.compile(r"^IN: ")
_INSN = re.compile(r"^0x([0-9a-f]+):")
_EXEC = re.compile(r"^Trace (\d+): (\S+) \[[0-9a-f]+/([0-9a-f]+)/")
_STOPPED = re.compile(r"^Stopped execution of TB chain before (\S+)")
_REWOUND = re.compile(r"^cpu_io_recompile: rewound execution of TB to ([0-9a-f]+)")


def count_trace(log_path, mark):
    """A Counter fed from a -d in_asm,exec,nochain log."""
    counter = Counter(mark)
    translated = {}          # pc -> instruction addresses of its latest translation
    fresh = {}               # pc -> translated and not yet executed (its pointer unknown)
    by_ptr = {}              # host code pointer -> instruction addresses
    block = None
    held = None              # (cpu, ptr, insns): counted once the next line shows it ran
    with open(log_path, errors="replace") as f:
        for line in f:
            if _TB_HEAD.match(line):
                block = []
                continue
            m = _INSN.match(line)
            if m and block is not None:
                block.append(int(m[1], 16))
                if len(block) == 1:
                    translated[block[0]] = block
                    fresh[block[0]] = block
                continue
            block = None
            m = _EXEC.match(line)
            if m:
                if held:
                    counter.feed(held[0], held[2])
                cpu, ptr, pc = int(m[1]), m[2], int(m[3], 16)
                if pc in fresh:
                    by_ptr[ptr] = fresh.pop(pc)
                insns = by_ptr.get(ptr) or translated.get(pc, [])
                held = (cpu, ptr, insns)
                continue
            m = _STOPPED.match(line)
            if m and held and held[1] == m[1]:
                held = None   # the block did not start: not executed
                continue
            m = _REWOUND.match(line)
            if m and held:
                # Under -icount an I/O access that is not its block's last
                # instruction stops the block there; QEMU runs it again
                # from that instruction in a block of its own (traced).
                stop = int(m[1], 16)
                cut = held[2].index(stop) if stop in held[2] else len(held[2])
                held = (held[0], held[1], held[2][:cut])
    if held:
        counter.feed(held[0], held[2])
    return counter


def traced_qemu(elf, guest, words, cpus):
    """One qemu-svm run under -icount with QEMU's trace: (com2 text, com1 bytes, Counter)."""
    mark = markers(elf)
    with tempfile.TemporaryDirectory(prefix="skiff-kick-") as work:
        iso = build_iso(work, elf, words, [guest])
        com1, com2 = os.path.join(work, "com1"), os.path.join(work, "com2")
        trace = os.path.join(work, "qemu.log")
        command = qemu_command(iso, com1, com2, 64, cpu=QEMU_CPU, icount=True, cpus=cpus) + [
            "-d", "in_asm,exec,nochain", "-dfilter", "0x%x..0x%x" % (mark["low"], mark["high"]),
            "-D", trace]
        _, timed_out = run_emulator(command, com2, TIMEOUT, os.path.join(work, "emulator.out"))
        with open(com2, errors="replace") as f:
            com2_text = f.read()
        with open(com1, "rb") as f:
            com1_bytes = f.read()
        if timed_out or "final status" not in com2_text:
            raise RuntimeError("qemu-svm did not finish:\n" + com2_text[-2000:])
        counter = count_trace(trace, mark)
    return com2_text, com1_bytes, counter


def run_qemu(build, rounds):
    guest, words = guest_and_words(build, rounds)
    com2_text, _, counter = traced_qemu(os.path.join(build, "skiff.elf"), guest, words, 2)
    fig = skiff_figures(com2_text)
    fig["initiator_insns"] = dict(counter.initiator)
    fig["target_insns"] = dict(counter.target)
    return fig


# ---- One CPU: exact on all three platforms ------------------------------------

def self_figures(com2):
    """Skiff's one-CPU lines: slices of each kind and the histograms."""
    out = {}
    for line in com2.splitlines():
        m = _SELF_SLICES.search(line)
        if m:
            out["slices_each"] = int(m[1])
        m = _SELF_HIST.search(line)
        if m:
            out[_SELF_KEYS[m[1]]] = histogram(m[2])
        m = _SELF_INTR.search(line)
        if m:
            out["external_interrupt_exits"], out["kick_ipis_taken"] = int(m[1]), int(m[2])
        if "kick bench: one CPU:" in line and "rounds failed" in line:
            raise RuntimeError(line)
    if "slices_each" not in out or any(k not in out for k in _SELF_KEYS.values()):
        raise RuntimeError("no one-CPU kick bench lines in Skiff's log:\n" + com2[-2000:])
    return out


def self_split(gaps, fig):
    """The guest's three most frequent gaps (plain < flushed < kicked) and
    what they give, the hook's extra work left out: flush, kick exit, target."""
    common = sorted(gaps, key=lambda g: (-gaps[g], g))[:3]
    if len(common) < 3:
        raise RuntimeError("the guest saw fewer than three kinds of gap: %s" % gaps)
    plain, flushed, kicked = sorted(common)
    hook = {k: mode(fig["hook_" + k]) for k in ("plain", "flushed", "kicked")}
    flush = flushed - plain - (hook["flushed"] - hook["plain"])
    target = kicked - plain - (hook["kicked"] - hook["plain"])
    return {"gap_plain": plain, "gap_flushed": flushed, "gap_kicked": kicked,
            "gap_times": [gaps[plain], gaps[flushed], gaps[kicked]],
            "hook_extra_flushed": hook["flushed"] - hook["plain"],
            "hook_extra_kicked": hook["kicked"] - hook["plain"],
            "flush": flush, "kick_exit": target - flush, "target": target}


def run_one_cpu(platform, build, rounds):
    """One run on one CPU (vm_kick_bench_slice): every figure an instruction
    count; on qemu-svm QEMU's trace counts the kick's exit path as well."""
    guest = make_guest(os.path.join(build, "tests", "guests", "spin", "spin.elf"), ["kicked"],
                       name="kicked", mem="8M", cpu=0)
    words = ["cpus=1", "slice_ms=1", "kick_bench=%d" % rounds]
    elf = os.path.join(build, "skiff.elf")
    if platform == "qemu-svm":
        com2, com1, counter = traced_qemu(elf, guest, words, 1)
    else:
        result = boot(platform, elf, [guest], words, timeout=TIMEOUT,
                      machine=MachineOptions(cpus=1))
        if result.timed_out or result.log.final_status != 0:
            raise RuntimeError("%s (one CPU) did not finish cleanly:\n%s" % (platform, result.com2[-2000:]))
        com2, com1, counter = result.com2, result.com1, None
    fig = self_figures(com2)
    shortest, gaps = guest_gaps(com1)
    fig.update({"guest_shortest_round": shortest, "guest_gaps": gaps})
    fig.update(self_split(gaps, fig))
    if counter is not None:
        fig["trace_kick_exit"] = dict(counter.target)
        fig["trace_initiator"] = dict(counter.initiator)
        fig["trace_post_hook"] = {k: dict(v) for k, v in counter.post_hook.items()}
    return fig


def summarize_one_cpu(fig):
    out = {k: fig[k] for k in ("slices_each", "gap_plain", "gap_flushed", "gap_kicked", "gap_times",
                               "hook_extra_flushed", "hook_extra_kicked", "flush", "kick_exit",
                               "target")}
    out.update({"initiator_no_kick": mode(fig["initiator"]),
                "initiator_rounds_at_mode": fig["initiator"][mode(fig["initiator"])],
                "ipi_send": mode(fig["send"]),
                "external_interrupt_exits": fig.get("external_interrupt_exits"),
                "kick_ipis_taken": fig.get("kick_ipis_taken"),
                "trace_kick_exit": mode(fig["trace_kick_exit"]) if fig.get("trace_kick_exit") else None,
                "trace_initiator": mode(fig["trace_initiator"]) if fig.get("trace_initiator") else None,
                "trace_flush": None, "trace_target": None})
    post = fig.get("trace_post_hook")
    if post and all(post.values()) and out["trace_kick_exit"] is not None:
        # The flush at entry: what the hook's end to the entry takes more after a round.
        out["trace_flush"] = mode(post["flushed"]) - mode(post["plain"])
        out["trace_flush_kicked"] = mode(post["kicked"]) - mode(post["plain"])
        out["trace_target"] = out["trace_kick_exit"] + out["trace_flush"]
    return out


def markdown_one_cpu(results):
    lines = ["One CPU (`cpus=1 slice_ms=1 kick_bench=N`): instructions on every platform.", "",
             "| platform | run | target = kick's exit to re-entry + flush at entry | plain / flushed / "
             "kicked gap | hook's extra work (flushed, kicked) | initiator, no CPU to kick | kick IPI "
             "send | QEMU's trace: target = exit to re-entry + flush |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for platform, runs in results.items():
        for i, s in enumerate(runs):
            lines.append("| %s | %d | %d = %d + %d | %d / %d / %d (%s times) | %d, %d | %d (%d of %d) "
                         "| %d | %s |" % (
                             platform, i + 1, s["target"], s["kick_exit"], s["flush"], s["gap_plain"],
                             s["gap_flushed"], s["gap_kicked"], "/".join(map(str, s["gap_times"])),
                             s["hook_extra_flushed"], s["hook_extra_kicked"], s["initiator_no_kick"],
                             s["initiator_rounds_at_mode"], 2 * s["slices_each"], s["ipi_send"],
                             "-" if s["trace_target"] is None else "%d = %d + %d" % (
                                 s["trace_target"], s["trace_kick_exit"], s["trace_flush"])))
    return "\n".join(lines) + "\n"


def summarize(fig):
    """The figures of one run: modes, and how many rounds had them."""
    rounds = fig["rounds"]
    out = {"rounds": rounds,
           "initiator": mode(fig["initiator_insns"]),
           "initiator_rounds_at_mode": fig["initiator_insns"].get(mode(fig["initiator_insns"]), 0),
           "target": mode(fig["target_insns"]),
           "target_rounds_at_mode": fig["target_insns"].get(mode(fig["target_insns"]), 0),
           "kicks_per_round": mode(fig["kicked"]),
           "exits_per_round": fig["exits"] / rounds if rounds else None,
           "external_interrupts": fig["external_interrupts"]}
    return out


def markdown(results):
    lines = ["Instructions on qemu-svm; deterministic Bochs ticks (not instructions) on bochs-*.", "",
             "| platform | run | rounds | initiator (waiting left out) | target (exit to re-entry) "
             "| kicks / round | exits / round |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for platform, runs in results.items():
        for i, s in enumerate(runs):
            lines.append("| %s | %d | %d | %s (%d rounds) | %s (%d rounds) | %s | %.2f |" % (
                platform, i + 1, s["rounds"], s["initiator"], s["initiator_rounds_at_mode"],
                s["target"], s["target_rounds_at_mode"], s["kicks_per_round"], s["exits_per_round"]))
    return "\n".join(lines) + "\n"


def merge_report(out, results, one):
    path = os.path.join(out, "report.json")
    if not os.path.isfile(path):
        return
    with open(path) as f:
        report = json.load(f)
    for platform, runs in one.items():
        if platform == "bochs-svm":
            continue
        figures = report.setdefault("figures", {}).setdefault(BACKEND[platform], {})
        # qemu-svm: the trace's count (its TSC loses a few instructions at world switches).
        traced = runs[0].get("trace_target")
        figures["xcpu_kick_target_1cpu"] = traced if traced is not None else runs[0]["target"]
        figures["xcpu_kick_initiator_no_kick_1cpu"] = runs[0]["initiator_no_kick"]
    report["kick_bench_one_cpu"] = one
    for platform, runs in results.items():
        backend = BACKEND[platform]
        # qemu-svm is svm's platform in report.json; bochs-svm goes under details only.
        if platform == "bochs-svm":
            continue
        s = runs[0]
        figures = report.setdefault("figures", {}).setdefault(backend, {})
        figures["xcpu_kick_initiator"] = s["initiator"]
        figures["xcpu_kick_target"] = s["target"]
        figures["xcpu_kick_exits"] = s["exits_per_round"]
    report["kick_bench"] = results
    report["kick_bench_units"] = {"svm": "instructions (qemu-svm, QEMU's trace)",
                                  "vmx": "Bochs ticks, not instructions (docs/benchmarks.md)"}
    with open(path, "w") as f:
        f.write(json.dumps(report, indent=2, sort_keys=True) + "\n")   # as bench_report.dumps


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--platforms", default="qemu-svm,bochs-svm,bochs-vmx")
    parser.add_argument("--modes", default="two,one",
                        help="two: two CPUs (the round trip as it happens); one: one CPU (exact)")
    parser.add_argument("--out")
    options = parser.parse_args(argv)
    modes = set(options.modes.split(","))
    out = options.out or os.path.join(options.build, "bench")
    os.makedirs(out, exist_ok=True)
    results, raw, status = {}, {}, 0
    platforms = [p for p in options.platforms.split(",") if p]
    one, one_raw = {}, {}
    for platform in platforms if "one" in modes else []:
        for run in range(options.runs):
            log("%s, one CPU, run %d of %d" % (platform, run + 1, options.runs))
            try:
                fig = run_one_cpu(platform, options.build, options.rounds)
            except (RuntimeError, OSError) as error:
                log("%s (one CPU) failed: %s" % (platform, error))
                status = 1
                continue
            one_raw.setdefault(platform, []).append(
                {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()})
                 for k, v in fig.items()})
            one.setdefault(platform, []).append(summarize_one_cpu(fig))
    for platform in platforms if "two" in modes else []:
        for run in range(options.runs):
            log("%s, run %d of %d" % (platform, run + 1, options.runs))
            try:
                fig = (run_qemu(options.build, options.rounds) if platform == "qemu-svm"
                       else run_bochs(platform, options.build, options.rounds))
            except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                log("%s failed: %s" % (platform, error))
                status = 1
                continue
            raw.setdefault(platform, []).append({k: (v if not isinstance(v, dict) else
                                                     {str(a): b for a, b in v.items()})
                                                 for k, v in fig.items()})
            results.setdefault(platform, []).append(summarize(fig))
    repeat = {p: all(r["initiator"] == runs[0]["initiator"] and r["target"] == runs[0]["target"]
                     for r in runs) for p, runs in results.items()}
    repeat.update({p + " (one CPU)": all(r["target"] == runs[0]["target"] and
                                         r["initiator_no_kick"] == runs[0]["initiator_no_kick"]
                                         for r in runs) for p, runs in one.items()})
    with open(os.path.join(out, "kick.json"), "w") as f:
        json.dump({"figures": results, "raw": raw, "repeatable": repeat, "one_cpu": one,
                   "one_cpu_raw": one_raw}, f, indent=1, sort_keys=True)
        f.write("\n")
    table = (markdown(results) if results else "") + ("\n" + markdown_one_cpu(one) if one else "")
    with open(os.path.join(out, "kick.md"), "w") as f:
        f.write(table)
    merge_report(out, results, one)
    sys.stdout.write(table)
    sys.stdout.write("repeatable: %s\n" % json.dumps(repeat, sort_keys=True))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
