"""Boot media for real machines and for UEFI and network boots in QEMU.

  hybrid ISO   one image that boots under legacy BIOS and under UEFI, from a
               CD or written to a USB stick with dd (build_hybrid_iso)
  netboot tree the files an operator puts on a TFTP (or HTTP) server, with
               GRUB's network images for BIOS PXE and UEFI clients
               (build_netboot_tree)

Both carry the same tree as the BIOS test ISO (skiff_grub.stage_boot_tree):
Skiff, the guests' images, their disks and one grub.cfg.

How the hybrid image is put together (what grub-mkrescue does, written out
so that the BIOS and EFI halves may come from different folders):
  - a BIOS El Torito image (grub-mkimage -O i386-pc-eltorito) and GRUB's
    boot_hybrid.img as the MBR, so the same bytes boot from a CD and from a
    USB disk;
  - an EFI image (grub-mkimage -O x86_64-efi) as EFI/BOOT/BOOTX64.EFI in a
    small FAT image, which is both the El Torito EFI entry and an appended
    EFI system partition;
  - both GRUB cores carry every module they need and an early
    configuration that finds the medium by a file whose name is unique to
    this image (so a machine's own disks with a /boot/grub are never taken
    for it) and reads /boot/grub/grub.cfg from there.

Under UEFI the firmware and GRUB write to both serial ports before Skiff
starts; Skiff then writes a start marker on each (hypervisor/console.h), and
after_marker() drops what came before it.
"""

import os
import re
import shutil
import subprocess
import uuid

from skiff_grub import XORRISO_QUICK, stage_boot_tree
from skiff_guests import GuestSpecError, make_guest, parse_block_option, parse_guest_spec

FIRMWARES = ("bios", "uefi")
BOOT_METHODS = ("iso", "pxe")
GRUB_PC_DIR = "/usr/lib/grub/i386-pc"
GRUB_EFI_DIR = "/usr/lib/grub/x86_64-efi"
OVMF = "/usr/share/ovmf/OVMF.fd"
CONSOLE_START_MARKER = b"\x02SKIFF-CONSOLE\x03\r\n"
LOG_START_MARKER = b"\x02SKIFF-LOG\x03\r\n"
# GRUB modules built into the cores: reading the medium, finding it, the
# menu and the multiboot2 loader. Network cores come from grub-mknetdir.
CORE_MODULES = ["iso9660", "part_msdos", "part_gpt", "search", "search_fs_file",
                "configfile", "normal", "multiboot2", "boot", "echo"]
BIOS_CORE_MODULES = ["biosdisk"] + CORE_MODULES
EFI_CORE_MODULES = ["fat"] + CORE_MODULES
EFI_IMAGE_KIB = 1440      # a floppy-sized FAT12 image; GRUB's EFI core is about 600 KiB
NETBOOT_FILES = {"bios": "boot/grub/i386-pc/core.0", "uefi": "boot/grub/x86_64-efi/core.efi"}


def grub_efi_dir():
    """Return the folder of GRUB's x86_64-efi modules.

    $SKIFF_GRUB_EFI_DIR when set (e.g. the package unpacked with dpkg -x
    where it is not installed), else Debian's grub-efi-amd64-bin location.
    """
    return os.environ.get("SKIFF_GRUB_EFI_DIR", GRUB_EFI_DIR)


def missing_tools(firmware="bios", boot="iso"):
    """Return what is missing to build and boot media for firmware and boot (a list)."""
    missing = [p for p in ("grub-mkimage", "xorriso", "mformat", "mcopy", "mmd")
               if shutil.which(p) is None]
    if boot == "pxe" and shutil.which("grub-mknetdir") is None:
        missing.append("grub-mknetdir")
    if not os.path.isdir(GRUB_PC_DIR):
        missing.append(GRUB_PC_DIR + " (grub-pc-bin)")
    if not os.path.isdir(grub_efi_dir()):
        missing.append(grub_efi_dir() + " (grub-efi-amd64-bin)")
    if firmware == "uefi" and not os.path.isfile(OVMF):
        missing.append(OVMF + " (ovmf)")
    return missing


def _run(command, what):
    """Run command; raise RuntimeError with its output when it fails."""
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError("%s failed (%s):\n%s" % (what, " ".join(command[:3]),
                                                     done.stdout.decode(errors="replace")))


def _early_config(path, stamp):
    """Write the cores' early configuration: find the medium by its stamp file."""
    with open(path, "w") as cfg:
        cfg.write("search --no-floppy --file --set=root %s\n" % stamp)
        cfg.write("set prefix=($root)/boot/grub\n")
        cfg.write("configfile ($root)/boot/grub/grub.cfg\n")


