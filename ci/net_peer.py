#!/usr/bin/env python3
"""A host peer for Skiff's uplink: ARP and ICMP echo through an emulated e1000's UDP back end.

ci/net_peer.py --list prints the cases for CMake (boot.PLATFORM.net_uplink_peer on all three
platforms; on qemu-svm also net_uplink_peer_virtio, the same behind a virtio-net NIC, and
net_uplink_oversize_virtio, which first sends the responder frames longer than the MTU: the
driver must drop and count them (`rx_oversize=`) and the responder still answer; Bochs has no
virtio-net; on qemu-svm and bochs-vmx net_uplink_ring_spin, whose responder spins on an
exitless ring with 1-second slices and must see each request within 200 ms of its previous reply:
ring ticks); on all three net_uplink_peer_ap, the responder on an application processor (its
summary line must name that CPU); ci/net_peer.py --platform P --build B [--test net_uplink_peer]: boots tests/guests/netping as `responder 10.0.0.2 3` with
`tools/skiff-run --net service=udp:PORT` (the emulated NIC receives on PORT and sends to PORT+1,
one Ethernet frame per datagram), then, as host 10.0.0.1, resolves 10.0.0.2 by ARP and sends three
ICMP echo requests, checking each reply (addresses, id, sequence, payload, checksum). Passes when
every reply came and skiff-run exits 0 with the responder's SUCCESS on its output.
"""

import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from skiff_net import NIC_MAC  # noqa: E402

PEER_MAC = bytes([0x02, 0, 0, 0, 0, 0xfe])
PEER_IP = bytes([10, 0, 0, 1])
GUEST_IP = bytes([10, 0, 0, 2])
GUEST_MAC = bytes(int(x, 16) for x in NIC_MAC.split(":"))
BROADCAST = b"\xff" * 6
COUNT = 3
CASE = "net_uplink_peer"
VIRTIO_CASE = "net_uplink_peer_virtio"
OVERSIZE_CASE = "net_uplink_oversize_virtio"
# The responder spins on an exitless ring (no exit of its own) with 1-second slices: the NIC's
# frames reach it and its replies leave only through ring ticks (hypervisor/vm/vm_ring_tick.h).
# Bochs's SVM model does not preempt a guest that never exits (docs/threat-model.md): no tick there.
RING_SPIN_CASE = "net_uplink_ring_spin"
RING_SPIN_PLATFORMS = ("qemu-svm", "bochs-vmx")
# Frame lengths past mtu + 14 = 1514 that still fit the driver's 2,048-byte receive buffers, so
# the device hands them over and Skiff must refuse them itself.
OVERSIZE_LENGTHS = (1515, 1600, 2000)
PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")
# The responder runs on an application processor (docs/smp.md): the NIC's frames reach a guest on
# another CPU than the one that may poll the NIC, and its POLL is woken by a kick. QEMU with 4
# CPUs (guest on CPU 2), Bochs with 2 (guest on CPU 1); the summary line must name that CPU.
AP_CASE = "net_uplink_peer_ap"
AP_CPUS = {"qemu-svm": (4, 2), "bochs-svm": (2, 1), "bochs-vmx": (2, 1)}


def default_timeout(platform):
    """Seconds for one run: Bochs is slower to boot than QEMU."""
    return 60 if platform == "qemu-svm" else 150


def checksum(data):
    """Return the Internet checksum of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def arp_request():
    """Return an ARP request for GUEST_IP from the peer."""
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER_IP, b"\0" * 6, GUEST_IP)
    return BROADCAST + PEER_MAC + b"\x08\x06" + body


def echo_request(seq, payload):
    """Return an ICMP echo request frame to the guest."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7e57, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, PEER_IP, GUEST_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return GUEST_MAC + PEER_MAC + b"\x08\x00" + ip + icmp


def is_arp_reply(frame):
    """True when frame is the guest's ARP reply to the peer."""
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02"
            and frame[28:32] == GUEST_IP and frame[38:42] == PEER_IP and frame[0:6] == PEER_MAC)


