"""Boot-test cases: read ci/boot_tests.json and turn a case into guests and expectations.

The data format is documented in docs/testing.md. In short, a case is

  {"name": "hello", "timeout": 30, "platforms": [...], "skiff_args": [...],
   "guests": [{"image": "hello", "name": "hello", "args": [], "mem": "32M",
               "count": 1, "paging": "shadow", "shadow_cache": 4, "cpu": 1,
               "clone": 2, "snapshot_lines": ["line before the snapshot"],
               "status": 0, "outcome": "halt",
               "reason": "fragment", "lines": ["required output line"],
               "blocks": [{"name": "storage", "size": 65536, "fill": "zero"},
                          {"name": "other", "module": "/boot/disks/0.img"}]}],
   "guest_list": {"file": "tests/guests/malformed/malformed.list",
                  "outcome": "refused"},
   "final_status": 1, "forbidden": ["secret"],
   "log_checks": [{"pattern": "regex with (-?[0-9]+)", "max_abs": 20000}],
   "fair_slices": {"guests": ["spin.1", "spin.2"], "max_ratio": 2},
   "machine_mem": 256, "qemu_cpu_flags": ["+pku"], "firmware": "uefi", "boot": "pxe",
   "qemu_machine": "q35", "cpus": 4, "nmi_after": "text of a guest's line",
   "stays_on": true, "whole_lines": true, "qemu_icount": true}

qemu_cpu_flags are appended to QEMU's -cpu model on qemu-svm, to reach
state that only some CPUs have (protection keys, XSAVE, AVX, MONITOR).
nmi_after (qemu-svm only) sends the machine one NMI, through QEMU's
monitor, once that text appears on the guests' console. stays_on: the
machine must still be on a few seconds after Skiff's last log line
(`on_end=halt`); without it, whether it powered off is not checked here.
whole_lines: every log line after the start marker is one whole line of
one source (Skiff's "skiff: ..." or a guest's "[NAME] ...") and holds no
second line's start: lines from two CPUs never interleave.
qemu_icount: on qemu-svm the clock follows executed instructions
(`-icount shift=0,sleep=off`, as Bochs's `sync=none` always does), so a
case whose outcome depends on how much runs within a stretch of guest
time gives the same result however loaded the host is.

A guest may give "outcomes", a list of acceptable alternatives
[{"outcome": ..., "status": ..., "reason": ..., "lines": [...]}, ...],
instead of one outcome/status/reason/lines: it passes when any one of
them matches.
"""

import dataclasses
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "tools"))

from skiff_emulators import PLATFORMS  # noqa: E402
from skiff_guests import GuestSpecError, make_block, make_guest, make_net  # noqa: E402

CASES_FILE = os.path.join(os.path.dirname(os.path.realpath(__file__)), "boot_tests.json")
IMAGE_FOLDERS = ("examples", os.path.join("tests", "guests"))
SLOWNESS = {"qemu-svm": 1, "bochs-svm": 4, "bochs-vmx": 4}
DEFAULT_TIMEOUT = 30
OUTCOMES = ("halt", "refused", "killed")
FILLS = ("zero", "pattern")
DISK_MAX_BYTES = 64 << 20


class CaseError(ValueError):
    """A boot-test case that is malformed or refers to something missing."""


@dataclasses.dataclass
class Expectation:
    """What one guest (every instance of it) must show in the log."""

    names: list
    status: int
    outcome: str
    reason: str
    lines: list
    alternatives: list = None   # Expectations, any one of which may match


@dataclasses.dataclass
class BootCase:
    """One boot test, resolved against a build directory."""

    name: str
    guests: list
    expectations: list
    skiff_args: list
    final_status: int          # None: the largest status of the outcomes that matched
    forbidden: list
    log_checks: list
    fair_slices: dict = None   # {"guests": [instance names], "max_ratio": number}
    machine_mem: int = None    # the machine's RAM in MiB; None: sized from the guests
    qemu_cpu_flags: list = None  # e.g. ["+pku"]: added to QEMU's -cpu model
    firmware: str = "bios"     # bios or uefi (QEMU only)
    boot: str = "iso"          # iso or pxe (QEMU only)
    qemu_machine: str = None   # QEMU's -machine, e.g. "q35" (qemu-svm only)
    cpus: int = None           # processors of the machine (default 1)
    nmi_after: str = None      # console text after which QEMU's monitor sends an NMI
    stays_on: bool = False     # the machine must still be on after Skiff's last line (on_end=halt)
    whole_lines: bool = False  # every log line must be one whole line of one source (SMP)
    qemu_icount: bool = False  # qemu-svm: time follows executed instructions


