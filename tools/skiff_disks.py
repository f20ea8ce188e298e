"""Host files attached to the emulated machine as disks (skiff-run --block NAME=FILE).

An attached file is a disk of the emulated machine: Skiff's ATA driver finds
it, and the guest's block device is the whole disk (block.NAME=disk:N on its
module line), so the guest's acknowledged writes are in FILE when the run
ends, as with Solo5's hvt. A Block with snapshot=True keeps the older
semantics instead: the file is copied into the boot image as a module and
the guest's writes are lost at power-off.

With interface "virtio" (QEMU only) the files become virtio-blk disks instead,
driven by drivers/virtio_blk.

Slots: the CD-ROM with GRUB takes one IDE position, which leaves three for
disks: QEMU indexes 0, 1 and 3 (-cdrom is index 2), Bochs ata0-slave,
ata1-master and ata1-slave (the CD is ata0-master). Skiff numbers disks in
probe order (primary master, primary slave, secondary master, secondary
slave, CD-ROMs skipped), which is the slot order on both emulators.
"""

import dataclasses
import os
import shutil
import stat

from skiff_guests import GuestSpecError

SECTOR = 512
QEMU_DISK_INDEXES = (0, 1, 3)
BOCHS_DISK_SLOTS = ("ata0-slave", "ata1-master", "ata1-slave")
MAX_ATTACHED = len(QEMU_DISK_INDEXES)
BOCHS_MAX_CYLINDERS = 65535


@dataclasses.dataclass
class AttachedDisk:
    """One host file as disk number `number` of the machine.

    path: the file the emulator opens (a private copy for a read-only file,
    so that nothing can change the original); read_only: Skiff is told to
    refuse writes (the guest gets EINVAL).
    """

    path: str
    number: int
    read_only: bool
    interface: str = "ide"


def is_read_only(path):
    """True when path has no write permission bit or cannot be written by us."""
    mode = os.stat(path).st_mode
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def check_disk_file(device, path):
    """Check a file for attaching; raises GuestSpecError with a precise message.

    The file must exist, be a regular file, and hold a whole, non-zero
    number of 512-byte sectors.
    """
    where = "--disk %s" % path if device == "disk" else "--block %s=%s" % (device, path)
    if not os.path.exists(path):
        raise GuestSpecError("%s: no such file" % where)
    if not os.path.isfile(path):
        raise GuestSpecError("%s: not a regular file" % where)
    size = os.path.getsize(path)
    if size < SECTOR:
        raise GuestSpecError("%s: the file has %d bytes, less than one %d-byte block"
                             % (where, size, SECTOR))
    if size % SECTOR:
        raise GuestSpecError("%s: the file has %d bytes, not a multiple of the %d-byte block "
                             "(a disk holds whole sectors; e.g. truncate -s %d %s)"
                             % (where, size, SECTOR, size // SECTOR * SECTOR, path))


INTERFACES = ("ide", "virtio")
MAX_VIRTIO = 4


def _attach(disks, label, file, workdir, interface):
    """Append file as the next AttachedDisk; return it."""
    check_disk_file(label, file)
    if interface == "virtio" and len(disks) == MAX_VIRTIO:
        raise GuestSpecError("--block %s=%s: Skiff drives at most %d virtio disks"
                             % (label, file, MAX_VIRTIO))
    if interface == "ide" and len(disks) == MAX_ATTACHED:
        raise GuestSpecError("--block %s=%s: at most %d files can be attached as disks "
                             "(add ,snapshot to copy the others into the boot image)"
                             % (label, file, MAX_ATTACHED))
    read_only = is_read_only(file)
    path = os.path.abspath(file)
    if read_only:
        path = os.path.join(workdir, "readonly-%d.img" % len(disks))
        shutil.copyfile(file, path)
    disk = AttachedDisk(path=path, number=len(disks), read_only=read_only, interface=interface)
    disks.append(disk)
    return disk


def plan_disks(guests, workdir, files=(), interface="ide"):
    """Number the machine's disks; return the AttachedDisk list.

    files (skiff-run --disk) come first, as disks 0, 1, ...; guests name
    their regions themselves (block.NAME=gpt:P or disk:N). Then every
    attached Block of guests, whose block.module becomes "disk:N" (",ro"
    for a read-only file) so that the guest's module line names it.
    interface: "ide" (both emulators) or "virtio" (QEMU's virtio-blk; the
    machine then has no IDE disk, so the numbers are the same).
    Raises GuestSpecError for a bad file or too many disks.
    """
    if interface not in INTERFACES:
        raise GuestSpecError("disk interface %r is not one of %s" % (interface, INTERFACES))
    disks = []
    for file in files:
        _attach(disks, "disk", file, workdir, interface)
    for guest in guests:
        for block in guest.blocks:
            if not block.attach:
                continue
            disk = _attach(disks, block.device, block.file, workdir, interface)
            block.module = "disk:%d%s" % (disk.number, ",ro" if disk.read_only else "")
    return disks


def qemu_disk_options(disks):
    """Return QEMU's -drive options for the disks (raw IDE disks)."""
    options = []
    for disk in disks:
        path = disk.path.replace(",", ",,")
        if disk.interface == "virtio":
            options += ["-drive", "file=%s,format=raw,if=virtio" % path]
        else:
            options += ["-drive", "file=%s,format=raw,if=ide,media=disk,index=%d"
                        % (path, QEMU_DISK_INDEXES[disk.number])]
    return options


def bochs_geometry(sectors):
    """Return (cylinders, heads, spt) whose product is sectors, or None.

    Bochs's flat disks need a geometry; the largest heads and sectors per
    track that divide the size exactly keep the cylinder count small.
    """
    for heads in range(16, 0, -1):
        for spt in range(63, 0, -1):
            if sectors % (heads * spt) == 0 and sectors // (heads * spt) <= BOCHS_MAX_CYLINDERS:
                return sectors // (heads * spt), heads, spt
    return None


def bochs_disk_lines(disks):
    """Return bochsrc lines for the disks; raises GuestSpecError for a size
    no Bochs geometry fits."""
    lines = []
    for disk in disks:
        if disk.interface != "ide":
            raise GuestSpecError("Bochs emulates no %s disks: use --disk-interface ide"
                                 % disk.interface)
        sectors = os.path.getsize(disk.path) // SECTOR
        geometry = bochs_geometry(sectors)
        if geometry is None:
            raise GuestSpecError("%s: %d sectors cannot be written as cylinders x heads x "
                                 "sectors for Bochs (use a multiple of 8 KiB up to 512 MiB)"
                                 % (disk.path, sectors))
        lines.append('%s: type=disk, path="%s", mode=flat, cylinders=%d, heads=%d, spt=%d'
                     % ((BOCHS_DISK_SLOTS[disk.number], disk.path) + geometry))
    return lines
