#!/usr/bin/env python3
"""HTTP from the host to the httpd appliance through the emulator's user-mode network.

ci/net_http_test.py --list prints the cases for CMake (boot.PLATFORM.net_http on qemu-svm and
bochs-vmx, the platforms the issue names; bochs-svm runs by hand); ci/net_http_test.py --platform P --build B [--test net_http]: runs
`tools/skiff-run --net service=user --forward tcp:PORT:80 httpd.elf 3` (examples/httpd: lwIP, DHCP)
and, as curl would, GETs "/", "/api/status" and "/api/hello?name=skiff" from 127.0.0.1:PORT,
retrying while the appliance boots. Passes when each answer is right and skiff-run exits 0 after
"httpd: served 3 requests".
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from net_peer import default_timeout, verdict

HERE = os.path.dirname(os.path.realpath(__file__))
CASE = "net_http"
VIRTIO_CASE = "net_http_virtio"   # the same over a virtio-net NIC: QEMU only, Bochs has none
SHADOW_CASE = "net_http.shadow"    # the same under paging=shadow (docs/shadow-paging.md)
PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")


def free_tcp_port():
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, deadline):
    """GET path until an answer comes or deadline passes; return (status, body) or None."""
    while time.time() < deadline:
        try:
            # A generous read timeout: a retry after the request reached the
            # guest would be counted twice by its JSON API (a slow Bochs run
            # under load answers in seconds, not milliseconds).
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=30) as reply:
                return reply.status, reply.read().decode()
        except (OSError, ValueError):
            time.sleep(0.5)
    return None


def check(port, deadline, log):
    """Fetch the three paths; return True when every answer is the expected one."""
    answers = [get(port, path, deadline) for path in ("/", "/api/status", "/api/hello?name=skiff")]
    log.extend("GET -> %r" % (a,) for a in answers)
    if None in answers:
        return False
    page, status, hello = answers
    if page[0] != 200 or "Hello from a Skiff appliance" not in page[1]:
        return False
    status_json = json.loads(status[1])
    return (status[0] == 200 and status_json.get("server") == "skiff-httpd"
            and status_json.get("requests") == 2
            and hello[0] == 200 and json.loads(hello[1]) == {"hello": "skiff"})


def main():
    """Run the test; exit 0 on success."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="list the cases for CMake")
    parser.add_argument("--platform", choices=PLATFORMS)
    parser.add_argument("--build")
    parser.add_argument("--test", default=CASE, choices=(CASE, VIRTIO_CASE, SHADOW_CASE))
    options = parser.parse_args()
    if options.list:
        for platform in ("qemu-svm", "bochs-vmx"):
            print("%s %s %d httpd" % (platform, CASE, 4 * default_timeout(platform)))
        print("qemu-svm %s %d httpd" % (VIRTIO_CASE, 4 * default_timeout("qemu-svm")))
        print("qemu-svm %s %d httpd" % (SHADOW_CASE, 4 * default_timeout("qemu-svm")))
        return 0
    if not options.platform or not options.build:
        parser.error("--platform and --build are needed")
    timeout = default_timeout(options.platform)
    cpu = "intel" if options.platform == "bochs-vmx" else "amd"
    emulator = "qemu" if options.platform == "qemu-svm" else "bochs"
    port = free_tcp_port()
    image = os.path.join(options.build, "examples", "httpd", "httpd.elf")
    command = [sys.executable, os.path.join(HERE, "..", "tools", "skiff-run"), "--cpu", cpu,
               "--emulator", emulator, "--timeout", str(timeout), "--net", "service=user",
               "--forward", "tcp:%d:80" % port]
    if options.test == VIRTIO_CASE:
        command += ["--nic", "virtio"]
    if options.test == SHADOW_CASE:
        command += ["--paging", "shadow"]
    command += [image, "3"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(os.environ, SKIFF_BUILD=options.build))
    log = []
    ok = check(port, time.time() + timeout, log)
    if not ok:
        run.kill()
    # Under shadow paging Skiff's log must show the guest's shadow summary.
    return verdict(options.platform, options.test, ok, run, timeout, log,
                   "httpd: served 3 requests",
                   skiff_log=["shadow cache="] if options.test == SHADOW_CASE else ())


if __name__ == "__main__":
    sys.exit(main())
