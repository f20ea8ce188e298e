"""Guest descriptions for a Skiff boot: names, memory sizes, disks, module command lines.

A guest module's command line follows hypervisor/loader/guest_cmdline.h:

    NAME [mem=SIZE] [count=N] [cpu=K] [block.DEV=MODULE-PATH]...
         [net.DEV=NETWORK[,mac=XX:XX:XX:XX:XX:XX]]... [-- ARG...]

This module builds the words of that line; skiff_grub.py quotes them for GRUB.
"""

import dataclasses
import os
import re
import shlex

MIB = 1 << 20
GUEST_DEFAULT_MEM = 32 * MIB
GUEST_MAX_MEM = 4 << 30
GUEST_MAX_COUNT = 16320
NAME_MAX_CHARS = 31
GUEST_OPTION_KEYS = ("name", "mem", "count", "clone", "cpu", "paging", "shadow_cache")
PAGING_MODES = ("nested", "shadow", "pv")
BLOCK_PREFIX = "block."
NET_PREFIX = "net."
NETWORK_NAME_MAX_CHARS = 31
DEVICE_NAME_MAX_CHARS = 67

_DEVICE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,%d}$" % DEVICE_NAME_MAX_CHARS)
_NETWORK_RE = re.compile(r"^[A-Za-z0-9_.-]{1,%d}$" % NETWORK_NAME_MAX_CHARS)
_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_SIZE_RE = re.compile(r"^([0-9]+)([KMG]?)$", re.IGNORECASE)
_SUFFIX_SHIFT = {"": 0, "K": 10, "M": 20, "G": 30}


class GuestSpecError(ValueError):
    """A guest description that cannot be turned into a module line."""


@dataclasses.dataclass
class Block:
    """A block device given to a guest under the manifest name device.

    Either file, a host file copied into the boot image as a disk module
    (skiff_grub.py gives it its module path), or module, a module path
    written as is: tests use it to name a disk that is missing or that
    another guest's block already loads. With attach, file becomes a disk
    of the emulated machine instead and the guest writes into it
    (skiff_disks.py sets module to its "disk:N").
    """

    device: str
    file: str = None
    module: str = None
    attach: bool = False


@dataclasses.dataclass
class Net:
    """A net device of a guest: the manifest name, the switch network, an optional MAC."""

    device: str
    network: str
    mac: str = None

    def module_word(self):
        """Return the net.DEV=NETWORK[,mac=...] word of the module line."""
        word = "%s%s=%s" % (NET_PREFIX, self.device, self.network)
        return word + (",mac=%s" % self.mac if self.mac else "")


def make_net(device, network, mac=None):
    """Build a checked Net; raises GuestSpecError on a bad device, network or MAC."""
    if not _DEVICE_RE.match(device):
        raise GuestSpecError("bad net device name %r (1..%d of [A-Za-z0-9_.-])"
                             % (device, DEVICE_NAME_MAX_CHARS))
    if not _NETWORK_RE.match(network or ""):
        raise GuestSpecError("net %s: bad network name %r (1..%d of [A-Za-z0-9_.-])"
                             % (device, network, NETWORK_NAME_MAX_CHARS))
    if mac is not None and not _MAC_RE.match(mac):
        raise GuestSpecError("net %s: bad MAC %r (XX:XX:XX:XX:XX:XX)" % (device, mac))
    return Net(device=device, network=network, mac=mac)


def parse_net_option(text):
    """Parse DEV=NETWORK[,mac=XX:XX:XX:XX:XX:XX] (a --guest net.DEV=... word) into a Net."""
    device, equals, value = text.partition("=")
    if not equals:
        raise GuestSpecError("net %r: expected DEV=NETWORK" % text)
    network, comma, rest = value.partition(",")
    mac = None
    if comma:
        if not rest.startswith("mac="):
            raise GuestSpecError("net %s: unknown setting %r (only mac=)" % (device, rest))
        mac = rest[len("mac="):]
    return make_net(device, network, mac)


