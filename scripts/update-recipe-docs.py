#!/usr/bin/env python3
"""Regenerate the README text that describes the recipes, from the recipe folders (their one home).

Each recipe folder ``training-scripts/<recipe>/`` holds ``recipe.json`` (DLC, GPU minimum, data prefixes, tuning,
names), ``hyperparameters.json`` (every hyperparameter once) and ``metric_definitions.json``. The Markdown files
carry blocks between markers that this script rewrites:

    <!-- generated:recipes -->                   the recipes side by side (README.md)
    <!-- generated:hyperparameter-names -->      the names a run of each recipe may set (README.md)
    <!-- generated:hyperparameters:<recipe> -->  one recipe's full hyperparameter table (wherever its script is described)

each closed by ``<!-- /generated:... -->``. Usage (standard library only):

    python3 scripts/update-recipe-docs.py          # rewrite the blocks
    python3 scripts/update-recipe-docs.py --check  # exit 1 and name every stale block (tests/python/test_recipe_docs.py)
"""

import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "training-scripts")
DOCUMENTS = ["README.md"]  # plus every training-scripts/<recipe>/README.md
DEFAULT_RECIPE = "translation"  # the recipe an environment without "recipes" deploys (infra/Recipes/RecipeRegistry.cs)
BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z0-9:_-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)

sys.path.insert(0, SCRIPTS)
from hf_recipe.toolkit_args import SCRIPT_ARGUMENTS, HyperParameter  # noqa: E402