def case_files(main_file):
    """Return main_file and every *.json in the folder beside it named like it with ".d"
    (boot_tests.json, then boot_tests.d/*.json in name order): each area keeps its cases apart."""
    folder = os.path.splitext(main_file)[0] + ".d"
    extra = []
    if os.path.isdir(folder):
        extra = sorted(os.path.join(folder, name) for name in os.listdir(folder)
                       if name.endswith(".json"))
    return [main_file] + extra


def load_cases(path=CASES_FILE):
    """Return the case dictionaries of path and of its .d folder (their "tests" arrays).
    Raises CaseError when two cases share a name."""
    cases, seen = [], set()
    for name in case_files(path):
        with open(name) as f:
            for case in json.load(f)["tests"]:
                if case["name"] in seen:
                    raise CaseError("%s: a second case named %r" % (name, case["name"]))
                seen.add(case["name"])
                cases.append(case)
    return cases


def find_case(cases, name):
    """Return the case called name; raises CaseError when there is none."""
    for case in cases:
        if case["name"] == name:
            return case
    raise CaseError("no boot test named %r" % name)


def case_platforms(case):
    """Return the platforms a case runs on (all unless it lists some)."""
    platforms = case.get("platforms", list(PLATFORMS))
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown:
        raise CaseError("case %s: unknown platforms %s" % (case["name"], unknown))
    return platforms


def case_timeout(case, platform):
    """Return the emulator time limit in seconds for a case on a platform."""
    return case.get("timeout", DEFAULT_TIMEOUT) * SLOWNESS[platform]


def case_images(case):
    """Return the image (CMake target) names a case boots."""
    names = [g["image"] for g in case.get("guests", [])]
    if "guest_list" in case:
        names.append(os.path.basename(os.path.dirname(case["guest_list"]["file"])))
    return list(dict.fromkeys(names))


def image_path(build, image):
    """Return the built file of image NAME: examples/NAME/NAME.elf or
    tests/guests/NAME/NAME.elf under build; raises CaseError when neither exists."""
    for folder in IMAGE_FOLDERS:
        path = os.path.join(build, folder, image, image + ".elf")
        if os.path.isfile(path):
            return path
    raise CaseError("image %r is not built (looked in %s under %s)"
                    % (image, " and ".join(IMAGE_FOLDERS), build))


OUTCOME_KEYS = ("outcome", "status", "reason", "lines")


def _single_expectation(guest, entry):
    """Build an Expectation from one outcome/status/reason/lines set."""
    outcome = entry.get("outcome", "halt")
    if outcome not in OUTCOMES:
        raise CaseError("guest %s: outcome must be one of %s" % (guest.name, OUTCOMES))
    status = entry.get("status", 0 if outcome == "halt" else 1)
    return Expectation(names=guest.instance_names(), status=status, outcome=outcome,
                       reason=entry.get("reason"), lines=entry.get("lines", []))


def _expectation(guest, entry):
    """Build the Expectation for a Guest from its JSON entry (or list entry).

    With "outcomes" (a non-empty list of dictionaries with the keys of
    OUTCOME_KEYS) the Expectation is the first alternative and carries them
    all in .alternatives; the entry may then not give those keys itself.
    """
    if "outcomes" not in entry:
        return _single_expectation(guest, entry)
    choices = entry["outcomes"]
    if not isinstance(choices, list) or not choices:
        raise CaseError("guest %s: outcomes must be a non-empty list" % guest.name)
    clash = [k for k in OUTCOME_KEYS if k in entry]
    if clash:
        raise CaseError("guest %s: give %s inside outcomes, not beside it" % (guest.name, clash))
    alternatives = []
    for choice in choices:
        if not isinstance(choice, dict) or set(choice) - set(OUTCOME_KEYS):
            raise CaseError("guest %s: an outcome may only have the keys %s: %r"
                            % (guest.name, OUTCOME_KEYS, choice))
        alternatives.append(_single_expectation(guest, choice))
    return dataclasses.replace(alternatives[0], alternatives=alternatives)


