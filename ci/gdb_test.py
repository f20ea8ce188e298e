#!/usr/bin/env python3
"""gdb against a guest through Skiff's GDB stub (tools/skiff-run --gdb, docs/debugging.md).

ci/gdb_test.py --list prints the cases for CMake: boot.PLATFORM.gdb and boot.PLATFORM.gdb_hostile
on qemu-svm, bochs-svm and bochs-vmx. ci/gdb_test.py --platform P --build B --test CASE runs one.

gdb: `skiff-run --gdb PORT gdbtarget.elf`; once skiff-run says it waits for gdb, `gdb -batch -nx`
connects (target remote :PORT), checks the guest stopped at its ELF entry, breaks at
gdb_stop_here, checks RIP is there, writes RDI (the function's argument), steps one instruction,
reads the global gdb_answer (7), writes it (set var gdb_answer = 42), breaks at gdb_exit_here and
steps over its CPUID (an instruction Skiff finishes in an exit: RIP must move by its 2 bytes
exactly), and continues to the end.
Passes when gdb saw all that and the guest exited normally, and the guest's console says
"gdb_answer=42 gdb_counter=7" (5 from the written RDI, 2 from the second call) with status 0.

gdb_hostile: the same guest, but a raw socket on the port sends a bad checksum (answer '-'), an
overlong packet and malformed or out-of-guest m/M commands (answer E01), noise, then detaches.
Passes when every answer is the expected one, the guest then runs to its end undisturbed
("gdb_answer=7 gdb_counter=3", status 0) and Skiff logs the refused packets.
"""

import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))
PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")
# What CTest runs: QEMU for SVM's register access, Bochs for VMX's; the
# stub itself is vendor-neutral (bochs-svm still runs by hand: --platform).
LISTED_PLATFORMS = ("qemu-svm", "bochs-vmx")
CASES = ("gdb", "gdb_hostile")
HINT = "skiff-run: waiting for gdb: target remote :%d"


def default_timeout(platform):
    """Seconds for one run: Bochs is slower to boot than QEMU."""
    return 60 if platform == "qemu-svm" else 150


# A port found free may be taken by another test running beside this one
# before skiff-run listens on it: skiff-run then refuses it (status 2,
# "cannot listen there") and the case is run again on another port.
PORT_TRIES = 3
PORT_TAKEN = "cannot listen there"


def free_tcp_port():
    """Return a TCP port that is free on 127.0.0.1 right now (see PORT_TRIES)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def elf_entry(path):
    """Return the entry address of the ELF64 file at path."""
    with open(path, "rb") as f:
        header = f.read(0x20)
    return struct.unpack_from("<Q", header, 0x18)[0]


class SkiffRun:
    """skiff-run --gdb PORT IMAGE in the background, its stderr collected as it comes."""

    def __init__(self, platform, build, port, image, timeout):
        cpu = "intel" if platform == "bochs-vmx" else "amd"
        emulator = "qemu" if platform == "qemu-svm" else "bochs"
        command = [sys.executable, os.path.join(HERE, "..", "tools", "skiff-run"), "--cpu", cpu,
                   "--emulator", emulator, "--timeout", str(timeout), "--gdb", str(port), image]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=dict(os.environ, SKIFF_BUILD=build))
        self.stderr = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace"))

    def wait_for(self, text, deadline):
        """True once a line of stderr holds text; False at deadline or when skiff-run ended."""
        while time.time() < deadline:
            if any(text in line for line in self.stderr):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.2)
        return False

    def finish(self, timeout):
        """Wait for skiff-run; return (status, stdout text, stderr text)."""
        try:
            stdout = self.proc.stdout.read()
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            stdout = b""
        self._reader.join(5)
        return self.proc.returncode, stdout.decode(errors="replace"), "".join(self.stderr)


GDB_SCRIPT = """\
set pagination off
set confirm off
set remotetimeout 60
target remote :{port}
printf "RIP0=%lx\\n", $rip
break *gdb_stop_here
continue
printf "ATBREAK=%d\\n", $rip == (long)&gdb_stop_here
set var $rdi = 5
stepi
printf "STEPPED=%d\\n", $rip != (long)&gdb_stop_here
printf "ANSWER=%d\\n", gdb_answer
set var gdb_answer = 42
printf "ANSWER2=%d\\n", gdb_answer
x/1xb gdb_stop_here
delete
break *gdb_exit_here
continue
stepi
printf "EXITSTEP=%d\\n", $rip == (long)&gdb_exit_here + 2
delete
continue
"""


def run_gdb_case(platform, build, port, image, timeout):
    """The gdb case: returns (passed, log lines)."""
    log = []
    run = SkiffRun(platform, build, port, image, timeout)
    ready = run.wait_for(HINT % port, time.time() + timeout)
    log.append("skiff-run said it waits for gdb: %s" % ready)
    gdb_out = ""
    if ready:
        with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as script:
            script.write(GDB_SCRIPT.format(port=port))
        try:
            gdb = subprocess.run(["gdb", "-batch", "-nx", image, "-x", script.name],
                                 capture_output=True, timeout=timeout, text=True)
            gdb_out = gdb.stdout + gdb.stderr
        except subprocess.TimeoutExpired as expired:
            gdb_out = "gdb timed out: %s" % (expired.stdout or "")
        finally:
            os.unlink(script.name)
    if not ready:
        run.proc.kill()
    status, stdout, stderr = run.finish(timeout)
    log += ["--- gdb ---", gdb_out, "--- skiff-run (status %s) ---" % status, stdout]
    entry = "RIP0=%x" % elf_entry(image)
    checks = {
        "stopped at the ELF entry (%s)" % entry: entry in gdb_out,
        "stopped at the breakpoint": "ATBREAK=1" in gdb_out,
        "stepped one instruction": "STEPPED=1" in gdb_out,
        "read gdb_answer": "ANSWER=7" in gdb_out,
        "wrote gdb_answer": "ANSWER2=42" in gdb_out,
        "stepped over CPUID, which Skiff finishes": "EXITSTEP=1" in gdb_out,
        "gdb saw the guest exit": "exited normally" in gdb_out,
        "the guest saw both writes": "gdb_answer=42 gdb_counter=7" in stdout,
        "skiff-run exit status 0": status == 0,
    }
    log += ["%s: %s" % (name, "ok" if ok else "FAILED") for name, ok in checks.items()]
    if not all(checks.values()):
        log.append(stderr[-4000:])
    return all(checks.values()), log


def packet(body):
    """The frame of body with its checksum."""
    return b"$%s#%02x" % (body, sum(body) & 0xff)


class RawLine:
    """A raw TCP client of the stub: send bytes, wait for an expected answer."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.received = b""

    def expect(self, data, wanted, seconds):
        """Send data; True once wanted arrives (the bytes before it are dropped)."""
        self.sock.sendall(data)
        deadline = time.time() + seconds
        while wanted not in self.received and time.time() < deadline:
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                break
            self.received += chunk
        found = wanted in self.received
        if found:
            self.received = self.received[self.received.index(wanted) + len(wanted):]
        return found


