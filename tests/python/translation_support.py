"""Helpers of the translation-script tests: the script directory (and training-scripts/) on sys.path."""
import os

from hf_recipe_support import REPO_ROOT, recipe_dir, toolkit_argv  # noqa: F401 - re-exported for the tests

SCRIPT_DIR = recipe_dir("translation")
SAMPLE_DATA_DIR = os.path.join(REPO_ROOT, "examples", "data", "translation")
