"""Boot Skiff with guests in an emulator and collect COM1, COM2, status and time.

Platforms:
  qemu-svm   QEMU 7.2 TCG, -cpu qemu64,+svm,+npt   (AMD SVM + NPT)
  bochs-svm  Bochs 2.7, cpu model ryzen             (AMD SVM + NPT, second opinion)
  bochs-vmx  Bochs 2.7, cpu model corei7_haswell_4770 (Intel VMX + EPT)

boot() is the one implementation shared by tools/skiff-run and ci/boot_test.py.
"""

import dataclasses
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from skiff_disks import bochs_disk_lines, plan_disks, qemu_disk_options
from skiff_grub import build_iso
from skiff_guests import machine_megabytes
from skiff_log import exit_status, parse_log
from skiff_media import (build_hybrid_iso, build_netboot_tree, console_and_log,  # noqa: F401
                         missing_tools, qemu_boot_args)
import skiff_net

PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")
QEMU = "qemu-system-x86_64"
QEMU_CPU = "qemu64,+svm,+npt"
BOCHS = "bochs-bin"
BOCHS_CPU = {"bochs-svm": "ryzen", "bochs-vmx": "corei7_haswell_4770"}
BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGA_BIOS = "/usr/share/vgabios/vgabios.bin"
# Deterministic: time follows instructions from a fixed date (tests, benchmarks).
BOCHS_FAST_CLOCK = "clock: sync=none, time0=1700000000"
# Real: the RTC starts at the host's UTC time and emulated time keeps pace
# with the host's clock.
BOCHS_REAL_CLOCK = "clock: sync=slowdown, time0=utc"
BOCHS_REAL_CLOCK_IPS = 40000000
POLL_SECONDS = 0.05
GRACE_SECONDS = 3.0


@dataclasses.dataclass
class BootResult:
    """The outcome of one emulator run.

    com1: the guests' console bytes; com2: Skiff's log text; log: its
    SkiffLog; status: skiff-run's exit status (see skiff_log.exit_status);
    seconds: wall time of the emulator; timed_out: the time limit ended it;
    emulator_output: what the emulator itself printed (for diagnostics);
    com3: the debug channel's bytes (b"" unless MachineOptions.debug_channel);
    stayed_on: the machine was still on GRACE_SECONDS after Skiff's last line.
    """

    com1: bytes
    com2: str
    log: object
    status: int
    seconds: float
    timed_out: bool
    emulator_output: str
    com3: bytes = b""
    stayed_on: bool = False


def platform_for(cpu, emulator):
    """Map skiff-run's --cpu and --emulator to a platform name.

    emulator None picks the default (QEMU for amd, Bochs for intel).
    Raises ValueError for intel with QEMU (its TCG has no VMX).
    """
    if cpu == "intel":
        if emulator == "qemu":
            raise ValueError("QEMU's TCG does not implement VMX: use --emulator bochs")
        return "bochs-vmx"
    if cpu != "amd":
        raise ValueError("unknown cpu %r" % cpu)
    return "bochs-svm" if emulator == "bochs" else "qemu-svm"


