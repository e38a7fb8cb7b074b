"""Shared helpers for the llm-sft tests: the script's modules, loaded apart from translation's same-named ones.

Both recipes have modules called ``args``, ``train``, ``checkpoints`` ... (each ``sourcedir.tar.gz`` is one flat
directory, as the toolkit runs it), and ``unittest discover`` runs every test in one interpreter. So the llm-sft
modules are imported here once with their directory first on ``sys.path`` and the same-named modules moved out of
``sys.modules`` meanwhile; afterwards ``sys.path`` and ``sys.modules`` are as they were, and the tests reach the
modules through :data:`sft`. This works because the llm-sft modules import each other at module level only
(test_llm_sft_train_entry.py checks that no function imports a sibling module).
"""
import importlib
import os
import sys
from types import SimpleNamespace

from translation_support import REPO_ROOT, toolkit_argv  # noqa: F401 - toolkit_argv re-exported for the tests

SCRIPT_DIR = os.path.join(REPO_ROOT, "training-scripts", "llm-sft")
SAMPLE_DATA_DIR = os.path.join(REPO_ROOT, "examples", "data", "llm-sft")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(SCRIPT_DIR) if name.endswith(".py"))


def load_script_modules(script_dir=SCRIPT_DIR, names=MODULE_NAMES):
    """The modules of ``script_dir`` by name, imported without disturbing other modules of the same names."""
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.path.insert(0, script_dir)
    try:
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(script_dir)
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


sft = SimpleNamespace(**load_script_modules())
