"""Live guest consoles for skiff-run: follow COM1 and COM2 while the emulator runs.

skiff-run boots Skiff with `console=framed`, so COM1 carries each PUTS of
each guest as a frame (docs/log-protocol.md):

    \\0 NAME \\0 LENGTH-IN-DECIMAL \\0 then LENGTH bytes, unchanged

ConsoleFollower reads the serial files as the emulator appends to them and
hands each guest's bytes to the sinks the moment a frame is complete:

  RawSink     the bytes as written, one stream (a single guest, --no-prefix)
  PrefixSink  whole lines, each behind "[NAME] ", one guest's line at a time
  DirSink     DIR/NAME.out per guest, byte for byte (--console-dir)

Skiff's log (COM2) is copied to a text stream as it grows, line by line.
"""

import os

FRAME_FIELD_MAX = 64


class FrameError(ValueError):
    """COM1 does not carry well-formed frames (is Skiff too old for console=framed?)."""


class FrameDecoder:
    """Split a framed console stream into (name, bytes) pieces, incrementally.

    feed(data) returns the list of complete pieces found so far; a frame's
    body may be delivered in several pieces as it arrives. Raises FrameError
    on a malformed header.
    """

    def __init__(self):
        self._pending = b""
        self._name = None
        self._left = 0
        self._started = False

    def feed(self, data):
        """Add data; return [(name, bytes), ...] of the body bytes now known."""
        self._pending += data
        pieces = []
        while self._pending:
            if self._left > 0:
                body = self._pending[:self._left]
                self._pending = self._pending[len(body):]
                self._left -= len(body)
                pieces.append((self._name, body))
                continue
            if not self._take_header():
                break
        return pieces

    def _take_header(self):
        """Consume one complete header from _pending; False when it is not all there yet.

        Bytes before the first frame are not Skiff's (firmware such as OVMF
        writes to COM1 before Skiff starts) and are skipped.
        """
        if not self._started and self._pending[:1] != b"\0":
            start = self._pending.find(b"\0")
            self._pending = self._pending[start:] if start >= 0 else b""
            if not self._pending:
                return False
        if self._pending[:1] != b"\0":
            raise FrameError("guest console frame expected, got %r" % self._pending[:16])
        fields = self._pending[1:].split(b"\0", 2)
        if len(fields) < 3:
            if len(self._pending) > 2 * FRAME_FIELD_MAX:
                raise FrameError("guest console frame header too long")
            return False
        name, length = fields[0], fields[1]
        if not name or len(name) > FRAME_FIELD_MAX or not length.isdigit():
            raise FrameError("bad guest console frame header %r" % self._pending[:32])
        self._pending = fields[2]
        self._started = True
        self._name = name.decode("ascii", "replace")
        self._left = int(length)
        return True

    def finished(self):
        """True when no frame is half-read."""
        return self._left == 0 and not self._pending


class RawSink:
    """Every guest's bytes to one binary stream, as written."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, name, data):
        """Write data (from guest name, ignored) and flush."""
        self._stream.write(data)
        self._stream.flush()

    def close(self):
        """Nothing is held back."""


class PrefixSink:
    """Whole lines to one binary stream, each behind "[NAME] ".

    A guest's partial line waits until its newline arrives, so lines of
    different guests never mix; close() ends each partial line with a
    newline.
    """

    def __init__(self, stream):
        self._stream = stream
        self._partial = {}

    def write(self, name, data):
        """Add data from guest name; write each line it completes."""
        text = self._partial.pop(name, b"") + data
        lines = text.split(b"\n")
        self._partial[name] = lines.pop()
        if not self._partial[name]:
            del self._partial[name]
        prefix = b"[" + name.encode() + b"] "
        if lines:
            self._stream.write(b"".join(prefix + line + b"\n" for line in lines))
            self._stream.flush()

    def close(self):
        """Write every partial line, with a newline."""
        for name, rest in self._partial.items():
            self._stream.write(b"[" + name.encode() + b"] " + rest + b"\n")
        self._partial = {}
        self._stream.flush()


class DirSink:
    """Each guest's bytes to DIR/NAME.out, byte for byte (the files are created empty)."""

    def __init__(self, directory, names):
        self._files = {}
        os.makedirs(directory, exist_ok=True)
        for name in names:
            self._files[name] = open(os.path.join(directory, name + ".out"), "wb")

    def write(self, name, data):
        """Append data to name's file and flush (a guest not announced gets a file too)."""
        if name not in self._files:
            directory = os.path.dirname(next(iter(self._files.values())).name)
            self._files[name] = open(os.path.join(directory, name + ".out"), "wb")
        self._files[name].write(data)
        self._files[name].flush()

    def close(self):
        """Close every file."""
        for handle in self._files.values():
            handle.close()
        self._files = {}


class FileTail:
    """The bytes appended to a file since the last read (the file may not exist yet).

    With a start_marker, nothing is returned until the marker has been
    written, and then only what follows its first occurrence: under UEFI the
    firmware and GRUB write to the serial ports before Skiff marks where its
    own output starts (docs/log-protocol.md).
    """

    def __init__(self, path, start_marker=None):
        self.path = path
        self._offset = 0
        self._marker = start_marker
        self._before_marker = b""

    def read_new(self):
        """Return the bytes added since the last call (b"" when none or no file)."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return b""
        self._offset += len(data)
        if self._marker is None:
            return data
        self._before_marker += data
        at = self._before_marker.find(self._marker)
        if at < 0:
            return b""
        data = self._before_marker[at + len(self._marker):]
        self._marker, self._before_marker = None, b""
        return data


class ConsoleFollower:
    """Follows a run's COM1 (framed) and COM2 and feeds sinks and a log stream.

    sinks: objects with write(name, bytes) and close(); log_stream: a text
    stream for Skiff's log, written line by line (None: not copied);
    start_markers: the bytes after which each port's own output starts
    (under UEFI), or None for a port read from its first byte.
    Call poll(com1, com2) as often as wanted while the emulator runs and
    once after; then close().
    """

    def __init__(self, sinks, log_stream=None, start_markers=(None, None)):
        self._sinks = sinks
        self._start_markers = start_markers   # (COM1's, COM2's): see FileTail
        self._log_stream = log_stream
        self._decoder = FrameDecoder()
        self._com1 = None
        self._com2 = None
        self._log_partial = b""
        self.frame_error = None

    def poll(self, com1, com2):
        """Copy whatever the emulator wrote since the last poll."""
        if self._com1 is None:
            self._com1 = FileTail(com1, self._start_markers[0])
            self._com2 = FileTail(com2, self._start_markers[1])
        self._poll_console()
        self._poll_log()

    def _poll_console(self):
        data = self._com1.read_new()
        if not data or self.frame_error:
            return
        try:
            pieces = self._decoder.feed(data)
        except FrameError as error:
            self.frame_error = str(error)
            return
        for name, body in pieces:
            for sink in self._sinks:
                sink.write(name, body)

    def _poll_log(self):
        data = self._log_partial + self._com2.read_new()
        complete, newline, self._log_partial = data.rpartition(b"\n")
        if newline and self._log_stream is not None:
            text = (complete + newline).decode("utf-8", "replace").replace("\r", "")
            self._log_stream.write(text)
            self._log_stream.flush()

    def close(self):
        """Flush the sinks and the log's last partial line."""
        for sink in self._sinks:
            sink.close()
        if self._log_partial and self._log_stream is not None:
            self._log_stream.write(self._log_partial.decode("utf-8", "replace") + "\n")
            self._log_stream.flush()
        self._log_partial = b""
