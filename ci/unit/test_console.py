"""Unit tests: skiff-run's live console (tools/skiff_console.py) and crash helpers (skiff_crash.py)."""

import io
import os
import tempfile
import unittest

import paths  # noqa: F401
from skiff_console import (ConsoleFollower, DirSink, FrameDecoder, FrameError, PrefixSink,
                           RawSink)
from skiff_crash import parse_crashes, stack_overflow


def frame(name, data):
    return b"\0" + name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data


class FrameDecoderTest(unittest.TestCase):
    def test_whole_and_split_frames(self):
        stream = frame("a", b"hello\n") + frame("b.2", b"\0\n\x1b[1m") + frame("a", b"")
        for cut in range(len(stream) + 1):
            decoder = FrameDecoder()
            pieces = decoder.feed(stream[:cut]) + decoder.feed(stream[cut:])
            joined = {}
            for name, data in pieces:
                joined[name] = joined.get(name, b"") + data
            self.assertEqual(joined.get("a"), b"hello\n")
            self.assertEqual(joined.get("b.2"), b"\0\n\x1b[1m")
            self.assertTrue(decoder.finished())

    def test_firmware_noise_before_the_first_frame_is_skipped(self):
        decoder = FrameDecoder()
        self.assertEqual(decoder.feed(b"BdsDxe: loading Boot0001\r\n"), [])
        self.assertEqual(decoder.feed(frame("g", b"hi")), [("g", b"hi")])

    def test_malformed(self):
        decoder = FrameDecoder()
        decoder.feed(frame("g", b"x"))
        with self.assertRaises(FrameError):
            decoder.feed(b"raw bytes")
        with self.assertRaises(FrameError):
            FrameDecoder().feed(b"\0name\0x1\0")


class SinkTest(unittest.TestCase):
    def test_prefix_keeps_lines_whole(self):
        out = io.BytesIO()
        sink = PrefixSink(out)
        sink.write("a", b"one ")
        sink.write("b", b"two\nthr")
        sink.write("a", b"line\n")
        sink.write("b", b"ee")
        sink.close()
        self.assertEqual(out.getvalue(), b"[b] two\n[a] one line\n[b] three\n")

    def test_raw_and_dir(self):
        out = io.BytesIO()
        with tempfile.TemporaryDirectory() as tmp:
            dirsink = DirSink(tmp, ["x.1", "x.2"])
            for sink in (RawSink(out), dirsink):
                sink.write("x.1", b"a\tb")
                sink.write("x.2", b"c")
                sink.write("x.1", b"\n")
            dirsink.close()
            with open(os.path.join(tmp, "x.1.out"), "rb") as f:
                self.assertEqual(f.read(), b"a\tb\n")
            with open(os.path.join(tmp, "x.2.out"), "rb") as f:
                self.assertEqual(f.read(), b"c")
        self.assertEqual(out.getvalue(), b"a\tbc\n")

    def test_follower_reads_growing_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            com1, com2 = os.path.join(tmp, "com1"), os.path.join(tmp, "com2")
            out, log = io.BytesIO(), io.StringIO()
            follower = ConsoleFollower([RawSink(out)], log)
            follower.poll(com1, com2)              # no files yet
            with open(com1, "wb") as f:
                f.write(frame("g", b"first")[:5])
            with open(com2, "wb") as f:
                f.write(b"skiff: one\nskiff: tw")
            follower.poll(com1, com2)
            self.assertEqual(log.getvalue(), "skiff: one\n")
            with open(com1, "ab") as f:
                f.write(frame("g", b"first")[5:])
            follower.poll(com1, com2)
            self.assertEqual(out.getvalue(), b"first")
            follower.close()
            self.assertEqual(log.getvalue(), "skiff: one\nskiff: tw\n")


class CrashTest(unittest.TestCase):
    def test_parse(self):
        lines = ["skiff: guest app.2: ended by skiff: triple fault at rip 0x101234",
                 "skiff: guest app.2: rip=0x101234 rsp=0x1ffff00 rflags=0x2 cr0=0x80010021 "
                 "cr2=0x1fbf0f8 cr3=0x2000 cr4=0x620 efer=0x500",
                 "skiff: guest app.2: frames 0x101300 0x101400"]
        self.assertEqual(parse_crashes(lines), {"app.2": (0x101234, 0x1fbf0f8, [0x101300, 0x101400])})
        self.assertEqual(stack_overflow(0x1fbf0f8, 32 << 20), 0x1fbf000)
        self.assertIsNone(stack_overflow(0x0, 32 << 20))
        self.assertIsNone(stack_overflow(0x1fc0000, 32 << 20))


if __name__ == "__main__":
    unittest.main()


class CoreTest(unittest.TestCase):
    def record(self, name, pages):
        import struct
        data = b"SKIFFCORE1\n" + name.encode() + b"\n" + struct.pack("<27Q", *range(27))
        for gpa, fill in pages:
            data += struct.pack("<Q", gpa) + bytes([fill]) * 4096
        return data + struct.pack("<Q", 0xFFFFFFFFFFFFFFFF)

    def test_records_and_core(self):
        import struct
        from skiff_core import CoreError, core_bytes, parse_records
        data = self.record("a", [(0x100000, 1), (0x101000, 2), (0x200000, 3)]) + self.record("b.2", [])
        records = parse_records(data)
        self.assertEqual([r[0] for r in records], ["a", "b.2"])
        self.assertEqual(records[0][1][16], 16)
        core = core_bytes(records[0][1], records[0][2])
        self.assertEqual(core[:4], b"\x7fELF")
        e_type, machine = struct.unpack_from("<HH", core, 16)
        phnum = struct.unpack_from("<H", core, 56)[0]
        self.assertEqual((e_type, machine, phnum), (4, 62, 3))   # a note and two runs
        p_type, _, offset, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", core, 64 + 56)
        self.assertEqual((p_type, vaddr, filesz), (1, 0x100000, 0x2000))
        self.assertEqual(core[offset:offset + 1], b"\x01")
        self.assertEqual(core[offset + 4096:offset + 4097], b"\x02")
        with self.assertRaises(CoreError):
            parse_records(data[:-3])
        with self.assertRaises(CoreError):
            parse_records(b"junk")