def _efi_system_image(path, efi_core):
    """Write a FAT image holding efi_core as EFI/BOOT/BOOTX64.EFI."""
    with open(path, "wb") as image:
        image.truncate(EFI_IMAGE_KIB * 1024)
    _run(["mformat", "-i", path, "-v", "SKIFF_EFI", "::"], "mformat")
    _run(["mmd", "-i", path, "::/EFI", "::/EFI/BOOT"], "mmd")
    _run(["mcopy", "-i", path, efi_core, "::/EFI/BOOT/BOOTX64.EFI"], "mcopy")


def build_hybrid_iso(workdir, hypervisor, skiff_words, guests, output=None):
    """Build an ISO that boots under BIOS and UEFI, from a CD or as a USB disk image.

    workdir: a scratch folder; output: the image's path (default
    WORKDIR/skiff-hybrid.iso). Returns the path. Raises FileNotFoundError
    for a missing input or tool, RuntimeError when a GRUB or xorriso step
    fails.
    """
    missing = missing_tools()
    if missing:
        raise FileNotFoundError("missing for a BIOS+UEFI image: %s" % ", ".join(missing))
    root = os.path.join(workdir, "hybrid")
    stage_boot_tree(root, hypervisor, skiff_words, guests)
    stamp = "/boot/skiff-%s" % uuid.uuid4().hex
    open(root + stamp, "w").close()
    early = os.path.join(workdir, "early.cfg")
    _early_config(early, stamp)
    bios_core = os.path.join(root, "boot", "grub", "bios.img")
    _run(["grub-mkimage", "-O", "i386-pc-eltorito", "-d", GRUB_PC_DIR, "-p", "/boot/grub",
          "-c", early, "-o", bios_core] + BIOS_CORE_MODULES, "grub-mkimage (BIOS)")
    efi_core = os.path.join(workdir, "bootx64.efi")
    _run(["grub-mkimage", "-O", "x86_64-efi", "-d", grub_efi_dir(), "-p", "/boot/grub",
          "-c", early, "-o", efi_core] + EFI_CORE_MODULES, "grub-mkimage (EFI)")
    _efi_system_image(os.path.join(root, "boot", "grub", "efi.img"), efi_core)
    output = output or os.path.join(workdir, "skiff-hybrid.iso")
    _run([XORRISO_QUICK, "-as", "mkisofs", "-o", output, "-R", "-V", "SKIFF",
          "-b", "boot/grub/bios.img", "-no-emul-boot", "-boot-load-size", "4",
          "-boot-info-table", "--grub2-boot-info",
          "--grub2-mbr", os.path.join(GRUB_PC_DIR, "boot_hybrid.img"),
          "--efi-boot", "boot/grub/efi.img", "-efi-boot-part", "--efi-boot-image",
          root], "xorriso")
    return output


