"""Crash reports for skiff-run: a guest that Skiff ended, symbolized with its image.

Skiff's log stays the source of truth (docs/log-protocol.md): for a guest it
ended it writes `guest NAME: rip=0x...` and, when the frame-pointer chain
is readable, `guest NAME: frames 0x... 0x...`. This module maps those
addresses to FUNCTION+OFFSET with the image's symbol table (nm) and, when
the image has debug information, to FILE:LINE (addr2line), on the host.
"""

import re
import shutil
import subprocess

_RIP = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): rip=0x([0-9a-f]+) .*cr2=0x([0-9a-f]+)")
# guest_rt's layout (guest_rt/include/skiff.h): the stack's reserve at the
# top of RAM, the unmapped guard page right below it.
STACK_RESERVE = 256 * 1024
STACK_GUARD = 4096
_FRAMES = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): frames((?: 0x[0-9a-f]+)+)$")
_NM_LINE = re.compile(r"^([0-9a-f]+) ([TtWw]) (\S+)$")


def crash_addresses(log_lines):
    """Return {guest name: [rip, return address, ...]} from Skiff's log lines."""
    return {name: [rip] + frames for name, (rip, _, frames) in parse_crashes(log_lines).items()}


def parse_crashes(log_lines):
    """Return {guest name: (rip, cr2, [return address, ...])} from Skiff's log lines."""
    found = {}
    for line in log_lines:
        match = _RIP.match(line)
        if match:
            found[match.group(1)] = (int(match.group(2), 16), int(match.group(3), 16), [])
            continue
        match = _FRAMES.match(line)
        if match and match.group(1) in found:
            found[match.group(1)][2].extend(int(a, 16) for a in match.group(2).split())
    return found


def stack_overflow(cr2, mem_bytes):
    """Return the guard page's address when cr2 lies in it (a stack overflow), else None."""
    guard = mem_bytes - STACK_RESERVE - STACK_GUARD
    return guard if guard <= cr2 < guard + STACK_GUARD else None


class Symbolizer:
    """Addresses of one image to names: FUNCTION+0xOFFSET and FILE:LINE when known."""

    def __init__(self, image):
        self.image = image
        self._symbols = self._read_symbols()

    def _read_symbols(self):
        """Return the image's code symbols as a sorted list of (address, name)."""
        if shutil.which("nm") is None:
            return []
        done = subprocess.run(["nm", "-n", "--defined-only", self.image],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        symbols = []
        for line in done.stdout.splitlines():
            match = _NM_LINE.match(line)
            if match:
                symbols.append((int(match.group(1), 16), match.group(3)))
        return symbols

    def function(self, address, inside=None):
        """Return "name+0xoffset" for address, or None outside every symbol.

        inside, when given, picks the symbol by that address instead (a
        return address may be the first byte after its function).
        """
        best = None
        for start, name in self._symbols:
            if start > (address if inside is None else inside):
                break
            best = (start, name)
        if best is None:
            return None
        return "%s+0x%x" % (best[1], address - best[0])

    def lines(self, addresses):
        """Return FILE:LINE (or None) for each address, from the image's debug information."""
        if not addresses or shutil.which("addr2line") is None:
            return [None] * len(addresses)
        done = subprocess.run(["addr2line", "-e", self.image] + ["0x%x" % a for a in addresses],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        places = done.stdout.splitlines()
        places += ["??:0"] * (len(addresses) - len(places))
        return [None if p.startswith("??") else p.split(" (discriminator")[0]
                for p in places[:len(addresses)]]


def crash_report(name, image, addresses):
    """Return the report's lines for guest name, whose image is the file image.

    addresses: the faulting RIP first, then return addresses. A return
    address is shown one byte back, inside the call instruction, so the
    line is the call's, not the next statement's.
    """
    symbolizer = Symbolizer(image)
    lookups = [addresses[0]] + [a - 1 for a in addresses[1:]]
    places = symbolizer.lines(lookups)
    lines = []
    for index, (address, lookup, place) in enumerate(zip(addresses, lookups, places)):
        function = symbolizer.function(address, inside=lookup) or "?"
        where = " (%s)" % place if place else ""
        if index == 0:
            lines.append("skiff-run: guest %s crashed at 0x%x in %s%s"
                         % (name, address, function, where))
        else:
            lines.append("skiff-run:   called from 0x%x in %s%s" % (address, function, where))
    return lines
