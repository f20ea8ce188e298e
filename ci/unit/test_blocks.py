"""Unit tests: block devices in the tools (--block, disk modules) and in boot-test cases."""

import importlib.machinery
import importlib.util
import os
import tempfile
import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases, pattern_bytes, resolve_case, write_disk
from skiff_grub import disk_layout, grub_config
from skiff_guests import (MIB, GuestSpecError, machine_megabytes, make_block, make_guest,
                          module_words, parse_block_option, parse_guest_spec)


def load_skiff_run():
    """Import tools/skiff-run (a script without .py) as a module."""
    path = os.path.join(paths.TOOLS_DIR, "skiff-run")
    loader = importlib.machinery.SourceFileLoader("skiff_run", path)
    spec = importlib.util.spec_from_loader("skiff_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class BlockWordsTest(unittest.TestCase):
    def test_block_word_comes_before_the_arguments(self):
        guest = make_guest("kv.elf", ["get", "k"], blocks=[make_block("storage", file="d.img")])
        self.assertEqual(module_words(guest, ["/boot/disks/0.img"]),
                         ["kv", "block.storage=/boot/disks/0.img", "--", "get", "k"])

    def test_explicit_module_path_is_used_as_is(self):
        guest = make_guest("kv.elf", blocks=[make_block("storage", module="/boot/x.img")])
        self.assertEqual(module_words(guest), ["kv", "block.storage=/boot/x.img"])

    def test_a_file_block_without_a_path_is_an_error(self):
        guest = make_guest("kv.elf", blocks=[make_block("storage", file="d.img")])
        with self.assertRaises(GuestSpecError):
            module_words(guest)

    def test_bad_blocks_are_refused(self):
        for bad in [lambda: make_block("", file="d"), lambda: make_block("a b", file="d"),
                    lambda: make_block("x" * 68, file="d"), lambda: make_block("s"),
                    lambda: make_block("s", file="d", module="/m"),
                    lambda: make_block("s", module="relative.img"),
                    lambda: parse_block_option("storage"),
                    lambda: parse_block_option("storage="),
                    lambda: make_guest("a.elf", blocks=[make_block("s", file="1"),
                                                        make_block("s", file="2")])]:
            with self.assertRaises(GuestSpecError):
                bad()

    def test_guest_spec_takes_block_options(self):
        guest = parse_guest_spec("mem=8M block.storage=disk.img block.logs=l.img kv.elf put k v")
        self.assertEqual([(b.device, b.file) for b in guest.blocks],
                         [("storage", "disk.img"), ("logs", "l.img")])
        self.assertEqual((guest.image, guest.args, guest.mem), ("kv.elf", ["put", "k", "v"], "8M"))

    def test_a_word_with_equals_after_the_image_is_an_argument(self):
        guest = parse_guest_spec("kv.elf block.x=y")
        self.assertEqual((guest.blocks, guest.args), ([], ["block.x=y"]))


class DiskModuleTest(unittest.TestCase):
    def guests(self):
        return [make_guest("a.elf", blocks=[make_block("one", file="a.img"),
                                            make_block("two", module="/boot/disks/9.img")]),
                make_guest("b.elf", blocks=[make_block("storage", file="b.img")])]

    def test_disks_are_numbered_over_all_guests(self):
        per_guest, disks = disk_layout(self.guests())
        self.assertEqual(per_guest, [["/boot/disks/0.img", None], ["/boot/disks/1.img"]])
        self.assertEqual(disks, [("/boot/disks/0.img", "a.img"), ("/boot/disks/1.img", "b.img")])

    def test_grub_config_loads_each_disk_under_its_own_path(self):
        config = grub_config([], self.guests()).splitlines()
        self.assertIn("  module2 /boot/g0-a.elf 'a' 'block.one=/boot/disks/0.img' "
                      "'block.two=/boot/disks/9.img'", config)
        self.assertIn("  module2 /boot/g1-b.elf 'b' 'block.storage=/boot/disks/1.img'", config)
        disk_lines = [line for line in config if line.startswith("  module2 /boot/disks/")]
        self.assertEqual(disk_lines, ["  module2 /boot/disks/0.img '/boot/disks/0.img'",
                                      "  module2 /boot/disks/1.img '/boot/disks/1.img'"])

    def test_machine_memory_counts_disks(self):
        with tempfile.TemporaryDirectory() as folder:
            disk = os.path.join(folder, "d.img")
            with open(disk, "wb") as f:
                f.truncate(40 * MIB)
            with_disk = machine_megabytes([make_guest("a.elf", blocks=[make_block("s", file=disk)])])
            # Skiff's 64 MiB, the guest's default 32 MiB and the 40 MiB disk.
            self.assertGreaterEqual(with_disk, 64 + 32 + 40)


class SkiffRunBlockTest(unittest.TestCase):
    def setUp(self):
        self.skiff_run = load_skiff_run()
        self.folder = tempfile.TemporaryDirectory()
        self.disk = os.path.join(self.folder.name, "disk.img")
        with open(self.disk, "wb") as f:
            f.write(bytes(4096))

    def tearDown(self):
        self.folder.cleanup()

    def guests(self, argv):
        _, options = self.skiff_run.parse_arguments(argv)
        return self.skiff_run.guests_from(options)

    def test_block_goes_to_the_positional_guest(self):
        guests = self.guests(["--block", "storage=" + self.disk, "kv.elf", "list"])
        self.assertEqual([(b.device, b.file) for b in guests[0].blocks], [("storage", self.disk)])
        self.assertEqual(guests[0].args, ["list"])

    def test_block_needs_an_existing_file_and_a_positional_image(self):
        with self.assertRaises(GuestSpecError):
            self.guests(["--block", "storage=/nonexistent/disk.img", "kv.elf"])
        with self.assertRaises(GuestSpecError):
            self.guests(["--block", "storage=" + self.disk, "--guest", "kv.elf"])


class CaseBlocksTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.build = os.path.join(self.folder.name, "build")
        self.disks = os.path.join(self.folder.name, "disks")
        os.makedirs(self.disks)
        for image in ("kvstore", "block"):
            path = os.path.join(self.build, "examples", image, image + ".elf")
            os.makedirs(os.path.dirname(path))
            open(path, "w").close()

    def tearDown(self):
        self.folder.cleanup()

    def test_pattern_changes_from_block_to_block(self):
        data = pattern_bytes(1024)
        self.assertEqual(list(data[:3]), [0, 1, 2])
        self.assertEqual(data[511], 255)
        self.assertEqual(list(data[512:514]), [(512 + 7) & 0xFF, (513 + 7) & 0xFF])

    def test_generated_and_named_disks(self):
        case = {"name": "t", "guests": [
            {"image": "kvstore", "blocks": [{"name": "storage", "size": 1000, "fill": "pattern"}]},
            {"image": "block", "blocks": [{"name": "storage", "module": "/boot/disks/0.img"}]}]}
        resolved = resolve_case(case, self.build, self.disks)
        first, second = resolved.guests
        with open(first.blocks[0].file, "rb") as f:
            self.assertEqual(f.read(), pattern_bytes(1000))
        self.assertEqual((second.blocks[0].file, second.blocks[0].module),
                         (None, "/boot/disks/0.img"))

    def test_zero_fill_is_the_default(self):
        case = {"name": "t", "guests": [{"image": "block", "blocks": [{"name": "s", "size": 512}]}]}
        block = resolve_case(case, self.build, self.disks).guests[0].blocks[0]
        with open(block.file, "rb") as f:
            self.assertEqual(f.read(), bytes(512))

    def test_bad_block_entries_are_case_errors(self):
        for spec in [{"name": "s", "size": 0}, {"name": "s", "size": "1M"},
                     {"name": "s", "size": 512, "fill": "random"}, {"size": 512},
                     {"name": "bad name", "size": 512}, {"name": "s", "module": "x.img"}]:
            case = {"name": "t", "guests": [{"image": "block", "blocks": [spec]}]}
            with self.subTest(spec=spec), self.assertRaises(CaseError):
                resolve_case(case, self.build, self.disks)

    def test_generated_disks_need_a_directory(self):
        case = {"name": "t", "guests": [{"image": "block", "blocks": [{"name": "s", "size": 512}]}]}
        with self.assertRaises(CaseError):
            resolve_case(case, self.build)

    def test_write_disk_sizes(self):
        path = os.path.join(self.disks, "x.img")
        write_disk(path, {"name": "s", "size": 65636, "fill": "zero"})
        self.assertEqual(os.path.getsize(path), 65636)

    def test_shipped_block_entries_are_well_formed(self):
        for case in load_cases():
            for guest in case.get("guests", []):
                for spec in guest.get("blocks", []):
                    with self.subTest(case=case["name"], spec=spec):
                        if "module" in spec:
                            make_block(spec["name"], module=spec["module"])
                        else:
                            make_block(spec["name"], file="x")
                            write_disk(os.path.join(self.disks, "shipped.img"), spec)


if __name__ == "__main__":
    unittest.main()
