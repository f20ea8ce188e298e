"""Unit tests: files attached as disks (tools/skiff_disks.py) and GPT images (tools/skiff_gpt.py)."""

import os
import stat
import struct
import tempfile
import unittest
import zlib

import paths  # noqa: F401
from skiff_disks import (bochs_disk_lines, bochs_geometry, check_disk_file, plan_disks,
                         qemu_disk_options)
from skiff_gpt import make_gpt_image
from skiff_guests import GuestSpecError, make_guest, module_words, parse_block_option


class DiskFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def file(self, name, size, mode=None):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.truncate(size)
        if mode is not None:
            os.chmod(path, mode)
        return path

    def test_checks_name_the_problem(self):
        with self.assertRaisesRegex(GuestSpecError, r"--block s=.*: no such file"):
            check_disk_file("s", os.path.join(self.dir, "nope.img"))
        with self.assertRaisesRegex(GuestSpecError, r"1000 bytes, not a multiple of the 512-byte block"):
            check_disk_file("s", self.file("odd.img", 1000))
        with self.assertRaisesRegex(GuestSpecError, r"0 bytes, less than one 512-byte block"):
            check_disk_file("s", self.file("empty.img", 0))
        with self.assertRaisesRegex(GuestSpecError, r"not a regular file"):
            check_disk_file("s", self.dir)
        check_disk_file("s", self.file("good.img", 4096))

    def test_attach_snapshot_and_regions(self):
        block = parse_block_option("storage=" + self.file("a.img", 8192))
        self.assertTrue(block.attach)
        snap = parse_block_option("storage=%s,snapshot" % self.file("b.img", 8192))
        self.assertFalse(snap.attach)
        self.assertTrue(snap.file.endswith("b.img"))
        region = parse_block_option("storage=gpt:alpha")
        self.assertEqual(region.module, "gpt:alpha")
        self.assertFalse(region.attach)

    def test_plan_numbers_disks_and_read_only(self):
        extra = self.file("shared.img", 8192)
        rw = parse_block_option("one=" + self.file("rw.img", 8192))
        ro = parse_block_option("two=" + self.file("ro.img", 8192, mode=stat.S_IRUSR))
        guest = make_guest("app.elf", blocks=[rw, ro])
        disks = plan_disks([guest], self.dir, files=[extra])
        self.assertEqual([d.number for d in disks], [0, 1, 2])
        self.assertEqual(module_words(guest), ["app", "block.one=disk:1", "block.two=disk:2,ro"])
        self.assertTrue(disks[2].read_only)
        self.assertNotEqual(disks[2].path, ro.file)   # a private copy
        self.assertEqual(qemu_disk_options(disks)[1::2][:2],
                         ["file=%s,format=raw,if=ide,media=disk,index=0" % extra,
                          "file=%s,format=raw,if=ide,media=disk,index=1" % os.path.abspath(rw.file)])
        self.assertIn("index=3", qemu_disk_options(disks)[5])
        lines = bochs_disk_lines(disks)
        self.assertTrue(lines[0].startswith('ata0-slave: type=disk, path="%s", mode=flat' % extra))
        self.assertTrue(lines[2].startswith("ata1-slave:"))

    def test_too_many_and_virtio(self):
        guest = make_guest("app.elf", blocks=[parse_block_option("d%d=%s" % (i, self.file(
            "%d.img" % i, 4096))) for i in range(4)])
        with self.assertRaisesRegex(GuestSpecError, r"at most 3 files"):
            plan_disks([guest], self.dir)
        guest = make_guest("app.elf", blocks=[parse_block_option("d=" + self.file("v.img", 4096))])
        disks = plan_disks([guest], self.dir, interface="virtio")
        self.assertEqual(qemu_disk_options(disks)[1], "file=%s,format=raw,if=virtio"
                         % os.path.abspath(disks[0].path))
        with self.assertRaisesRegex(GuestSpecError, r"Bochs emulates no virtio"):
            bochs_disk_lines(disks)

    def test_bochs_geometry(self):
        for sectors in (1, 16, 128, 2048, 8192, 16384, 1 << 20):
            c, h, s = bochs_geometry(sectors)
            self.assertEqual(c * h * s, sectors)
            self.assertLessEqual(c, 65535)
        self.assertIsNone(bochs_geometry(65537 * 67))   # a prime factor above 63 * 16


class GptImages(unittest.TestCase):
    def test_layout_and_crcs(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "g.img")
            make_gpt_image(path, [("alpha", 100), ("beta", 50)], 4096)
            with open(path, "rb") as f:
                data = f.read()
        self.assertEqual(len(data), 4096 * 512)
        self.assertEqual(data[510:512], b"\x55\xaa")
        header = bytearray(data[512:512 + 92])
        self.assertEqual(header[:8], b"EFI PART")
        crc = struct.unpack_from("<I", header, 16)[0]
        header[16:20] = b"\0\0\0\0"
        self.assertEqual(zlib.crc32(bytes(header)), crc)
        entries = data[1024:1024 + 128 * 128]
        self.assertEqual(zlib.crc32(entries), struct.unpack_from("<I", data, 512 + 88)[0])
        first, last = struct.unpack_from("<QQ", entries, 128 + 32)
        self.assertEqual((first, last), (2148, 2197))
        self.assertEqual(entries[128 + 56:128 + 64], "beta".encode("utf-16-le"))
        backup = data[-512:]
        self.assertEqual(backup[:8], b"EFI PART")
        with self.assertRaises(ValueError):
            make_gpt_image(os.path.join(tempfile.gettempdir(), "x.img"), [("big", 5000)], 4096)


if __name__ == "__main__":
    unittest.main()
