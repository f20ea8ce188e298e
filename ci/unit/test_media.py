"""Unit tests: boot media (tools/skiff_media.py) and the firmware fields of boot-test cases."""

import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases, resolve_case
from skiff_media import (CONSOLE_START_MARKER, LOG_START_MARKER, after_marker,
                         console_and_log, qemu_boot_args)

FIRMWARE_NOISE = b"\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001\r\nWelcome to GRUB!\r\n"


class MarkerTest(unittest.TestCase):
    def test_uefi_console_is_what_follows_the_first_marker(self):
        guest = b"Hello\n" + CONSOLE_START_MARKER + b"forged\n"
        com1 = FIRMWARE_NOISE + b"\x1b[0m\r\n" + CONSOLE_START_MARKER + guest
        log = FIRMWARE_NOISE + LOG_START_MARKER + b"skiff: Skiff starting (UEFI)\n"
        console, text = console_and_log(com1, log, "uefi")
        self.assertEqual(console, guest)   # a guest printing the marker changes nothing
        self.assertEqual(text, b"skiff: Skiff starting (UEFI)\n")

    def test_missing_markers_give_no_console_and_the_whole_log(self):
        console, text = console_and_log(FIRMWARE_NOISE, FIRMWARE_NOISE, "uefi")
        self.assertEqual(console, b"")
        self.assertEqual(text, FIRMWARE_NOISE)

    def test_bios_output_is_left_alone(self):
        com1 = b"a" + CONSOLE_START_MARKER + b"b"
        self.assertEqual(console_and_log(com1, b"log", "bios"), (com1, b"log"))

    def test_after_marker(self):
        self.assertIsNone(after_marker(b"abc", b"x"))
        self.assertEqual(after_marker(b"axbxc", b"x"), b"bxc")

    def test_markers_match_the_hypervisor(self):
        with open(paths.os.path.join(paths.CI_DIR, "..", "hypervisor", "console.h")) as header:
            text = header.read()
        self.assertIn('"\\x1b[0m\\r\\n\\x02SKIFF-CONSOLE\\x03\\r\\n"', text)
        self.assertIn('"\\x1b[0m\\r\\n\\x02SKIFF-LOG\\x03\\r\\n"', text)
        self.assertEqual(CONSOLE_START_MARKER, b"\x02SKIFF-CONSOLE\x03\r\n")
        self.assertEqual(LOG_START_MARKER, b"\x02SKIFF-LOG\x03\r\n")


class QemuArgumentsTest(unittest.TestCase):
    def test_uefi_cd(self):
        args = qemu_boot_args("uefi", "iso", "x.iso")
        self.assertEqual(args[:2], ["-bios", "/usr/share/ovmf/OVMF.fd"])
        self.assertIn("-cdrom", args)

    def test_pxe_hands_out_the_firmwares_grub(self):
        bios = " ".join(qemu_boot_args("bios", "pxe", "/n"))
        uefi = " ".join(qemu_boot_args("uefi", "pxe", "/n"))
        self.assertIn("tftp=/n,bootfile=boot/grub/i386-pc/core.0", bios)
        self.assertIn("tftp=/n,bootfile=boot/grub/x86_64-efi/core.efi", uefi)
        self.assertNotIn("-bios", bios)

    def test_unknown_values_are_refused(self):
        with self.assertRaises(ValueError):
            qemu_boot_args("coreboot", "iso", "x")


class CaseFirmwareTest(unittest.TestCase):
    def test_firmware_cases_run_on_qemu_only(self):
        case = {"name": "x", "firmware": "uefi", "guests": []}
        with self.assertRaises(CaseError):
            resolve_case(case, "/nonexistent")
        case = {"name": "x", "boot": "floppy", "platforms": ["qemu-svm"], "guests": []}
        with self.assertRaises(CaseError):
            resolve_case(case, "/nonexistent")
        case = {"name": "x", "firmware": "uefi", "boot": "pxe", "platforms": ["qemu-svm"],
                "guests": []}
        resolved = resolve_case(case, "/nonexistent")
        self.assertEqual((resolved.firmware, resolved.boot), ("uefi", "pxe"))

    def test_qemu_machine(self):
        case = {"name": "x", "qemu_machine": "q35", "guests": []}
        with self.assertRaises(CaseError):          # all platforms: Bochs has no q35
            resolve_case(case, "/nonexistent")
        case = {"name": "x", "qemu_machine": "isapc", "platforms": ["qemu-svm"], "guests": []}
        with self.assertRaises(CaseError):
            resolve_case(case, "/nonexistent")
        case = {"name": "x", "qemu_machine": "q35", "platforms": ["qemu-svm"], "guests": []}
        self.assertEqual(resolve_case(case, "/nonexistent").qemu_machine, "q35")

    def test_the_firmware_cases_are_well_formed(self):
        names = [c["name"] for c in load_cases() if c.get("firmware") or c.get("boot")]
        self.assertTrue({"uefi_hello", "uefi_multi", "uefi_block", "pxe_hello", "pxe_multi",
                         "pxe_block", "uefi_pxe_hello"} <= set(names))


if __name__ == "__main__":
    unittest.main()
