#!/usr/bin/env python3
"""Tests of tools/skiff-elftool against built images: elftool_test.py BUILD.

- hello and kvstore are described (ABI, entry, segments with permissions,
  devices, memory);
- every image of tests/guests/malformed/malformed.list is refused with the
  reason fragment the boot test expects from Skiff itself (the same loader
  code runs in both);
- a directory, a missing file and bad usage end with status 2.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
ELFTOOL = os.path.join(HERE, "..", "skiff-elftool")


def run(build, *args):
    """Run skiff-elftool; return (status, stdout, stderr)."""
    done = subprocess.run([ELFTOOL] + list(args), env=dict(os.environ, SKIFF_BUILD=build),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return done.returncode, done.stdout, done.stderr


def expect(problems, condition, what):
    if not condition:
        problems.append(what)


def check_good(build, problems):
    hello = os.path.join(build, "examples", "hello", "hello.elf")
    status, out, err = run(build, hello)
    expect(problems, status == 0, "hello: status %d (%s)" % (status, err))
    for text in ("abi: Solo5 hvt, version 2", "entry: 0x", " r-x ", " rw- ", "devices: none",
                 "memory: at least "):
        expect(problems, text in out, "hello: %r missing from %r" % (text, out))
    kvstore = os.path.join(build, "examples", "kvstore", "kvstore.elf")
    status, out, err = run(build, kvstore)
    expect(problems, status == 0 and "  block storage  (skiff-run --block storage=FILE)" in out,
           "kvstore: device not listed: %r" % out)
    status, out, err = run(build, "--mem", "1", hello)
    expect(problems, status == 0 and "against 2 MiB" in out, "--mem 1: %r %r" % (out, err))
    status, out, err = run(build, "--mem", "5G", hello)
    expect(problems, status == 2 and "mem=5G is above 4G" in err, "--mem 5G: %r" % err)


def check_malformed(build, problems):
    listing = os.path.join(build, "tests", "guests", "malformed", "malformed.list")
    with open(listing) as f:
        entries = [line.rstrip("\n").split("\t", 1) for line in f
                   if line.strip() and not line.startswith("#")]
    expect(problems, len(entries) > 5, "malformed.list has only %d entries" % len(entries))
    for name, fragment in entries:
        path = os.path.join(os.path.dirname(listing), name)
        status, out, err = run(build, path)
        expect(problems, status == 1 and ": refused: " in err and fragment in err,
               "%s: status %d, expected Skiff's refusal with %r, got %r"
               % (name, status, fragment, err))


def check_usage(build, problems):
    with tempfile.TemporaryDirectory() as tmp:
        status, _, err = run(build, tmp)
        expect(problems, status == 2 and "Is a directory" in err, "directory: %r" % err)
        status, _, err = run(build, os.path.join(tmp, "none.elf"))
        expect(problems, status == 2 and "No such file" in err, "missing: %r" % err)
    status, _, _ = run(build)
    expect(problems, status == 2, "no image: status %d" % status)


def main(argv):
    build = argv[1]
    problems = []
    check_good(build, problems)
    check_malformed(build, problems)
    check_usage(build, problems)
    for problem in problems:
        print("FAIL: " + problem)
    print("elftool_test: %s" % ("FAIL" if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
