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
import subprocess
import tempfile
import time

from skiff_grub import build_iso
from skiff_guests import machine_megabytes
from skiff_log import exit_status, parse_log

PLATFORMS = ("qemu-svm", "bochs-svm", "bochs-vmx")
QEMU = "qemu-system-x86_64"
QEMU_CPU = "qemu64,+svm,+npt"
BOCHS = "bochs-bin"
BOCHS_CPU = {"bochs-svm": "ryzen", "bochs-vmx": "corei7_haswell_4770"}
BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGA_BIOS = "/usr/share/vgabios/vgabios.bin"
POLL_SECONDS = 0.05
GRACE_SECONDS = 3.0


@dataclasses.dataclass
class BootResult:
    """The outcome of one emulator run.

    com1: the guests' console bytes; com2: Skiff's log text; log: its
    SkiffLog; status: skiff-run's exit status (see skiff_log.exit_status);
    seconds: wall time of the emulator; timed_out: the time limit ended it;
    emulator_output: what the emulator itself printed (for diagnostics).
    """

    com1: bytes
    com2: str
    log: object
    status: int
    seconds: float
    timed_out: bool
    emulator_output: str


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


def qemu_command(iso, com1, com2, megabytes, cpu=None, icount=False, cpus=None):
    """Return QEMU's argument list for booting iso with SVM and NPT.

    cpu overrides the CPU model (default QEMU_CPU); icount ties the
    guest's clock and TSC to executed instructions (`-icount
    shift=0,sleep=off`), which makes TSC deltas exact instruction counts;
    cpus gives the machine that many processors (-smp; default one).
    """
    command = [QEMU, "-cpu", cpu or QEMU_CPU, "-m", "%dM" % megabytes,
               "-display", "none", "-boot", "d", "-nic", "none", "-no-reboot",
               "-cdrom", iso, "-serial", "file:" + com1, "-serial", "file:" + com2,
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        command += ["-icount", "shift=0,sleep=off"]
    if cpus:
        command += ["-smp", str(cpus)]
    return command


def bochs_config(platform, iso, com1, com2, megabytes, log_file, ips=None, model=None,
                 cpus=None):
    """Return the text of a bochsrc for a headless, deterministic boot of iso.

    ips, when given, sets Bochs's emulated instructions per second (the
    `cpu: ips=` option), which scales its virtual clock against the TSC;
    model overrides the platform's CPU model; cpus gives the machine that
    many processors (`cpu: count=`; default one).
    """
    cpu_line = "cpu: model=%s, reset_on_triple_fault=0" % (model or BOCHS_CPU[platform])
    if ips is not None:
        cpu_line += ", ips=%d" % ips
    if cpus:
        cpu_line += ", count=%d" % cpus
    return "\n".join([
        "megs: %d" % megabytes,
        "romimage: file=%s" % BOCHS_BIOS,
        "vgaromimage: file=%s" % BOCHS_VGA_BIOS,
        "display_library: term",
        "ata0-master: type=cdrom, path=%s, status=inserted" % iso,
        "boot: cdrom",
        "com1: enabled=1, mode=file, dev=%s" % com1,
        "com2: enabled=1, mode=file, dev=%s" % com2,
        cpu_line,
        "clock: sync=none, time0=1700000000",
        "panic: action=fatal",
        "error: action=report",
        "speaker: enabled=0",
        "log: %s" % log_file,
        ""])


def bochs_command(workdir, platform, iso, com1, com2, megabytes, ips=None, model=None,
                  cpus=None):
    """Write the bochsrc into workdir and return the command that runs Bochs.

    Debian's Bochs has no headless display, so the term display runs
    under a pseudo-terminal made by script(1); the debugger's first stop
    is answered with `c` from a command file.
    """
    rc_file = os.path.join(workdir, "bochsrc")
    cont_file = os.path.join(workdir, "cont")
    log_file = os.path.join(workdir, "bochs.log")
    with open(rc_file, "w") as rc:
        rc.write(bochs_config(platform, iso, com1, com2, megabytes, log_file, ips, model, cpus))
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


def run_emulator(command, com2, timeout, output_path):
    """Run command until it exits, the log is finished, or timeout seconds pass.

    Once Skiff's log is finished the emulator gets GRACE_SECONDS to power
    off before it is stopped. Returns (seconds, timed_out).
    """
    start = time.monotonic()
    with open(output_path, "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finished_at = None
    timed_out = False
    while proc.poll() is None:
        now = time.monotonic()
        if finished_at is None and _log_finished(com2):
            finished_at = now
        if finished_at is not None and now - finished_at > GRACE_SECONDS:
            break
        if now - start > timeout:
            timed_out = finished_at is None
            break
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - start
    if proc.poll() is None:
        _stop(proc)
    return seconds, timed_out


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
    cpus: processors of the machine (QEMU -smp, Bochs `cpu: count=`).
    """

    megabytes: int = None
    qemu_cpu: str = None
    icount: bool = False
    bochs_ips: int = None
    bochs_model: str = None
    cpus: int = None


def boot(platform, hypervisor, guests, skiff_words=(), timeout=60, keep_dir=None,
         machine=None):
    """Boot Skiff with guests on platform; return a BootResult.

    hypervisor: path of skiff.elf; guests: skiff_guests.Guest list;
    skiff_words: Skiff's own command-line words; timeout: seconds for the
    emulator run. Work files live in a temporary directory that is removed
    afterwards, unless keep_dir names a directory to use (and keep).
    machine: a MachineOptions, or None for the defaults.
    Raises ValueError for an unknown platform, FileNotFoundError for a
    missing tool or file, RuntimeError when the ISO cannot be built.
    """
    if platform not in PLATFORMS:
        raise ValueError("unknown platform %r (one of %s)" % (platform, ", ".join(PLATFORMS)))
    missing = check_tools(platform)
    if missing:
        raise FileNotFoundError("missing for %s: %s" % (platform, ", ".join(missing)))
    if keep_dir is not None:
        os.makedirs(keep_dir, exist_ok=True)
        return _boot_in(keep_dir, platform, hypervisor, guests, skiff_words, timeout,
                        machine or MachineOptions())
    with tempfile.TemporaryDirectory(prefix="skiff-run-") as workdir:
        return _boot_in(workdir, platform, hypervisor, guests, skiff_words, timeout,
                        machine or MachineOptions())


def _boot_in(workdir, platform, hypervisor, guests, skiff_words, timeout, machine):
    """boot()'s body inside an existing work directory."""
    iso = build_iso(workdir, hypervisor, list(skiff_words), guests)
    com1 = os.path.join(workdir, "com1.out")
    com2 = os.path.join(workdir, "com2.out")
    megabytes = machine.megabytes or machine_megabytes(guests)
    if platform == "qemu-svm":
        command = qemu_command(iso, com1, com2, megabytes, machine.qemu_cpu, machine.icount,
                               machine.cpus)
    else:
        command = bochs_command(workdir, platform, iso, com1, com2, megabytes,
                                machine.bochs_ips, machine.bochs_model, machine.cpus)
    output_path = os.path.join(workdir, "emulator.out")
    seconds, timed_out = run_emulator(command, com2, timeout, output_path)
    com2_text = _read_text(com2)
    log = parse_log(com2_text)
    emulator_output = _read_text(output_path)
    if platform != "qemu-svm":
        emulator_output = _read_text(os.path.join(workdir, "bochs.log"))
    try:
        with open(com1, "rb") as f:
            com1_bytes = f.read()
    except FileNotFoundError:
        com1_bytes = b""
    return BootResult(com1=com1_bytes, com2=com2_text, log=log,
                      status=exit_status(log, timed_out), seconds=seconds,
                      timed_out=timed_out, emulator_output=emulator_output)
