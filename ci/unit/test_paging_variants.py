"""Unit tests: paging variants of boot cases (ci/boot_test.py: CASE.MODE, "paging_variants")."""

import json
import os
import tempfile
import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases
from boot_test import find_any_case, paging_variants, with_paging

CASE = {"name": "demo", "platforms": ["qemu-svm", "bochs-vmx"], "guests": [
    {"image": "fault", "outcome": "killed", "reason": "nested page fault: read at gpa 0x0"},
    {"image": "hello", "paging": "nested"},
    {"image": "hello", "name": "alt", "outcomes": [
        {"outcome": "killed", "reason": "nested page fault: write"}, {"status": 0}]}]}


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
