"""Runs a recipe script's own parser over CreateTrainingJob hyperparameter maps, for the Node contract test.

stdin: {"archive": "<path of the recipe's sourcedir.tar.gz>", "cases": [{"id": ..., "hyperparameters": {name: encoded
string}, "rules": bool}]}
stdout: {"<id>": {"accepted": bool, "error": str | null, "notes": [str]}}. The archive is extracted and its
``args.parse_args`` imported from there alone, as the job does (the hf_recipe package and hyperparameters.json must be
in it); the argv is what the sagemaker-training toolkit builds (tests/python/hf_recipe_support.toolkit_argv). A case
with "rules": false is parsed without the contract's cross-field rules (``args.RULES`` emptied), so the probes of one
hyperparameter's bounds are not refused by a rule over another; "notes" are the rules' notes the parser logged.
"""
import importlib
import json
import logging
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


class Notes(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


notes = Notes()
logging.getLogger("hf_recipe.toolkit_args").addHandler(notes)
logging.getLogger("hf_recipe.toolkit_args").propagate = False
rules = args.RULES
verdicts = {}
for case in request["cases"]:
    args.RULES = rules if case.get("rules", True) else []
    notes.messages = []
    try:
        args.parse_args(toolkit_argv(case["hyperparameters"]))
        verdicts[case["id"]] = {"accepted": True, "error": None, "notes": notes.messages}
    except ValueError as error:
        verdicts[case["id"]] = {"accepted": False, "error": str(error), "notes": notes.messages}
json.dump(verdicts, sys.stdout)
