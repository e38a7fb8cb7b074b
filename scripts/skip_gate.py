"""Finds every skipped test of a scripts/test.sh run and fails the run for each one tests/allowed-skips.json does not
name. A skip hides a test that did not run while the suite still ends "0 failed"; the suite installs every tool it
needs itself, so a test may skip only where the reason holds on a fresh CI machine too (e.g. it needs a GPU), and the
allow-list says so, test by test, with that reason.

What counts as skipped, per runner (read from what scripts/test.sh leaves in its results directory):
- Python (unittest, tests/python/run.py): the ``SKIPPED <test id>: <reason>`` lines run.py prints for every skipped
  test and every expected failure (an ``@expectedFailure`` test that fails passes silently);
- Node (node:test, every ``*.tap`` file): a test line with a ``# SKIP`` or ``# TODO`` directive (a failing todo test
  does not fail the run), its id the names of the enclosing subtests joined by " > ";
- C# (xUnit, every ``*.trx`` file): a result with outcome ``NotExecuted``, its id the test name.

Allow-list entries: ``{"runner": "python" | "node" | "dotnet", "test": "<id as above>", "reason": "<why this test
may skip on a CI machine>"}``. Prints each skip (allowed or not) and, last, ``skipped: N, not allowed: M``; exit code 1
when M > 0. Usage: python3 scripts/skip_gate.py <results directory> <allowed-skips.json>. Standard library only.
"""
from __future__ import annotations

import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from typing import Iterable, List, NamedTuple

RUNNERS = ("python", "node", "dotnet")
PYTHON_LINE = re.compile(r"^SKIPPED (\S+): (.*)$", re.M)
TAP_SUBTEST = re.compile(r"^( *)# Subtest: (.*)$")
TAP_RESULT = re.compile(r"^( *)(?:not )?ok \d+ - (.*?) # (SKIP|TODO)\b ?(.*)$", re.I)
TRX_NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


class Skip(NamedTuple):
    runner: str
    test: str
    reason: str


def python_skips(log_text: str) -> List[Skip]:
    """The ``SKIPPED <id>: <reason>`` lines of tests/python/run.py's output."""
    return [Skip("python", test, reason) for test, reason in PYTHON_LINE.findall(log_text)]


def tap_skips(tap_text: str) -> List[Skip]:
    """Tests with a SKIP or TODO directive in node:test's TAP output (nested subtests indented by 4 spaces)."""
    found, stack = [], []
    for line in tap_text.splitlines():
        subtest = TAP_SUBTEST.match(line)
        if subtest:
            level = len(subtest.group(1)) // 4
            stack[level:] = [subtest.group(2).replace("\\#", "#")]
            continue
        result = TAP_RESULT.match(line)
        if result:
            level = len(result.group(1)) // 4
            names = stack[:level] + [result.group(2).replace("\\#", "#")]
            reason = result.group(4).strip() or result.group(3).upper()
            found.append(Skip("node", " > ".join(names), f"{result.group(3).upper()}: {reason}"))
    return found


def trx_skips(trx_path: str) -> List[Skip]:
    """Results with outcome NotExecuted in a TRX report (dotnet test's trx logger)."""
    found = []
    for result in ET.parse(trx_path).getroot().iter(f"{TRX_NS}UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            message = result.find(f"{TRX_NS}Output/{TRX_NS}ErrorInfo/{TRX_NS}Message")
            reason = (message.text or "").strip() if message is not None else ""
            found.append(Skip("dotnet", result.get("testName", "?"), reason or "NotExecuted"))
    return found


def load_allowed(entries: object) -> List[dict]:
    """The allow-list entries, checked: runner, test and a reason of substance for each."""
    if not isinstance(entries, list):
        raise ValueError("tests/allowed-skips.json must hold a list under 'allowed'")
    for i, entry in enumerate(entries):
        where = f"allowed[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"runner", "test", "reason"}:
            raise ValueError(f"{where}: give exactly runner, test and reason; got {entry!r}")
        if entry["runner"] not in RUNNERS:
            raise ValueError(f"{where}: runner {entry['runner']!r} is not one of {', '.join(RUNNERS)}")
        if not isinstance(entry["test"], str) or not entry["test"].strip():
            raise ValueError(f"{where}: test must be the test's id as the runner reports it")
        if not isinstance(entry["reason"], str) or len(entry["reason"].strip()) < 20:
            raise ValueError(f"{where}: reason {entry['reason']!r} is too short; say why the test may skip on a CI "
                             f"machine")
    return entries


def judge(skips: Iterable[Skip], allowed: List[dict]) -> tuple[List[Skip], List[Skip]]:
    """(allowed skips, skips no entry names)."""
    names = {(entry["runner"], entry["test"]) for entry in allowed}
    ok, bad = [], []
    for skip in skips:
        (ok if (skip.runner, skip.test) in names else bad).append(skip)
    return ok, bad


def collect(results_dir: str) -> List[Skip]:
    """Every skip in a scripts/test.sh results directory: python.log, *.tap and *.trx (searched recursively)."""
    skips: List[Skip] = []
    python_log = os.path.join(results_dir, "python.log")
    if os.path.isfile(python_log):
        with open(python_log, encoding="utf-8", errors="replace") as handle:
            skips += python_skips(handle.read())
    for tap in sorted(glob.glob(os.path.join(results_dir, "**", "*.tap"), recursive=True)):
        with open(tap, encoding="utf-8", errors="replace") as handle:
            skips += tap_skips(handle.read())
    for trx in sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True)):
        skips += trx_skips(trx)
    return skips


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print("usage: python3 scripts/skip_gate.py <results directory> <allowed-skips.json>", file=sys.stderr)
        return 2
    try:
        with open(argv[2], encoding="utf-8") as handle:
            allowed = load_allowed(json.load(handle).get("allowed"))
        skips = collect(argv[1])
    except (OSError, ValueError, ET.ParseError) as error:
        print(f"skip gate: {error}")
        print("skipped: 0, not allowed: 1")
        return 1
    ok, bad = judge(skips, allowed)
    for skip in ok:
        print(f"allowed skip ({skip.runner}) {skip.test}: {skip.reason}")
    for skip in bad:
        print(f"not ok - skipped ({skip.runner}) {skip.test}: {skip.reason} (not allowed: fix the cause, or name the "
              f"test in {argv[2]} with the reason it may skip on a CI machine)")
    print(f"skipped: {len(ok) + len(bad)}, not allowed: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
