#!/usr/bin/env python3
"""Run one case of ci/skiff_run_tests.json: tools/skiff-run as a user runs it.

  skiff_run_test.py --build DIR --platform qemu-svm --test skiff-run-args
  skiff_run_test.py --list   (same line format as boot_test.py --list)

A case gives the image, its arguments, optional skiff-run options ("options",
e.g. ["--firmware", "uefi"]), optional NIC ("net": skiff-run's --net DEV=SPEC, and
"forwards": its --forward values), optional block devices ("blocks",
generated as in ci/boot_tests.json and passed with --block), the exact
standard output expected (null: not checked) and the exit status. Exit status 0 when both match,
1 when not, 2 when the case cannot run. Optional keys (docs/testing.md):
"options" (skiff-run options before the image, with {image:NAME} and
{tmp} substituted), "image": null (no positional image), "live",
"signal", "stderr", "stdout_lines", "files", "walltime" and "gdb".
"""

import argparse
import difflib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

import boot_cases  # noqa: E402
from boot_cases import (CaseError, case_platforms, case_timeout, find_case,  # noqa: E402
                        image_path, write_disk)

CASES_FILE = os.path.join(CI_DIR, "skiff_run_tests.json")
SKIFF_RUN = os.path.join(CI_DIR, "..", "tools", "skiff-run")
PLATFORM_OPTIONS = {"qemu-svm": ["--cpu", "amd", "--emulator", "qemu"],
                    "bochs-svm": ["--cpu", "amd", "--emulator", "bochs"],
                    "bochs-vmx": ["--cpu", "intel", "--emulator", "bochs"]}
CTEST_MARGIN_SECONDS = 60


def load_cases():
    """Return the cases of ci/skiff_run_tests.json and ci/skiff_run_tests.d/*.json."""
    return boot_cases.load_cases(CASES_FILE)


def list_tests(cases):
    """Print "PLATFORM CASE CTEST-TIMEOUT IMAGE" for every case and platform."""
    for case in cases:
        images = ([case["image"]] if case.get("image") else []) + [
            m for o in case.get("options", []) for m in re.findall(r"\{image:([\w.-]+)\}", o)]
        for platform in case_platforms(case):
            limit = int(case_timeout(case, platform)) + CTEST_MARGIN_SECONDS
            print("%s %s %d %s" % (platform, case["name"], limit,
                                   " ".join(dict.fromkeys(images))))


def block_options(case, disk_dir):
    """Write the case's disks into disk_dir; return their --block options."""
    options = []
    for index, spec in enumerate(case.get("blocks", [])):
        path = os.path.join(disk_dir, "%d.img" % index)
        write_disk(path, spec)
        options += ["--block", "%s=%s" % (spec["name"], path)]
    return options


def substitute(word, build, tmp):
    """Replace {image:NAME}, {build}, {tmp} and {now} (the host's time in seconds) in a word."""
    word = re.sub(r"\{image:([\w.-]+)\}", lambda m: image_path(build, m.group(1)), word)
    word = word.replace("{build}", os.path.abspath(build))
    return word.replace("{tmp}", tmp).replace("{now}", str(int(time.time())))


def skiff_run_command(case, build, platform, tmp):
    """Return the skiff-run command line for a case (disks, if any, written to tmp)."""
    timeout = case_timeout(case, platform)
    blocks = block_options(case, tmp)
    nets = ["--net", case["net"]] if case.get("net") else []
    for forward in case.get("forwards", []):
        nets += ["--forward", forward]
    words = [substitute(w, build, tmp) for w in case.get("options", [])]
    image = [image_path(build, case["image"])] if case.get("image") else []
    args = [substitute(a, build, tmp) for a in case["args"]]
    return ([sys.executable, SKIFF_RUN] + PLATFORM_OPTIONS[platform] + blocks + nets
            + ["--timeout", str(timeout)] + words + image + args)


def compare_stdout(expected, actual):
    """Return a list of problems comparing expected text with actual bytes."""
    if expected is None or actual == expected.encode():
        return []
    diff = difflib.unified_diff(expected.splitlines(True),
                                actual.decode("utf-8", "replace").splitlines(True),
                                "expected stdout", "actual stdout")
    return ["standard output differs (byte for byte):\n" + "".join(diff)
            + "\nexpected %r\nactual   %r" % (expected.encode(), actual)]


class Run:
    """skiff-run's outcome: stdout bytes, the time each stdout line arrived, stderr, status."""

    def __init__(self):
        self.stdout = b""
        self.line_times = []      # (seconds since start, line bytes)
        self.stderr = b""
        self.status = None
        self.started = time.time()
        self.ended = None
        self.seconds = None


def run_skiff_run(command, environment, case):
    """Run skiff-run, timing each line of its standard output.

    With a "signal" case key, the signal is sent to skiff-run once the
    line it names has arrived on standard output.
    """
    run = Run()
    start = time.monotonic()
    proc = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()))
    reader.start()
    send = case.get("signal")
    for line in iter(proc.stdout.readline, b""):
        run.stdout += line
        run.line_times.append((time.monotonic() - start, line))
        if send and send["after_line"].encode() in line:
            proc.send_signal(getattr(signal, send["signal"]))
            send = None
    run.status = proc.wait()
    reader.join()
    run.stderr = errors[0] if errors else b""
    run.seconds = time.monotonic() - start
    run.ended = time.time()
    return run


def check_live(case, run):
    """The "live" line must arrive at least lead_seconds before skiff-run ended."""
    live = case.get("live")
    if not live:
        return []
    for seconds, line in run.line_times:
        if live["line"].encode() in line:
            lead = run.seconds - seconds
            if lead < live["lead_seconds"]:
                return ["%r arrived %.2f s before the end; expected at least %.2f s (not live)"
                        % (live["line"], lead, live["lead_seconds"])]
            return []
    return ["%r never arrived on standard output" % live["line"]]


