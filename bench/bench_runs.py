"""Running a benchmark's cases and writing its report files.

Shared by the benchmarks that boot one machine per case (disk, evict,
reclaim): each case's figures go into report["runs"], a failed case is
reported and the others still run.
"""

import json
import os
import sys


def collect_runs(report, what, cases, measure_case):
    """Measure each case into report["runs"].

    cases: dicts naming a run (e.g. {"backend": "svm", "run": "mixed"});
    measure_case(case) returns its figures or raises RuntimeError, which is
    printed and makes the result 1 while the other cases still run.
    Returns 0 when every case was measured, 1 otherwise."""
    status = 0
    for case in cases:
        print("bench: %s %s" % (what, "/".join(str(v) for v in case.values())),
              file=sys.stderr, flush=True)
        try:
            figures = measure_case(case)
        except RuntimeError as error:
            print("bench: %s" % error, file=sys.stderr)
            status = 1
            continue
        report["runs"].append(dict(case, figures=figures))
    return status


def write_report(out, name, report, markdown_text):
    """Write OUT/NAME.json and OUT/NAME.md and print the Markdown."""
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(report, f, indent=2)
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(markdown_text)
    sys.stdout.write(markdown_text)