@dataclasses.dataclass
class Guest:
    """One guest module: an image file, its name, options and arguments.

    mem is the text given by the user (for example "64M") or None for
    Skiff's default; args are the guest's own arguments, each one word of
    the module line (see skiff_grub.py for how they reach the guest).
    """

    image: str
    name: str
    args: list = dataclasses.field(default_factory=list)
    mem: str = None
    count: int = 1
    blocks: list = dataclasses.field(default_factory=list)
    nets: list = dataclasses.field(default_factory=list)
    paging: str = None        # paging=MODE, None for Skiff's default
    shadow_cache: int = None  # shadow_cache=K, None for Skiff's default
    cpu: int = None   # cpu=K on the module line: the CPU it runs on (docs/smp.md)
    clone: int = 0    # clone=N: N copy-on-write clones of its snapshot (docs/clones.md)

    def mem_bytes(self):
        """Return the guest's RAM in bytes, rounded up to 2 MiB."""
        if self.mem is None:
            return GUEST_DEFAULT_MEM
        return parse_size(self.mem)

    def instance_names(self):
        """Return the names Skiff gives the instances (NAME.1..NAME.N when N > 1).

        A clone=N guest is NAME (it ends at its snapshot) and its clones
        NAME.1..NAME.N.
        """
        if self.clone:
            return [self.name] + self.clone_names()
        if self.count == 1:
            return [self.name]
        return ["%s.%d" % (self.name, i) for i in range(1, self.count + 1)]


    def clone_names(self):
        """Return the names of a clone=N guest's clones, NAME.1..NAME.N."""
        return ["%s.%d" % (self.name, i) for i in range(1, self.clone + 1)]


def parse_size(text):
    """Parse SIZE (digits with an optional K, M or G suffix) into bytes.

    Digits alone mean MiB, as solo5-hvt's --mem does. The result is
    rounded up to a multiple of 2 MiB and must lie in 2 MiB..4 GiB.
    Raises GuestSpecError on anything else.
    """
    match = _SIZE_RE.match(text.strip())
    if not match:
        raise GuestSpecError("bad size %r (expected digits, MiB, or digits with K, M or G)"
                             % text)
    size = int(match.group(1)) << _SUFFIX_SHIFT[match.group(2).upper() or "M"]
    size = (size + 2 * MIB - 1) // (2 * MIB) * (2 * MIB)
    if size == 0 or size > GUEST_MAX_MEM:
        raise GuestSpecError("size %r out of range (2M..4G)" % text)
    return size


