#!/usr/bin/env python3
"""Wake-up latency on a busy CPU, in instructions (qemu-svm, -icount).

Usage: wake_bench.py --build DIR [--rounds N] [--slice-ms MS] [--out DIR]

Skiff runs with two CPUs (`cpus=2 slice_ms=MS`). CPU 1 holds a netping
responder (asleep in POLL between frames) and a busy guest (`spin sti-for`)
that spins for longer than the whole benchmark; CPU 0 holds a netping
`bench` pinger, which times N round trips of 64-byte and then of
1,472-byte pings by its TSC. Each request is a frame for a guest asleep on
a CPU that runs another guest: its wake-up is the latency in question.

Under QEMU's `-icount shift=0,sleep=off` the TSC advances by one per
instruction executed by either CPU (the vCPUs run in turns; a halted CPU's
wait is skipped), so the pinger's mean round trip is the instructions the
machine executes from the request's send to the reply's arrival: the two
CPUs' host paths, the responder's work and whatever the busy guest runs
meanwhile. Two runs: `wake_preempt=0` (the woken guest waits for the busy
guest's slice to end, as before docs/smp.md "Wake-ups") and
`wake_preempt=1` (the default: it runs once the busy guest had its minimum
of 0.5 ms). Both repeat exactly from run to run.

Writes OUT/wake.json and OUT/wake.md (OUT default BUILD/bench). Exit status
0 when both runs gave figures.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import Net, make_guest  # noqa: E402

TIMEOUT = 600
_RTT = re.compile(r"rtt (\d+) bytes: (\d+) tsc")
_WOKEN = re.compile(r"guest responder: woken while its CPU ran another guest: (\d+) at once "
                    r"\(that guest's slice cut short\), (\d+) at that slice's end")


def guests(build, rounds, busy_ms):
    """The three guests: responder and busy guest on CPU 1, the pinger on CPU 0."""
    image = lambda name: os.path.join(build, "tests", "guests", name, name + ".elf")  # noqa: E731
    lan = [Net(device="service", network="lan")]
    return [
        make_guest(image("netping"), ["responder", "10.0.0.1", str(2 * rounds)],
                   name="responder", cpu=1, nets=lan),
        make_guest(image("spin"), ["sti-for", str(busy_ms)], name="busy", mem="2M", cpu=1),
        make_guest(image("netping"), ["bench", "10.0.0.2", "10.0.0.1", str(rounds)],
                   name="pinger", cpu=0, nets=lan),
    ]


def run(build, rounds, slice_ms, preempt):
    """One run; {payload bytes: mean round trip in instructions} and the wake counts."""
    # Long enough to outlast every round trip waiting for a whole slice.
    busy_ms = 2 * rounds * 2 * slice_ms + 200
    words = ["cpus=2", "slice_ms=%d" % slice_ms, "wake_preempt=%d" % preempt]
    result = boot("qemu-svm", os.path.join(build, "skiff.elf"), guests(build, rounds, busy_ms),
                  words, timeout=TIMEOUT, machine=MachineOptions(cpus=2, icount=True))
    if result.timed_out or result.log.final_status != 0:
        raise RuntimeError("run with wake_preempt=%d did not finish cleanly:\n%s"
                           % (preempt, result.com2[-2000:]))
    com1 = result.com1.decode(errors="replace") if isinstance(result.com1, bytes) else result.com1
    com2 = result.com2.decode(errors="replace") if isinstance(result.com2, bytes) else result.com2
    rtt = {int(m.group(1)): int(m.group(2)) for m in _RTT.finditer(com1)}
    woken = _WOKEN.search(com2)
    if len(rtt) != 2:
        raise RuntimeError("no rtt lines in the pinger's output:\n" + com1[-2000:])
    return {"rtt_insns": rtt, "wakes_at_once": int(woken.group(1)) if woken else 0,
            "wakes_at_slice_end": int(woken.group(2)) if woken else 0}


def markdown(results, rounds, slice_ms):
    lines = ["| wake_preempt | round trip, 64 bytes | round trip, 1,472 bytes | "
             "wake-ups at once | at a slice's end |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for preempt in (0, 1):
        r = results[str(preempt)]
        lines.append("| %d | %s | %s | %d | %d |" % (
            preempt, "{:,}".format(r["rtt_insns"][64]), "{:,}".format(r["rtt_insns"][1472]),
            r["wakes_at_once"], r["wakes_at_slice_end"]))
    return ("Wake-up latency on a busy CPU (qemu-svm, -icount shift=0: instructions of the "
            "whole machine per round trip, mean of %d; slice_ms=%d)\n\n%s\n"
            % (rounds, slice_ms, "\n".join(lines)))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--slice-ms", type=int, default=10)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    out = args.out or os.path.join(args.build, "bench")
    os.makedirs(out, exist_ok=True)
    results = {}
    for preempt in (0, 1):
        results[str(preempt)] = run(args.build, args.rounds, args.slice_ms, preempt)
        print("wake_bench: wake_preempt=%d: %s" % (preempt, results[str(preempt)]),
              file=sys.stderr, flush=True)
    with open(os.path.join(out, "wake.json"), "w") as f:
        json.dump({"rounds": args.rounds, "slice_ms": args.slice_ms, "runs": results}, f,
                  indent=2)
    text = markdown(results, args.rounds, args.slice_ms)
    with open(os.path.join(out, "wake.md"), "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
