#!/usr/bin/env python3
"""Boot tests of disks that keep what guests write (drivers/ata, hypervisor/storage).

    disk_test.py --list   ("PLATFORM CASE CTEST-TIMEOUT IMAGE...", as boot_test.py)
    disk_test.py --build BUILD --platform PLATFORM --test CASE

Every case runs tools/skiff-run as a user does (or, for the power cut, the
same emulator command it builds) and then reads the disk file on the host:

  disk-kvstore     kvstore stores a value in one run and reads it back in the
                   next; a run with ,snapshot changes nothing in the file
  disk-power-cut   the disk guest acknowledges blocks; the emulator is killed
                   (SIGKILL) right after acknowledgement N: every acknowledged
                   block is in the file
  disk-partitions  two guests on two GPT partitions of one disk: each finds
                   only its own partition's fill and writes only there; a
                   guest asking for the whole disk (overlap) and one naming no
                   partition are refused with messages naming them; a guest
                   refused for its memory gives its partition back
  disk-hostile     the block guest's hostile requests (past the end,
                   wrap-around, unaligned, bad handles) and its write-read of
                   every block (Solo5's block test contract), on an attached
                   disk; afterwards the file holds what the guest wrote
  disk-solo5-blk   the contract of Solo5's block test (every tenth sector
                   written and read back, bad requests EINVAL); the file then
                   holds exactly those sectors
  disk-readonly    a read-only file: reads work, writes answer EINVAL, the file
                   is unchanged; a size that is not a multiple of 512 and a
                   missing file are refused before anything boots
  disk-errors      QEMU's blkdebug fails every access to block 8: the guest gets
                   EUNSPEC for it, Skiff logs it, block 9 still works, all end
                   with status 0 (QEMU only; also disk-virtio-errors)
  disk-smp-ap      the Solo5 block contract of disk-solo5-blk by a guest on an
                   application processor (cpus=4 on QEMU, the guest on CPU 2;
                   cpus=2 on Bochs, on CPU 1): the driver serves it there under
                   the disk lock (docs/smp.md); the file is checked as there and
                   the summary line must name that CPU (also disk-virtio-smp-ap)
  disk-virtio-*    kvstore, power cut and hostile again with the files as
                   virtio-blk disks (drivers/virtio_blk; QEMU only: Bochs has
                   no virtio devices)
  disk-shadow      the guests of disk-kvstore (its first run), disk-hostile and
                   disk-solo5-blk side by side in one boot, each twice: with
                   paging=shadow and with paging=pv, each on its own GPT
                   partition (three disks, a partition per mode); every
                   partition then holds what its guest wrote (qemu-svm and
                   bochs-vmx, as the shadow sweeps of ci/boot_tests.d/shadow.json)
"""

import argparse
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, CI_DIR)
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from boot_cases import image_path, pattern_bytes  # noqa: E402
from skiff_disks import bochs_disk_lines, plan_disks, qemu_disk_options  # noqa: E402
from skiff_emulators import bochs_command, qemu_command, run_emulator  # noqa: E402
from skiff_gpt import make_gpt_image  # noqa: E402
from skiff_grub import build_iso  # noqa: E402
from skiff_guests import make_guest, parse_block_option  # noqa: E402

SKIFF_RUN = os.path.join(CI_DIR, "..", "tools", "skiff-run")
PLATFORM_OPTIONS = {"qemu-svm": ["--cpu", "amd", "--emulator", "qemu"],
                    "bochs-svm": ["--cpu", "amd", "--emulator", "bochs"],
                    "bochs-vmx": ["--cpu", "intel", "--emulator", "bochs"]}
