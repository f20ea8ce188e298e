"""Compare one boot's log and console with a BootCase's expectations."""

import difflib
import re


def _missing_in_order(required, actual):
    """Return the required lines that do not appear in actual, in order."""
    missing = []
    position = 0
    for line in required:
        try:
            position = actual.index(line, position) + 1
        except ValueError:
            missing.append(line)
    return missing


def _line_diff(name, required, actual):
    """Return a unified diff of a guest's required lines against its output."""
    diff = difflib.unified_diff(required, actual, "expected [%s] lines" % name,
                                "actual [%s] lines" % name, lineterm="")
    return "\n".join(diff)


def _check_reason(log, name, expect):
    """Return problems with the refused/ended reason of one instance."""
    table = {"refused": log.refused, "killed": log.ended}.get(expect.outcome)
    if table is None or expect.reason is None:
        return []
    if name not in table:
        return ["%s: no '%s' line in the log" % (name, "refused" if expect.outcome == "refused"
                                                  else "ended by skiff")]
    if expect.reason not in table[name]:
        return ["%s: reason %r does not contain %r" % (name, table[name], expect.reason)]
    return []


def check_instance(log, name, expect):
    """Return a list of problems (strings) for one guest instance; empty when it passed.

    With alternatives, the instance passes when any one of them matches;
    otherwise every alternative's problems are returned, numbered.
    """
    _, problems = match_instance(log, name, expect)
    return problems


def match_instance(log, name, expect):
    """Return (the Expectation that matched or None, problems) for one instance."""
    if not expect.alternatives:
        problems = _check_single(log, name, expect)
        return (None if problems else expect), problems
    problems = []
    for number, choice in enumerate(expect.alternatives, 1):
        found = _check_single(log, name, choice)
        if not found:
            return choice, []
        problems += ["%s: outcome %d of %d (%s) does not match: %s"
                     % (name, number, len(expect.alternatives), choice.outcome, p)
                     for p in found]
    return None, problems


def _check_single(log, name, expect):
    """Return the problems of one instance against one outcome/status/reason/lines set."""
    problems = []
    summary = log.summaries.get(name)
    if summary is None:
        problems.append("%s: no summary line" % name)
    else:
        if summary.status != expect.status:
            problems.append("%s: status %d, expected %d" % (name, summary.status, expect.status))
        if summary.reason != expect.outcome:
            problems.append("%s: reason=%s, expected reason=%s"
                            % (name, summary.reason, expect.outcome))
    problems += _check_reason(log, name, expect)
    actual = log.output.get(name, [])
    missing = _missing_in_order(expect.lines, actual)
    if missing:
        problems.append("%s: output lacks %s\n%s"
                        % (name, missing, _line_diff(name, expect.lines, actual)))
    return problems


def _check_log_patterns(log, checks):
    """Return problems for the case's log_checks (regex, optional bound on group 1)."""
    problems = []
    for check in checks:
        pattern = re.compile(check["pattern"])
        matches = [pattern.search(line) for line in log.lines]
        matches = [m for m in matches if m]
        if not matches:
            problems.append("no log line matches %r" % check["pattern"])
            continue
        if "max_abs" in check:
            value = int(matches[-1].group(1))
            if abs(value) >= check["max_abs"]:
                problems.append("%r: |%d| is not below %d"
                                % (matches[-1].group(0), value, check["max_abs"]))
    return problems


_SLICES = re.compile(r"^skiff: summary ([A-Za-z0-9_.-]+) status=\d+ reason=\w+(?: .*)? slices=(\d+)(?: |$)")


def summary_slices(log):
    """Return guest name -> the slices= count of its summary line."""
    slices = {}
    for line in log.lines:
        match = _SLICES.match(line)
        if match:
            slices[match.group(1)] = int(match.group(2))
    return slices


def check_fair_slices(log, spec):
    """Return problems unless every named guest's slices are within max_ratio of their mean."""
    if not spec:
        return []
    slices = summary_slices(log)
    missing = [g for g in spec["guests"] if g not in slices]
    if missing:
        return ["fair_slices: no slices= in the summary of %s" % missing]
    counts = {g: slices[g] for g in spec["guests"]}
    mean = sum(counts.values()) / len(counts)
    ratio = spec["max_ratio"]
    if mean <= 0:
        return ["fair_slices: %s ran no slices at all" % counts]
    unfair = ["%s=%d" % (g, n) for g, n in counts.items()
              if n * ratio < mean or n > mean * ratio]
    if unfair:
        return ["fair_slices: %s not within a factor %g of the mean %.1f (all: %s)"
                % (", ".join(unfair), ratio, mean, counts)]
    return []


_LINE_START = re.compile(r"skiff: |\[[A-Za-z0-9_.-]+\] ")


def check_whole_lines(log, guest_names):
    """Return problems for log lines that are not one whole line of one source.

    A line must start with "skiff: " or "[NAME] " for a guest of the case,
    and no such start may appear later in it (two lines mixed mid-line).
    The lines before Skiff's first own line (firmware, markers) are skipped.
    """
    problems = []
    started = False
    for line in log.lines:
        started = started or line.startswith("skiff: ")
        if not started or line == "":
            continue
        first = _LINE_START.match(line)
        known = first and (first.group(0) == "skiff: " or first.group(0)[1:-2] in guest_names)
        # "ended by skiff: REASON" is Skiff's own wording, not a second line.
        later = [m.group(0) for m in _LINE_START.finditer(line, 1)
                 if (m.group(0) == "skiff: " and not line.endswith("ended by ", 0, m.start()))
                 or m.group(0)[1:-2] in guest_names]
        if not known or later:
            problems.append("whole_lines: log line mixes or lacks a source: %r" % line[:160])
    return problems[:5]


def check_boot(case, result):
    """Return every problem of a boot against its case; an empty list means it passed."""
    log = result.log
    problems = []
    if result.timed_out:
        problems.append("timed out after %.1f s" % result.seconds)
    if log.panic is not None:
        problems.append("Skiff panicked: %s" % log.panic)
    expected_names = set()
    matched_statuses = []
    for expect in case.expectations:
        for name in expect.names:
            expected_names.add(name)
            matched, found = match_instance(log, name, expect)
            problems += found
            matched_statuses.append(matched.status if matched else expect.status)
    final_status = case.final_status
    if final_status is None:
        final_status = max(matched_statuses + [0])
    extra = sorted(set(log.summaries) - expected_names)
    if extra:
        problems.append("unexpected guests in the summary: %s" % extra)
    if log.final_status is None:
        problems.append("no 'skiff: final status' line")
    elif log.final_status != final_status:
        problems.append("final status %d, expected %d" % (log.final_status, final_status))
    console = result.com1.decode("utf-8", errors="replace")
    for secret in case.forbidden:
        if secret in console or secret in result.com2:
            problems.append("forbidden text %r appeared" % secret)
    if case.stays_on and not result.stayed_on:
        problems.append("the machine went off at the end; it should have stayed on (halted)")
    problems += check_fair_slices(log, case.fair_slices)
    if case.whole_lines:
        problems += check_whole_lines(log, expected_names)
    return problems + _check_log_patterns(log, case.log_checks)
