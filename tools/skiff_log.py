"""Parse Skiff's log (COM2), whose lines are specified in docs/log-protocol.md."""

import dataclasses
import re

_GUEST_LINE = re.compile(r"^\[([A-Za-z0-9_.-]+)\] ?(.*)$")
_REFUSED = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): refused: (.*)$")
_ENDED = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): ended by skiff: (.*)$")
_HALTED = re.compile(r"^skiff: guest ([A-Za-z0-9_.-]+): halted with status (\d+)$")
_SUMMARY = re.compile(r"^skiff: summary ([A-Za-z0-9_.-]+) status=(\d+) reason=(\w+)(?: .*)?$")
_FINAL = re.compile(r"^skiff: final status (\d+)$")
_PANIC = re.compile(r"^skiff: PANIC: (.*)$")


@dataclasses.dataclass
class Summary:
    """One `skiff: summary NAME status=S reason=R` line."""

    status: int
    reason: str


@dataclasses.dataclass
class SkiffLog:
    """What a run's log says.

    output: guest name -> its output lines (without the "[NAME] " prefix);
    refused, ended: guest name -> reason text; halted: name -> status;
    summaries: name -> Summary; final_status: int or None; panic: the
    PANIC reason or None; lines: every line of the log; partial: the text
    after the last newline ("" when the log ends with one).
    """

    lines: list = dataclasses.field(default_factory=list)
    output: dict = dataclasses.field(default_factory=dict)
    refused: dict = dataclasses.field(default_factory=dict)
    ended: dict = dataclasses.field(default_factory=dict)
    halted: dict = dataclasses.field(default_factory=dict)
    summaries: dict = dataclasses.field(default_factory=dict)
    final_status: int = None
    panic: str = None
    partial: str = ""


def _record(log, line):
    """Add one log line's meaning to log."""
    match = _GUEST_LINE.match(line)
    if match:
        log.output.setdefault(match.group(1), []).append(match.group(2))
        return
    for pattern, table in ((_REFUSED, log.refused), (_ENDED, log.ended)):
        match = pattern.match(line)
        if match:
            table[match.group(1)] = match.group(2)
            return
    match = _HALTED.match(line)
    if match:
        log.halted[match.group(1)] = int(match.group(2))
        return
    match = _SUMMARY.match(line)
    if match:
        log.summaries[match.group(1)] = Summary(int(match.group(2)), match.group(3))
        return
    match = _FINAL.match(line)
    if match:
        log.final_status = int(match.group(1))
        return
    match = _PANIC.match(line)
    if match and log.panic is None:
        log.panic = match.group(1)


def parse_log(text):
    """Parse the whole COM2 text into a SkiffLog.

    Carriage returns are dropped; unknown lines are kept in .lines only.
    A PANIC line anywhere is recorded even when a final status follows.
    Text after the last newline is an unfinished line (an emulator
    stopped while Skiff was writing it, e.g. "final status 1" of "12"):
    it goes to .partial only, never into .lines or a record.
    """
    log = SkiffLog()
    lines = text.replace("\r", "").split("\n")
    log.partial = lines.pop()
    for line in lines:
        log.lines.append(line)
        _record(log, line)
    return log


def exit_status(log, timed_out):
    """Return skiff-run's exit status for a finished run.

    124 on timeout; the final status & 0xff when the log has one; else 125.
    """
    if timed_out:
        return 124
    if log.final_status is None:
        return 125
    return log.final_status & 0xFF
