"""Unit tests: paging variants of boot cases (ci/boot_test.py: CASE.MODE, "paging_variants")."""

import json
import os
import tempfile
import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases
from boot_test import find_any_case, paging_variants, with_cpus, with_paging, with_variant

CASE = {"name": "demo", "platforms": ["qemu-svm", "bochs-vmx"], "guests": [
    {"image": "fault", "outcome": "killed", "reason": "nested page fault: read at gpa 0x0"},
    {"image": "hello", "paging": "nested"},
    {"image": "hello", "name": "alt", "outcomes": [
        {"outcome": "killed", "reason": "nested page fault: write"}, {"status": 0}]}]}


class WithCpus(unittest.TestCase):
    def test_machine_and_skiff_get_the_cpus(self):
        variant = with_cpus(dict(CASE, skiff_args=["cpus=1", "limit=4"]), 4)
        self.assertEqual(variant["name"], "demo.smp4")
        self.assertEqual(variant["cpus"], 4)
        self.assertEqual(variant["skiff_args"], ["limit=4", "cpus=4"])
        self.assertEqual(variant["log_checks"][-1]["pattern"],
                         r"^skiff: smp: \d+ CPUs in the MADT, 4 started")

    def test_guests_start_on_an_ap(self):
        guests = [{"image": "a"}, {"image": "b", "cpu": 0}, {"image": "c"}, {"image": "d"}]
        placed = with_cpus(dict(CASE, guests=guests), 2)["guests"]
        self.assertEqual([g["cpu"] for g in placed], [1, 0, 0, 1])
        self.assertNotIn("cpu", guests[0])

    def test_suffix_picks_the_kind(self):
        self.assertEqual(with_variant(CASE, "smp2")["cpus"], 2)
        self.assertEqual(with_variant(CASE, "shadow")["guests"][0]["paging"], "shadow")


class WithPaging(unittest.TestCase):
    def test_mode_on_guests_without_one(self):
        variant = with_paging(CASE, "shadow")
        self.assertEqual(variant["name"], "demo.shadow")
        self.assertEqual([g.get("paging") for g in variant["guests"]],
                         ["shadow", "nested", "shadow"])

    def test_reasons_name_the_mode(self):
        guests = with_paging(CASE, "shadow")["guests"]
        self.assertEqual(guests[0]["reason"], "shadow page fault: read at gpa 0x0")
        self.assertEqual(guests[2]["outcomes"][0]["reason"], "shadow page fault: write")

    def test_summary_line_required(self):
        checks = with_paging(CASE, "shadow")["log_checks"]
        self.assertEqual([c["pattern"] for c in checks],
                         [r"guest fault(\.\d+)?: shadow cache=", r"guest alt(\.\d+)?: shadow cache="])

    def test_original_untouched(self):
        with_paging(CASE, "shadow")
        self.assertNotIn("paging", CASE["guests"][0])
        self.assertEqual(CASE["guests"][0]["reason"], "nested page fault: read at gpa 0x0")


class Listing(unittest.TestCase):
    def write_files(self, folder, variants):
        main = os.path.join(folder, "cases.json")
        with open(main, "w") as f:
            json.dump({"tests": [CASE]}, f)
        os.makedirs(os.path.join(folder, "cases.d"))
        with open(os.path.join(folder, "cases.d", "more.json"), "w") as f:
            json.dump({"tests": [], "paging_variants": {"shadow": variants}}, f)
        return main

    def test_names_and_platforms(self):
        with tempfile.TemporaryDirectory() as folder:
            main = self.write_files(folder, ["demo", {"case": "demo", "platforms": ["qemu-svm"]}])
            listed = paging_variants(load_cases(main), main)
        self.assertEqual([(c["name"], p) for c, p in listed],
                         [("demo.shadow", ["qemu-svm", "bochs-vmx"]),
                          ("demo.shadow", ["qemu-svm"])])

    def test_platform_the_case_lacks(self):
        with tempfile.TemporaryDirectory() as folder:
            main = self.write_files(folder, [{"case": "demo", "platforms": ["bochs-svm"]}])
            with self.assertRaises(CaseError):
                paging_variants(load_cases(main), main)

    def test_unknown_case(self):
        with tempfile.TemporaryDirectory() as folder:
            main = self.write_files(folder, ["nothing"])
            with self.assertRaises(CaseError):
                paging_variants(load_cases(main), main)

    def test_repository_variants_resolve(self):
        self.assertTrue(find_any_case("hello.shadow")["guests"][0]["paging"] == "shadow")
        self.assertTrue(paging_variants(load_cases()))


if __name__ == "__main__":
    unittest.main()
