#!/usr/bin/env python3
"""Boot the image tools/skiff-image writes, as an operator would use it.

  image_test.py --build DIR --platform qemu-svm --test image-usb-uefi
  image_test.py --list   (same line format as boot_test.py --list)

Each case runs `tools/skiff-image -o FILE hello one two`, then boots FILE in
QEMU as a CD or as a USB stick (the same bytes written with dd), under
SeaBIOS or OVMF, or in Bochs as a CD under its BIOS, and checks the guest's console (after the start marker
under UEFI), its log lines and the final status. Exit status 0 on a pass,
1 on a failure, 2 when the case cannot run.
"""

import argparse
import functools
import http.server
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

CI_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(CI_DIR, "..", "tools"))

from skiff_emulators import bochs_command, qemu_command, run_emulator  # noqa: E402
from skiff_log import parse_log  # noqa: E402
from skiff_media import OVMF, console_and_log, qemu_boot_args  # noqa: E402

SKIFF_IMAGE = os.path.join(CI_DIR, "..", "tools", "skiff-image")
# name: (firmware, medium, QEMU time limit in seconds, platforms). Bochs boots the
# image only from a CD under its BIOS: it has no OVMF and no USB boot here.
CASES = {"image-cd-bios": ("bios", "cd", 30, ("qemu-svm", "bochs-svm", "bochs-vmx")),
         "image-usb-bios": ("bios", "usb", 30, ("qemu-svm",)),
         "image-usb-uefi": ("uefi", "usb", 90, ("qemu-svm",)),
         # A transfer that stalls costs GRUB about 30 s before it tries again.
         "image-pxe-http": ("bios", "http", 90, ("qemu-svm",)),
         "image-pxe-http-retry": ("bios", "http-retry", 90, ("qemu-svm",))}
# The guest's image, which the retry case's server refuses once.
GUEST_PATH = "/boot/g0-hello.elf"
# QEMU's user-mode network reaches the host's 127.0.0.1 as 10.0.2.2.
HOST_FROM_GUEST = "10.0.2.2"
BOCHS_SLOWNESS = 4
EXPECTED_CONSOLE = b"Hello from Skiff!\nCommand line: 'one two'\narg[1]: one\narg[2]: two\nSUCCESS\n"
CTEST_MARGIN_SECONDS = 60


def medium_args(firmware, medium, image):
    """QEMU's arguments for booting image as a CD or as a USB stick."""
    args = ["-bios", OVMF] if firmware == "uefi" else []
    if medium == "cd":
        return args + ["-boot", "d", "-nic", "none", "-cdrom", image]
    return args + ["-nic", "none", "-drive", "file=%s,format=raw,if=none,id=stick" % image,
                   "-device", "qemu-xhci", "-device", "usb-storage,drive=stick,bootindex=0"]


