"""A bootable GRUB 2 CD image holding Skiff and its guest modules.

How a word travels from grub.cfg to a multiboot2 module command line
(GRUB 2.06 as packaged in Debian 12, checked by booting):

1. GRUB's script parser splits the line into words like a POSIX shell:
   inside single quotes every character is literal (so '$HOME' stays
   '$HOME'); a single quote itself is written as '\\''. An empty quoted
   word ('') stays an (empty) word.
2. `module2 FILE WORD...` joins the words after FILE with single spaces,
   and re-quotes them on the way: a word that contains a space is wrapped
   in double quotes, and every backslash, single quote and double quote is
   preceded by a backslash (grub-core/lib/cmdline.c). Tabs are not quoted.

So each guest argument is one single-quoted word in grub.cfg, and the
module command line Skiff receives is grub_encode(words): a shell-like
line from which the guest runtime recovers the same arguments (a quoted
word with spaces stays one argument; a backslash makes the next character
literal). Skiff passes the part after "--" on unchanged
(hypervisor/loader/guest_cmdline.c, docs/command-line.md). An empty argument
cannot be encoded and is dropped.

Disks: every Block with a host file becomes a data module
/boot/disks/<n>.img (n counting from 0 over all guests, in order) whose
command line is its own path, which is how Skiff tells a disk from a
guest and how block.DEV= finds it (docs/command-line.md).
"""

import os
import shutil
import signal
import subprocess

from skiff_guests import module_words

GRUB_MKRESCUE = "grub-mkrescue"
GRUB_PC_DIR = "/usr/lib/grub/i386-pc"
# Only what a BIOS boot from the CD with this grub.cfg needs: the image
# shrinks from about 9 MiB to under 1 MiB and builds several times faster.
GRUB_MKRESCUE_OPTIONS = ["--locales=", "--fonts=", "--themes=",
                         "--install-modules=multiboot2 normal iso9660 biosdisk"]
# xorriso with progress reports every 0.1 s, so that it ends as soon as the
# image is written, not up to a second later (tools/xorriso-quick says why):
# on a loaded host a boot test's ISO took 0.4 s instead of 2.
XORRISO_QUICK = os.path.join(os.path.dirname(os.path.realpath(__file__)), "xorriso-quick")


def grub_quote(word):
    """Quote one word for a GRUB 2 script line so it is read back unchanged.

    Every word is single quoted; a single quote inside becomes '\\''.
    Raises ValueError for newlines and NUL bytes, which no module line
    can carry.
    """
    if "\n" in word or "\0" in word:
        raise ValueError("a GRUB word cannot contain a newline or NUL byte")
    return "'" + word.replace("'", "'\\''") + "'"


def grub_encode(words):
    """Return the command line GRUB 2.06 builds from module2's words.

    A model of grub-core/lib/cmdline.c, used by tests to state what Skiff
    receives: every backslash, single quote and double quote gets a
    backslash in front; a word containing a space is wrapped in double
    quotes; words are joined by single spaces.
    """
    encoded = []
    for word in words:
        text = "".join("\\" + c if c in "\\'\"" else c for c in word)
        encoded.append('"%s"' % text if " " in word else text)
    return " ".join(encoded)


def grub_line(command, path, words):
    """Return one grub.cfg line: COMMAND PATH followed by the quoted words."""
    return " ".join([command, path] + [grub_quote(w) for w in words])


def module_file_name(index, guest):
    """Return the file name of guest number index inside the image's /boot."""
    return "/boot/g%d-%s.elf" % (index, guest.name)


def disk_layout(guests):
    """Place the guests' disk files in the image.

    Returns (per_guest, disks): per_guest[i] lists the module path of each
    of guests[i].blocks (None for a Block that names its module or disk itself);
    disks lists (module path, host file) for every disk to copy, numbered
    /boot/disks/0.img, 1.img, ... in guest and block order.
    """
    per_guest, disks = [], []
    for guest in guests:
        paths = []
        for block in guest.blocks:
            if block.file is None or block.module is not None:
                paths.append(None)
                continue
            path = "/boot/disks/%d.img" % len(disks)
            disks.append((path, block.file))
            paths.append(path)
        per_guest.append(paths)
    return per_guest, disks


# A network boot tries the loads this many times: a server or link that drops
# one transfer must not leave a fleet machine at GRUB's prompt.
NETWORK_LOAD_TRIES = 3


