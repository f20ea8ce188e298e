"""Unit tests: skiff-run --gdb's serial mapping and relay (tools/skiff_gdb.py)."""

import io
import os
import socket
import tempfile
import time
import unittest

import paths  # noqa: F401
from skiff_emulators import qemu_com4_args
from skiff_gdb import DETACH_PACKET, GdbRelay


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_until(sock, wanted, seconds=5):
    data = b""
    deadline = time.time() + seconds
    sock.settimeout(0.2)
    while wanted not in data and time.time() < deadline:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data


class QemuSerialTest(unittest.TestCase):
    def test_com4_is_the_fourth_serial_port(self):
        self.assertEqual(qemu_com4_args(4000, None),
                         ["-serial", "null", "-serial", "tcp:127.0.0.1:4000"])
        self.assertEqual(qemu_com4_args(4000, "/tmp/com3"), ["-serial", "tcp:127.0.0.1:4000"])
        self.assertEqual(qemu_com4_args(None, None), [])


class RelayTest(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        self.hint = io.StringIO()
        self.relay = GdbRelay(self.port, hint=self.hint)
        self.addCleanup(self.relay.close)
        self.log = tempfile.NamedTemporaryFile("w", delete=False)
        self.addCleanup(os.unlink, self.log.name)
        self.emulator = socket.create_connection(("127.0.0.1", self.relay.emulator_port))
        self.addCleanup(self.emulator.close)

    def test_port_opens_only_when_the_stub_waits(self):
        self.relay.watch("com1", self.log.name)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", self.port), timeout=2)
        self.assertEqual(self.hint.getvalue(), "")

    def test_bytes_flow_both_ways_and_a_vanished_gdb_is_detached_for(self):
        self.log.write("skiff: gdb: guest a stopped at its entry 0x1000: waiting for gdb on COM4\n")
        self.log.flush()
        self.relay.watch("com1", self.log.name)
        self.assertIn("target remote :%d" % self.port, self.hint.getvalue())
        gdb = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        gdb.sendall(b"$?#3f")
        self.assertIn(b"$?#3f", read_until(self.emulator, b"#3f"))
        self.emulator.sendall(b"+$S05#b8")
        self.assertIn(b"$S05#b8", read_until(gdb, b"#b8"))
        gdb.close()
        self.assertIn(DETACH_PACKET, read_until(self.emulator, DETACH_PACKET))


if __name__ == "__main__":
    unittest.main()
