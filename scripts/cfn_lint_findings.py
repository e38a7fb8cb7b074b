"""Runs cfn-lint (the CLI's own entry point, cfnlint.runner.main) over every stack template of a cloud assembly (plus
a canary template whose known findings prove the linter and its data are live) and
compares its findings with the reviewed list of accepted warnings (tests/cfn-lint-accepted.yaml).

Passes when: cfn-lint reports no error; every warning matches an accepted entry; every accepted entry still matches
at least one warning (a stale entry fails, so the list only ever shrinks with the templates). Called by
scripts/cfn-lint.sh with the virtual environment's Python; the matching is unit-tested in
tests/python/test_cfn_lint_findings.py.

Usage: python scripts/cfn_lint_findings.py <cdk.out directory> <accepted.yaml>
"""
from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys

RUNNER = "import sys; from cfnlint.runner import main; sys.exit(main())"

# Linted with every run (same process): the rule ids cfn-lint must report on it. E2533 is the Lambda runtime calendar
# (nodejs20.x creation blocked 2026-06-01, what rolled back our first deployments), W3010 a hard-coded zone.
CANARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "cfn-lint-canary.template.json")
CANARY_RULES = {"E2533", "W3010"}


def stacks(out_dir: str) -> list[tuple[str, str]]:
    """(template path, region) of every CloudFormation stack in the assembly, nested stage assemblies included."""
    found: list[tuple[str, str]] = []
    manifest_path = os.path.join(out_dir, "manifest.json")
    if not os.path.isfile(manifest_path):
        raise ValueError(f"'{manifest_path}' is missing: synthesize first (scripts/test.sh does).")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        props = artifact.get("properties") or {}
        if artifact.get("type") == "aws:cloudformation:stack":
            region = (artifact.get("environment") or "").rsplit("/", 1)[-1]
            template = os.path.join(out_dir, props.get("templateFile", f"{artifact_id}.template.json"))
            found.append((template, region if region and not region.startswith("unknown-") else "us-east-1"))
        elif artifact.get("type") == "cdk:cloud-assembly" and props.get("directoryName"):
            found.extend(stacks(os.path.join(out_dir, props["directoryName"])))
    return found


def validate_accepted(entries: object) -> list[dict]:
    """The accepted entries, checked: rule (a warning id, never an error), resource and path (regexes), reason."""
    if not isinstance(entries, list):
        raise ValueError("the accepted file must hold a list under 'accepted'")
    for i, e in enumerate(entries):
        where = f"accepted[{i}]"
        if not isinstance(e, dict) or set(e) != {"rule", "resource", "path", "reason"}:
            raise ValueError(f"{where}: give exactly rule, resource, path and reason; got {e!r}")
        if not re.fullmatch(r"[WI]\d{4}", str(e["rule"])):
            raise ValueError(f"{where}: rule '{e['rule']}' is not a warning or informational rule id (W1234); errors are never accepted")
        if len(str(e["reason"]).strip()) < 20:
            raise ValueError(f"{where}: reason '{e['reason']}' is too short; say why the finding is acceptable")
        re.compile(str(e["resource"]))
        re.compile(str(e["path"]))
    return entries


def finding_key(finding: dict) -> tuple[str, str, str]:
    """(rule id, logical id, property path below the resource) of a cfn-lint JSON finding."""
    path = [str(p) for p in finding["Location"]["Path"]]
    logical_id = path[1] if len(path) > 1 and path[0] == "Resources" else ""
    return finding["Rule"]["Id"], logical_id, "/".join(path[2:])


def matches(entry: dict, finding: dict) -> bool:
    rule, logical_id, path = finding_key(finding)
    return (rule == entry["rule"] and re.fullmatch(entry["resource"], logical_id) is not None
            and re.fullmatch(entry["path"], path) is not None)