def _fair_slices(case, names):
    """Check and return the case's fair_slices entry (or None)."""
    spec = case.get("fair_slices")
    if spec is None:
        return None
    guests, ratio = spec.get("guests"), spec.get("max_ratio")
    if not isinstance(guests, list) or len(guests) < 2:
        raise CaseError("case %s: fair_slices needs a list of at least two guests" % case["name"])
    unknown = [g for g in guests if g not in names]
    if unknown:
        raise CaseError("case %s: fair_slices names unknown guests %s" % (case["name"], unknown))
    if not isinstance(ratio, (int, float)) or ratio < 1:
        raise CaseError("case %s: fair_slices max_ratio must be a number >= 1" % case["name"])
    return {"guests": list(guests), "max_ratio": ratio}


def _machine_mem(case):
    """Return the case's machine_mem (MiB) or None."""
    megabytes = case.get("machine_mem")
    if megabytes is not None and (not isinstance(megabytes, int) or not 16 <= megabytes <= 65536):
        raise CaseError("case %s: machine_mem must be 16..65536 (MiB)" % case["name"])
    return megabytes


def _firmware_and_boot(case):
    """Return the case's (firmware, boot); anything but BIOS from a CD runs on QEMU only."""
    firmware, boot = case.get("firmware", "bios"), case.get("boot", "iso")
    if firmware not in ("bios", "uefi") or boot not in ("iso", "pxe"):
        raise CaseError("case %s: firmware must be bios or uefi, boot iso or pxe" % case["name"])
    special = (firmware, boot) != ("bios", "iso") or "qemu_machine" in case
    if special and case_platforms(case) != ["qemu-svm"]:
        raise CaseError("case %s: firmware, boot and qemu_machine need platforms [\"qemu-svm\"]"
                        % case["name"])
    if case.get("qemu_machine", "pc") not in ("pc", "q35"):
        raise CaseError("case %s: qemu_machine must be pc or q35" % case["name"])
    return firmware, boot


def _nmi_after(case):
    """Return the case's nmi_after text or None; only QEMU's monitor can send an NMI."""
    text = case.get("nmi_after")
    if text is None:
        return None
    if not isinstance(text, str) or not text:
        raise CaseError("case %s: nmi_after must be a non-empty string" % case["name"])
    if case_platforms(case) != ["qemu-svm"]:
        raise CaseError("case %s: nmi_after needs platforms [\"qemu-svm\"] (Bochs cannot "
                        "be sent an NMI from outside)" % case["name"])
    return text


def _cpus(case):
    """Return the case's processor count (1..64) or None."""
    cpus = case.get("cpus")
    if cpus is not None and (not isinstance(cpus, int) or not 1 <= cpus <= 64):
        raise CaseError("case %s: cpus must be 1..64" % case["name"])
    return cpus


