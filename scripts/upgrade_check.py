"""The upgrade check: which resources a deployment of the head templates would replace or remove, compared with the base
templates (a pull request's head and base, each synthesized into a cloud assembly), and whether a stateful one is among
them without a reason committed in the allow-list. A replaced or removed bucket, key, log group, Studio domain or user
profile is an empty new one (or an orphaned old one where it is retained), which only a reviewer reading `cdk diff`
would otherwise notice.

"Replaced" is decided from CloudFormation's own resource provider schemas as bundled with cfn-lint (pinned in
scripts/python-tools.txt): a change of any of the type's createOnlyProperties replaces the resource, and so does a change of
type under the same logical id and a logical id that disappears (a renamed construct: CloudFormation deletes the old
resource and creates a new one). A create-only property that refers (Ref, Fn::GetAtt, Fn::Sub) to a replaced resource
changes with it, so replacement cascades. "Stateful" is a type that holds data or identity (STATEFUL_TYPES) or any
resource the base template retains or snapshots (DeletionPolicy / UpdateReplacePolicy).

The allow-list (ops/upgrade-allow-list.yaml) is a list of {stack, logicalId, effect: replaced|removed, reason}. Only the
entries a pull request adds count (the head file's entries that are not in the base file): an entry allows exactly the
change of the pull request that adds it, never a later one; an added entry that matches no change fails.

Usage: python scripts/upgrade_check.py --base <cdk.out> --head <cdk.out> --allow-list <head file>
           [--base-allow-list <base file>] [--report <directory>]
Prints the report per stack; with --report writes <directory>/<stack>.md (the pull request comment per environment).
Exit code 0 when no stateful resource would be replaced or removed without an added allow-list entry, 1 otherwise, 2 on
bad input. Unit-tested on crafted template pairs in tests/python/test_upgrade_check.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cfn_lint_findings import stacks as assembly_stacks  # noqa: E402  (the cloud assembly reader cfn-lint uses)

# Types whose replacement loses data or identity: a new, empty resource (S3 objects, key material and what it
# encrypted, log events, a Studio domain with its home EFS, a user profile with its private spaces, queued messages,
# confirmed subscriptions, secret values, images, the registered model versions of a model package group).
STATEFUL_TYPES = frozenset({
    "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::SageMaker::Domain", "AWS::SageMaker::UserProfile",
    "AWS::SageMaker::Space", "AWS::EFS::FileSystem", "AWS::DynamoDB::Table", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
    "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::ECR::Repository",
    "AWS::SageMaker::ModelPackageGroup",
})
KEEPING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
EFFECTS = ("replaced", "removed")
MIN_REASON = 20


class InputError(ValueError):
    """Bad input: a missing assembly or a malformed allow-list entry."""


def read_assembly(out_dir: str) -> dict[str, dict]:
    """{stack id: {"template": parsed template, "region": region}} of a cloud assembly (the template file name without
    '.template.json' is the id: the same stack in base and head)."""
    try:
        found = assembly_stacks(out_dir)
    except (ValueError, OSError) as e:
        raise InputError(str(e)) from e
    result = {}
    for path, region in found:
        with open(path, encoding="utf-8") as f:
            result[os.path.basename(path)[: -len(".template.json")]] = {"template": json.load(f), "region": region}
    return result


def create_only_properties(resource_type: str, region: str) -> list[str] | None:
    """The type's createOnlyProperties (JSON pointers) from cfn-lint's bundled schemas; None for a type without a schema
    (custom resources)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # pinned in scripts/python-tools.txt

    if resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
        return None
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # noqa: BLE001 - cfn-lint raises its own not-found type per version
        return None
    return list(schema.get("createOnlyProperties") or [])


_MISSING = object()


def values_at(resource: dict, pointer: str) -> list:
    """Every value at a createOnlyProperties pointer ('/properties/A/B', '*' for each item), _MISSING where absent."""
    parts = pointer.strip("/").split("/")
    if parts[0] != "properties":
        return [_MISSING]
    nodes = [resource.get("Properties", _MISSING)]
    for part in parts[1:]:
        nxt = []
        for node in nodes:
            if part == "*" and isinstance(node, list):
                nxt.extend(node)
            elif part == "*" and isinstance(node, dict):
                nxt.extend(node.values())
            elif isinstance(node, dict):
                nxt.append(node.get(part, _MISSING))
            else:
                nxt.append(_MISSING)
        nodes = nxt
    return nodes


def canonical(values: list) -> str:
    return json.dumps([None if v is _MISSING else v for v in values], sort_keys=True)


