#!/usr/bin/env python3
"""A UDP echo appliance behind a host tap device, reached with a real socket from the host.

ci/net_tap_test.py --list prints the cases for CMake (boot.PLATFORM.net_tap on all three
platforms); ci/net_tap_test.py --platform P --build B [--test net_tap]: creates a tap device
(`ip tuntap add NAME mode tap`), gives the host side 10.213.N.1/24 and brings it up, boots
tests/guests/udpsock as `server 7` with the static address 10.213.N.2 through
`tools/skiff-run --net service=tap:NAME`, then from an ordinary UDP socket of the host sends it
datagrams of 9 and 1,400 bytes (retrying while the appliance boots and the kernel resolves it by
ARP), checks each echo and its sender, ends the server with "quit" and removes the tap device.
Passes when every echo came back and skiff-run exits 0 with the server's SUCCESS.

Creating a tap device needs /dev/net/tun, the `ip` tool and CAP_NET_ADMIN. Without them the test
prints why and exits 77, which CMake reports as skipped (SKIP_RETURN_CODE), never as passed.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from net_peer import default_timeout, verdict

HERE = os.path.dirname(os.path.realpath(__file__))
CASE = "net_tap"
PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")
SKIP = 77
GUEST_PORT = 7
PAYLOADS = (b"tap hello", bytes((i * 7 + 3) & 0xff for i in range(1400)))


class Skip(Exception):
    """The machine cannot make a tap device: the reason."""


def run_ip(*args):
    """Run `ip ARGS`; return its CompletedProcess (never raises on a failed command)."""
    return subprocess.run(["ip"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)


def free_subnet():
    """Return N such that no host interface has an address in 10.213.N.0/24."""
    used = run_ip("-4", "-o", "addr").stdout
    start = os.getpid() % 250
    for step in range(250):
        n = (start + step) % 250 + 1
        if " 10.213.%d." % n not in used:
            return n
    raise Skip("no free 10.213.N.0/24 subnet for the tap device")


def make_tap(name, subnet):
    """Create tap device name with 10.213.subnet.1/24, up; raises Skip when it cannot."""
    if not os.path.exists("/dev/net/tun"):
        raise Skip("/dev/net/tun does not exist")
    if shutil.which("ip") is None:
        raise Skip("the ip tool (iproute2) is not installed")
    made = run_ip("tuntap", "add", "dev", name, "mode", "tap")
    if made.returncode != 0:
        raise Skip("ip tuntap add %s failed (CAP_NET_ADMIN needed): %s" % (name, made.stderr.strip()))
    for args in (("addr", "add", "10.213.%d.1/24" % subnet, "dev", name),
                 ("link", "set", name, "up")):
        done = run_ip(*args)
        if done.returncode != 0:
            run_ip("link", "del", name)
            raise Skip("ip %s failed: %s" % (" ".join(args), done.stderr.strip()))


def exchange(host_ip, guest_ip, deadline, log):
    """Echo each payload through the appliance, then "quit"; True when all came back."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host_ip, 0))
        s.settimeout(1.0)
        for payload in PAYLOADS + (b"quit",):
            wanted = b"bye" if payload == b"quit" else payload
            if not echo_one(s, (guest_ip, GUEST_PORT), payload, wanted, deadline):
                log.append("no answer to a %d-byte datagram" % len(payload))
                return False
            log.append("%d-byte datagram: answered by %s:%d" % (len(payload), guest_ip, GUEST_PORT))
    return True


def echo_one(s, guest, payload, wanted, deadline):
    """Send payload until wanted comes back from guest or deadline passes; True when it did."""
    while time.time() < deadline:
        s.sendto(payload, guest)
        try:
            while True:
                reply, sender = s.recvfrom(2048)
                if reply == wanted and sender == guest:
                    return True
        except socket.timeout:
            continue
    return False


def main():
    """Run the test; exit 0 on success, 77 when no tap device can be made, 1 otherwise."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="list the cases for CMake")
    parser.add_argument("--platform", choices=PLATFORMS)
    parser.add_argument("--build")
    parser.add_argument("--test", default=CASE, choices=(CASE,))
    options = parser.parse_args()
    if options.list:
        for platform in PLATFORMS:
            print("%s %s %d udpsock" % (platform, CASE, 4 * default_timeout(platform)))
        return 0
    if not options.platform or not options.build:
        parser.error("--platform and --build are needed")
    name = "sktap%d" % (os.getpid() % 100000)
    # CTest's timeout sends SIGTERM: leave through the finally that removes the tap.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("boot.%s.%s: terminated" % (options.platform, CASE)))
    try:
        subnet = free_subnet()
        make_tap(name, subnet)
    except Skip as reason:
        print("boot.%s.%s: SKIP: %s" % (options.platform, CASE, reason))
        return SKIP
    try:
        return boot_and_talk(options, name, subnet)
    finally:
        run_ip("link", "del", name)


def boot_and_talk(options, name, subnet):
    """Boot the appliance behind tap device name and talk to it; return the exit status."""
    timeout = default_timeout(options.platform)
    cpu = "intel" if options.platform == "bochs-vmx" else "amd"
    emulator = "qemu" if options.platform == "qemu-svm" else "bochs"
    host_ip, guest_ip = "10.213.%d.1" % subnet, "10.213.%d.2" % subnet
    image = os.path.join(options.build, "tests", "guests", "udpsock", "udpsock.elf")
    command = [sys.executable, os.path.join(HERE, "..", "tools", "skiff-run"), "--cpu", cpu,
               "--emulator", emulator, "--timeout", str(timeout), "--net", "service=tap:" + name,
               image, "SKIFF_NET_SERVICE=%s/24" % guest_ip, "server", str(GUEST_PORT)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(os.environ, SKIFF_BUILD=options.build))
    log = ["tap %s: host %s, appliance %s" % (name, host_ip, guest_ip)]
    ok = exchange(host_ip, guest_ip, time.time() + timeout, log)
    if not ok:
        run.kill()
    return verdict(options.platform, CASE, ok, run, timeout, log, "SUCCESS")


if __name__ == "__main__":
    sys.exit(main())
