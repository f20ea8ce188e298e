"""Unit tests: guest module words and their GRUB quoting (tools/skiff_guests.py, skiff_grub.py)."""

import shlex
import unittest

import paths  # noqa: F401
from skiff_grub import grub_config, grub_encode, grub_quote
from skiff_guests import (GuestSpecError, default_name, machine_megabytes, make_guest,
                          module_words, parse_guest_spec, parse_size)

# What GRUB 2.06 (Debian 12) really passed as a module command line for
#   module2 /boot/g.elf hello -- 'a  b' '' 'c"d' 'it'\''s' 'back\slash' '$HOME'
#       '\x41' 'x y' 'tab<TAB>t' 'end '
# recorded from a boot under QEMU.
OBSERVED_WORDS = ["hello", "--", "a  b", "", 'c"d', "it's", "back\\slash", "$HOME",
                  "\\x41", "x y", "tab\tt", "end "]
OBSERVED_LINE = ('hello -- "a  b"  c\\"d it\\\'s back\\\\slash $HOME \\\\x41 "x y" '
                 'tab\tt "end "')


class GrubQuotingTest(unittest.TestCase):
    def test_encode_matches_observed_grub(self):
        self.assertEqual(grub_encode(OBSERVED_WORDS), OBSERVED_LINE)

    def test_quote_reads_back_as_one_word(self):
        for word in ["plain", "two words", "it's", 'say "hi"', "back\\slash", "$HOME",
                     "''", "semi;colon", "#hash", "{brace}", ""]:
            self.assertEqual(shlex.split(grub_quote(word)), [word])

    def test_quote_refuses_newline(self):
        with self.assertRaises(ValueError):
            grub_quote("a\nb")

    def test_config_has_no_menu_delay_and_all_modules(self):
        guests = [make_guest("/x/hello.elf", ["a b"]), make_guest("/y/ports.elf", name="p1")]
        text = grub_config(["backend=svm"], guests)
        self.assertIn("set timeout=0\n", text)
        self.assertIn("multiboot2 /boot/skiff.elf 'backend=svm'\n", text)
        self.assertIn("module2 /boot/g0-hello.elf 'hello' '--' 'a b'\n", text)
        self.assertIn("module2 /boot/g1-p1.elf 'p1'\n", text)

    def test_network_config_retries_every_load_then_reboots(self):
        guests = [make_guest("/x/hello.elf"), make_guest("/y/ports.elf", name="p1")]
        lines = [line.strip() for line in grub_config([], guests, network=True).splitlines()]
        loop = lines.index("for try in 1 2 3; do")
        self.assertEqual(lines[loop + 1:loop + 5],
                         ["if multiboot2 /boot/skiff.elf; then",
                          "if module2 /boot/g0-hello.elf 'hello'; then",
                          "if module2 /boot/g1-p1.elf 'p1'; then", "boot"])
        self.assertEqual(lines[lines.index("done") + 1:], [
            'echo "skiff: giving up on this server; rebooting"', "reboot", "}"])
        self.assertNotIn("for try", grub_config([], guests))


class GuestWordsTest(unittest.TestCase):
    def test_module_words_with_options(self):
        guest = make_guest("build/app.v2.elf", ["x", "", "y z"], mem="5M", count=3)
        self.assertEqual(module_words(guest), ["app.v2", "mem=6M", "count=3", "--", "x", "y z"])

    def test_module_words_without_arguments(self):
        self.assertEqual(module_words(make_guest("hello.elf")), ["hello"])

    def test_default_name_is_sanitized(self):
        self.assertEqual(default_name("/a/my app!.elf"), "my_app_")
        self.assertEqual(default_name("_x.elf"), "g_x")
        self.assertEqual(len(default_name("n" * 50 + ".elf")), 31)

    def test_sizes(self):
        self.assertEqual(parse_size("1"), 2 << 20)
        self.assertEqual(parse_size("64"), 64 << 20)      # bare digits: MiB, as solo5-hvt
        self.assertEqual(parse_size("4096K"), 4 << 20)
        self.assertEqual(parse_size("64M"), 64 << 20)
        self.assertEqual(parse_size("3m"), 4 << 20)
        self.assertEqual(parse_size("1G"), 1 << 30)
        for bad in ["", "0", "5G", "12T", "-1M", "M"]:
            with self.assertRaises(GuestSpecError):
                parse_size(bad)

    def test_bad_names_and_counts(self):
        with self.assertRaises(GuestSpecError):
            make_guest("a.elf", name="bad name")
        with self.assertRaises(GuestSpecError):
            make_guest("a.elf", count=0)

    def test_guest_spec(self):
        guest = parse_guest_spec("name=web mem=64M count=2 /b/web.elf --port 'a b'")
        self.assertEqual((guest.name, guest.mem, guest.count, guest.image, guest.args),
                         ("web", "64M", 2, "/b/web.elf", ["--port", "a b"]))
        with self.assertRaises(GuestSpecError):
            parse_guest_spec("mem=4M")

    def test_machine_fits_guests(self):
        self.assertEqual(machine_megabytes([make_guest("a.elf")]), 112)
        big = machine_megabytes([make_guest("a.elf", mem="1G", count=2)])
        self.assertGreater(big, 2048 + 64)


if __name__ == "__main__":
    unittest.main()
