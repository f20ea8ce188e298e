#!/usr/bin/env python3
"""Write malformed copies of a good Solo5 hvt guest image, one per loader check
that matters at boot, and a list of them.

usage: make_malformed.py GOOD.elf OUT_DIR

Writes OUT_DIR/bad_<defect>.elf and OUT_DIR/malformed.list, one line per image:
file name, TAB, a fragment of the message Skiff's loader refuses it with
(hypervisor/guest_elf*.c, guest_manifest.c). Boot tests expect each image to be
refused with a log reason containing the fragment; tests/unit's
guest_malformed_test checks the fragments against the loader on the host.
"""

import os
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W = 1, 2
ABI_NOTE_TYPE, MANIFEST_NOTE_TYPE = 0x31494241, 0x3154464D
BEYOND_RAM = 0x40000000  # 1 GiB: beyond any boot test's guest memory


class ImageError(Exception):
    pass


class Elf:
    """The parts of an ELF64 little-endian image the mutations need."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ImageError("not a little-endian ELF64 image")
        self.data = bytes(data)
        self.entry, self.phoff = struct.unpack_from("<QQ", data, 24)
        self.phnum = struct.unpack_from("<H", data, 56)[0]
        self.phdrs = [self._phdr(i) for i in range(self.phnum)]
        self.notes = {}
        for ph in self.phdrs:
            if ph["type"] == PT_NOTE:
                self._walk_notes(ph["offset"], ph["offset"] + ph["filesz"])

    def _phdr(self, i):
        at = self.phoff + 56 * i
        fields = struct.unpack_from("<IIQQQQQQ", self.data, at)
        keys = ("type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz", "align")
        ph = dict(zip(keys, fields))
        ph["at"] = at
        return ph

    def _walk_notes(self, at, end):
        while at + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", self.data, at)
            name = self.data[at + 12:at + 12 + namesz]
            desc = at + 12 + (namesz + 3) // 4 * 4
            if name == b"Solo5\0":
                self.notes[ntype] = {"at": at, "desc": desc}
            at = desc + (descsz + 3) // 4 * 4

    def loads(self):
        """PT_LOAD headers with file bytes: the ones the loader looks at."""
        return [ph for ph in self.phdrs if ph["type"] == PT_LOAD and ph["filesz"] > 0]

    def note(self, ntype, what):
        if ntype not in self.notes:
            raise ImageError("the good image has no Solo5 %s note" % what)
        return self.notes[ntype]


def patched(data, offset, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def bad_magic(elf):
    return patched(elf.data, 0, "<4s", b"\x7fELG"), "not an ELF file (bad magic)"


def bad_class(elf):
    return patched(elf.data, 4, "<B", 1), "ELF class 1 is not ELF64"


def bad_machine(elf):
    return patched(elf.data, 18, "<H", 183), "ELF machine 183 is not x86-64"


def bad_wx(elf):
    text = next(ph for ph in elf.loads() if ph["flags"] & PF_X)
    return (patched(elf.data, text["at"] + 4, "<I", text["flags"] | PF_W),
            "is writable and executable")


def bad_beyond_ram(elf):
    last = elf.loads()[-1]
    data = patched(elf.data, last["at"] + 16, "<Q", last["vaddr"] + BEYOND_RAM)
    data = patched(data, last["at"] + 24, "<Q", last["paddr"] + BEYOND_RAM)
    return data, "ends beyond guest memory"


def bad_entry(elf):
    not_text = [ph for ph in elf.loads() if not ph["flags"] & PF_X]
    target = not_text[0]["vaddr"] if not_text else 0
    return patched(elf.data, 24, "<Q", target), "is not inside an executable segment"


def bad_no_abi_note(elf):
    note = elf.note(ABI_NOTE_TYPE, "ABI")
    return patched(elf.data, note["at"] + 8, "<I", 0), "no Solo5 ABI note"


def bad_abi_version(elf):
    note = elf.note(ABI_NOTE_TYPE, "ABI")
    return patched(elf.data, note["desc"] + 4, "<I", 1), "hvt ABI version 1"


def bad_manifest(elf):
    note = elf.note(MANIFEST_NOTE_TYPE, "manifest")
    # Descriptor: 4 bytes of padding, u32 version, u32 entries.
    return patched(elf.data, note["desc"] + 8, "<I", 0), "manifest has 0 entries"


def bad_manifest_entry0(elf):
    note = elf.note(MANIFEST_NOTE_TYPE, "manifest")
    return (patched(elf.data, note["desc"] + 12 + 68, "<I", 1),
            "manifest entry 0: type 0x1 is not the reserved type")


def bad_truncated(elf):
    last = elf.loads()[-1]
    return elf.data[:last["offset"] + last["filesz"] - 1], "lie outside the file"


MUTATIONS = (bad_magic, bad_class, bad_machine, bad_wx, bad_beyond_ram, bad_entry,
             bad_no_abi_note, bad_abi_version, bad_manifest, bad_manifest_entry0,
             bad_truncated)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: make_malformed.py GOOD.elf OUT_DIR\n")
        return 2
    good, out_dir = argv[1], argv[2]
    try:
        with open(good, "rb") as f:
            elf = Elf(f.read())
        if not elf.loads():
            raise ImageError("no loadable segment")
        lines = ["# Malformed copies of %s: file<TAB>expected refusal fragment"
                 % os.path.basename(good)]
        os.makedirs(out_dir, exist_ok=True)
        for mutate in MUTATIONS:
            data, fragment = mutate(elf)
            name = mutate.__name__ + ".elf"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(data)
            lines.append("%s\t%s" % (name, fragment))
    except (OSError, ImageError, struct.error) as e:
        sys.stderr.write("make_malformed.py: %s: %s\n" % (good, e))
        return 1
    with open(os.path.join(out_dir, "malformed.list"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
