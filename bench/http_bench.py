#!/usr/bin/env python3
"""HTTP requests served per 10^9 instructions: two appliances on one Skiff network.

bench/http_bench.py [--build B] [--platform qemu-svm|bochs-vmx|bochs-svm] [--count N]: boots
examples/httpd (plain POSIX sockets on lwIP, 10.0.0.1) and bench/http (httpbench, 10.0.0.2), which
GETs "/" (a 164-byte page) N times, one TCP connection per request (HTTP/1.0), after 5 warm-up
requests. On QEMU with `-icount shift=0,sleep=off` and on Bochs with `clock: sync=none` the TSC
counts instructions, so the client's "http N requests: T tsc" is the instructions the whole machine
spent on N requests: both guests (lwIP, the socket layer, libc), every hypercall and exit, Skiff's
switch. Prints requests per 10^9 instructions, instructions per request and the server's exits per
request (from Skiff's summary line). Results: docs/benchmarks.md ("Network").
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from skiff_emulators import MachineOptions, boot  # noqa: E402
from skiff_guests import make_guest, make_net  # noqa: E402

WARM_UP = 5


def main():
    """Run the benchmark and print its figures; exit 1 when it produced none."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--platform", default="qemu-svm",
                        choices=("qemu-svm", "bochs-vmx", "bochs-svm"))
    parser.add_argument("--count", type=int, default=100)
    options = parser.parse_args()
    server = os.path.join(options.build, "examples", "httpd", "httpd.elf")
    client = os.path.join(options.build, "bench", "httpbench.elf")
    guests = [make_guest(server, ["SKIFF_NET_SERVICE=10.0.0.1/24", str(options.count + WARM_UP)],
                         name="httpd", nets=[make_net("service", "lan")]),
              make_guest(client, ["SKIFF_NET_SERVICE=10.0.0.2/24", "10.0.0.1", str(options.count)],
                         name="httpbench", nets=[make_net("service", "lan")])]
    machine = MachineOptions(icount=True) if options.platform == "qemu-svm" else None
    result = boot(options.platform, os.path.join(options.build, "skiff.elf"), guests,
                  timeout=900, machine=machine)
    text = result.com2
    found = re.search(r"\[httpbench\] http (\d+) requests: (\d+) tsc", text)
    if not found:
        print("http_bench (%s): no figure; console:\n%s" % (options.platform, text[-3000:]))
        return 1
    count, tsc = int(found.group(1)), int(found.group(2))
    print("%s: HTTP GET of a small page, one connection each: %.0f requests per 10^9 "
          "instructions (%.0f instructions per request)"
          % (options.platform, count * 1e9 / tsc, tsc / count))
    io = re.search(r"summary httpd status=0 .* io=(\d+)", text)
    if io:
        print("%s: httpd guest: %.1f I/O exits per request (hypercalls, POLL included)"
              % (options.platform, int(io.group(1)) / float(count + WARM_UP)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
