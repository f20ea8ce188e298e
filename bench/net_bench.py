#!/usr/bin/env python3
"""Network path lengths: guest-to-guest echo round trips over Skiff's switch, in instructions.

bench/net_bench.py [--build B] [--count N] [--platform P] [--path hypercall|ring|both|sockets]:
--path sockets measures UDP request/response through the BSD socket API instead: the udpsock
server (tests/guests/udpsock, recvfrom + sendto) and the udpbench client (bench/udp, sendto +
recvfrom), both lwIP appliances on exitless rings, N round trips each with 64-, 512- and
1,400-byte payloads ("udp rtt SIZE bytes: N tsc" per round trip: both guests' lwIP, socket
layer and libc, Skiff's exits and copies). The other paths boot
tests/guests/netping as a responder and as `bench` (N round trips with 64-byte and with 1,472-byte
payloads) on QEMU with `-icount shift=0,sleep=off` or on Bochs with `clock: sync=none`, where the
TSC counts instructions, so "rtt SIZE bytes: N tsc" is instructions per round trip: both guests'
work (frame building, checksums), the frames' way through Skiff (hypercall path: NET_WRITE and
NET_READ each way plus POLLs; ring path: both guests on exitless NET rings, `netping ring ...`),
Skiff's exits and switch copies. Also prints the exits per round trip from Skiff's summary lines.
Results: docs/benchmarks.md ("Network").
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
    parser.add_argument("--platform", default="qemu-svm",
                        choices=("qemu-svm", "bochs-svm", "bochs-vmx"))
    parser.add_argument("--path", default="both",
                        choices=("hypercall", "ring", "both", "sockets"))
    options = parser.parse_args()
    if options.path == "sockets":
        return 0 if measure_sockets(options) else 1
    paths = ("hypercall", "ring") if options.path == "both" else (options.path,)
    return 0 if all([measure(options, path) for path in paths]) else 1


def boot_console(options, guests):
    """Boot guests on options.platform with the TSC counting instructions; return COM2's text."""
    machine = MachineOptions(icount=options.platform == "qemu-svm")
    result = boot(options.platform, os.path.join(options.build, "skiff.elf"), guests,
                  timeout=900, machine=machine)
    return result.com2


def measure_sockets(options):
    """UDP round trips through the socket API; print their figures; True when it gave them."""
    server = os.path.join(options.build, "tests", "guests", "udpsock", "udpsock.elf")
    client = os.path.join(options.build, "bench", "udpbench.elf")
    guests = [make_guest(server, ["SKIFF_NET_SERVICE=10.0.0.1/24", "server", "7"],
                         name="udpsock", nets=[make_net("service", "lan")]),
              make_guest(client, ["SKIFF_NET_SERVICE=10.0.0.2/24", "10.0.0.1", "7",
                                  str(options.count)],
                         name="udpbench", nets=[make_net("service", "lan")])]
    text = boot_console(options, guests)
    rtts = re.findall(r"\[udpbench\] udp rtt (\d+) bytes: (\d+) tsc", text)
    if len(rtts) != 3:
        print("net_bench (%s, sockets): no figures; console:\n%s" % (options.platform, text[-3000:]))
        return False
    for size, tsc in rtts:
        print("%s UDP sockets: sendto/recvfrom round trip, %s-byte payload: %s instructions"
              % (options.platform, size, tsc))
    # Both guests' exits over every round trip of the run (5 warm-up ones per size, the quit).
    trips = 3 * (options.count + 5) + 1
    for name in ("udpbench", "udpsock"):
        match = re.search(r"summary %s status=0 .* exits=(\d+) io=(\d+)" % name, text)
        if match:
            print("%s UDP sockets: %s guest: %.2f exits (%.2f I/O) per round trip"
                  % (options.platform, name, int(match.group(1)) / float(trips),
                     int(match.group(2)) / float(trips)))
    return True


def measure(options, path):
    """One run over path ("hypercall" or "ring"); print its figures; True when it gave them."""
    image = os.path.join(options.build, "tests", "guests", "netping", "netping.elf")
    mode = ["ring"] if path == "ring" else []
    guests = [make_guest(image, mode + ["responder", "10.0.0.1", str(2 * options.count + 1)],
                         name="responder", nets=[make_net("service", "lan")]),
              make_guest(image, mode + ["bench", "10.0.0.2", "10.0.0.1", str(options.count)],
                         name="bench", nets=[make_net("service", "lan")])]
    text = boot_console(options, guests)
    rtts = re.findall(r"\[bench\] rtt (\d+) bytes: (\d+) tsc", text)
    summary = {name: re.search(r"summary %s status=\d+ .* exits=(\d+) io=(\d+)" % name, text)
               for name in ("bench", "responder")}
    for size, tsc in rtts:
        print("%s %s path: echo round trip, %s-byte payload: %s instructions"
              % (options.platform, path, size, tsc))
    for name, match in summary.items():
        if match:
            print("%s %s path: %s guest: %.2f exits (%.2f I/O) per round trip"
                  % (options.platform, path, name, int(match.group(1)) / (2.0 * options.count),
                     int(match.group(2)) / (2.0 * options.count)))
    return len(rtts) == 2


if __name__ == "__main__":
    sys.exit(main())