class _RecordingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files and remembers which paths were fetched (in server.fetched);
    resets the connection unanswered at the first request for each path in
    server.refuse_once."""

    def do_GET(self):
        self.server.fetched.append(self.path)
        if self.path in self.server.refuse_once:
            self.server.refuse_once.discard(self.path)
            # SO_LINGER of zero: close() resets the connection at once.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def _http_server(folder, refuse_once=()):
    """Start an HTTP server for folder on 127.0.0.1 (any port) in a thread; return it.

    refuse_once: paths whose first request is reset unanswered (a passing failure).
    """
    handler = functools.partial(_RecordingHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.fetched = []
    server.refuse_once = set(refuse_once)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _skiff_image(build, arguments):
    """Run tools/skiff-image; return its output, or raise RuntimeError when it fails."""
    hello = os.path.join(build, "examples", "hello", "hello.elf")
    done = subprocess.run([sys.executable, SKIFF_IMAGE] + arguments + [hello, "one", "two"],
                          env=dict(os.environ, SKIFF_BUILD=build), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError("skiff-image failed: " + done.stdout.decode(errors="replace"))


def _http_boot_args(build, work, refuse_once):
    """Write a netboot tree fetching over HTTP; return (QEMU arguments, HTTP server).

    The TFTP folder holds only GRUB (boot/grub): Skiff and the guest can
    arrive only over HTTP, from the tree served on the host, which refuses
    the paths in refuse_once once each.
    """
    tree = os.path.join(work, "net")
    os.makedirs(tree)
    server = _http_server(tree, refuse_once)
    _skiff_image(build, ["--netboot", tree, "--http",
                         "%s:%d" % (HOST_FROM_GUEST, server.server_address[1])])
    tftp = os.path.join(work, "tftp")
    shutil.copytree(os.path.join(tree, "boot", "grub"), os.path.join(tftp, "boot", "grub"))
    return qemu_boot_args("bios", "pxe", tftp), server


def run_case(build, platform, name):
    """Build the image and boot it on platform; return the list of problems."""
    firmware, medium, timeout, _ = CASES[name]
    server = None
    with tempfile.TemporaryDirectory(prefix="skiff-image-test-") as work:
        image = os.path.join(work, "skiff.img")
        try:
            if medium.startswith("http"):
                refuse = [GUEST_PATH] if medium == "http-retry" else []
                boot_args, server = _http_boot_args(build, work, refuse)
            else:
                _skiff_image(build, ["-o", image])
                boot_args = medium_args(firmware, medium, image)
        except RuntimeError as error:
            return [str(error)]
        com1, com2 = os.path.join(work, "com1"), os.path.join(work, "com2")
        if platform == "qemu-svm":
            command = qemu_command(None, com1, com2, 256, boot_args=boot_args)
        else:
            timeout *= BOCHS_SLOWNESS
            command = bochs_command(work, platform, image, com1, com2, 256)
        seconds, timed_out = run_emulator(command, com2, timeout, os.path.join(work, "qemu.out"))
        with open(com1, "rb") as f1, open(com2, "rb") as f2:
            console, log_bytes = console_and_log(f1.read(), f2.read(), firmware)
    log = parse_log(log_bytes.decode(errors="replace"))
    print("%s: booted in %.2f s" % (name, seconds))
    problems = []
    if server is not None:
        server.shutdown()
        if "/boot/skiff.elf" not in server.fetched or GUEST_PATH not in server.fetched:
            problems.append("Skiff and the guest were not fetched over HTTP: %s" % server.fetched)
        if medium == "http-retry" and server.fetched.count(GUEST_PATH) < 2:
            problems.append("the refused guest image was not asked for again: %s" % server.fetched)
    if timed_out or log.final_status != 0:
        problems.append("no final status 0 (timed out: %s); log:\n%s" % (timed_out, log_bytes[-3000:]))
    if console != EXPECTED_CONSOLE:
        problems.append("console %r, expected %r" % (console, EXPECTED_CONSOLE))
    if any(line.startswith("skiff: power: ") for line in log.lines):
        problems.append("power-off fell back: %s" % [l for l in log.lines if "power:" in l])
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--build")
    parser.add_argument("--platform")
    parser.add_argument("--test")
    options = parser.parse_args(argv)
    if options.list:
        for name, (_, _, timeout, platforms) in CASES.items():
            for platform in platforms:
                slowness = 1 if platform == "qemu-svm" else BOCHS_SLOWNESS
                print("%s %s %d hello" % (platform, name, timeout * slowness + CTEST_MARGIN_SECONDS))
        return 0
    if options.test not in CASES or not options.build or options.platform not in CASES[options.test][3]:
        parser.error("--build, --test %s and one of its platforms are required" % "|".join(CASES))
    problems = run_case(options.build, options.platform, options.test)
    title = "boot.%s.%s" % (options.platform, options.test)
    for problem in problems:
        print("  - " + problem)
    print("%s: %s" % (title, "FAIL" if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