def judge(findings: list[dict], accepted: list[dict]) -> tuple[list[dict], list[dict], list[int]]:
    """(errors, unaccepted warnings, use count per accepted entry)."""
    errors = [f for f in findings if f.get("Level") == "Error"]
    unaccepted = []
    uses = [0] * len(accepted)
    for f in findings:
        if f.get("Level") == "Error":
            continue
        hits = [i for i, e in enumerate(accepted) if matches(e, f)]
        for i in hits:
            uses[i] += 1
        if not hits:
            unaccepted.append(f)
    return errors, unaccepted, uses


def describe(f: dict) -> str:
    rule, logical_id, path = finding_key(f)
    line = f["Location"]["Start"]["LineNumber"]
    return f"{os.path.basename(f['Filename'])}:{line} {rule} {logical_id} {path}: {f['Message']}"


def run_cfn_lint(templates: list[str], regions: list[str]) -> list[dict]:
    cmd = [sys.executable, "-c", RUNNER, "--format", "json", "--regions", *regions, "--", *templates]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    # Exit codes are a bit mask of error (2), warning (4) and informational (8) findings; 1 is a crash.
    if proc.returncode & 1 or not proc.stdout.strip():
        raise RuntimeError(f"cfn-lint failed (exit code {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def main(argv: list[str]) -> int:
    import yaml  # a cfn-lint dependency: present wherever cfn-lint is

    out_dir, accepted_file = argv[1], argv[2]
    results: list[tuple[bool, str]] = []
    try:
        found = stacks(out_dir)
        if not found:
            raise ValueError(f"no stack templates in '{out_dir}'")
        with open(accepted_file, encoding="utf-8") as f:
            accepted = validate_accepted((yaml.safe_load(f) or {}).get("accepted"))
        templates = [t for t, _ in found]
        # Any other template file of the assembly (nested stacks are not stack artifacts) is linted too.
        listed = {os.path.abspath(t) for t in templates}
        templates += sorted(t for t in glob.glob(os.path.join(out_dir, "*.template.json")) if os.path.abspath(t) not in listed)
        all_findings = run_cfn_lint([*templates, CANARY], sorted({r for _, r in found}))
    except (ValueError, RuntimeError, OSError, re.error) as e:
        print(f"not ok - cfn-lint could not run: {e}")
        print("cfn-lint: 0 passed, 1 failed")
        return 1

    is_canary = lambda f: os.path.abspath(f["Filename"]) == os.path.abspath(CANARY)  # noqa: E731
    canary_rules = {f["Rule"]["Id"] for f in all_findings if is_canary(f)}
    findings = [f for f in all_findings if not is_canary(f)]
    missing = CANARY_RULES - canary_rules
    results.append((not missing, f"canary {os.path.basename(CANARY)}: cfn-lint reports {', '.join(sorted(CANARY_RULES))}"
                    if not missing else f"canary {os.path.basename(CANARY)}: cfn-lint did not report {', '.join(sorted(missing))}; "
                    "it is not checking what the suite relies on (wrong version or data?)"))

    errors, unaccepted, uses = judge(findings, accepted)
    for template in templates:
        own = [f for f in errors + unaccepted if os.path.abspath(f["Filename"]) == os.path.abspath(template)]
        warnings = sum(1 for f in findings if os.path.abspath(f["Filename"]) == os.path.abspath(template)) - len(own)
        name = os.path.basename(template)
        if own:
            results.append((False, f"{name}: {len(own)} finding(s) neither fixed nor accepted in {accepted_file}:\n"
                            + "\n".join("    " + describe(f) for f in own)))
        else:
            results.append((True, f"{name}: no cfn-lint error; {warnings} warning(s), each accepted with a reason"))
    for entry, n in zip(accepted, uses):
        label = f"accepted {entry['rule']} on {entry['resource']} at {entry['path']}"
        results.append((n > 0, f"{label} still occurs ({n} time(s))" if n else
                        f"{label} no longer occurs: remove the stale entry from {accepted_file}"))
    for i, (ok, text) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {text}")
    passed = sum(ok for ok, _ in results)
    print(f"cfn-lint: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
