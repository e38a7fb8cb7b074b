"""Runs a recipe script's own parser over CreateTrainingJob hyperparameter maps, for the Node contract test.

stdin: {"scriptDirectory": "<repo-relative>", "cases": [{"id": ..., "hyperparameters": {name: encoded string}}]}
stdout: {"<id>": {"accepted": bool, "error": str | null}}. The argv is what the sagemaker-training toolkit builds
(tests/python/hf_recipe_support.toolkit_argv); the parser is the script's ``args.parse_args``, with training-scripts/
on the path for the hf_recipe package it imports, as in the job.
"""
import importlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from hf_recipe_support import toolkit_argv  # noqa: E402 - also puts training-scripts/ on sys.path

request = json.load(sys.stdin)
sys.path.insert(0, os.path.join(ROOT, request["scriptDirectory"]))
sys.modules.pop("args", None)
args = importlib.import_module("args")

verdicts = {}
for case in request["cases"]:
    try:
        args.parse_args(toolkit_argv(case["hyperparameters"]))
        verdicts[case["id"]] = {"accepted": True, "error": None}
    except ValueError as error:
        verdicts[case["id"]] = {"accepted": False, "error": str(error)}
json.dump(verdicts, sys.stdout)