def sanitize_name(text):
    """Turn any text into a valid guest NAME: [A-Za-z0-9_.-], 1..31 characters.

    Other characters become '_'; a name that does not start with a letter or
    digit gets a 'g' in front.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    if not name or not name[0].isalnum():
        name = "g" + name
    return name[:NAME_MAX_CHARS]


def default_name(image):
    """Return the default NAME for an image: its basename without extension, sanitized."""
    stem = os.path.splitext(os.path.basename(image))[0]
    return sanitize_name(stem)


def make_block(device, file=None, module=None):
    """Build a checked Block; raises GuestSpecError on a bad device name or source.

    The device name follows Skiff's rule for block.DEV (1..67 characters
    of [A-Za-z0-9_.-]); exactly one of file and module is given.
    """
    if not _DEVICE_RE.match(device):
        raise GuestSpecError("bad block device name %r (1..%d of [A-Za-z0-9_.-])"
                             % (device, DEVICE_NAME_MAX_CHARS))
    if (file is None) == (module is None):
        raise GuestSpecError("block %s: give a file or a module path, not both" % device)
    if module is not None and not module.startswith(("/",) + REGION_PREFIXES):
        raise GuestSpecError("block %s: module path %r must start with '/'" % (device, module))
    if file is not None and not file:
        raise GuestSpecError("block %s: empty file name" % device)
    return Block(device=device, file=file, module=module)


SNAPSHOT_SUFFIX = ",snapshot"
REGION_PREFIXES = ("disk:", "gpt:")


def parse_block_option(text):
    """Parse NAME=FILE[,snapshot] (skiff-run's --block, a --guest block.NAME=FILE).

    Without ,snapshot the file is attached as a disk (writes land in it);
    with it, a copy goes into the boot image (writes are lost). A value
    starting with disk: or gpt: names a region of an attached disk (see
    skiff-run --disk) and is passed to Skiff as it is.
    """
    device, equals, file = text.partition("=")
    if not equals:
        raise GuestSpecError("block %r: expected NAME=FILE" % text)
    if file.startswith(REGION_PREFIXES):
        return make_block(device, module=file)
    snapshot = file.endswith(SNAPSHOT_SUFFIX)
    if snapshot:
        file = file[:-len(SNAPSHOT_SUFFIX)]
    block = make_block(device, file=file)
    block.attach = not snapshot
    return block


def make_guest(image, args=(), name=None, mem=None, count=1, blocks=(), nets=(),
               paging=None, shadow_cache=None, cpu=None, clone=0):
    """Build a checked Guest; raises GuestSpecError on a bad size, count, name or disk.

    blocks: Block list; nets: Net list; a device name may appear once in both.
    """
    devices = [b.device for b in blocks] + [n.device for n in nets]
    if len(set(devices)) != len(devices):
        raise GuestSpecError("a block device is given twice: %s" % devices)
    if mem is not None:
        parse_size(mem)
    count = int(count)
    if not 1 <= count <= GUEST_MAX_COUNT:
        raise GuestSpecError("count %d out of range (1..%d)" % (count, GUEST_MAX_COUNT))
    clone = int(clone or 0)
    if not 0 <= clone <= GUEST_MAX_COUNT or (clone and count != 1):
        raise GuestSpecError("clone %d: 1..%d, and not with count" % (clone, GUEST_MAX_COUNT))
    if name is None:
        name = default_name(image)
    elif sanitize_name(name) != name:
        raise GuestSpecError("bad guest name %r (use [A-Za-z0-9_.-], start alphanumeric)" % name)
    for arg in args:
        if "\n" in arg or "\0" in arg:
            raise GuestSpecError("guest arguments cannot contain newlines or NUL bytes")
    if paging is not None and paging not in PAGING_MODES:
        raise GuestSpecError("paging %r is not one of %s" % (paging, ", ".join(PAGING_MODES)))
    if shadow_cache is not None:
        shadow_cache = int(shadow_cache)
    return Guest(image=image, name=name, args=list(args), mem=mem, count=count,
                 blocks=list(blocks), nets=list(nets), paging=paging,
                 shadow_cache=shadow_cache, cpu=None if cpu is None else int(cpu),
                 clone=clone)


def parse_guest_spec(spec):
    """Parse a --guest value: '[name=N] [mem=SIZE] [count=N] [cpu=K] [block.DEV=FILE]... [net.DEV=NETWORK]... IMAGE [ARG...]'.

    The value is split like a POSIX shell line (quotes group words).
    Leading KEY=VALUE words with KEY in name, mem, count, or block.DEV,
    are options; the first other word is the image. Returns a Guest;
    raises GuestSpecError.
    """
    words = shlex.split(spec)
    options = {}
    blocks, nets = [], []
    while words and "=" in words[0]:
        key, value = words[0].split("=", 1)
        if key.startswith(BLOCK_PREFIX):
            blocks.append(parse_block_option(key[len(BLOCK_PREFIX):] + "=" + value))
        elif key.startswith(NET_PREFIX):
            nets.append(parse_net_option(key[len(NET_PREFIX):] + "=" + value))
        elif key in GUEST_OPTION_KEYS:
            options[key] = value
        else:
            break
        words.pop(0)
    if not words:
        raise GuestSpecError("--guest %r names no image" % spec)
    return make_guest(words[0], words[1:], blocks=blocks, nets=nets, **options)


def module_words(guest, disk_paths=()):
    """Return the words of the guest's module command line (after the module path).

    disk_paths: the module path of each of guest.blocks, in order (a
    Block with a module path of its own may have None there). Each of
    the guest's arguments is one word after "--". Empty arguments are
    left out: GRUB's encoding cannot carry them.
    """
    words = [guest.name]
    if guest.mem is not None:
        words.append("mem=%dM" % (guest.mem_bytes() // MIB))
    if guest.count != 1:
        words.append("count=%d" % guest.count)
    if guest.clone:
        words.append("clone=%d" % guest.clone)
    if guest.cpu is not None:
        words.append("cpu=%d" % guest.cpu)
    if guest.paging is not None:
        words.append("paging=%s" % guest.paging)
    if guest.shadow_cache is not None:
        words.append("shadow_cache=%d" % guest.shadow_cache)
    for index, block in enumerate(guest.blocks):
        path = block.module or (disk_paths[index] if index < len(disk_paths) else None)
        if path is None:
            raise GuestSpecError("block %s of guest %s has no module path"
                                 % (block.device, guest.name))
        words.append("block.%s=%s" % (block.device, path))
    words.extend(net.module_word() for net in guest.nets)
    if any(arg != "" for arg in guest.args):
        words.append("--")
        words.extend(arg for arg in guest.args if arg != "")
    return words


def machine_megabytes(guests):
    """Return the emulated machine's RAM in MiB: Skiff's share plus every guest's.

    Skiff gets 64 MiB for itself, the images and its tables; each guest
    instance adds its RAM plus 1/64 of it for nested page tables, and
    every disk file its size (GRUB loads it into RAM as a module). The
    total is rounded up to 16 MiB.
    """
    guest_bytes = sum(g.mem_bytes() * g.count for g in guests)
    disk_bytes = sum(os.path.getsize(b.file) for g in guests for b in g.blocks
                     if b.file is not None and not b.attach and os.path.isfile(b.file))
    total = 64 * MIB + guest_bytes + guest_bytes // 64 + disk_bytes
    return (total + 16 * MIB - 1) // (16 * MIB) * 16
