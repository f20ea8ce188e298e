"""The emulated machine's NIC for Skiff's uplink network (skiff-run --net, --forward).

Skiff drives an Intel 82540EM (e1000) that both emulators offer, or with `--nic virtio` a legacy
virtio-net device (QEMU only), and bridges it to the switch network named "uplink"
(docs/networking.md). A guest's device DEV joins that network through
`--net DEV=SPEC`, where SPEC picks the emulator's back end for the NIC:

    user        the emulator's user-mode network (no root): QEMU's `-netdev user`, Bochs's slirp;
                the host reaches the guest through --forward tcp:HOSTPORT:GUESTPORT (or udp:)
    udp:PORT    one Ethernet frame per UDP datagram on 127.0.0.1: the NIC receives on PORT and
                sends to PORT+1 (QEMU `-netdev dgram`, Bochs `ethmod=socket`), so a program on the
                host can be the peer (ci/net_peer.py)
    tap:IFNAME  a host tap device (root): QEMU `-netdev tap`, Bochs `ethmod=tuntap`

Bochs's socket module passes the emulated NIC only broadcast, multicast and frames for its own
MAC, so with udp: the guest on the uplink uses the NIC's MAC (NIC_MAC; Skiff leaves it free).
"""

import dataclasses
import os
import re

NIC_MAC = "02:5c:1f:00:00:01"
UPLINK_NETWORK = "uplink"
MODELS = ("e1000", "virtio")

_SPEC_RE = re.compile(r"^(user|udp:([0-9]{1,5})|tap:([A-Za-z0-9_.-]{1,15}))$")
_FORWARD_RE = re.compile(r"^(tcp|udp):([0-9]{1,5}):([0-9]{1,5})$")


class NetSpecError(ValueError):
    """A --net or --forward value that cannot be used."""


@dataclasses.dataclass
class Nic:
    """The emulated NIC: its back end kind ("user", "udp", "tap"), port or interface, forwards."""

    kind: str
    port: int = None
    ifname: str = None
    forwards: list = dataclasses.field(default_factory=list)   # (proto, host, guest)
    mac: str = NIC_MAC
    model: str = "e1000"   # or "virtio": QEMU's legacy (transitional) virtio-net-pci


def _port(text, what):
    value = int(text)
    if not 1 <= value <= 65534:
        raise NetSpecError("%s %d is not a port (1..65534)" % (what, value))
    return value


def parse_net_option(text):
    """Parse DEV=SPEC; return (device, Nic). Raises NetSpecError."""
    device, equals, spec = text.partition("=")
    match = _SPEC_RE.match(spec)
    if not equals or not device or not match:
        raise NetSpecError("--net %r: expected DEV=user, DEV=udp:PORT or DEV=tap:IFNAME" % text)
    if match.group(2):
        return device, Nic(kind="udp", port=_port(match.group(2), "udp:"))
    if match.group(3):
        return device, Nic(kind="tap", ifname=match.group(3))
    return device, Nic(kind="user")


def parse_forward(text):
    """Parse tcp:HOSTPORT:GUESTPORT (or udp:); return (proto, host, guest)."""
    match = _FORWARD_RE.match(text)
    if not match:
        raise NetSpecError("--forward %r: expected tcp:HOSTPORT:GUESTPORT or udp:..." % text)
    return match.group(1), _port(match.group(2), "host port"), _port(match.group(3), "guest port")


def qemu_args(nic):
    """Return QEMU's arguments for the NIC behind nic (none when nic is None)."""
    if nic is None:
        return []
    if nic.kind == "udp":
        netdev = ("dgram,id=uplink,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                  "remote.type=inet,remote.host=127.0.0.1,remote.port=%d" % (nic.port, nic.port + 1))
    elif nic.kind == "tap":
        netdev = "tap,id=uplink,ifname=%s,script=no,downscript=no" % nic.ifname
    else:
        netdev = "user,id=uplink" + "".join(",hostfwd=%s:127.0.0.1:%d-:%d" % f for f in nic.forwards)
    if nic.model == "virtio":
        # disable-modern: the transitional device 1af4:1000 with the legacy I/O BAR Skiff
        # drives; no option ROM, the firmware need not boot from it.
        device = "virtio-net-pci,disable-modern=on,romfile=,netdev=uplink,mac=%s" % nic.mac
    else:
        device = "e1000,netdev=uplink,mac=%s" % nic.mac
    return ["-netdev", netdev, "-device", device]


def bochs_lines(nic, workdir):
    """Return bochsrc lines for the e1000 behind nic; writes slirp's script into workdir."""
    if nic is None:
        return []
    if nic.model != "e1000":
        raise NetSpecError("Bochs has no %s NIC: only e1000" % nic.model)
    if nic.kind == "udp":
        return ["e1000: enabled=1, mac=%s, ethmod=socket, ethdev=%d" % (nic.mac, nic.port)]
    if nic.kind == "tap":
        return ["e1000: enabled=1, mac=%s, ethmod=tuntap, ethdev=/dev/net/tun:%s"
                % (nic.mac, nic.ifname)]
    if len(nic.forwards) > 5:
        raise NetSpecError("Bochs's slirp takes at most five forwards")
    script = os.path.join(workdir, "slirp.conf")
    with open(script, "w") as f:
        f.write("# slirp config\n")
        for proto, host, guest in nic.forwards:
            f.write("hostfwd = %s::%d-:%d\n" % (proto, host, guest))
    return ["e1000: enabled=1, mac=%s, ethmod=slirp, script=%s" % (nic.mac, script)]