def _listed_guests(build, spec):
    """Read a "file<TAB>reason fragment" list; return (guest, expectation) pairs."""
    list_path = os.path.join(build, spec["file"])
    if not os.path.isfile(list_path):
        raise CaseError("guest list %s is not built" % list_path)
    pairs = []
    with open(list_path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            file_name, _, fragment = line.rstrip("\n").partition("\t")
            image = os.path.join(os.path.dirname(list_path), file_name)
            guest = make_guest(image)
            entry = dict(spec, reason=fragment.strip())
            pairs.append((guest, _expectation(guest, entry)))
    if not pairs:
        raise CaseError("guest list %s is empty" % list_path)
    return pairs


def pattern_bytes(size):
    """Return the "pattern" fill of a disk of size bytes.

    The byte at offset o is (o + 7 * (o // 512)) & 0xff: it counts up
    within a block and starts 7 higher in each next block, so a guest can
    tell a block read from the wrong offset (tests/guests/block checks it).
    """
    return bytes((o + 7 * (o // 512)) & 0xFF for o in range(size))


def write_disk(path, spec):
    """Write the disk file a block entry describes: spec["size"] bytes of spec["fill"]."""
    size, fill = spec.get("size"), spec.get("fill", "zero")
    if not isinstance(size, int) or not 0 < size <= DISK_MAX_BYTES:
        raise CaseError("block %s: size must be 1..%d bytes" % (spec.get("name"), DISK_MAX_BYTES))
    if fill not in FILLS:
        raise CaseError("block %s: fill must be one of %s" % (spec.get("name"), FILLS))
    with open(path, "wb") as f:
        f.write(pattern_bytes(size) if fill == "pattern" else bytes(size))


def _blocks(entry, disk_dir, index):
    """Build the Block list of guest entry number index, writing generated disks into disk_dir.

    A block entry with "module" names a module path as is (nothing is
    generated); otherwise it describes a disk file made at test time.
    """
    blocks = []
    for spec in entry.get("blocks", []):
        try:
            if "module" in spec:
                blocks.append(make_block(spec["name"], module=spec["module"]))
                continue
            if disk_dir is None:
                raise CaseError("guest %s: generated disks need a disk directory" % entry["image"])
            path = os.path.join(disk_dir, "g%d-%s.img" % (index, spec["name"]))
            block = make_block(spec["name"], file=path)
        except (KeyError, GuestSpecError) as error:
            raise CaseError("guest %s: bad block entry %r: %s" % (entry["image"], spec, error))
        write_disk(path, spec)
        blocks.append(block)
    return blocks


def _qemu_cpu_flags(case):
    """Return the case's qemu_cpu_flags (a list of "+feature"/"-feature") or None."""
    flags = case.get("qemu_cpu_flags")
    if flags is None:
        return None
    if (not isinstance(flags, list) or not flags or
            not all(isinstance(f, str) and len(f) > 1 and f[0] in "+-" and "," not in f
                    for f in flags)):
        raise CaseError("case %s: qemu_cpu_flags must be a list like [\"+pku\"]" % case["name"])
    return list(flags)


def _stays_on(case):
    """The case's "stays_on" (default false): a boolean, or CaseError."""
    value = case.get("stays_on", False)
    if not isinstance(value, bool):
        raise CaseError("case %s: stays_on must be true or false" % case["name"])
    return value


def _qemu_icount(case):
    """Return the case's qemu_icount (false when absent); CaseError unless a boolean."""
    value = case.get("qemu_icount", False)
    if not isinstance(value, bool):
        raise CaseError("case %s: qemu_icount must be true or false" % case["name"])
    return value


def resolve_case(case, build, disk_dir=None):
    """Turn a case dictionary into a BootCase with image paths under build.

    disk_dir: where the disks of "blocks" entries are written (needed only
    when the case generates disks). Raises CaseError when an image or list
    is missing or the case is malformed.
    """
    pairs = []
    for index, entry in enumerate(case.get("guests", [])):
        try:
            guest = make_guest(image_path(build, entry["image"]), entry.get("args", []),
                               name=entry.get("name"), mem=entry.get("mem"),
                               count=entry.get("count", 1), cpu=entry.get("cpu"),
                               clone=entry.get("clone", 0),
                               paging=entry.get("paging"),
                               shadow_cache=entry.get("shadow_cache"),
                               blocks=_blocks(entry, disk_dir, index),
                               nets=[make_net(n["name"], n["network"], n.get("mac"))
                                     for n in entry.get("nets", [])])
        except GuestSpecError as error:
            raise CaseError("case %s: %s" % (case["name"], error))
        expectation = _expectation(guest, entry)
        if guest.clone:
            # clone=N: the guest ends at its snapshot (status 0, its own
            # lines); the outcome and lines given are each clone's.
            pairs.append((guest, Expectation(names=[guest.name], status=0, outcome="halt",
                                             reason=None,
                                             lines=entry.get("snapshot_lines", []))))
            expectation = dataclasses.replace(expectation, names=guest.clone_names())
        pairs.append((guest, expectation))
    if "guest_list" in case:
        pairs += _listed_guests(build, case["guest_list"])
    names = [n for _, e in pairs for n in e.names]
    if len(set(names)) != len(names):
        raise CaseError("case %s: guest names repeat: %s" % (case["name"], names))
    expectations = [e for _, e in pairs]
    if "final_status" in case:
        final = case["final_status"]
    elif any(e.alternatives for e in expectations):
        final = None
    else:
        final = max([e.status for e in expectations] + [0])
    guests = list({id(g): g for g, _ in pairs}.values())   # a clone= guest has two pairs
    return BootCase(name=case["name"], guests=guests,
                    expectations=expectations, skiff_args=case.get("skiff_args", []),
                    final_status=final, forbidden=case.get("forbidden", []),
                    log_checks=case.get("log_checks", []),
                    fair_slices=_fair_slices(case, names), machine_mem=_machine_mem(case),
                    qemu_cpu_flags=_qemu_cpu_flags(case),
                    firmware=_firmware_and_boot(case)[0], boot=_firmware_and_boot(case)[1],
                    qemu_machine=case.get("qemu_machine"), cpus=_cpus(case),
                    nmi_after=_nmi_after(case), stays_on=_stays_on(case),
                    whole_lines=case.get("whole_lines") is True,
                    qemu_icount=_qemu_icount(case))
