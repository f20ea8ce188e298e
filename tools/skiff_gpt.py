"""Write a GPT-partitioned disk image (for tests and for users without sfdisk).

make_gpt_image(path, partitions, sectors) writes a protective MBR, the
primary header and entry array, and the backup array and header, as the
UEFI specification lays them out; each partition is (name, sectors), placed
one after the other from sector 2048 (1 MiB alignment). Command line:

    python3 tools/skiff_gpt.py disk.img 16M alpha=4M beta=4M
"""

import os
import struct
import sys
import uuid
import zlib

SECTOR = 512
ENTRY_SIZE = 128
ENTRY_COUNT = 128
FIRST_USABLE = 2048
# Microsoft basic data: a type every tool recognises as "data".
TYPE_GUID = uuid.UUID("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7")


def _header(my_lba, other_lba, entries_lba, first, last, disk_guid, entries_crc):
    """Return one GPT header sector with its CRC filled in."""
    fields = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0,
                         my_lba, other_lba, first, last, disk_guid.bytes_le,
                         entries_lba, ENTRY_COUNT, ENTRY_SIZE, entries_crc)
    crc = zlib.crc32(fields) & 0xffffffff
    fields = fields[:16] + struct.pack("<I", crc) + fields[20:]
    return fields.ljust(SECTOR, b"\0")


def _protective_mbr(sectors):
    """Return sector 0: one partition of type 0xEE covering the disk."""
    mbr = bytearray(SECTOR)
    size = min(sectors - 1, 0xffffffff)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xee, 0xff, 0xff, 0xff, 1, size)
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def make_gpt_image(path, partitions, sectors):
    """Write a disk of `sectors` sectors with the (name, sectors) partitions.

    Raises ValueError when they do not fit or a name is longer than 36.
    """
    array_sectors = ENTRY_COUNT * ENTRY_SIZE // SECTOR
    last_usable = sectors - 2 - array_sectors
    entries = bytearray(ENTRY_COUNT * ENTRY_SIZE)
    lba = FIRST_USABLE
    for i, (name, count) in enumerate(partitions):
        if len(name) > 36:
            raise ValueError("partition name %r is longer than 36 characters" % name)
        if count <= 0 or lba + count - 1 > last_usable:
            raise ValueError("partition %r (%d sectors) does not fit" % (name, count))
        entries[i * ENTRY_SIZE:(i + 1) * ENTRY_SIZE] = struct.pack(
            "<16s16sQQQ72s", TYPE_GUID.bytes_le, uuid.uuid4().bytes_le, lba,
            lba + count - 1, 0, name.encode("utf-16-le"))
        lba += count
    entries_crc = zlib.crc32(bytes(entries)) & 0xffffffff
    disk_guid = uuid.uuid4()
    backup_array = sectors - 1 - array_sectors
    with open(path, "wb") as f:
        f.truncate(sectors * SECTOR)
        f.write(_protective_mbr(sectors))
        f.write(_header(1, sectors - 1, 2, FIRST_USABLE, last_usable, disk_guid, entries_crc))
        f.write(entries)
        f.seek(backup_array * SECTOR)
        f.write(entries)
        f.write(_header(sectors - 1, 1, backup_array, FIRST_USABLE, last_usable, disk_guid,
                        entries_crc))


def _size(text):
    """Parse 16M / 512K / 1G / plain bytes into a sector count."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    scale = units.get(text[-1:].upper(), 1)
    number = int(text[:-1] if scale != 1 else text)
    return number * scale // SECTOR


def main(argv):
    if len(argv) < 3:
        print("usage: skiff_gpt.py IMAGE SIZE NAME=SIZE...", file=sys.stderr)
        return 2
    parts = [(p.split("=", 1)[0], _size(p.split("=", 1)[1])) for p in argv[3:]]
    try:
        make_gpt_image(argv[1], parts, _size(argv[2]))
    except ValueError as e:
        print("skiff_gpt.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
