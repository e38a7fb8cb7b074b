"""Runs every Python test: one interpreter per recipe, one for the rest.

The recipes' script modules share names (``args``, ``train``, ``data``: each job's code directory is flat, with the
hf_recipe package beside train.py), so ``test_<recipe>_*.py`` (the recipe's name with ``_`` for ``-``) runs in an
interpreter of its own, with that recipe's directory on sys.path; every other ``test_*.py`` (hf_recipe, the
generators, the oracles) runs in one more. Usage: ``python3 tests/python/run.py`` (scripts/test.sh runs it); the exit
code is non-zero when any group fails. One group alone: ``python3 -m unittest discover -s tests/python -p
'test_llm_sft_*.py'``.

After each group's unittest summary it prints ``SKIPPED <test id>: <reason>`` for every skipped test and every
expected failure, which scripts/skip_gate.py checks against tests/allowed-skips.json.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "training-scripts")


def groups():
    """(name, test modules) per group: each recipe's, then the others."""
    recipes = sorted(name for name in os.listdir(SCRIPTS_DIR)
                     if os.path.isfile(os.path.join(SCRIPTS_DIR, name, "recipe.json")))
    modules = sorted(name[:-3] for name in os.listdir(HERE) if name.startswith("test_") and name.endswith(".py"))
    result, taken = [], set()
    for recipe in recipes:
        prefix = f"test_{recipe.replace('-', '_')}_"
        mine = [m for m in modules if m.startswith(prefix)]
        taken.update(mine)
        result.append((recipe, mine))
    result.append(("others", [m for m in modules if m not in taken]))
    return [(name, mine) for name, mine in result if mine]


def run_group(modules) -> int:
    """One group in this interpreter (``run.py --group MODULE...``): unittest's text runner, then the skip lines.
    Exit code as ``python -m unittest``: 0 passed, 1 failed, 5 no test ran."""
    import unittest  # noqa: PLC0415

    program = unittest.main(module=None, argv=[sys.argv[0], *modules], exit=False)
    result = program.result
    for test, reason in result.skipped:
        print(f"SKIPPED {test.id()}: {reason}", flush=True)
    for test, _ in result.expectedFailures:
        print(f"SKIPPED {test.id()}: expected failure (@expectedFailure: the test ran and failed, which passes)",
              flush=True)
    if not result.wasSuccessful():
        return 1
    return 5 if result.testsRun == 0 else 0


def main() -> int:
    status = 0
    for name, modules in groups():
        print(f"-- {name}: {len(modules)} test files", flush=True)
        run = subprocess.run([sys.executable, os.path.abspath(__file__), "--group", *modules], cwd=HERE, check=False)
        status = status or run.returncode
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--group"]:
        sys.exit(run_group(sys.argv[2:]))
    sys.exit(main())