def references(value) -> set[str]:
    """Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str) and not inner.startswith("AWS::"):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) and inner else str(inner).split(".")[0]
                if isinstance(target, str):
                    found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                if isinstance(text, str):
                    found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text) if not m.startswith("AWS::"))
                if isinstance(inner, list) and len(inner) > 1:
                    found |= references(inner[1])
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def is_stateful(resource: dict) -> bool:
    return (resource.get("Type") in STATEFUL_TYPES
            or resource.get("DeletionPolicy") in KEEPING_POLICIES or resource.get("UpdateReplacePolicy") in KEEPING_POLICIES)


def compare(base: dict, head: dict, region: str) -> list[dict]:
    """The resources of base a deployment of head replaces or removes, each {logicalId, type, effect, why, stateful,
    retained}, replacements cascading through create-only references."""
    base_resources = base.get("Resources") or {}
    head_resources = head.get("Resources") or {}
    changes: dict[str, dict] = {}
    created = {lid: r.get("Type") for lid, r in head_resources.items() if lid not in base_resources}

    def record(lid: str, effect: str, why: str) -> None:
        r = base_resources[lid]
        keep = r.get("DeletionPolicy") in KEEPING_POLICIES or r.get("UpdateReplacePolicy") in KEEPING_POLICIES
        changes[lid] = {"logicalId": lid, "type": r.get("Type"), "effect": effect, "why": why, "stateful": is_stateful(r),
                        "retained": keep}

    for lid, old in base_resources.items():
        new = head_resources.get(lid)
        if new is None:
            same_type = sorted(c for c, t in created.items() if t == old.get("Type"))
            hint = f"; new {old.get('Type')} in the head: {', '.join(same_type)}" if same_type else ""
            if same_type and is_stateful(old):
                hint += " (if the construct was renamed, that one is a new, empty resource)"
            record(lid, "removed", f"logical id no longer in the template{hint}")
        elif new.get("Type") != old.get("Type"):
            record(lid, "replaced", f"type changes from {old.get('Type')} to {new.get('Type')}")
        else:
            for pointer in create_only_properties(old.get("Type", ""), region) or []:
                if canonical(values_at(old, pointer)) != canonical(values_at(new, pointer)):
                    record(lid, "replaced", f"create-only property {pointer} changes")
                    break

    changed = True
    while changed:  # a create-only value that refers to a replaced resource changes with it
        changed = False
        for lid, new in head_resources.items():
            old = base_resources.get(lid)
            if old is None or lid in changes or old.get("Type") != new.get("Type"):
                continue
            for pointer in create_only_properties(new.get("Type", ""), region) or []:
                refs = {x for v in values_at(new, pointer) if v is not _MISSING for x in references(v)}
                hit = sorted(r for r in refs if changes.get(r, {}).get("effect") == "replaced")
                if hit:
                    record(lid, "replaced", f"create-only property {pointer} refers to replaced {', '.join(hit)}")
                    changed = True
                    break
    return sorted(changes.values(), key=lambda c: (not c["stateful"], c["logicalId"]))


def read_allow_list(path: str | None) -> list[dict]:
    """The entries of an allow-list file, checked; a missing file is an empty list (the base before the file existed)."""
    if not path or not os.path.isfile(path):
        return []
    import yaml  # a cfn-lint dependency: present wherever cfn-lint is

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    entries = data if data is not None else []
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a list of entries (stack, logicalId, effect, reason); got {type(entries).__name__}")
    for i, e in enumerate(entries):
        where = f"{path} entry {i + 1}"
        if not isinstance(e, dict) or set(e) != {"stack", "logicalId", "effect", "reason"}:
            raise InputError(f"{where}: give exactly stack, logicalId, effect and reason; got {e!r}")
        if e["effect"] not in EFFECTS:
            raise InputError(f"{where}: effect '{e['effect']}' is not one of {', '.join(EFFECTS)}")
        if len(str(e["reason"]).strip()) < MIN_REASON:
            raise InputError(f"{where}: reason '{e['reason']}' is shorter than {MIN_REASON} characters; say why the data may go")
    return entries


def added_entries(head_entries: list[dict], base_entries: list[dict]) -> list[dict]:
    """The entries the pull request adds: in the head file and not (same stack, logical id and effect) in the base file."""
    key = lambda e: (e["stack"], e["logicalId"], e["effect"])  # noqa: E731
    before = {key(e) for e in base_entries}
    return [e for e in head_entries if key(e) not in before]


def judge(base_out: str, head_out: str, allow_head: str | None, allow_base: str | None) -> dict:
    """The whole check: per stack the changes with their allow-list entry, plus unused added entries and the verdict."""
    base, head = read_assembly(base_out), read_assembly(head_out)
    allowed = added_entries(read_allow_list(allow_head), read_allow_list(allow_base))
    used = [False] * len(allowed)
    stacks = {}
    for name in sorted(set(base) | set(head)):
        if name not in base:
            stacks[name] = {"new": True, "changes": []}
            continue
        region = base[name]["region"]
        changes = compare(base[name]["template"], head[name]["template"] if name in head else {"Resources": {}}, region)
        for c in changes:
            hits = [i for i, e in enumerate(allowed)
                    if e["stack"] == name and e["logicalId"] == c["logicalId"] and e["effect"] == c["effect"]]
            for i in hits:
                used[i] = True
            c["allowed"] = allowed[hits[0]]["reason"] if hits else None
        stacks[name] = {"new": False, "removedStack": name not in head, "changes": changes}
    unused = [e for e, u in zip(allowed, used) if not u]
    blocking = sum(1 for s in stacks.values() for c in s["changes"] if c["stateful"] and not c["allowed"])
    return {"stacks": stacks, "unused": unused, "ok": blocking == 0 and not unused, "blocking": blocking}


def stack_report(name: str, stack: dict, unused: list[dict]) -> str:
    """The markdown report of one stack (one environment): the pull request comment."""
    lines = [f"### Upgrade check `{name}`", ""]
    if stack["new"]:
        lines.append("A new stack: nothing deployed is replaced or removed.")
        return "\n".join(lines) + "\n"
    if stack.get("removedStack"):
        lines += ["**The stack is no longer synthesized: every resource below would be deleted with it.**", ""]
    stateful = [c for c in stack["changes"] if c["stateful"]]
    other = [c for c in stack["changes"] if not c["stateful"]]
    if not stateful:
        lines.append("No stateful resource is replaced or removed.")
    else:
        lines += ["| Stateful resource | Type | Effect | Why | Allow-list |", "|---|---|---|---|---|"]
        for c in stateful:
            effect = c["effect"] + (" (retained: the old one stays in the account, orphaned)" if c["retained"] else " (deleted with its data)")
            verdict = f"allowed: {c['allowed']}" if c["allowed"] else "**not allowed**: add an entry to ops/upgrade-allow-list.yaml with the reason, or keep the construct id and property"
            lines.append(f"| `{c['logicalId']}` | {c['type']} | {effect} | {c['why']} | {verdict} |")
    if other:
        lines += ["", "<details><summary>Other resources replaced or removed (no data; for information)</summary>", "",
                  "| Resource | Type | Effect | Why |", "|---|---|---|---|"]
        lines += [f"| `{c['logicalId']}` | {c['type']} | {c['effect']} | {c['why']} |" for c in other]
        lines += ["", "</details>"]
    mine = [e for e in unused if e["stack"] == name]
    if mine:
        lines += ["", "Allow-list entries added by this pull request that match no change (remove or correct them):"]
        lines += [f"- `{e['logicalId']}` {e['effect']}: {e['reason']}" for e in mine]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="cloud assembly synthesized from the pull request's base")
    parser.add_argument("--head", required=True, help="cloud assembly synthesized from the pull request's head")
    parser.add_argument("--allow-list", required=True, help="the head's allow-list file (ops/upgrade-allow-list.yaml)")
    parser.add_argument("--base-allow-list", help="the base's allow-list file (absent: no entries)")
    parser.add_argument("--report", help="directory for one markdown report per stack")
    args = parser.parse_args(argv[1:])
    try:
        result = judge(args.base, args.head, args.allow_list, args.base_allow_list)
    except InputError as e:
        print(f"upgrade check: {e}", file=sys.stderr)
        return 2
    if args.report:
        os.makedirs(args.report, exist_ok=True)
    for name, stack in result["stacks"].items():
        text = stack_report(name, stack, result["unused"])
        print(text)
        if args.report:
            with open(os.path.join(args.report, f"{name}.md"), "w", encoding="utf-8") as f:
                f.write(text)
    orphans = [e for e in result["unused"] if e["stack"] not in result["stacks"]]
    for e in orphans:
        print(f"allow-list entry for unknown stack '{e['stack']}' ({e['logicalId']} {e['effect']}) matches nothing: remove it")
    print(f"upgrade check: {result['blocking']} stateful resource(s) replaced or removed without an allow-list entry, "
          f"{len(result['unused'])} unused added entr{'y' if len(result['unused']) == 1 else 'ies'}: {'ok' if result['ok'] else 'FAILED'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
