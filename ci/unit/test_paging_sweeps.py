"""Unit tests: shadow sweeps, several cases' guests in one boot (ci/boot_test.py, "paging_sweeps")."""

import unittest

import paths  # noqa: F401
from boot_cases import CaseError, load_cases
from boot_test import find_any_case, paging_sweeps, sweep_case

PLATFORMS = ["qemu-svm", "bochs-vmx"]
NET_A = {"name": "net_a", "guests": [
    {"image": "netping", "name": "responder", "nets": [{"name": "service", "network": "lan"}]},
    {"image": "hello"}], "forbidden": ["LEAK"],
    "log_checks": [{"pattern": "guest responder: net service on network lan"}]}
NET_B = {"name": "net_b", "guests": [
    {"image": "nethostile", "name": "same-mac", "outcome": "refused",
     "reason": "net.service=lan: MAC 02:00:00:00:00:07 is already used on network lan",
     "nets": [{"name": "service", "network": "lan"}]},
    {"image": "hello", "status": 0}], "forbidden": ["LEAK", "FAILED"]}
FAULT = {"name": "fault", "guests": [
    {"image": "fault", "outcome": "killed", "reason": "nested page fault: read"}],
    "log_checks": [{"pattern": "hello: nested page fault"}]}
SHAPED = {"name": "shaped", "skiff_args": ["x=1"], "guests": [{"image": "hello"}]}
CASES = [NET_A, NET_B, FAULT, SHAPED]


def sweep(names):
    return sweep_case(CASES, "shadow", {"name": "s", "timeout": 60, "platforms": PLATFORMS,
                                        "cases": names})


class Sweeps(unittest.TestCase):
    def test_every_guest_kept_and_moded(self):
        case = sweep(["net_a", "net_b"])
        self.assertEqual([g.get("name", g["image"]) for g in case["guests"]],
                         ["responder", "hello", "same-mac", "net_b-hello"])
        self.assertTrue(all(g["paging"] == "shadow" for g in case["guests"]))
        self.assertEqual(case["forbidden"], ["LEAK", "FAILED"])

    def test_second_network_renamed_in_reasons_too(self):
        guest = sweep(["net_a", "net_b"])["guests"][2]
        self.assertEqual(guest["nets"][0]["network"], "lan-1")
        self.assertEqual(guest["reason"], "net.service=lan-1: MAC 02:00:00:00:00:07 is already "
                                          "used on network lan-1")

    def test_log_checks_kept_and_moded(self):
        patterns = [c["pattern"] for c in sweep(["net_a", "fault"])["log_checks"]]
        self.assertIn("guest responder: net service on network lan", patterns)
        self.assertIn("hello: shadow page fault", patterns)
        self.assertIn(r"guest fault(\.\d+)?: shadow cache=", patterns)

    def test_a_case_in_its_own_mode(self):
        case = sweep_case(CASES, "pv", {"name": "s", "timeout": 60, "platforms": PLATFORMS,
                                        "cases": ["net_a", {"case": "fault", "paging": "shadow"}]})
        self.assertEqual([g["paging"] for g in case["guests"]], ["pv", "pv", "shadow"])
        patterns = [c["pattern"] for c in case["log_checks"]]
        self.assertIn(r"guest fault(\.\d+)?: shadow cache=", patterns)
        self.assertIn(r"guest responder(\.\d+)?: pv registered=", patterns)
        self.assertNotIn(r"guest fault(\.\d+)?: pv registered=", patterns)
        self.assertEqual(case["guests"][2]["reason"], "shadow page fault: read")

    def test_pv_faults_are_shadow_faults(self):
        case = sweep_case(CASES, "pv", {"name": "s", "timeout": 60, "platforms": PLATFORMS,
                                        "cases": ["fault"]})
        self.assertEqual(case["guests"][0]["reason"], "shadow page fault: read")
        self.assertIn("hello: shadow page fault", [c["pattern"] for c in case["log_checks"]])

    def test_renamed_name_in_a_log_check_refused(self):
        with self.assertRaises(CaseError):
            sweep(["net_b", "net_a"])   # net_a checks the log for network lan, renamed lan-1

    def test_case_shaping_the_boot_refused(self):
        with self.assertRaises(CaseError):
            sweep(["net_a", "shaped"])

    def test_repository_sweeps_resolve(self):
        sweeps = paging_sweeps(load_cases())
        self.assertTrue(sweeps)
        name = sweeps[0][0]["name"]
        self.assertEqual(find_any_case(name)["name"], name)


if __name__ == "__main__":
    unittest.main()
