#!/usr/bin/env python3
"""Write the seed corpora of fuzz_multiboot2, fuzz_options and fuzz_hypercall.

usage: make_seeds.py OUT_DIR   (writes OUT_DIR/<target>/*.bin)

Seeds are built from the formats' definitions rather than checked in as
opaque bytes, so a reader can see what each one exercises:
  multiboot2  blocks laid out as GRUB lays them out (multiboot2 specification,
              "Boot information format"): command line, boot loader name,
              basic memory info, modules, memory map, ACPI RSDP copies;
  options     one byte choosing the error buffer's length, then a line;
  hypercall   the harness header (u16 port, u8 mode, u64 gpa, u64 walltime)
              and guest RAM holding each call's argument struct (Solo5 hvt
              ABI 2), block requests for the harness's disk (handle 1)
              included, see fuzz_hypercall.c.
"""
import os
import struct
import sys


def tag(tag_type, data=b""):
    """A tag {type, size, data} padded to the next 8-byte boundary."""
    raw = struct.pack("<II", tag_type, 8 + len(data)) + data
    return raw + b"\0" * (-len(raw) % 8)


def mmap_tag(entries, entry_size=24):
    data = struct.pack("<II", entry_size, 0)
    for base, length, kind in entries:
        entry = struct.pack("<QQII", base, length, kind, 0)
        data += entry + b"\0" * (entry_size - len(entry))
    return tag(6, data)


def module_tag(start, end, cmdline):
    return tag(3, struct.pack("<II", start, end) + cmdline + b"\0")


def efi_mmap_tag(entries, descriptor_size=48):
    """Tag 17: the EFI memory map as GRUB copies it (UEFI memory descriptors)."""
    data = struct.pack("<II", descriptor_size, 1)
    for kind, base, pages in entries:
        entry = struct.pack("<IIQQQQ", kind, 0, base, base, pages, 0xf)
        data += entry + b"\0" * (descriptor_size - len(entry))
    return tag(17, data)


OVMF_MAP = [(7, 0, 0xa0), (6, 0xa0000, 0x60), (7, 0x100000, 0x700), (4, 0x800000, 0x100),
            (2, 0x900000, 0x10), (9, 0x910000, 0x10), (10, 0x920000, 0x1),
            (7, 0x921000, 0x76df), (11, 0xffc00000, 0x400)]


def rsdp(revision):
    """An RSDP as ACPI lays it out: 20 bytes for ACPI 1.0, 36 from 2.0."""
    v1 = b"RSD PTR " + b"\0" + b"SKIFF " + bytes([revision]) + struct.pack("<I", 0x7fe1000)
    if revision < 2:
        return v1
    return v1 + struct.pack("<IQ", 36, 0x7fe2000) + b"\0" * 4


def block(*tags):
    body = b"".join(tags) + tag(0)
    return struct.pack("<II", 8 + len(body), 0) + body


QEMU_MAP = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
            (0x100000, 0x7ee0000, 1), (0x7fe0000, 0x20000, 2),
            (0xfffc0000, 0x40000, 2)]

MULTIBOOT2 = {
    "grub-two-modules.bin": block(
        tag(1, b"/boot/skiff.elf backend=svm selftest=clock\0"),
        tag(2, b"GRUB 2.06\0"),
        tag(4, struct.pack("<II", 639, 130048)),
        tag(5, struct.pack("<III", 0x80, 0xffffffff, 0xffffffff)),
        module_tag(0x200000, 0x230000, b"hello mem=64M -- --greeting hi"),
        module_tag(0x230000, 0x240000, b"disk block.storage=/boot/disk.img"),
        mmap_tag(QEMU_MAP),
        tag(14, rsdp(0)),
        tag(15, rsdp(2))),
    "minimal.bin": block(mmap_tag([(0x100000, 0x1f00000, 1)])),
    "wide-mmap-entries.bin": block(
        tag(1, b"backend=vmx\0"),
        mmap_tag(QEMU_MAP, entry_size=32),
        tag(14, rsdp(0))),
    "no-mmap.bin": block(tag(1, b"\0"), module_tag(0x200000, 0x200000, b"")),
    "uefi-only-efi-map.bin": block(
        tag(1, b"/boot/skiff.elf on_end=reboot\0"),
        tag(12, struct.pack("<Q", 0x7f9ee018)),
        module_tag(0x200000, 0x230000, b"hello -- a"),
        efi_mmap_tag(OVMF_MAP),
        tag(15, rsdp(2))),
    "uefi-both-maps.bin": block(
        efi_mmap_tag(OVMF_MAP, descriptor_size=40),
        mmap_tag(QEMU_MAP),
        tag(14, rsdp(0))),
}

