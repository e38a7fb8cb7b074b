"""Shared helpers for the translation-script tests: the script directory on sys.path, and the toolkit's argv."""
import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT_DIR = os.path.join(REPO_ROOT, "training-scripts", "translation")
SAMPLE_DATA_DIR = os.path.join(REPO_ROOT, "examples", "data", "translation")
if SCRIPT_DIR not in sys.path:
    sys.path.insert(0, SCRIPT_DIR)


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
