"""Shared helpers of the Python tests: the repository paths, training-scripts/ on sys.path (so ``import hf_recipe``
works as it does in a job, where the package sits beside train.py), and the toolkit's argv.

Each recipe's tests run in their own interpreter (tests/python/run.py), with that recipe's directory on sys.path as
well: the recipes' modules share names (``args``, ``train``, ``data``), as each job's code directory is flat.
"""
import ast
import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS_DIR = os.path.join(REPO_ROOT, "training-scripts")
if SCRIPTS_DIR not in sys.path:
    sys.path.insert(0, SCRIPTS_DIR)


def recipe_dir(recipe):
    """``training-scripts/<recipe>``, also put first on sys.path (call it from the recipe's own test group only)."""
    path = os.path.join(SCRIPTS_DIR, recipe)
    if path not in sys.path:
        sys.path.insert(0, path)
    return path


def recipe_names():
    """Every recipe: a folder of training-scripts/ with a recipe.json."""
    return sorted(name for name in os.listdir(SCRIPTS_DIR)
                  if os.path.isfile(os.path.join(SCRIPTS_DIR, name, "recipe.json")))


def imported_roots(tree):
    """(import node, top-level package) for every absolute import in the parsed module ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node, node.module.split(".")[0]


def toolkit_argv(request_hyperparameters):
    """The argv the sagemaker-training toolkit builds from CreateTrainingJob's HyperParameters (all strings):
    each value json.loads-decoded (raw string kept when that fails), sagemaker_* keys dropped, keys sorted,
    ``--key`` then ``str(value)`` with None printed as an empty argument (mapping.to_cmd_args)."""
    decoded = {}
    for key, raw in request_hyperparameters.items():
        try:
            decoded[key] = json.loads(raw)
        except ValueError:
            decoded[key] = raw
    argv = []
    for key in sorted(k for k in decoded if not k.startswith("sagemaker_")):
        value = decoded[key]
        argv += [f"--{key}", "" if value is None else str(value)]
    return argv
