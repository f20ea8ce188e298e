"""ELF core files from Skiff's debug channel (skiff-run --dumpcore DIR).

Skiff booted with `dumpcore=1` writes a record for each guest it ends to
COM3 (format in hypervisor/debug/core_dump.h): the guest's name, its
registers in Linux's x86-64 user_regs_struct order, and its non-zero
pages. Each record becomes DIR/NAME.core, an ELF64 core file with one
NT_PRSTATUS note and one PT_LOAD per run of consecutive pages, at their
guest-physical addresses (the guest's identity map), so that
`gdb IMAGE DIR/NAME.core` shows where and why the guest stopped.
"""

import os
import struct

MAGIC = b"SKIFFCORE1\n"
PAGE = 4096
REGS = 27
END = 0xFFFFFFFFFFFFFFFF
SIGSEGV = 11
ELF_HEADER_SIZE = 64
PHDR_SIZE = 56
PT_LOAD, PT_NOTE = 1, 4
NT_PRSTATUS = 1
# struct elf_prstatus (x86-64): 112 bytes before pr_reg, 27 registers, pr_fpvalid and padding.
PRSTATUS_SIZE = 336
PRSTATUS_REG_OFFSET = 112


class CoreError(ValueError):
    """The debug channel does not hold well-formed core records."""


def parse_records(data):
    """Return [(name, registers, [(gpa, page bytes), ...]), ...] from the channel's bytes."""
    records = []
    at = 0
    while at < len(data):
        if data[at:at + len(MAGIC)] != MAGIC:
            raise CoreError("no core record at byte %d" % at)
        at += len(MAGIC)
        newline = data.find(b"\n", at)
        if newline < 0:
            raise CoreError("core record cut short in its name")
        name = data[at:newline].decode("ascii", "replace")
        at = newline + 1
        if at + 8 * REGS > len(data):
            raise CoreError("core record of %s cut short in its registers" % name)
        registers = struct.unpack_from("<%dQ" % REGS, data, at)
        at += 8 * REGS
        pages = []
        while True:
            if at + 8 > len(data):
                raise CoreError("core record of %s cut short" % name)
            (gpa,) = struct.unpack_from("<Q", data, at)
            at += 8
            if gpa == END:
                break
            if at + PAGE > len(data):
                raise CoreError("core record of %s cut short in page 0x%x" % (name, gpa))
            pages.append((gpa, data[at:at + PAGE]))
            at += PAGE
        records.append((name, registers, pages))
    return records


def _runs(pages):
    """Group (gpa, bytes) pages into [(start, bytes)] runs of consecutive pages."""
    runs = []
    for gpa, page in pages:
        if runs and runs[-1][0] + len(runs[-1][1]) == gpa:
            runs[-1] = (runs[-1][0], runs[-1][1] + page)
        else:
            runs.append((gpa, page))
    return runs


def _note(registers):
    """The NT_PRSTATUS note: the signal (SIGSEGV), pid 1 and the registers."""
    status = bytearray(PRSTATUS_SIZE)
    struct.pack_into("<i", status, 0, SIGSEGV)            # si_signo
    struct.pack_into("<h", status, 12, SIGSEGV)           # pr_cursig
    struct.pack_into("<i", status, 32, 1)                 # pr_pid
    struct.pack_into("<%dQ" % REGS, status, PRSTATUS_REG_OFFSET, *registers)
    name = b"CORE\0\0\0\0"                                # "CORE\0", padded to 4
    return struct.pack("<III", 5, len(status), NT_PRSTATUS) + name + bytes(status)


def core_bytes(registers, pages):
    """Return an ELF64 x86-64 core file for one guest."""
    runs = _runs(pages)
    note = _note(registers)
    count = 1 + len(runs)
    note_offset = ELF_HEADER_SIZE + PHDR_SIZE * count
    data_offset = (note_offset + len(note) + PAGE - 1) // PAGE * PAGE
    header = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, bytes(7),
                         4, 62, 1, 0, ELF_HEADER_SIZE, 0, 0, ELF_HEADER_SIZE, PHDR_SIZE,
                         count, 0, 0, 0)
    phdrs = [struct.pack("<IIQQQQQQ", PT_NOTE, 0, note_offset, 0, 0, len(note), 0, 4)]
    offset = data_offset
    for start, data in runs:
        phdrs.append(struct.pack("<IIQQQQQQ", PT_LOAD, 7, offset, start, start, len(data),
                                 len(data), PAGE))
        offset += len(data)
    out = header + b"".join(phdrs) + note
    out += bytes(data_offset - len(out))
    return out + b"".join(data for _, data in runs)


def write_cores(data, directory):
    """Write DIR/NAME.core for every record in data; return the paths written."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, registers, pages in parse_records(data):
        path = os.path.join(directory, name + ".core")
        with open(path, "wb") as f:
            f.write(core_bytes(registers, pages))
        paths.append(path)
    return paths