def hostile_exchanges():
    """(what, bytes sent, answer expected) of the hostile case, in order."""
    overlong = b"A" * 5000
    return [
        ("a bad checksum", b"$g#00", b"-"),
        ("an overlong packet", b"$" + overlong + b"#%02x" % (sum(overlong) & 0xff),
         packet(b"E01")),
        ("m at a non-canonical address", packet(b"m8000000000000000,10"), packet(b"E01")),
        ("m beyond the guest's RAM", packet(b"m3f000000,10"), packet(b"E01")),
        ("M beyond the guest's RAM", packet(b"M3f000000,2:9090"), packet(b"E01")),
        ("m without a length", packet(b"m1000"), packet(b"E01")),
        ("M with too few bytes", packet(b"M1000,4:90"), packet(b"E01")),
        ("p of no register", packet(b"pffff"), packet(b"E01")),
        ("noise then a query", b"\x00\xff}}*#$$" + packet(b"qAttached"), packet(b"1")),
        ("detach", packet(b"D"), packet(b"OK")),
    ]


def run_hostile_case(platform, build, port, image, timeout):
    """The gdb_hostile case: returns (passed, log lines)."""
    log = []
    run = SkiffRun(platform, build, port, image, timeout)
    ready = run.wait_for(HINT % port, time.time() + timeout)
    answers = {}
    if ready:
        try:
            line = RawLine(port, 5)
            for what, data, wanted in hostile_exchanges():
                answers[what] = line.expect(data, wanted, timeout / 4)
            line.sock.close()
        except OSError as error:
            log.append("socket: %s" % error)
    else:
        run.proc.kill()
    status, stdout, stderr = run.finish(timeout)
    log += ["--- skiff-run (status %s) ---" % status, stdout]
    refused = re.search(r"gdb: guest gdbtarget detached: it runs on undebugged "
                        r"\((\d+) malformed packets refused\)", stderr)
    checks = {"skiff-run said it waits for gdb": ready}
    checks.update(("%s answered" % what, answers.get(what, False))
                  for what, _, _ in hostile_exchanges())
    checks.update({
        "Skiff counted the bad checksum and the overlong packet":
            bool(refused) and int(refused.group(1)) >= 2,
        "the guest ran on undisturbed": "gdb_answer=7 gdb_counter=3" in stdout,
        "skiff-run exit status 0": status == 0,
    })
    log += ["%s: %s" % (name, "ok" if ok else "FAILED") for name, ok in checks.items()]
    if not all(checks.values()):
        log.append(stderr[-4000:])
    return all(checks.values()), log


def main():
    """Run one case; exit 0 when it passes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="list the cases for CMake")
    parser.add_argument("--platform", choices=PLATFORMS)
    parser.add_argument("--build")
    parser.add_argument("--test", default="gdb", choices=CASES)
    options = parser.parse_args()
    if options.list:
        for platform in LISTED_PLATFORMS:
            for case in CASES:
                print("%s %s %d gdbtarget" % (platform, case, 3 * default_timeout(platform)))
        return 0
    if not options.platform or not options.build:
        parser.error("--platform and --build are needed")
    timeout = default_timeout(options.platform)
    image = os.path.join(options.build, "tests", "guests", "gdbtarget", "gdbtarget.elf")
    case = run_gdb_case if options.test == "gdb" else run_hostile_case
    for _ in range(PORT_TRIES):
        passed, log = case(options.platform, options.build, free_tcp_port(), image, timeout)
        if passed or not any(PORT_TAKEN in line for line in log):
            break
        print("the port was taken before skiff-run listened on it: trying another")
    print("\n".join(log))
    print("boot.%s.%s: %s" % (options.platform, options.test, "PASS" if passed else "FAIL"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