def qemu_command(iso, com1, com2, megabytes, cpu=None, icount=False, boot_args=None,
                 machine_type=None, com3=None, cpus=None):
    """Return QEMU's argument list for booting iso with SVM and NPT.

    cpu overrides the CPU model (default QEMU_CPU); icount ties the
    guest's clock and TSC to executed instructions (`-icount
    shift=0,sleep=off`), which makes TSC deltas exact instruction counts.
    boot_args, when given, replace the BIOS CD boot of iso (see
    skiff_media.qemu_boot_args: UEFI, network boot). machine_type sets
    QEMU's -machine (default pc, i440fx; q35 has an ACPI reset register).
    com3, when given, is the file of the debug channel (COM3).
    cpus is QEMU's -smp (the processors the firmware lists in the MADT).
    """
    media = boot_args if boot_args is not None else ["-boot", "d", "-nic", "none", "-cdrom", iso]
    command = [QEMU, "-cpu", cpu or QEMU_CPU, "-m", "%dM" % megabytes,
               "-display", "none", "-no-reboot"] + (
               ["-machine", machine_type] if machine_type else []) + (
               ["-smp", str(cpus)] if cpus else []) + media + [
               "-serial", "file:" + com1, "-serial", "file:" + com2,
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        command += ["-icount", "shift=0,sleep=off"]
    if com3:
        command += ["-serial", "file:" + com3]
    return command


def qemu_com4_args(gdb_port, com3):
    """QEMU's -serial arguments for COM4 connected to 127.0.0.1:gdb_port.

    QEMU numbers its serial ports in the order of -serial options, so COM3
    gets a null device when the debug channel is not in use. [] without
    gdb_port.
    """
    if not gdb_port:
        return []
    return ([] if com3 else ["-serial", "null"]) + [
        "-serial", "tcp:127.0.0.1:%d" % gdb_port]


def bochs_config(platform, iso, com1, com2, megabytes, log_file, ips=None, model=None,
                 disk_lines=(), real_clock=False, com3=None, cpus=None):
    """Return the text of a bochsrc for a headless boot of iso.

    By default the boot is deterministic: the clock follows executed
    instructions and starts at a fixed date. real_clock starts the RTC at
    the host's current UTC time and keeps the emulated clock in step with
    real time (BOCHS_REAL_CLOCK). ips, when given, sets Bochs's emulated
    instructions per second (the `cpu: ips=` option), which scales its
    virtual clock against the TSC; model overrides the platform's CPU model;
    com3, when given, is the file of the debug channel (COM3).
    """
    cpu_line = "cpu: model=%s, reset_on_triple_fault=0" % (model or BOCHS_CPU[platform])
    if ips is None and real_clock:
        ips = BOCHS_REAL_CLOCK_IPS
    if ips is not None:
        cpu_line += ", ips=%d" % ips
    clock_line = BOCHS_REAL_CLOCK if real_clock else BOCHS_FAST_CLOCK
    if cpus is not None:
        cpu_line += ", count=%d" % cpus   # processors in the MADT; Skiff runs on the first
    return "\n".join([
        # Bochs allocates at most 2 GiB of host memory (host_size) but gives
        # the machine more, filled in as touched: a 6 GiB machine works.
        ("megs: %d" % megabytes) if megabytes <= 2048 else
        "memory: guest=%d, host=2048" % megabytes,
        "romimage: file=%s" % BOCHS_BIOS,
        "vgaromimage: file=%s" % BOCHS_VGA_BIOS,
        "display_library: term",
        "ata0-master: type=cdrom, path=%s, status=inserted" % iso,
        "boot: cdrom",
        "com1: enabled=1, mode=file, dev=%s" % com1,
        "com2: enabled=1, mode=file, dev=%s" % com2,
        ("com3: enabled=1, mode=file, dev=%s" % com3) if com3 else "",
        cpu_line,
        clock_line,
        "panic: action=fatal",
        "error: action=report",
        "speaker: enabled=0",
        "log: %s" % log_file] + list(disk_lines) + [""])


def bochs_command(workdir, platform, iso, com1, com2, megabytes, ips=None, model=None,
                  disk_lines=(), real_clock=False, com3=None, cpus=None):
    """Write the bochsrc into workdir and return the command that runs Bochs.

    Debian's Bochs has no headless display, so the term display runs
    under a pseudo-terminal made by script(1); the debugger's first stop
    is answered with `c` from a command file.
    """
    rc_file = os.path.join(workdir, "bochsrc")
    cont_file = os.path.join(workdir, "cont")
    log_file = os.path.join(workdir, "bochs.log")
    with open(rc_file, "w") as rc:
        rc.write(bochs_config(platform, iso, com1, com2, megabytes, log_file, ips, model,
                              disk_lines, real_clock, com3, cpus))
    with open(cont_file, "w") as cont:
        cont.write("c\n")
    inner = " ".join(shlex.quote(w) for w in [BOCHS, "-q", "-f", rc_file, "-rc", cont_file])
    return ["script", "-q", "-e", "-c", inner, "/dev/null"]


def _read_text(path):
    """Return a file's text (undecodable bytes replaced), or '' when it is missing."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _read_tail(path, size=4096):
    """Return the last size bytes of a file as text ('' when it is missing)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _log_finished(com2):
    """True when the log shows Skiff is done: a complete final status or a PANIC line."""
    tail = "\n" + _read_tail(com2)
    final_seen = "\nskiff: final status " in tail and tail.endswith("\n")
    return final_seen or "\nskiff: PANIC: " in tail


def _stop(proc):
    """End the emulator's whole process group (it was started in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def run_emulator(command, com2, timeout, output_path, watch=None, outcome=None):
    """Run command until it exits, the log is finished, or timeout seconds pass.

    Once Skiff's log is finished the emulator gets GRACE_SECONDS to power
    off before it is stopped. watch, when given, is called every poll and
    once at the end (to follow the serial files live). outcome, when a
    dict, gets "stayed_on": True when the machine was still on after that
    grace (it halted instead of powering off). Whatever ends this
    function, an exception or a signal included, the emulator's whole
    process group is stopped first. Returns (seconds, timed_out).
    """
    start = time.monotonic()
    with open(output_path, "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finished_at = None
    timed_out = False
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if finished_at is None and _log_finished(com2):
                finished_at = now
            if finished_at is not None and now - finished_at > GRACE_SECONDS:
                if outcome is not None:
                    outcome["stayed_on"] = True
                break
            if now - start > timeout:
                timed_out = finished_at is None
                break
            if watch is not None:
                watch()
            time.sleep(POLL_SECONDS)
    finally:
        if proc.poll() is None:
            _stop(proc)
    if watch is not None:
        watch()
    return time.monotonic() - start, timed_out


def check_tools(platform):
    """Return a list of missing programs or files needed for platform (empty when ready)."""
    needed = [QEMU] if platform == "qemu-svm" else [BOCHS, "script"]
    missing = [p for p in needed if shutil.which(p) is None]
    if platform != "qemu-svm":
        missing += [f for f in (BOCHS_BIOS, BOCHS_VGA_BIOS) if not os.path.isfile(f)]
    return missing


@dataclasses.dataclass
class MachineOptions:
    """Optional settings of the emulated machine (None/False: the defaults).

    megabytes: machine RAM in MiB (default: skiff_guests.machine_megabytes);
    qemu_cpu: QEMU -cpu value (default QEMU_CPU); icount: QEMU counts
    instructions as time (-icount shift=0,sleep=off); bochs_ips: Bochs's
    `cpu: ips=`; bochs_model: Bochs's `cpu: model=` (default BOCHS_CPU);
    disks: host files attached as the machine's first disks (skiff_disks.py);
    disk_interface: how attached files appear, "ide" or "virtio" (QEMU only).
    real_clock: Bochs's RTC starts at the host's time and its clock keeps
    real time (QEMU's TCG does both by default; icount is its fast clock);
    debug_channel: COM3 goes to a file too (core records, BootResult.com3).
    nmi_after: on qemu-svm, QEMU's monitor sends the machine one NMI as soon
    as this text appears on COM1 (the guests' console).
    gdb_port: COM4 (the debugger's line, docs/debugging.md) connects to this
    TCP port on 127.0.0.1 when the emulator starts (skiff_gdb.GdbRelay).
    """

    megabytes: int = None
    qemu_cpu: str = None
    icount: bool = False
    bochs_ips: int = None
    bochs_model: str = None
    firmware: str = "bios"      # bios or uefi (QEMU only; skiff_media.FIRMWARES)
    boot: str = "iso"           # iso or pxe (QEMU only; skiff_media.BOOT_METHODS)
    qemu_machine: str = None    # QEMU -machine (default: QEMU's pc)
    disks: tuple = ()
    disk_interface: str = "ide"
    nic: object = None   # a skiff_net.Nic: an e1000 for Skiff's uplink network
    real_clock: bool = False
    debug_channel: bool = False
    cpus: int = None            # processors of the machine (default 1)
    nmi_after: str = None       # QEMU only: send one NMI once the console shows this text
    gdb_port: int = None        # COM4 to 127.0.0.1:gdb_port (skiff-run --gdb)


def boot(platform, hypervisor, guests, skiff_words=(), timeout=60, keep_dir=None,
         machine=None, watch=None):
    """Boot Skiff with guests on platform; return a BootResult.

    hypervisor: path of skiff.elf; guests: skiff_guests.Guest list;
    skiff_words: Skiff's own command-line words; timeout: seconds for the
    emulator run. Work files live in a temporary directory that is removed
    afterwards, unless keep_dir names a directory to use (and keep).
    machine: a MachineOptions, or None for the defaults. watch, when given,
    is called as watch(com1_path, com2_path) while the emulator runs and
    once after it ended, to follow the serial files live.
    Raises ValueError for an unknown platform, FileNotFoundError for a
    missing tool or file, RuntimeError when the ISO cannot be built.
    """
    if platform not in PLATFORMS:
        raise ValueError("unknown platform %r (one of %s)" % (platform, ", ".join(PLATFORMS)))
    missing = check_tools(platform)
    machine = machine or MachineOptions()
    if (machine.firmware, machine.boot) != ("bios", "iso"):
        if platform != "qemu-svm":
            raise ValueError("--firmware uefi and --boot pxe run on QEMU only (Bochs has "
                             "neither OVMF nor a network boot ROM here)")
        missing += missing_tools(machine.firmware, machine.boot)
    if missing:
        raise FileNotFoundError("missing for %s: %s" % (platform, ", ".join(missing)))
    if keep_dir is not None:
        os.makedirs(keep_dir, exist_ok=True)
        return _boot_in(keep_dir, platform, hypervisor, guests, skiff_words, timeout,
                        machine or MachineOptions(), watch)
    with tempfile.TemporaryDirectory(prefix="skiff-run-") as workdir:
        return _boot_in(workdir, platform, hypervisor, guests, skiff_words, timeout,
                        machine or MachineOptions(), watch)


def _boot_in(workdir, platform, hypervisor, guests, skiff_words, timeout, machine, watch):
    """boot()'s body inside an existing work directory."""
    follow = None if watch is None else (lambda: watch(com1, com2))
    disks = plan_disks(guests, workdir, machine.disks,   # before the ISO: sets disk:N
                       machine.disk_interface)
    iso, boot_args = _boot_medium(workdir, hypervisor, list(skiff_words), guests, machine)
    com1 = os.path.join(workdir, "com1.out")
    com2 = os.path.join(workdir, "com2.out")
    com3 = os.path.join(workdir, "com3.out") if machine.debug_channel else None
    megabytes = machine.megabytes or machine_megabytes(guests)
    if platform == "qemu-svm":
        command = qemu_command(iso, com1, com2, megabytes, machine.qemu_cpu, machine.icount,
                               boot_args, machine.qemu_machine, com3,
                               machine.cpus)
        command += qemu_disk_options(disks)
        command += skiff_net.qemu_args(machine.nic)
        if machine.nmi_after:
            monitor = os.path.join(workdir, "monitor.sock")
            command += ["-monitor", "unix:%s,server=on,wait=off" % monitor]
            follow = _nmi_sender(com1, machine.nmi_after, monitor, follow)
        command += qemu_com4_args(machine.gdb_port, com3)
    else:
        command = bochs_command(workdir, platform, iso, com1, com2, megabytes,
                                machine.bochs_ips, machine.bochs_model, bochs_disk_lines(disks),
                                machine.real_clock, com3, machine.cpus)
        with open(os.path.join(workdir, "bochsrc"), "a") as rc:
            rc.writelines(line + "\n" for line in skiff_net.bochs_lines(machine.nic, workdir))
            if machine.gdb_port:
                rc.write("com4: enabled=1, mode=socket-client, dev=127.0.0.1:%d\n"
                         % machine.gdb_port)
    output_path = os.path.join(workdir, "emulator.out")
    outcome = {}
    seconds, timed_out = run_emulator(command, com2, timeout, output_path, follow, outcome)
    com2_text = _read_text(com2)
    if machine.firmware != "bios":
        com2_text = _firmware_free_log(com2, machine.firmware)
    log = parse_log(com2_text)
    emulator_output = _read_text(output_path)
    if platform != "qemu-svm":
        emulator_output = _read_text(os.path.join(workdir, "bochs.log"))
    try:
        with open(com1, "rb") as f:
            com1_bytes = f.read()
    except FileNotFoundError:
        com1_bytes = b""
    com1_bytes, _ = console_and_log(com1_bytes, b"", machine.firmware)
    com3_bytes = b""
    if com3 and os.path.isfile(com3):
        with open(com3, "rb") as f:
            com3_bytes = f.read()
    return BootResult(com1=com1_bytes, com2=com2_text, log=log,
                      status=exit_status(log, timed_out), seconds=seconds,
                      timed_out=timed_out, emulator_output=emulator_output, com3=com3_bytes,
                      stayed_on=outcome.get("stayed_on", False))


def _nmi_sender(com1, text, monitor, watch):
    """Return a poll function that sends one NMI through QEMU's monitor once com1 holds text.

    It also calls watch (when not None) on every poll. The monitor socket
    may not exist yet on early polls; the NMI is then sent on a later one.
    """
    needle = text.encode()
    state = {"sent": False}

    def poll():
        if watch is not None:
            watch()
        if state["sent"]:
            return
        try:
            with open(com1, "rb") as f:
                if needle not in f.read():
                    return
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(monitor)
                sock.sendall(b"nmi\n")
                time.sleep(0.2)     # let the monitor read the line before the socket closes
        except (FileNotFoundError, ConnectionRefusedError):
            return
        state["sent"] = True

    return poll


def _boot_medium(workdir, hypervisor, skiff_words, guests, machine):
    """Build what the machine boots from; return (iso or None, QEMU boot arguments or None).

    BIOS from a CD keeps the small BIOS-only ISO (fast to build); UEFI
    boots the hybrid image an operator would use; a network boot gets a
    netboot tree served by QEMU's TFTP server.
    """
    if machine.boot == "pxe":
        netdir = os.path.join(workdir, "netboot")
        build_netboot_tree(netdir, hypervisor, skiff_words, guests)
        return None, qemu_boot_args(machine.firmware, "pxe", netdir)
    if machine.firmware == "uefi":
        iso = build_hybrid_iso(workdir, hypervisor, skiff_words, guests)
        return iso, qemu_boot_args("uefi", "iso", iso)
    return build_iso(workdir, hypervisor, skiff_words, guests), None


def _firmware_free_log(path, firmware):
    """Return Skiff's log text from path without what the firmware wrote before it."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return ""
    _, log = console_and_log(b"", data, firmware)
    return log.decode("utf-8", errors="replace")