OPTIONS = {
    "path-and-both.bin": b"\x40/boot/skiff.elf backend=svm selftest=clock",
    "vmx.bin": b"\x40backend=vmx",
    "tabs.bin": b"\x10\tselftest=clock\t backend=svm ",
    "bad-backend.bin": b"\x4fbackend=arm64",
    "numbers.bin": b"\x40limit=86400 slice_ms=1 asids=65535",
    "number-too-big.bin": b"\x40slice_ms=1001",
    "unknown.bin": b"\x05quiet",
    "empty.bin": b"\x00",
}


def hypercall(nr, gpa, ram, mode=0, walltime=1700000000123456789):
    """Header for port 0x500 + nr (mode bit 1 clear) and the RAM image."""
    return struct.pack("<HBQQ", nr, mode, gpa, walltime) + ram


def ram_with(pieces, size=0x400):
    ram = bytearray(size)
    for gpa, data in pieces:
        ram[gpa:gpa + len(data)] = data
    return bytes(ram)


# Small RAM images keep the fuzzer's mutations on the argument fields.
ARG = 0x40
BUF = 0x200
HYPERCALL = {
    "walltime.bin": hypercall(1, ARG, ram_with([])),
    "puts.bin": hypercall(2, ARG, ram_with([(ARG, struct.pack("<QQ", BUF, 5)),
                                            (BUF, b"hello")])),
    "puts-past-ram.bin": hypercall(2, ARG, ram_with([(ARG, struct.pack("<QQ", 0x3ff8, 0x10))])),
    "poll.bin": hypercall(3, ARG, ram_with([(ARG, struct.pack("<Q", 1000000))])),
    # The harness's disk is handle 1: eight 512-byte blocks.
    "block-write.bin": hypercall(4, ARG, ram_with([(ARG, struct.pack("<QQQQ", 1, 512, BUF, 512)),
                                                   (BUF, b"\xab" * 512)])),
    "block-read.bin": hypercall(5, ARG, ram_with([(ARG, struct.pack("<QQQQ", 1, 3584, BUF, 512))])),
    "block-no-device.bin": hypercall(5, ARG, ram_with([(ARG, struct.pack("<QQQQ", 0, 0, BUF, 512))])),
    "block-buffer-past-ram.bin": hypercall(4, ARG, ram_with([(ARG, struct.pack("<QQQQ", 1, 0, 0x3f00, 512))])),
    "net-write.bin": hypercall(6, ARG, ram_with([(ARG, struct.pack("<QQQ", 0, BUF, 64))])),
    "net-read.bin": hypercall(7, ARG, ram_with([(ARG, struct.pack("<QQQ", 0, BUF, 64))])),
    "halt.bin": hypercall(8, ARG, ram_with([(ARG, struct.pack("<Qi", 0, 3))])),
    "halt-at-end.bin": hypercall(8, 0x4000 - 12, ram_with([], 0x4000), mode=1),
    "nop.bin": hypercall(0x80, 0, b""),
    "serial-port.bin": struct.pack("<HBQQ", 0x3f8, 2, 0, 0),
}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py OUT_DIR")
    for target, seeds in (("multiboot2", MULTIBOOT2), ("options", OPTIONS),
                          ("hypercall", HYPERCALL)):
        folder = os.path.join(sys.argv[1], target)
        os.makedirs(folder, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