def is_echo_reply(frame, seq, payload):
    """True when frame is the guest's correct echo reply for seq."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 1:
        return False
    icmp = frame[34:]
    return (frame[0:6] == PEER_MAC and frame[26:30] == GUEST_IP and frame[30:34] == PEER_IP
            and icmp[0] == 0 and struct.unpack("!HH", icmp[4:8]) == (0x7e57, seq)
            and icmp[8:] == payload and checksum(icmp) == 0)


def free_port_pair():
    """Return (port, socket bound to port + 1) with port free on 127.0.0.1."""
    for _ in range(50):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        if port >= 65535:
            continue
        peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            peer.bind(("127.0.0.1", port + 1))
        except OSError:
            peer.close()
            continue
        return port, peer
    raise RuntimeError("no free UDP port pair")


def exchange(sock, port, frame, accept, deadline, resend=1.0):
    """Send frame every resend seconds until a received frame satisfies accept."""
    while time.time() < deadline:
        sock.sendto(frame, ("127.0.0.1", port))
        until = time.time() + resend
        while time.time() < until:
            sock.settimeout(max(0.01, until - time.time()))
            try:
                data, _ = sock.recvfrom(2048)
            except socket.timeout:
                break
            if accept(data):
                return True
    return False


def oversized_frame(length):
    """Return a frame of length bytes for the guest: an IPv4 packet too long for the MTU."""
    return GUEST_MAC + PEER_MAC + b"\x08\x00" + bytes(i & 0xff for i in range(length - 14))


def run_peer(sock, port, deadline, log, oversize=False):
    """Resolve the guest (after sending it oversized frames when asked) and ping it COUNT
    times; return True when all answered."""
    if not exchange(sock, port, arp_request(), is_arp_reply, deadline):
        log.append("peer: no ARP reply from 10.0.0.2")
        return False
    log.append("peer: 10.0.0.2 is at %s" % NIC_MAC)
    if oversize:
        for length in OVERSIZE_LENGTHS:
            sock.sendto(oversized_frame(length), ("127.0.0.1", port))
        log.append("peer: sent frames of %s bytes" % ", ".join(map(str, OVERSIZE_LENGTHS)))
    for seq in range(1, COUNT + 1):
        payload = bytes((i * 5 + seq) & 0xff for i in range(56))
        if not exchange(sock, port, echo_request(seq, payload),
                        lambda f, s=seq, p=payload: is_echo_reply(f, s, p), deadline):
            log.append("peer: no echo reply for seq %d" % seq)
            return False
    log.append("peer: %d/%d echo replies" % (COUNT, COUNT))
    return True


def main():
    """Run the test; exit 0 on success."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="list the cases for CMake")
    parser.add_argument("--platform", choices=PLATFORMS)
    parser.add_argument("--build")
    parser.add_argument("--test", default=CASE,
                        choices=(CASE, VIRTIO_CASE, OVERSIZE_CASE, RING_SPIN_CASE, AP_CASE))
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds for the emulator run (default 60 QEMU, 150 Bochs)")
    options = parser.parse_args()
    if options.list:
        for platform in PLATFORMS:
            print("%s %s %d netping" % (platform, CASE, 4 * default_timeout(platform)))
        for case in (VIRTIO_CASE, OVERSIZE_CASE):
            print("qemu-svm %s %d netping" % (case, 4 * default_timeout("qemu-svm")))
        for platform in RING_SPIN_PLATFORMS:
            print("%s %s %d netping" % (platform, RING_SPIN_CASE, 4 * default_timeout(platform)))
        for platform in PLATFORMS:
            print("%s %s %d netping" % (platform, AP_CASE, 4 * default_timeout(platform)))
        return 0
    if not options.platform or not options.build:
        parser.error("--platform and --build are needed")
    if options.timeout is None:
        options.timeout = default_timeout(options.platform)
    cpu = "intel" if options.platform == "bochs-vmx" else "amd"
    emulator = "qemu" if options.platform == "qemu-svm" else "bochs"
    port, sock = free_port_pair()
    image = os.path.join(options.build, "tests", "guests", "netping", "netping.elf")
    command = [sys.executable, os.path.join(HERE, "..", "tools", "skiff-run"), "--cpu", cpu,
               "--emulator", emulator, "--timeout", str(options.timeout),
               "--net", "service=udp:%d" % port]
    mode = ["responder"]
    needed = "served %d echo requests" % COUNT
    if options.test == RING_SPIN_CASE:
        command += ["--skiff-args", "slice_ms=1000"]
        mode = ["ring", "spin", "responder"]
        needed = "spinning ring served within 200 ms"
    elif options.test == AP_CASE:
        cpus, on_cpu = AP_CPUS[options.platform]
        command += ["--cpus", str(cpus), "--skiff-args", "cpus=%d" % cpus,
                    "--on-cpu", str(on_cpu), "--name", "responder"]
    elif options.test != CASE:
        command += ["--nic", "virtio"]
    command += [image] + mode + ["10.0.0.2", str(COUNT)]
    env = dict(os.environ, SKIFF_BUILD=options.build)
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    log = []
    ok = run_peer(sock, port, time.time() + options.timeout, log,
                  oversize=options.test == OVERSIZE_CASE)
    skiff_log = ["rx_oversize=%d " % len(OVERSIZE_LENGTHS)] if options.test == OVERSIZE_CASE else []
    if options.test == AP_CASE:
        skiff_log = [re.compile(r"summary responder status=0 reason=halt .* cpu=%d$"
                                % AP_CPUS[options.platform][1], re.M)]
    return verdict(options.platform, options.test, ok, run, options.timeout, log, needed,
                   skiff_log)


def verdict(platform, case, ok, run, timeout, log, needed, skiff_log=()):
    """Wait for skiff-run, print what the peer saw and skiff-run's output, and
    return 0 when the peer's exchange went well (ok), skiff-run exited 0 and
    its standard output holds the text needed and its standard error (Skiff's
    log) each string of skiff_log; 1 otherwise."""
    stdout, stderr = run.communicate(timeout=timeout + 30)
    text = stdout.decode(errors="replace")
    print("\n".join(log))
    print("--- skiff-run (status %d) ---\n%s" % (run.returncode, text))
    errors = stderr.decode(errors="replace")
    passed = (ok and run.returncode == 0 and needed in text
              and all(n.search(errors) if hasattr(n, "search") else n in errors
                      for n in skiff_log))
    if not passed:
        print(errors[-4000:])
    print("boot.%s.%s: %s" % (platform, case, "PASS" if passed else "FAIL"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
