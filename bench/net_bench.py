#!/usr/bin/env python3
"""Network path lengths: guest-to-guest echo round trips over Skiff's switch, in instructions.

bench/net_bench.py [--build B] [--count N]: boots tests/guests/netping as a responder and as
`bench` (N round trips with 64-byte and with 1,472-byte payloads) on QEMU with `-icount
shift=0,sleep=off`, where the TSC counts instructions, so "rtt SIZE bytes: N tsc" is instructions
per round trip: both guests' work (frame building, checksums), four hypercalls that carry the frames
(NET_WRITE and NET_READ each way) plus POLLs, Skiff's exits and switch copies. Also prints the
exits per round trip from Skiff's summary lines. Results: docs/benchmarks.md ("Network").
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest, make_net  # noqa: E402


def main():
    """Run the benchmark and print its figures; exit 1 when it produced none."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--count", type=int, default=200)
    options = parser.parse_args()
    image = os.path.join(options.build, "tests", "guests", "netping", "netping.elf")
    lan = [make_net("service", "lan")]
    guests = [make_guest(image, ["responder", "10.0.0.1", str(2 * options.count + 1)],
                         name="responder", nets=lan),
              make_guest(image, ["bench", "10.0.0.2", "10.0.0.1", str(options.count)],
                         name="bench", nets=[make_net("service", "lan")])]
    result = boot("qemu-svm", os.path.join(options.build, "skiff.elf"), guests, timeout=300,
                  machine=MachineOptions(icount=True))
    text = result.com2
    rtts = re.findall(r"\[bench\] rtt (\d+) bytes: (\d+) tsc", text)
    io = re.search(r"summary bench status=0 .* io=(\d+)", text)
    for size, tsc in rtts:
        print("guest-to-guest echo, %s-byte payload: %s instructions per round trip" % (size, tsc))
    if io:
        print("bench guest: %.1f I/O exits per round trip (hypercalls, POLL included)"
              % (int(io.group(1)) / (2.0 * options.count)))
    return 0 if len(rtts) == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
