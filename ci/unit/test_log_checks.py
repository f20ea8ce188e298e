"""Unit tests: log parsing, exit statuses, case checking and emulator settings."""

import os
import tempfile
import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases, case_platforms, resolve_case
from boot_check import check_boot, check_whole_lines
from skiff_emulators import BootResult, bochs_config, platform_for, qemu_command
from skiff_log import exit_status, parse_log

GOOD_LOG = """\
skiff: starting
skiff: guest hello: started
[hello] Hello from Skiff!
[hello] SUCCESS
skiff: guest hello: halted with status 0
skiff: guest bad: refused: no ABI note
skiff: guest hit: started
skiff: guest hit: ended by skiff: write to port 0xf4
skiff: summary hello status=0 reason=halt
skiff: summary bad status=1 reason=refused
skiff: summary hit status=1 reason=killed
skiff: clock check: tsc/rtc deviation -1234 ppm
skiff: final status 1
"""


def result_of(log_text, console=b"", timed_out=False):
    """A BootResult as an emulator run would return it."""
    log = parse_log(log_text)
    return BootResult(com1=console, com2=log_text, log=log,
                      status=exit_status(log, timed_out), seconds=1.0,
                      timed_out=timed_out, emulator_output="")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)


class LogTest(unittest.TestCase):
    def test_parse(self):
        log = parse_log(GOOD_LOG)
        self.assertEqual(log.output["hello"], ["Hello from Skiff!", "SUCCESS"])
        self.assertEqual(log.refused["bad"], "no ABI note")
        self.assertEqual(log.ended["hit"], "write to port 0xf4")
        self.assertEqual(log.summaries["hit"].reason, "killed")
        self.assertEqual(log.final_status, 1)
        self.assertIsNone(log.panic)

    def test_exit_status(self):
        self.assertEqual(exit_status(parse_log("skiff: final status 263\n"), False), 7)
        self.assertEqual(exit_status(parse_log("skiff: PANIC: oops\n"), False), 125)
        self.assertEqual(exit_status(parse_log("skiff: final status 0\n"), True), 124)

    def test_unfinished_last_line_is_not_read(self):
        # An emulator stopped while Skiff wrote "final status 12" or a summary.
        log = parse_log("skiff: summary a status=0 reason=halt slices=3\nskiff: final status 1")
        self.assertIsNone(log.final_status)
        self.assertEqual(log.partial, "skiff: final status 1")
        self.assertEqual(log.lines, ["skiff: summary a status=0 reason=halt slices=3"])
        self.assertEqual(exit_status(log, False), 125)
        cut = parse_log("skiff: guest a: halted with status 1")
        self.assertEqual(cut.halted, {})


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.build = tempfile.mkdtemp()
        for name in ("hello", "fault"):
            write(os.path.join(self.build, "examples", name, name + ".elf"), "x")
        write(os.path.join(self.build, "tests/guests/malformed/bad.elf"), "x")
        write(os.path.join(self.build, "tests/guests/malformed/malformed.list"),
              "bad.elf\tno ABI note\n")
        self.case = {
            "name": "t",
            "guests": [{"image": "hello", "lines": ["Hello from Skiff!", "SUCCESS"]},
                       {"image": "fault", "name": "hit", "outcome": "killed",
                        "reason": "port 0xf4"}],
            "guest_list": {"file": "tests/guests/malformed/malformed.list",
                           "outcome": "refused"},
            "forbidden": ["SECRET"],
            "log_checks": [{"pattern": "deviation (-?[0-9]+) ppm", "max_abs": 20000}]}

    def problems(self, log_text, **changes):
        case = resolve_case(dict(self.case, **changes), self.build)
        return check_boot(case, result_of(log_text))

    def test_good_log_passes(self):
        self.assertEqual(self.problems(GOOD_LOG), [])

    def test_each_fault_is_found(self):
        broken = {
            "status": GOOD_LOG.replace("hello status=0", "hello status=3"),
            "line": GOOD_LOG.replace("[hello] SUCCESS\n", ""),
            "order": GOOD_LOG.replace("[hello] Hello from Skiff!\n", "") + "[hello] Hello from Skiff!\n",
            "reason": GOOD_LOG.replace("no ABI note", "bad size"),
            "panic": GOOD_LOG + "skiff: PANIC: broken\n",
            "final": GOOD_LOG.replace("final status 1", "final status 0"),
            "no final": GOOD_LOG.replace("skiff: final status 1\n", ""),
            "secret": GOOD_LOG + "[hello] SECRET\n",
            "ppm": GOOD_LOG.replace("-1234 ppm", "-20000 ppm"),
            "extra": GOOD_LOG.replace("skiff: final", "skiff: summary x status=0 reason=halt\nskiff: final"),
            "outcome": GOOD_LOG.replace("hit status=1 reason=killed", "hit status=1 reason=halt"),
        }
        for what, text in broken.items():
            with self.subTest(what):
                self.assertNotEqual(self.problems(text), [])

    def test_missing_image_is_a_case_error(self):
        with self.assertRaises(CaseError):
            resolve_case({"name": "t", "guests": [{"image": "nothing"}]}, self.build)

    def test_shipped_cases_are_well_formed(self):
        for case in load_cases():
            self.assertTrue(case_platforms(case))
            for guest in case.get("guests", []):
                self.assertIn("image", guest)


class EmulatorSettingsTest(unittest.TestCase):
    def test_platforms(self):
        self.assertEqual(platform_for("amd", None), "qemu-svm")
        self.assertEqual(platform_for("amd", "bochs"), "bochs-svm")
        self.assertEqual(platform_for("intel", None), "bochs-vmx")
        with self.assertRaises(ValueError):
            platform_for("intel", "qemu")

    def test_qemu_command(self):
        command = " ".join(qemu_command("x.iso", "c1", "c2", 128))
        for part in ["-cpu qemu64,+svm,+npt", "-m 128M", "-display none", "-no-reboot",
                     "-serial file:c1 -serial file:c2", "isa-debug-exit,iobase=0xf4,iosize=0x04"]:
            self.assertIn(part, command)

    def test_bochs_config(self):
        text = bochs_config("bochs-vmx", "x.iso", "c1", "c2", 96, "log")
        for line in ["megs: 96", "cpu: model=corei7_haswell_4770, reset_on_triple_fault=0",
                     "clock: sync=none, time0=1700000000", "com2: enabled=1, mode=file, dev=c2",
                     "display_library: term", "boot: cdrom"]:
            self.assertIn(line + "\n", text)
        self.assertNotIn("port_e9_hack", text)
        self.assertIn("model=ryzen", bochs_config("bochs-svm", "x", "a", "b", 64, "l"))



class WholeLinesTest(unittest.TestCase):
    """whole_lines: lines of two CPUs mixed mid-line are found."""

    def test_whole_lines_pass(self):
        self.assertEqual(check_whole_lines(parse_log(GOOD_LOG), {"hello", "bad", "hit"}), [])

    def test_mixed_lines_fail(self):
        mixed = GOOD_LOG.replace("[hello] SUCCESS\n", "[hello] SUCskiff: guest hit: started\nCESS\n")
        problems = check_whole_lines(parse_log(mixed), {"hello", "bad", "hit"})
        self.assertEqual(len(problems), 2)   # the mixed line, and its tail without a source
        mixed = GOOD_LOG.replace("[hello] SUCCESS\n", "[hello] SUC[hit] x\n")
        self.assertEqual(len(check_whole_lines(parse_log(mixed), {"hello", "hit"})), 1)

if __name__ == "__main__":
    unittest.main()
