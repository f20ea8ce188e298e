"""Unit tests of bench/bench_report.py: parsing, arithmetic, targets, report text."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

import bench_report  # noqa: E402

CONSOLE = """\
bench: entry_tsc 1000500
bench: main_tsc 1001200
bench: null_hypercall 251 with=253013 without=2013 n=1000 reps=5
..........
bench: puts_1 404 with=406272 without=2013 n=1000 reps=5
bench: walltime 333 with=335010 without=2013 n=1000 reps=5
bench: cpuid 263 with=266013 without=3013 n=1000 reps=5
bench: first_touch_delta 0 pages=64
bench: done
"""

LOG = """\
skiff: guest bench_guest: build started at tsc 700000
skiff: guest bench_guest: zeroing took 262167 tsc
skiff: guest bench_guest: overhead 28672 bytes
skiff: guest bench_guest: started (mem 2M, entry 0x100000, 3 segments)
[bench_guest] bench: entry_tsc 1
skiff: guest other: refused: asks for 2 MiB of RAM but only 0 MiB are free
skiff: summary bench_guest status=0 reason=halt exits=20010 io=15010 cpuid=5000 npf=0
skiff: final status 0
"""


class ParseTest(unittest.TestCase):
    def test_ap_exit_figures(self):
        figures = bench_report.ap_exit_figures("bench_guest", CONSOLE, LOG)
        self.assertEqual(figures, {"null_hypercall_ap": 251, "puts_1_ap": 404,
                                   "walltime_ap": 333, "cpuid_ap": 263})
        with self.assertRaises(ValueError):
            bench_report.ap_exit_figures("bench_guest", "bench: entry_tsc 1\n", LOG)

    def test_bench_lines(self):
        lines = bench_report.parse_bench_lines(CONSOLE + "bench: gone null reason=x\n")
        self.assertEqual(lines["null_hypercall"], (251, {"with": "253013", "without": "2013",
                                                         "n": "1000", "reps": "5"}))
        self.assertEqual(lines["puts_1"][0], 404)
        self.assertEqual(lines["gone"], (None, {"reason": "x"}))
        self.assertEqual(lines["done"], (None, {}))

    def test_skiff_log(self):
        log = bench_report.parse_skiff_log(LOG)
        self.assertEqual(log["build_tsc"], {"bench_guest": 700000})
        self.assertEqual(log["zeroing"], {"bench_guest": 262167})
        self.assertEqual(log["overhead"], {"bench_guest": 28672})
        self.assertEqual(log["started"], ["bench_guest"])
        self.assertEqual(log["refused"], ["other"])
        self.assertEqual(log["npf"], {"bench_guest": 0})
        self.assertEqual(bench_report.count_started(LOG), (1, 1))

    def test_guest_figures(self):
        figures, reasons, details = bench_report.guest_figures("bench_guest", CONSOLE, LOG)
        self.assertEqual(figures["cpuid"], 263)
        self.assertEqual(figures["boot_to_first_insn"], 1000500 - 700000 - 262167)
        self.assertEqual(figures["boot_to_main"], 1001200 - 700000 - 262167)
        self.assertEqual(figures["boot_zeroing"], 262167)
        self.assertEqual(details["boot_to_main_with_zeroing"], 301200)
        self.assertEqual(figures["vm_overhead_bytes"], 28672)
        self.assertIsNone(figures["npf_first_touch"])
        self.assertIn("maps all guest RAM", reasons["npf_first_touch"])

    def test_guest_figures_first_touch(self):
        console = CONSOLE.replace("first_touch_delta 0", "first_touch_delta 2100") + \
            "bench: first_touch_2m_delta 270000\n"
        log = LOG.replace("skiff: guest bench_guest: zeroing took 262167 tsc\n", "").replace(
            "npf=0", "npf=70")
        figures, reasons, details = bench_report.guest_figures("bench_guest", console, log)
        self.assertEqual(figures["boot_to_main"], 1001200 - 700000)
        self.assertIsNone(figures["boot_zeroing"])
        self.assertIn("first touch", reasons["boot_zeroing"])
        self.assertEqual(figures["npf_first_touch"], 2100)
        self.assertEqual(figures["npf_first_touch_2m"], 270000)

    def test_missing_line_is_an_error(self):
        with self.assertRaises(ValueError):
            bench_report.guest_figures("bench_guest", CONSOLE.replace("cpuid", "x"), LOG)
        with self.assertRaises(ValueError):
            bench_report.guest_figures("nobody", CONSOLE, LOG)


class ArithmeticTest(unittest.TestCase):
    def test_callgrind_total(self):
        text = "events: Ir\nfn=main\n1 5\nsummary: 266810\ntotals: 266810\n"
        self.assertEqual(bench_report.callgrind_total(text), 266810)
        with self.assertRaises(ValueError):
            bench_report.callgrind_total("events: Ir\n")

    def test_per_op_cancels_fixed_cost(self):
        self.assertEqual(bench_report.per_op(1000 + 512 * 7, 512, 1000 + 1024 * 7, 1024), 7.0)
        with self.assertRaises(ValueError):
            bench_report.per_op(1, 5, 2, 5)

    def test_targets(self):
        checks = bench_report.target_checks({"svm": {"null_hypercall": 300, "cpuid": 251,
                                                     "max_hello_1g": 15},
                                             "vmx": {"max_hello_1g": 1000}})
        met = {(c[0], c[1]): c[5] for c in checks}
        self.assertTrue(met[("svm", "null_hypercall")])
        self.assertFalse(met[("svm", "cpuid")])
        self.assertFalse(met[("svm", "max_hello_1g")])
        self.assertTrue(met[("vmx", "max_hello_1g")])
        self.assertIsNone(met[("vmx", "cpuid")])

    def test_compare(self):
        a = {"svm": {"x": 1, "y": None}, "host": {"ept": {"map_4k": 5.5}}}
        b = {"svm": {"x": 1, "y": None}, "host": {"ept": {"map_4k": 5.25}}}
        self.assertEqual(bench_report.compare_figures(a, a), [])
        self.assertEqual(bench_report.compare_figures(a, b), ["host.ept.map_4k"])


class ReportTest(unittest.TestCase):
    def test_markdown(self):
        report = {"figures": {"svm": {"null_hypercall": 251, "max_hello_1g": 15},
                              "vmx": {"null_hypercall": 1234567},
                              "host": {"npt": {"map_2m": 101.5}}},
                  "reasons": {"svm.npf_first_touch": "not applicable"},
                  "repeatability": {"runs": 2, "identical": True, "differ": []},
                  "setup": {"commit": "abc"}}
        text = bench_report.markdown(report)
        self.assertIn("| null_hypercall | 251 | 1,234,567 |", text)
        self.assertIn("| npt | n/a | n/a | 101.50 | n/a |", text)
        self.assertIn("| svm | max_hello_1g | 15 | >= 1,000 | **no** |", text)
        self.assertIn("figures identical: yes", text)
        self.assertIn("`svm.npf_first_touch`: not applicable", text)

    def test_dumps_is_stable(self):
        self.assertEqual(bench_report.dumps({"b": 1, "a": None}),
                         '{\n  "a": null,\n  "b": 1\n}\n')


if __name__ == "__main__":
    unittest.main()