RUN_TIMEOUT = {"qemu-svm": 60, "bochs-svm": 120, "bochs-vmx": 120}
SECTOR = 512
CASES = {
    "disk-kvstore": ["kvstore"],
    "disk-power-cut": ["disk"],
    "disk-partitions": ["disk"],
    "disk-hostile": ["block"],
    "disk-readonly": ["disk"],
    "disk-virtio-kvstore": ["kvstore"],
    "disk-virtio-power-cut": ["disk"],
    "disk-virtio-hostile": ["block"],
    "disk-solo5-blk": ["disk"],
    "disk-errors": ["disk"],
    "disk-virtio-errors": ["disk"],
    "disk-shadow": ["kvstore", "block", "disk"],
    "disk-smp-ap": ["disk"],
    "disk-virtio-smp-ap": ["disk"],
}
# disk-smp-ap: (CPUs of the machine, the CPU the guest runs on).
AP_CPUS = {"qemu-svm": (4, 2), "bochs-svm": (2, 1), "bochs-vmx": (2, 1)}
# QEMU's blkdebug injects the device errors: the error cases run on QEMU only
# (Bochs cannot make a disk fail).
QEMU_ONLY = ("virtio", "errors")
# Bochs emulates no virtio device: the virtio-blk cases run on QEMU only.
VIRTIO_PLATFORMS = ("qemu-svm",)
# The disk cases under shadow paging run where the other shadow sweeps do.
SHADOW_PLATFORMS = ("qemu-svm", "bochs-vmx")
RUNS_PER_CASE = 3   # the most boots one case makes (for the CTest limit)
POWER_CUT_AT = 60   # acknowledgement after which the power goes
POWER_CUT_BLOCKS = 16384


class Failure(Exception):
    """A check of a case failed."""


INTERFACE = ["ide"]   # the disk interface of the case being run (set by run_test)