def read(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def recipes():
    """name -> (recipe.json, hyperparameters.json entries, metric names, hyperparameters.json rules), for every recipe
    folder."""
    found = {}
    for name in sorted(os.listdir(SCRIPTS)):
        folder = os.path.join(SCRIPTS, name)
        if os.path.isfile(os.path.join(folder, "recipe.json")):
            contract = read(os.path.join(folder, "hyperparameters.json"))
            found[name] = (read(os.path.join(folder, "recipe.json")), contract["hyperparameters"],
                           [m["Name"] for m in read(os.path.join(folder, "metric_definitions.json"))],
                           contract.get("rules", []))
    return found


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def code(value):
    return f"`{value}`"


def number(value):
    return repr(value) if isinstance(value, float) else str(value)


def hyperparameter_table(recipe, entries, rules):
    lines = ["| name | kind | default | allowed | what it does |", "| --- | --- | --- | --- | --- |"]
    for name, entry in entries.items():
        spec = HyperParameter.from_json(name, entry)
        default = code(json.dumps(entry["default"]))
        allowed = spec.allowed()
        if entry.get("pipelineDefault") == "networkIsolation":
            default += " (pipeline: `true` when jobs run without network access)"
            allowed += "; a pipeline run without network access may not set it (the job stays offline)"
        elif entry.get("inDefaultRequest") is False:
            default += " (not sent: the script's default)"
        if "ignoredWithChannel" in entry:
            allowed += (f"; a pipeline run may not set it (its jobs always have the `{entry['ignoredWithChannel']}` "
                        f"channel, which wins: set `channels.{entry['ignoredWithChannel']}`)")
        lines.append(f"| {code(name)} | {entry['kind']} | {cell(default)} | {cell(allowed)} | {cell(entry['help'])} |")
    extras = "; ".join(f"{code(hp.name)}: {hp.help}" for hp in SCRIPT_ARGUMENTS)
    lines += ["", f"Generated from `training-scripts/{recipe}/hyperparameters.json`, which the pipeline and the script's "
                  f"parser both read. The script also accepts arguments that are no hyperparameter of the pipeline "
                  f"(PrepareRequest refuses them): {extras}"]
    if rules:
        lines += ["", "Cross-field rules (`rules`), checked by PrepareRequest on the final request before any job starts "
                      "and by the parser at job start; a refusal names the values, a note runs the job and is reported "
                      "in the execution output's `settings.notes`:", ""]
        shown = {}  # one line per message (a rule and its mirror image, such as two codes that go together, share one)
        for rule in rules:
            names = list(rule["when"]) + [n for n in rule.get("require", {}) if n not in rule["when"]]
            verdict = "noted" if rule.get("effect") == "note" else "refused"
            known = shown.setdefault((verdict, rule["message"]), [])
            known += [n for n in names if n not in known]
        lines += [f"- {verdict} ({', '.join(code(n) for n in names)}): {message}" for (verdict, message), names in shown.items()]
    return "\n".join(lines) + "\n"


def names_table(found):
    lines = ["| recipe | hyperparameters a run may set (`training-scripts/<recipe>/hyperparameters.json`) |", "| --- | --- |"]
    for recipe, (_, entries, _, _) in found.items():
        lines.append(f"| {recipe} | {', '.join(code(n) for n in entries)} ({len(entries)}) |")
    return "\n".join(lines) + "\n"


def tuning_text(tuning):
    ranges = []
    for name, spec in tuning["ranges"].items():
        if spec["type"] == "categorical":
            ranges.append(f"{code(name)} ({', '.join(json.dumps(v) for v in spec['values'])})")
        else:
            scaling = f", {spec['scaling']}" if spec.get("scaling", "Auto") != "Auto" else ""
            ranges.append(f"{code(name)} ({number(spec['min'])}..{number(spec['max'])}{scaling})")
    objective = tuning["objective"]
    return (f"{code(objective['metric'])} {objective['type']} over {' and '.join(ranges)}; {tuning['strategy']}, at most "
            f"{tuning['maxJobs']} jobs, {tuning['maxParallelJobs']} at once (an environment may lower both)")


def examples(recipe):
    folder = os.path.join(ROOT, "examples") if recipe == DEFAULT_RECIPE else os.path.join(ROOT, "examples", recipe)
    prefix = "examples/" if recipe == DEFAULT_RECIPE else f"examples/{recipe}/"
    files = sorted(f for f in os.listdir(folder) if f in ("train.json", "tune.json")) if os.path.isdir(folder) else []
    return ", ".join(code(prefix + f) for f in files) or "none"


def recipes_table(found):
    rows = {
        "folder": lambda r, d, h, m: code(f"training-scripts/{r}/"),
        "what it trains": lambda r, d, h, m: cell(d["description"]),
        "DLC (transformers / PyTorch / Python)": lambda r, d, h, m: " / ".join(
            d["image"][k] for k in ("transformersVersion", "pytorchVersion", "pythonVersion")),
        "GPU memory per GPU": lambda r, d, h, m: cell(f"at least {d['gpu']['minimumMemoryGiB']} GiB: {d['gpu']['reason']}"),
        "job name prefix": lambda r, d, h, m: code(f"hf-{d['shortName']}-<environment>"),
        "construct ids": lambda r, d, h, m: ", ".join(code(i) for i in (
            d["constructIdPrefix"] + "Pipeline", d.get("monitoringConstructId", d["constructIdPrefix"] + "Monitoring"),
            d["constructIdPrefix"] + "StateMachineArn")),
        "channels (S3 prefix in the datasets bucket)": lambda r, d, h, m: ", ".join(
            f"{code(c)} {code(p)}" for c, p in d["dataPrefixes"].items()),
        "hyperparameters": lambda r, d, h, m: f"{len(h)}, in `training-scripts/{r}/hyperparameters.json`",
        "metrics": lambda r, d, h, m: ", ".join(code(n) for n in m),
        "tuning": lambda r, d, h, m: cell(tuning_text(d["tuning"])),
        "distribution": lambda r, d, h, m: (
            "torchrun (`sagemaker_torch_distributed_enabled`) when a run may use more than one GPU, otherwise none"
            if d.get("distribution", {}).get("whenMultiGpu") == "torchrun" else "none (one process)"),
        "examples": lambda r, d, h, m: examples(r),
    }
    names = list(found)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, render in rows.items():
        lines.append(f"| {label} | " + " | ".join(render(n, *found[n][:3]) for n in names) + " |")
    return "\n".join(lines) + "\n"


def render(block, found):
    if block == "recipes":
        return recipes_table(found)
    if block == "hyperparameter-names":
        return names_table(found)
    kind, _, recipe = block.partition(":")
    if kind == "hyperparameters" and recipe in found:
        return hyperparameter_table(recipe, found[recipe][1], found[recipe][3])
    raise ValueError(f"unknown generated block '{block}': allowed recipes, hyperparameter-names, hyperparameters:<recipe> "
                     f"({', '.join(found)})")


def documents(found):
    return DOCUMENTS + [f"training-scripts/{r}/README.md" for r in found
                        if os.path.isfile(os.path.join(SCRIPTS, r, "README.md"))]


def update(check):
    """Rewrite (or, with ``check``, compare) every block; returns the stale blocks as 'file: block'."""
    found = recipes()
    stale, tables = [], set()
    for relative in documents(found):
        path = os.path.join(ROOT, relative)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()

        def replace(match):
            tables.add(match.group("name"))
            body = render(match.group("name"), found)
            if body != match.group("body"):
                stale.append(f"{relative}: {match.group('name')}")
            return match.group(1) + body + match.group(4)

        new = BLOCK.sub(replace, text)
        if new != text and not check:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(new)
    missing = [b for b in ["recipes", "hyperparameter-names"] + [f"hyperparameters:{r}" for r in found] if b not in tables]
    return stale, missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a block is stale or missing")
    options = parser.parse_args(argv)
    stale, missing = update(options.check)
    for block in missing:
        print(f"no '<!-- generated:{block} -->' block in {', '.join(documents(recipes()))}: add one where the recipe "
              f"is described", file=sys.stderr)
    if options.check and stale:
        print("stale generated text (run python3 scripts/update-recipe-docs.py): " + "; ".join(stale), file=sys.stderr)
    return 1 if missing or (options.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
