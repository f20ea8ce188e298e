"""Unit tests: the case features "outcomes", "fair_slices" and "machine_mem"."""

import os
import tempfile
import unittest

import paths  # noqa: F401
from boot_cases import CaseError, resolve_case
from boot_check import check_boot, summary_slices
from skiff_emulators import BootResult
from skiff_log import exit_status, parse_log


def result_of(log_text):
    """A BootResult as an emulator run would return it."""
    log = parse_log(log_text)
    return BootResult(com1=b"", com2=log_text, log=log, status=exit_status(log, False),
                      seconds=1.0, timed_out=False, emulator_output="")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)


KILLED_LOG = """\
[vmrun] attempting vmrun
skiff: guest vmrun: ended by skiff: executed VMRUN at rip 0x100123, which guests may not use
skiff: summary vmrun status=1 reason=killed slices=0 exits=3 io=2 cpuid=0 npf=0
skiff: final status 1
"""

BLOCKED_LOG = """\
[vmrun] attempting vmrun
[vmrun] blocked: #UD
[vmrun] SUCCESS
skiff: guest vmrun: halted with status 0
skiff: summary vmrun status=0 reason=halt slices=0 exits=3 io=3 cpuid=0 npf=0
skiff: final status 0
"""


def spin_log(slices):
    """A log of spin guests ended by the limit, with the given slice counts."""
    lines = []
    for index, count in enumerate(slices, 1):
        lines.append("skiff: summary spin.%d status=1 reason=killed slices=%d exits=%d io=1 "
                     "cpuid=0 npf=0" % (index, count, count + 1))
    lines.append("skiff: summary sleeper status=0 reason=halt slices=1 exits=30 io=30 cpuid=0 npf=0")
    lines.append("skiff: final status 1")
    return "\n".join(lines) + "\n"


class CaseFeatureTest(unittest.TestCase):
    def setUp(self):
        self.build = tempfile.mkdtemp()
        for name in ("hostile", "spin", "sleeper"):
            write(os.path.join(self.build, "tests/guests", name, name + ".elf"), "x")
        self.insn = {
            "name": "insn",
            "guests": [{"image": "hostile", "name": "vmrun", "args": ["vmrun"], "outcomes": [
                {"outcome": "killed", "reason": "executed VMRUN", "lines": ["attempting vmrun"]},
                {"outcome": "halt", "status": 0,
                 "lines": ["attempting vmrun", "blocked: #UD", "SUCCESS"]}]}]}
        self.fair = {
            "name": "fair",
            "guests": [{"image": "spin", "count": 3, "args": ["forever"], "outcome": "killed"},
                       {"image": "sleeper", "lines": []}],
            "fair_slices": {"guests": ["spin.1", "spin.2", "spin.3"], "max_ratio": 2}}

    def problems(self, case, log_text):
        return check_boot(resolve_case(case, self.build), result_of(log_text))

    # ---- outcomes ----

    def test_either_outcome_passes(self):
        self.assertEqual(self.problems(self.insn, KILLED_LOG), [])
        self.assertEqual(self.problems(self.insn, BLOCKED_LOG), [])

    def test_final_status_follows_the_matched_outcome(self):
        wrong_final = BLOCKED_LOG.replace("final status 0", "final status 1")
        self.assertIn("final status 1, expected 0", self.problems(self.insn, wrong_final))
        wrong_final = KILLED_LOG.replace("final status 1", "final status 0")
        self.assertIn("final status 0, expected 1", self.problems(self.insn, wrong_final))

    def test_no_outcome_matching_fails_and_names_each(self):
        broken = {
            "wrong reason": KILLED_LOG.replace("executed VMRUN", "executed VMLOAD"),
            "line missing": BLOCKED_LOG.replace("[vmrun] blocked: #UD\n", ""),
            "status": BLOCKED_LOG.replace("vmrun status=0", "vmrun status=2"),
            "other trap": BLOCKED_LOG.replace("#UD", "#GP"),
        }
        for what, text in broken.items():
            with self.subTest(what):
                problems = self.problems(self.insn, text)
                self.assertTrue(any("outcome 1 of 2" in p for p in problems), problems)
                self.assertTrue(any("outcome 2 of 2" in p for p in problems), problems)

    def test_outcomes_beside_outcome_keys_is_a_case_error(self):
        guest = dict(self.insn["guests"][0], status=0)
        with self.assertRaises(CaseError):
            resolve_case(dict(self.insn, guests=[guest]), self.build)
        for bad in ([], [{"outcome": "exploded"}], [{"outcome": "halt", "colour": "red"}]):
            with self.subTest(bad=bad):
                guest = dict(self.insn["guests"][0], outcomes=bad)
                with self.assertRaises(CaseError):
                    resolve_case(dict(self.insn, guests=[guest]), self.build)

    # ---- fair_slices ----

    def test_slices_are_read_from_summaries(self):
        slices = summary_slices(parse_log(spin_log([100, 101, 99])))
        self.assertEqual(slices, {"spin.1": 100, "spin.2": 101, "spin.3": 99, "sleeper": 1})

    def test_fair_share_passes(self):
        self.assertEqual(self.problems(self.fair, spin_log([100, 101, 99])), [])
        self.assertEqual(self.problems(self.fair, spin_log([60, 120, 110])), [])

    def test_unfair_share_fails(self):
        for counts in ([300, 10, 10], [100, 100, 30], [0, 0, 0], [200, 200, 2]):
            with self.subTest(counts=counts):
                problems = self.problems(self.fair, spin_log(counts))
                self.assertTrue(any(p.startswith("fair_slices") for p in problems), problems)

    def test_ratio_is_configurable(self):
        loose = dict(self.fair, fair_slices={"guests": ["spin.1", "spin.2", "spin.3"],
                                             "max_ratio": 3})
        self.assertEqual(self.problems(loose, spin_log([100, 100, 30])), [])

    def test_missing_slices_fail(self):
        text = spin_log([100, 100, 100]).replace("spin.2 status=1 reason=killed slices=100",
                                                 "spin.2 status=1 reason=killed")
        problems = self.problems(self.fair, text)
        self.assertTrue(any("no slices=" in p for p in problems), problems)

    def test_bad_fair_slices_is_a_case_error(self):
        for spec in ({"guests": ["spin.1"], "max_ratio": 2},
                     {"guests": ["spin.1", "nobody"], "max_ratio": 2},
                     {"guests": ["spin.1", "spin.2"], "max_ratio": 0.5}):
            with self.subTest(spec=spec):
                with self.assertRaises(CaseError):
                    resolve_case(dict(self.fair, fair_slices=spec), self.build)

    # ---- machine_mem ----

    def test_machine_mem(self):
        self.assertIsNone(resolve_case(self.fair, self.build).machine_mem)
        self.assertEqual(resolve_case(dict(self.fair, machine_mem=256), self.build).machine_mem,
                         256)
        for bad in (0, "256", 8, 1 << 20):
            with self.subTest(bad=bad):
                with self.assertRaises(CaseError):
                    resolve_case(dict(self.fair, machine_mem=bad), self.build)

    # ---- qemu_icount ----

    def test_qemu_icount(self):
        self.assertFalse(resolve_case(self.fair, self.build).qemu_icount)
        self.assertTrue(resolve_case(dict(self.fair, qemu_icount=True), self.build).qemu_icount)
        with self.assertRaises(CaseError):
            resolve_case(dict(self.fair, qemu_icount="yes"), self.build)


if __name__ == "__main__":
    unittest.main()
