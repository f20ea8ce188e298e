"""skiff-run --gdb PORT: the line between gdb and Skiff's GDB stub.

The emulator's COM4 (the stub's serial line, which no guest can reach)
connects at start-up to a private port on 127.0.0.1. GdbRelay listens on
the user's PORT only once Skiff's log says the stub waits ("gdb: guest NAME
stopped at its entry ...: waiting for gdb on COM4"), prints the hint
`skiff-run: waiting for gdb: target remote :PORT`, accepts one gdb and
copies bytes both ways. When gdb goes away without detaching, the relay
detaches for it (sends the `D` packet), so the guest runs on to its end.
docs/debugging.md.
"""

import select
import socket
import sys
import threading

STUB_WAITING = "waiting for gdb on COM4"
DETACH_PACKET = b"$D#44"
CHUNK = 4096


class GdbRelay:
    """Relay between gdb on 127.0.0.1:port and the emulator's COM4."""

    def __init__(self, port, hint=sys.stderr):
        """Reserve port (OSError when it is taken) and the emulator's side."""
        self.port = port
        self.hint = hint
        self.gdb_listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.gdb_listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.gdb_listener.bind(("127.0.0.1", port))
        self.emulator_listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.emulator_listener.bind(("127.0.0.1", 0))
        self.emulator_listener.listen(1)
        self.emulator_port = self.emulator_listener.getsockname()[1]
        self.waiting = False
        self._thread = None
        self._closed = False

    def watch(self, com1, com2):
        """Called while the emulator runs: open the gdb port once the stub waits."""
        del com1
        if self.waiting:
            return
        try:
            with open(com2, "rb") as log:
                text = log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return
        if STUB_WAITING not in text:
            return
        self.waiting = True
        self.gdb_listener.listen(1)
        print("skiff-run: waiting for gdb: target remote :%d" % self.port, file=self.hint,
              flush=True)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        """Accept the emulator's COM4 and one gdb; copy bytes until either ends."""
        try:
            emulator, _ = self.emulator_listener.accept()
            gdb, _ = self.gdb_listener.accept()
        except OSError:
            return
        with emulator, gdb:
            self._copy(emulator, gdb)

    def _copy(self, emulator, gdb):
        """Copy bytes both ways; a gdb that leaves is detached for."""
        while not self._closed:
            ready, _, _ = select.select([emulator, gdb], [], [], 0.5)
            for sock in ready:
                try:
                    data = sock.recv(CHUNK)
                except OSError:
                    data = b""
                other = gdb if sock is emulator else emulator
                if not data:
                    if sock is gdb:
                        self._send(emulator, DETACH_PACKET)
                    return
                if not self._send(other, data):
                    return

    @staticmethod
    def _send(sock, data):
        try:
            sock.sendall(data)
            return True
        except OSError:
            return False

    def close(self):
        """Close every socket; the relay thread ends with them."""
        self._closed = True
        for sock in (self.gdb_listener, self.emulator_listener):
            try:
                sock.close()
            except OSError:
                pass
