"""Runs a recipe script's own parser over CreateTrainingJob hyperparameter maps, for the Node contract test.

stdin: {"archive": "<path of the recipe's sourcedir.tar.gz>", "cases": [{"id": ..., "hyperparameters": {name: encoded
string}}]}
stdout: {"<id>": {"accepted": bool, "error": str | null}}. The archive is extracted and its ``args.parse_args`` imported
from there alone, as the job does (the hf_recipe package and hyperparameters.json must be in it); the argv is what the
sagemaker-training toolkit builds (tests/python/hf_recipe_support.toolkit_argv).
"""
import importlib
import json
import os
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from hf_recipe_support import SCRIPTS_DIR, toolkit_argv  # noqa: E402

request = json.load(sys.stdin)
code = tempfile.mkdtemp()
with tarfile.open(request["archive"]) as archive:
    archive.extractall(code, filter="data")
sys.path[:] = [code] + [p for p in sys.path if os.path.abspath(p) != SCRIPTS_DIR]  # the archive's hf_recipe, not the tree's
args = importlib.import_module("args")
for module in (args, sys.modules["hf_recipe"]):
    assert os.path.abspath(module.__file__).startswith(code + os.sep), f"{module.__name__} must come from the archive"

verdicts = {}
for case in request["cases"]:
    try:
        args.parse_args(toolkit_argv(case["hyperparameters"]))
        verdicts[case["id"]] = {"accepted": True, "error": None}
    except ValueError as error:
        verdicts[case["id"]] = {"accepted": False, "error": str(error)}
json.dump(verdicts, sys.stdout)