def build_netboot_tree(netdir, hypervisor, skiff_words, guests, http_server=None):
    """Fill netdir with what a TFTP/HTTP server hands out to boot Skiff over the network.

    http_server: None to fetch everything by TFTP from the server that
    booted the client; "HOST" or "HOST:PORT" to have GRUB fetch Skiff, the
    guests and their disks over HTTP from there (GRUB's own images and
    grub.cfg still come by TFTP). Returns {"bios": path of the PXE image,
    "uefi": path of the EFI image}, relative to netdir (what a DHCP server
    names as the boot file). Raises as build_hybrid_iso does, and
    ValueError for an HTTP server name GRUB cannot take.
    """
    missing = missing_tools(boot="pxe")
    if missing:
        raise FileNotFoundError("missing for a network boot tree: %s" % ", ".join(missing))
    if http_server is not None and not re.match(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", http_server):
        raise ValueError("HTTP server %r: expected HOST or HOST:PORT" % http_server)
    stage_boot_tree(netdir, hypervisor, skiff_words, guests, network=True)
    if http_server is not None:
        cfg_path = os.path.join(netdir, "boot", "grub", "grub.cfg")
        with open(cfg_path) as cfg:
            text = cfg.read()
        with open(cfg_path, "w") as cfg:
            cfg.write("set root=(http,%s)\n" % http_server + text)
    for platform_dir in (GRUB_PC_DIR, grub_efi_dir()):
        _run(["grub-mknetdir", "--net-directory=" + netdir, "--subdir=boot/grub",
              "-d", platform_dir, "--locales=", "--fonts=", "--themes="], "grub-mknetdir")
    with open(os.path.join(netdir, "dnsmasq-skiff.conf"), "w") as conf:
        conf.write(DNSMASQ_EXAMPLE % {"root": os.path.abspath(netdir)})
    return dict(NETBOOT_FILES)


DNSMASQ_EXAMPLE = """\
# An example for dnsmasq as the DHCP and TFTP server of a Skiff fleet.
# (Any DHCP server that sets the boot file by client architecture works the
# same way; with an existing TFTP server, copy this folder to its root.)
# Clients that send architecture 7 or 9 (x64 UEFI) get GRUB's EFI image,
# the others (legacy BIOS PXE) GRUB's PXE image; GRUB then fetches
# boot/grub/grub.cfg, Skiff and the guests from the same server.
enable-tftp
tftp-root=%(root)s
dhcp-match=set:efi-x86_64,option:client-arch,7
dhcp-match=set:efi-x86_64,option:client-arch,9
dhcp-boot=tag:efi-x86_64,boot/grub/x86_64-efi/core.efi
dhcp-boot=tag:!efi-x86_64,boot/grub/i386-pc/core.0
# dhcp-range=192.168.0.50,192.168.0.150,12h   (or proxy mode beside an existing DHCP server)
"""


def qemu_boot_args(firmware, boot, medium):
    """Return QEMU's arguments for booting medium (an ISO, or a netboot tree) by firmware and boot.

    BIOS is SeaBIOS (QEMU's default); UEFI is OVMF. A network boot uses
    QEMU's user-mode network with its built-in TFTP server over an e1000
    (whose option ROM is iPXE), handing out GRUB's network image.
    """
    if firmware not in FIRMWARES or boot not in BOOT_METHODS:
        raise ValueError("firmware must be one of %s and boot one of %s" % (FIRMWARES, BOOT_METHODS))
    args = ["-bios", OVMF] if firmware == "uefi" else []
    if boot == "iso":
        return args + ["-boot", "d", "-nic", "none", "-cdrom", medium]
    bootfile = NETBOOT_FILES[firmware]
    return args + ["-boot", "n", "-netdev", "user,id=n0,tftp=%s,bootfile=%s" % (medium, bootfile),
                   "-device", "e1000,netdev=n0"]


def after_marker(data, marker):
    """Return what follows the first marker in data (bytes), or None when it is missing."""
    at = data.find(marker)
    if at < 0:
        return None
    return data[at + len(marker):]


def console_and_log(com1, com2_bytes, firmware):
    """Return (console bytes, log bytes) with what the firmware wrote before Skiff dropped.

    Under BIOS both are returned unchanged. Under UEFI the console is what
    follows CONSOLE_START_MARKER (empty when Skiff never wrote it: no guest
    ran), the log what follows LOG_START_MARKER (all of it when missing, so
    a failure to start stays visible).
    """
    if firmware != "uefi":
        return com1, com2_bytes
    console = after_marker(com1, CONSOLE_START_MARKER)
    log = after_marker(com2_bytes, LOG_START_MARKER)
    return (console if console is not None else b"",
            log if log is not None else com2_bytes)


def add_guest_arguments(parser):
    """Add skiff-run's guest options (--mem, --count, --name, --guest, --block,
    --skiff-args, IMAGE, ARGS) to an argparse parser."""
    parser.add_argument("--mem", help="RAM of the positional guest: K, M or G suffix, "
                        "rounded up to 2 MiB (default 32M)")
    parser.add_argument("--count", type=int, default=1,
                        help="instances of the positional image (default 1)")
    parser.add_argument("--name", help="NAME of the positional guest")
    parser.add_argument("--guest", action="append", default=[], metavar="SPEC",
                        help="add a guest: '[name=N] [mem=SIZE] [count=N] [block.DEV=FILE]... "
                        "IMAGE [ARG...]'")
    parser.add_argument("--block", action="append", default=[], metavar="NAME=FILE",
                        help="give the positional guest block device NAME backed by a "
                        "copy of FILE (repeatable)")
    parser.add_argument("--skiff-args", default="", metavar="WORDS",
                        help="Skiff's own command line, e.g. 'on_end=reboot'")
    parser.add_argument("image", nargs="?", metavar="IMAGE", help="guest image (ELF)")
    parser.add_argument("args", nargs="...", metavar="ARGS", help="the guest's arguments")


def guests_from_options(options):
    """Return the Guest list of options parsed with add_guest_arguments; raises GuestSpecError."""
    blocks = [parse_block_option(text) for text in options.block]
    if blocks and options.image is None:
        raise GuestSpecError("--block applies to the positional IMAGE; in a --guest "
                             "SPEC write block.NAME=FILE before the image")
    for block in blocks:
        if not os.path.isfile(block.file):
            raise GuestSpecError("--block %s=%s: no such file" % (block.device, block.file))
    guests = []
    if options.image is not None:
        guests.append(make_guest(options.image, options.args, name=options.name,
                                 mem=options.mem, count=options.count, blocks=blocks))
    guests += [parse_guest_spec(spec) for spec in options.guest]
    if not guests:
        raise GuestSpecError("no guest image given")
    return guests