def _load_lines(skiff_words, guests):
    """Return the multiboot2/module2 lines that load Skiff, the guests and their disks."""
    lines = [grub_line("multiboot2", "/boot/skiff.elf", skiff_words)]
    per_guest, disks = disk_layout(guests)
    for index, guest in enumerate(guests):
        path = module_file_name(index, guest)
        lines.append(grub_line("module2", path, module_words(guest, per_guest[index])))
    for path, _ in disks:
        lines.append(grub_line("module2", path, [path]))
    return lines


def _retrying(loads):
    """Return GRUB script that runs loads (each must succeed) then boot, up to
    NETWORK_LOAD_TRIES times, and reboots when every try failed.

    GRUB's script has no `&&`: each load guards the next with an `if`, and
    `multiboot2` forgets modules loaded by an earlier try. The reboot hands
    the machine back to its firmware, which asks the network again.
    """
    body = ["    boot"]
    for load in reversed(loads):
        body = ["    if %s; then" % load] + ["  " + line for line in body] + ["    fi"]
    return (["  for try in %s; do" % " ".join(str(n) for n in range(1, NETWORK_LOAD_TRIES + 1))]
            + body
            + ['    echo "skiff: loading over the network failed (try $try of %d)"'
               % NETWORK_LOAD_TRIES,
               "  done",
               '  echo "skiff: giving up on this server; rebooting"',
               "  reboot"])


def grub_config(skiff_words, guests, network=False):
    """Return the text of grub.cfg: no menu delay, Skiff, one module per guest, one per disk.

    network: the files come over the network, so failed loads are retried
    (NETWORK_LOAD_TRIES) and the machine reboots when none succeeds; from a
    local medium a failure is not transient and GRUB reports it once.
    """
    loads = _load_lines(skiff_words, guests)
    body = _retrying(loads) if network else ["  " + line for line in loads] + ["  boot"]
    return "\n".join(["set timeout=0", "set default=0", "menuentry 'skiff' {"] + body + ["}", ""])


def stage_boot_tree(root, hypervisor, skiff_words, guests, network=False):
    """Copy Skiff, the guests' images and their disks under root/boot and write
    root/boot/grub/grub.cfg: the tree every boot medium (ISO, USB, network) carries.
    network: the tree is served over the network (grub.cfg retries its loads).

    Raises FileNotFoundError when an input file is missing.
    """
    _, disks = disk_layout(guests)
    for path in [hypervisor] + [g.image for g in guests] + [f for _, f in disks]:
        if not os.path.isfile(path):
            raise FileNotFoundError("no such file: %s" % path)
    os.makedirs(os.path.join(root, "boot", "grub"), exist_ok=True)
    shutil.copyfile(hypervisor, os.path.join(root, "boot", "skiff.elf"))
    for index, guest in enumerate(guests):
        target = root + module_file_name(index, guest)
        shutil.copyfile(guest.image, target)
    if disks:
        os.makedirs(os.path.join(root, "boot", "disks"), exist_ok=True)
    for path, file in disks:
        shutil.copyfile(file, root + path)
    with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as cfg:
        cfg.write(grub_config(skiff_words, guests, network))


def build_iso(workdir, hypervisor, skiff_words, guests):
    """Build WORKDIR/skiff.iso (BIOS only) from the hypervisor ELF and the guests' images.

    Returns the ISO's path. Raises FileNotFoundError when an input file or
    grub-mkrescue is missing, RuntimeError when grub-mkrescue fails.
    (tools/skiff_media.py builds the image that boots under BIOS and UEFI.)
    """
    if shutil.which(GRUB_MKRESCUE) is None:
        raise FileNotFoundError("%s not found (packages grub-pc-bin, grub-common, "
                                "xorriso, mtools)" % GRUB_MKRESCUE)
    root = os.path.join(workdir, "iso")
    stage_boot_tree(root, hypervisor, skiff_words, guests)
    iso = os.path.join(workdir, "skiff.iso")
    # -d: BIOS only, also where GRUB's EFI files are installed (grub-mkrescue
    # would otherwise add an EFI image and look for biosdisk there).
    returncode, output = _run_in_own_group([GRUB_MKRESCUE, "-d", GRUB_PC_DIR,
                                            "--xorriso=" + XORRISO_QUICK]
                                           + GRUB_MKRESCUE_OPTIONS + ["-o", iso, root])
    if returncode != 0 or not os.path.isfile(iso):
        raise RuntimeError("grub-mkrescue failed:\n" + output.decode(errors="replace"))
    return iso


def _run_in_own_group(command):
    """Run command in a process group of its own; return (status, output).

    grub-mkrescue starts xorriso and others: if anything interrupts the
    wait (a signal to skiff-run), the whole group is killed, not just the
    first process.
    """
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = proc.communicate()
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    return proc.returncode, output