def skiff_run(build, platform, args, expect_status=0):
    """Run skiff-run; return (stdout text, stderr text). Raises Failure on a wrong status."""
    command = ([sys.executable, SKIFF_RUN] + PLATFORM_OPTIONS[platform]
               + ["--disk-interface", INTERFACE[0]]
               + ["--timeout", str(RUN_TIMEOUT[platform])] + args)
    done = subprocess.run(command, env=dict(os.environ, SKIFF_BUILD=build),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != expect_status:
        raise Failure("skiff-run %s: exit status %d, expected %d\n--- stdout ---\n%s"
                      "--- stderr ---\n%s" % (" ".join(args), done.returncode, expect_status,
                                              out, err[-4000:]))
    return out, err


def expect_in(text, wanted, where):
    """Raise Failure unless wanted occurs in text."""
    if wanted not in text:
        raise Failure("%s lacks %r:\n%s" % (where, wanted, text[-4000:]))


def case_kvstore(build, platform, tmp):
    """Store in one run, read back in the next; ,snapshot leaves the file alone."""
    disk = os.path.join(tmp, "kv.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    kvstore = image_path(build, "kvstore")
    out, _ = skiff_run(build, platform, ["--block", "storage=" + disk, kvstore,
                                         "put", "colour", "blue"])
    expect_in(out, "put colour: ok", "first run")
    out, _ = skiff_run(build, platform, ["--block", "storage=%s,snapshot" % disk, kvstore,
                                         "get", "colour", "put", "colour", "red", "get", "colour"])
    expect_in(out, "get colour: blue\nput colour: replaced\nget colour: red", "snapshot run")
    out, _ = skiff_run(build, platform, ["--block", "storage=" + disk, kvstore, "get", "colour"])
    expect_in(out, "get colour: blue", "third run (the snapshot run's red must not be there)")


def ack_pattern(block):
    """The bytes the disk guest writes into block in ack mode (tests/guests/disk)."""
    return bytes((block * 131 + i * 7 + 1) & 0xff for i in range(SECTOR))


def descendants(pid):
    """Return the pids of every process below pid (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def power_cut(proc):
    """SIGKILL the emulator and everything around it, deepest first (Bochs runs
    under script(1) in a session of its own)."""
    for pid in reversed(descendants(proc.pid)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def emulator_command(build, platform, tmp, guest, blkdebug=None):
    """Build the ISO for guest in tmp; return (command, com1, com2) to run it.

    blkdebug: a QEMU blkdebug configuration file that wraps the guest's one
    attached disk (error injection; QEMU only).
    """
    disks = plan_disks([guest], tmp, interface=INTERFACE[0])
    iso = build_iso(tmp, os.path.join(build, "skiff.elf"), [], [guest])
    com1, com2 = os.path.join(tmp, "com1.out"), os.path.join(tmp, "com2.out")
    if platform == "qemu-svm":
        drives = qemu_disk_options(disks)
        if blkdebug:
            drives[1] = drives[1].replace("file=", "file=blkdebug:%s:" % blkdebug, 1)
        command = qemu_command(iso, com1, com2, 128) + drives
    else:
        command = bochs_command(tmp, platform, iso, com1, com2, 128,
                                disk_lines=bochs_disk_lines(disks))
    return command, com1, com2


def case_errors(build, platform, tmp):
    """A device that fails one block: EUNSPEC for it, the guest and Skiff go on."""
    disk = os.path.join(tmp, "errors.img")
    with open(disk, "wb") as f:
        f.truncate(64 * 1024)
    config = os.path.join(tmp, "blkdebug.conf")
    with open(config, "w") as f:
        for event in ("read_aio", "write_aio"):
            f.write('[inject-error]\nevent = "%s"\nerrno = "5"\nsector = "8"\n\n' % event)
    guest = make_guest(image_path(build, "disk"), ["errors", "8"],
                       blocks=[parse_block_option("storage=" + disk)])
    command, com1, com2 = emulator_command(build, platform, tmp, guest, blkdebug=config)
    seconds, timed_out = run_emulator(command, com2, RUN_TIMEOUT[platform],
                                      os.path.join(tmp, "emulator.out"))
    console = open(com1, errors="replace").read() if os.path.exists(com1) else ""
    log = open(com2, errors="replace").read() if os.path.exists(com2) else ""
    expect_in(console, "block 8: write 3, read 3\nblock 9: written and read back\nSUCCESS",
              "the disk guest")
    expect_in(log, "of sector 8 failed", "Skiff's log")
    expect_in(log, "skiff: final status 0", "Skiff's log")


def case_power_cut(build, platform, tmp):
    """Kill the emulator right after acknowledgement POWER_CUT_AT; check every ack."""
    disk = os.path.join(tmp, "acks.img")
    with open(disk, "wb") as f:
        f.truncate(POWER_CUT_BLOCKS * SECTOR)
    guest = make_guest(image_path(build, "disk"), ["ack", str(POWER_CUT_BLOCKS)],
                       blocks=[parse_block_option("storage=" + disk)])
    command, com1, com2 = emulator_command(build, platform, tmp, guest)
    marker = b"ack %d\n" % POWER_CUT_AT
    with open(os.path.join(tmp, "emulator.out"), "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + RUN_TIMEOUT[platform]
    seen = b""
    while marker not in seen and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        try:
            with open(com1, "rb") as f:
                seen = f.read()
        except FileNotFoundError:
            pass
    power_cut(proc)
    with open(com1, "rb") as f:
        console = f.read()
    if marker not in console:
        log = open(com2, errors="replace").read() if os.path.exists(com2) else ""
        raise Failure("no %r on the console before the deadline:\n%s\n%s"
                      % (marker, console[-2000:], log[-3000:]))
    if b"acked" in console:
        raise Failure("the guest finished before the power cut; nothing was proven")
    # Only whole lines count: the cut can land in the middle of "ack 123\n",
    # and a cut-off "ack 12" is not an acknowledgement of block 12.
    acked = [int(n) for n in re.findall(rb"^ack (\d+)\n", console, re.M)]
    if acked != list(range(len(acked))):
        raise Failure("acknowledgements out of order or repeated: %s"
                      % [n for i, n in enumerate(acked) if n != i][:20])
    with open(disk, "rb") as f:
        data = f.read()
    missing = [n for n in acked if data[n * SECTOR:(n + 1) * SECTOR] != ack_pattern(n)]
    if missing:
        raise Failure("acknowledged blocks missing from the file after the power cut: %s"
                      % missing[:20])
    print("  %d blocks acknowledged before the cut, all of them in the file" % len(acked))


def case_partitions(build, platform, tmp):
    """Two guests, two partitions; an overlapping and an unknown region refused."""
    disk = os.path.join(tmp, "gpt.img")
    part = 512   # sectors per partition (256 KiB): four guests stay quick on Bochs
    total = 4096
    make_gpt_image(disk, [("alpha", part), ("beta", part)], total)
    with open(disk, "r+b") as f:
        f.seek(2048 * SECTOR)
        f.write(b"\x11" * part * SECTOR)
        f.write(b"\x22" * part * SECTOR)
    with open(disk, "rb") as f:
        before = f.read()
    image = image_path(build, "disk")
    size = str(part * SECTOR)
    # e asks for more RAM than the machine has: refused after claiming beta,
    # which must then be free for b.
    _, err = skiff_run(build, platform, [
        "--disk", disk, "--machine-mem", "256",
        "--guest", "name=a block.storage=gpt:alpha %s own 170 17 %s" % (image, size),
        "--guest", "name=e mem=1G block.storage=gpt:beta %s own 1 0 1" % image,
        "--guest", "name=b block.storage=gpt:beta %s own 187 34 %s" % (image, size),
        "--guest", "name=c block.storage=disk:0 %s own 1 0 %d" % (image, total * SECTOR),
        "--guest", "name=d block.storage=gpt:gamma %s own 1 0 1" % image],
        expect_status=1)
    for line in ("[a] SUCCESS", "[b] SUCCESS", "summary a status=0", "summary b status=0",
                 "summary e status=1 reason=refused",
                 "guest c: refused: block.storage=disk:0: region disk:0 (disk 0, sectors "
                 "0..4095) overlaps gpt:alpha (sectors 2048..2559), which backs guest a",
                 "guest d: refused: block.storage=gpt:gamma: no GPT partition is named 'gamma'"):
        expect_in(err, line, "Skiff's log")
    with open(disk, "rb") as f:
        after = f.read()
    alpha = slice(2048 * SECTOR, (2048 + part) * SECTOR)
    beta = slice((2048 + part) * SECTOR, (2048 + 2 * part) * SECTOR)
    if after[alpha] != b"\xaa" * (part * SECTOR) or after[beta] != b"\xbb" * (part * SECTOR):
        raise Failure("a partition does not hold its own guest's tag")
    if after[:alpha.start] != before[:alpha.start] or after[beta.stop:] != before[beta.stop:]:
        raise Failure("bytes outside both partitions changed")


def case_hostile(build, platform, tmp):
    """Hostile requests and a write-read of every block on an attached disk."""
    disk = os.path.join(tmp, "hostile.img")
    size = 64 * 1024
    with open(disk, "wb") as f:
        f.write(pattern_bytes(size))
    out, _ = skiff_run(build, platform, ["--block", "storage=" + disk,
                                         image_path(build, "block"), "edge", str(size), "pattern"])
    expect_in(out, "bad requests: done", "the block guest")
    expect_in(out, "SUCCESS", "the block guest")
    with open(disk, "rb") as f:
        data = f.read()
    wanted = bytes((o * 3 + (o // SECTOR) * 11 + 0x5a) & 0xff for o in range(size))
    if data != wanted:
        first = next(i for i in range(size) if data[i] != wanted[i])
        raise Failure("the file does not hold the guest's writes (first difference at %d)" % first)


def check_solo5_file(path, size, what, offset=0):
    """Raise Failure unless the file at path (size bytes from offset) holds exactly
    what the disk guest's solo5 mode writes: every tenth sector filled with digits,
    the rest zero."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(size)
    written = bytes(ord("0") + i % 10 for i in range(SECTOR))
    for sector in range(size // SECTOR):
        want = written if sector % 10 == 0 else bytes(SECTOR)
        if data[sector * SECTOR:(sector + 1) * SECTOR] != want:
            raise Failure("sector %d of %s is not what the guest wrote" % (sector, what))


def case_solo5_blk(build, platform, tmp, placement=()):
    """Solo5's block test contract; the file then holds exactly its writes."""
    disk = os.path.join(tmp, "solo5.img")
    size = 64 * 1024
    with open(disk, "wb") as f:
        f.truncate(size)
    out, err = skiff_run(build, platform, list(placement) + ["--block", "storage=" + disk,
                                                             image_path(build, "disk"), "solo5"])
    expect_in(out, "13 sectors written and read back\nSUCCESS", "the disk guest")
    check_solo5_file(disk, size, "the file")
    return err


def case_smp_ap(build, platform, tmp):
    """The block contract from a guest on an application processor."""
    cpus, on_cpu = AP_CPUS[platform]
    err = case_solo5_blk(build, platform, tmp,
                         ["--cpus", str(cpus), "--skiff-args", "cpus=%d" % cpus,
                          "--on-cpu", str(on_cpu), "--name", "blk"])
    if not re.search(r"summary blk status=0 reason=halt .* cpu=%d$" % on_cpu, err, re.M):
        raise Failure("Skiff's log has no summary of blk on CPU %d:\n%s" % (on_cpu, err[-3000:]))


def case_readonly(build, platform, tmp):
    """Read-only attach; bad files refused before boot."""
    disk = os.path.join(tmp, "ro.img")
    with open(disk, "wb") as f:
        f.write(pattern_bytes(64 * 1024))
    os.chmod(disk, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    with open(disk, "rb") as f:
        before = f.read()
    image = image_path(build, "disk")
    out, err = skiff_run(build, platform, ["--block", "storage=" + disk, image, "readonly"])
    expect_in(out, "write: EINVAL, block 0 unchanged\nSUCCESS", "the disk guest")
    expect_in(err, "is disk:0,ro", "Skiff's log")
    with open(disk, "rb") as f:
        if f.read() != before:
            raise Failure("the read-only file changed")
    odd = os.path.join(tmp, "odd.img")
    with open(odd, "wb") as f:
        f.write(bytes(1000))
    _, err = skiff_run(build, platform, ["--block", "storage=" + odd, image, "readonly"],
                       expect_status=2)
    expect_in(err, "the file has 1000 bytes, not a multiple of the 512-byte block", "skiff-run")
    missing = os.path.join(tmp, "missing.img")
    _, err = skiff_run(build, platform, ["--block", "storage=" + missing, image, "readonly"],
                       expect_status=2)
    expect_in(err, "--block storage=%s: no such file" % missing, "skiff-run")


FIRST_PARTITION = 2048   # make_gpt_image puts the first partition at this sector
PAGING_MODES = ("shadow", "pv")


def paging_disk(path, size, fill=None):
    """A GPT disk with one partition of size bytes per mode of PAGING_MODES, each
    holding fill (else zeros); return {mode: byte offset of its partition}."""
    count = size // SECTOR
    make_gpt_image(path, [("%s-%s" % (os.path.basename(path)[:-4], mode), count)
                          for mode in PAGING_MODES],
                   FIRST_PARTITION + count * len(PAGING_MODES) + 64)
    offsets = {mode: (FIRST_PARTITION + i * count) * SECTOR for i, mode in enumerate(PAGING_MODES)}
    if fill is not None:
        with open(path, "r+b") as f:
            for offset in offsets.values():
                f.seek(offset)
                f.write(fill)
    return offsets


def case_shadow(build, platform, tmp):
    """The three disk guests under paging=shadow and paging=pv in one boot, each on
    its own GPT partition; each partition then holds what its guest wrote."""
    kv, edge, solo = (os.path.join(tmp, n) for n in ("kv.img", "edge.img", "solo.img"))
    size = 64 * 1024
    kv_at = paging_disk(kv, 1 << 20)
    edge_at = paging_disk(edge, size, pattern_bytes(size))
    solo_at = paging_disk(solo, size)
    guests = []
    for mode in PAGING_MODES:
        guests += [
            "--guest", "name=kv-%s paging=%s block.storage=gpt:kv-%s %s put colour blue"
            % (mode, mode, mode, image_path(build, "kvstore")),
            "--guest", "name=edge-%s paging=%s block.storage=gpt:edge-%s %s edge %d pattern"
            % (mode, mode, mode, image_path(build, "block"), size),
            "--guest", "name=solo-%s paging=%s block.storage=gpt:solo-%s %s solo5"
            % (mode, mode, mode, image_path(build, "disk"))]
    out, err = skiff_run(build, platform, ["--disk", kv, "--disk", edge, "--disk", solo]
                         + guests)
    lines = out.splitlines()
    summary = {"shadow": "shadow cache=", "pv": "pv registered="}
    for mode in PAGING_MODES:
        for line in ("[kv-%s] put colour: ok", "[edge-%s] bad requests: done",
                     "[edge-%s] SUCCESS", "[solo-%s] 13 sectors written and read back",
                     "[solo-%s] SUCCESS"):
            if line % mode not in lines:
                raise Failure("the guests' output lacks %r:\n%s" % (line % mode, out[-4000:]))
        for name in ("kv", "edge", "solo"):
            expect_in(err, "summary %s-%s status=0" % (name, mode), "Skiff's log")
            expect_in(err, "guest %s-%s: %s" % (name, mode, summary[mode]), "Skiff's log")
    want = bytes((o * 3 + (o // SECTOR) * 11 + 0x5a) & 0xff for o in range(size))
    with open(edge, "rb") as f:
        edge_data = f.read()
    with open(kv, "rb") as f:
        kv_data = f.read()
    for mode in PAGING_MODES:
        if edge_data[edge_at[mode]:edge_at[mode] + size] != want:
            raise Failure("edge-%s's partition does not hold the block guest's writes" % mode)
        check_solo5_file(solo, size, "solo-%s's partition" % mode, solo_at[mode])
        if b"colour" not in kv_data[kv_at[mode]:kv_at[mode] + (1 << 20)]:
            raise Failure("kv-%s's partition does not hold the key kvstore stored" % mode)


RUNNERS = {"disk-kvstore": case_kvstore, "disk-power-cut": case_power_cut,
           "disk-partitions": case_partitions, "disk-hostile": case_hostile,
           "disk-readonly": case_readonly, "disk-virtio-kvstore": case_kvstore,
           "disk-virtio-power-cut": case_power_cut, "disk-virtio-hostile": case_hostile,
           "disk-solo5-blk": case_solo5_blk, "disk-errors": case_errors, "disk-virtio-errors": case_errors,
           "disk-shadow": case_shadow,
           "disk-smp-ap": case_smp_ap, "disk-virtio-smp-ap": case_smp_ap}


# Long cases whose code is the same on both vendors: QEMU runs them on SVM
# and Bochs on VMX; Bochs's AMD model, the second opinion, runs the others.
SVM_BY_QEMU_ONLY = ("disk-kvstore",)


def list_tests():
    """Print one line per case and platform for CMake."""
    for name, images in CASES.items():
        for platform in PLATFORM_OPTIONS:
            if any(word in name for word in QEMU_ONLY) and platform not in VIRTIO_PLATFORMS:
                continue
            if "shadow" in name and platform not in SHADOW_PLATFORMS:
                continue
            if name in SVM_BY_QEMU_ONLY and platform == "bochs-svm":
                continue
            limit = RUN_TIMEOUT[platform] * RUNS_PER_CASE + 60
            print("%s %s %d %s" % (platform, name, limit, " ".join(images)))


def run_case(build, platform, name, runners, prefix):
    """Run runners[name] in a fresh temporary folder (named from prefix);
    print the verdict; return the exit status (0 pass, 1 a Failure)."""
    title = "boot.%s.%s" % (platform, name)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            runners[name](build, platform, tmp)
        except Failure as failure:
            print("%s: FAIL in %.2f s\n%s" % (title, time.monotonic() - start, failure))
            return 1
    print("%s: PASS in %.2f s" % (title, time.monotonic() - start))
    return 0


def run_test(build, platform, name):
    """Run one case; print the verdict; return the exit status."""
    INTERFACE[0] = "virtio" if "virtio" in name else "ide"
    return run_case(build, platform, name, RUNNERS, "skiff-disk-")


def case_main(argv, doc, runners, list_cases, run):
    """The command line of a case runner (this one, ci/swap_test.py): --list
    calls list_cases(); otherwise run(build, platform, test). Returns the
    exit status."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list tests for CMake")
    parser.add_argument("--build", help="the build directory (holds skiff.elf)")
    parser.add_argument("--platform", choices=sorted(PLATFORM_OPTIONS))
    parser.add_argument("--test", choices=sorted(runners))
    options = parser.parse_args(argv)
    if options.list:
        list_cases()
        return 0
    if not (options.build and options.platform and options.test):
        parser.error("--build, --platform and --test are required")
    return run(options.build, options.platform, options.test)


def main(argv):
    """Parse the command line and list or run a case; return the exit status."""
    return case_main(argv, __doc__, RUNNERS, list_tests, run_test)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
