"""Helpers of the llm-sft tests: the script's modules and the hf_recipe modules it uses, as ``sft`` (the script
directory and training-scripts/ on sys.path)."""
import importlib
import os
from types import SimpleNamespace

from hf_recipe_support import REPO_ROOT, recipe_dir, toolkit_argv  # noqa: F401 - re-exported for the tests

SCRIPT_DIR = recipe_dir("llm-sft")
SAMPLE_DATA_DIR = os.path.join(REPO_ROOT, "examples", "data", "llm-sft")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(SCRIPT_DIR) if name.endswith(".py"))

SHARED_MODULE_NAMES = ("checkpoints", "job_runtime", "metrics_log", "model_source", "sm_contract", "toolkit_args")

# The script's own modules, and the hf_recipe modules it uses, by name: sft.args, sft.train, sft.job_runtime ...
sft = SimpleNamespace(**{name: importlib.import_module(f"hf_recipe.{name}") for name in SHARED_MODULE_NAMES},
                      **{name: importlib.import_module(name) for name in MODULE_NAMES})