def check_stderr(case, run):
    """Each "stderr" fragment appears; no traceback; with "signal", one line of skiff-run's own."""
    text = run.stderr.decode("utf-8", "replace")
    problems = ["standard error lacks %r" % f for f in case.get("stderr", []) if f not in text]
    if "Traceback" in text:
        problems.append("standard error shows a Python traceback")
    if case.get("signal"):
        own = [line for line in text.splitlines() if line.startswith("skiff-run: ")]
        if len(own) != 1:
            problems.append("expected one line from skiff-run after the signal, got %r" % own)
    return problems


def check_gdb(case, build, tmp):
    """gdb opens "gdb": {"core": PATH under {tmp}, ...} with the case's image; its output has each "expect"."""
    spec = case.get("gdb")
    if not spec:
        return []
    core = os.path.join(tmp, spec["core"])
    if not os.path.isfile(core):
        return ["no core file %s" % spec["core"]]
    command = ["gdb", "-batch", "-nx"] + [w for c in spec["commands"] for w in ("-ex", c)]
    done = subprocess.run(command + [image_path(build, case["image"]), core],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120)
    text = done.stdout.decode("utf-8", "replace")
    return ["gdb's output lacks %r:\n%s" % (e, text) for e in spec["expect"] if e not in text]


def check_stdout_lines(case, run):
    """Each line of "stdout_lines" occurs exactly the given number of times."""
    lines = run.stdout.decode("utf-8", "replace").split("\n")
    return ["standard output has %r %d times, expected %d" % (line, lines.count(line), count)
            for line, count in case.get("stdout_lines", {}).items()
            if lines.count(line) != count]


def check_files(case, tmp):
    """Each file named in "files" (relative to {tmp}) holds exactly the given text."""
    problems = []
    for name, expected in case.get("files", {}).items():
        try:
            with open(os.path.join(tmp, name), "rb") as f:
                actual = f.read()
        except FileNotFoundError:
            problems.append("%s was not written" % name)
            continue
        if actual != expected.encode():
            problems.append("%s holds %r, expected %r" % (name, actual, expected.encode()))
    return problems


def check_cleanup(case, tmp):
    """After a signal: skiff-run's temporary directory is gone and no process still uses it."""
    if not case.get("signal"):
        return []
    problems = []
    left = os.listdir(os.path.join(tmp, "tmp"))
    if left:
        problems.append("temporary files left behind: %s" % left)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ")
        except OSError:
            continue
        if tmp.encode() in cmdline and int(pid) != os.getpid():
            problems.append("process %s still running: %s" % (pid, cmdline[:200]))
    return problems


def check_walltime(case, run):
    """The guest's "walltime" line (seconds since 1970) lies within the run's host time."""
    spec = case.get("walltime")
    if not spec:
        return []
    pattern = re.compile(re.escape(spec["prefix"]) + r"(\d+)")
    for _, line in run.line_times:
        match = pattern.search(line.decode("utf-8", "replace"))
        if match:
            seconds = int(match.group(1)) // (10 ** 9 if spec.get("unit_ns") else 1)
            low, high = run.started - spec["slack"], run.ended + spec["slack"]
            if not low <= seconds <= high:
                return ["the guest's wall clock read %d, outside the run's host time %d..%d"
                        % (seconds, low, high)]
            return []
    return ["no line with %r on standard output" % spec["prefix"]]


def run_test(build, platform, name):
    """Run one case; print the verdict and timing; return the exit status."""
    title = "boot.%s.%s" % (platform, name)
    with tempfile.TemporaryDirectory(prefix="skiff-run-case-") as tmp:
        os.makedirs(os.path.join(tmp, "tmp"))
        environment = dict(os.environ, SKIFF_BUILD=build, TMPDIR=os.path.join(tmp, "tmp"))
        try:
            case = find_case(load_cases(), name)
            command = skiff_run_command(case, build, platform, tmp)
        except CaseError as error:
            print("%s: cannot run: %s" % (title, error))
            return 2
        run = run_skiff_run(command, environment, case)
        problems = compare_stdout(case.get("stdout"), run.stdout)
        if run.status != case["status"]:
            problems.append("exit status %d, expected %d" % (run.status, case["status"]))
        problems += check_live(case, run) + check_stderr(case, run) + check_files(case, tmp)
        problems += check_cleanup(case, tmp) + check_walltime(case, run)
        problems += check_stdout_lines(case, run) + check_gdb(case, build, tmp)
        problems += ["standard error has no %r" % text for text in case.get("stderr_has", [])
                     if text not in run.stderr.decode("utf-8", "replace")]
    if problems:
        print("%s: FAIL\n  command: %s" % (title, command))
        for problem in problems:
            print("  - " + problem)
        print("--- skiff-run's standard error ---\n" + run.stderr.decode("utf-8", "replace"))
    verdict = "FAIL" if problems else "PASS"
    print("%s: %s in %.2f s (exit status %d)" % (title, verdict, run.seconds, run.status))
    return 1 if problems else 0


def main(argv):
    """Parse the command line and list or run a case; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list tests for CMake")
    parser.add_argument("--build", help="the build directory (holds skiff.elf)")
    parser.add_argument("--platform", choices=sorted(PLATFORM_OPTIONS))
    parser.add_argument("--test", help="the case's name in ci/skiff_run_tests.json")
    options = parser.parse_args(argv)
    if options.list:
        list_tests(load_cases())
        return 0
    if not (options.build and options.platform and options.test):
        parser.error("--build, --platform and --test are required")
    return run_test(options.build, options.platform, options.test)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
