"""Finding the checkpoint to resume from after a spot interruption.

transformers' ``Trainer._save_checkpoint`` (4.36 to 5.x) writes ``<checkpoint_dir>/checkpoint-<global step>/``
holding the weights (``model.safetensors``, or ``pytorch_model.bin`` with ``save_safetensors=False``, or a sharded
set: ``model.safetensors.index.json`` / ``pytorch_model.bin.index.json`` plus the shard files its ``weight_map``
names; for a PEFT model only the adapter: ``adapter_model.safetensors`` or ``adapter_model.bin`` with
``adapter_config.json``), ``optimizer.pt`` and ``scheduler.pt`` (always, since the script never sets ``save_only_model``),
``rng_state.pth`` or ``rng_state_<rank>.pth``, and ``trainer_state.json``.

SageMaker uploads the checkpoint directory to S3 file by file as files appear, in no particular order, and restores
whatever reached S3 when it restarts an interrupted spot job. So a restored directory can hold a valid
``trainer_state.json`` while its weights or optimizer state are missing or empty, and resuming from it crashes (and a
RetryStrategy would restore the same state and crash again). A checkpoint therefore counts as complete only when

* ``trainer_state.json`` parses as a JSON object,
* a non-empty weights file exists, or an index whose every shard exists and is non-empty, and adapter weights come
  with a non-empty ``adapter_config.json`` (peft reads it first; without it resuming is doomed),
* ``optimizer.pt`` and ``scheduler.pt`` exist and are non-empty,
* no ``rng_state*.pth`` that exists is empty (the RNG state itself is optional: the Trainer only warns without it),
  and no ``scaler.pt`` (the float16 GradScaler state; ``Trainer._load_scaler`` skips a missing one but
  ``torch.load``s one that exists) that exists is empty.

Standard library only.

Shared file: every recipe directory under ``training-scripts/`` carries an identical copy (each recipe's
``sourcedir.tar.gz`` holds only its own directory); tests/python/test_recipe_shared_modules.py keeps them identical.
"""
from __future__ import annotations

import json
import os
import re
from typing import List, Optional, Tuple

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-([0-9]+)$")
TRAINER_STATE = "trainer_state.json"
ADAPTER_WEIGHTS_FILES = ("adapter_model.safetensors", "adapter_model.bin")
ADAPTER_CONFIG = "adapter_config.json"  # PeftModel.load_adapter reads it before the weights
WEIGHTS_FILES = ("model.safetensors", "pytorch_model.bin") + ADAPTER_WEIGHTS_FILES
WEIGHTS_INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
TRAINING_STATE_FILES = ("optimizer.pt", "scheduler.pt")
RNG_STATE_PATTERN = re.compile(r"^(rng_state(_[0-9]+)?\.pth|scaler\.pt)$")  # optional, but never empty


def _non_empty_file(path: str) -> bool:
    try:
        return os.path.isfile(path) and os.path.getsize(path) > 0
    except OSError:
        return False


def _read_json_object(path: str) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _complete_sharded_weights(path: str, index_name: str) -> bool:
    """True when ``index_name`` parses, names at least one shard, and every shard it names is a non-empty file."""
    index = _read_json_object(os.path.join(path, index_name))
    weight_map = index.get("weight_map") if index else None
    if not isinstance(weight_map, dict) or not weight_map:
        return False
    shards = set(weight_map.values())
    return all(isinstance(shard, str) and _non_empty_file(os.path.join(path, shard)) for shard in shards)


def missing_parts(path: str) -> List[str]:
    """What keeps ``path`` from being a resumable checkpoint (empty list: it is complete)."""
    problems: List[str] = []
    if _read_json_object(os.path.join(path, TRAINER_STATE)) is None:
        problems.append(f"{TRAINER_STATE} missing or not a JSON object")
    has_weights = any(_non_empty_file(os.path.join(path, name)) for name in WEIGHTS_FILES) or any(
        _complete_sharded_weights(path, name) for name in WEIGHTS_INDEX_FILES)
    if not has_weights:
        problems.append(f"no non-empty weights ({', '.join(WEIGHTS_FILES)} or a complete sharded set per "
                        f"{' / '.join(WEIGHTS_INDEX_FILES)})")
    if any(_non_empty_file(os.path.join(path, name)) for name in ADAPTER_WEIGHTS_FILES) and not _non_empty_file(
            os.path.join(path, ADAPTER_CONFIG)):
        problems.append(f"{ADAPTER_CONFIG} missing or empty (adapter weights need it)")
    for name in TRAINING_STATE_FILES:
        if not _non_empty_file(os.path.join(path, name)):
            problems.append(f"{name} missing or empty")
    try:
        names = os.listdir(path)
    except OSError:
        names = []
    for name in sorted(names):
        if RNG_STATE_PATTERN.match(name) and not _non_empty_file(os.path.join(path, name)):
            problems.append(f"{name} empty")
    return problems


def is_complete(path: str) -> bool:
    """True when ``path`` holds everything the Trainer loads on resume (see the module docstring)."""
    return not missing_parts(path)


def _step_dirs(checkpoint_dir: str) -> List[Tuple[int, str]]:
    if not checkpoint_dir or not os.path.isdir(checkpoint_dir):
        return []
    found = []
    for name in os.listdir(checkpoint_dir):
        match = CHECKPOINT_PATTERN.match(name)
        path = os.path.join(checkpoint_dir, name)
        if match and os.path.isdir(path):
            found.append((int(match.group(1)), path))
    return sorted(found)


def incomplete_checkpoints(checkpoint_dir: str) -> List[Tuple[str, List[str]]]:
    """(path, what is missing) of every ``checkpoint-<step>`` directory that is not complete, ordered by step."""
    result = []
    for _, path in _step_dirs(checkpoint_dir):
        problems = missing_parts(path)
        if problems:
            result.append((path, problems))
    return result


def list_checkpoints(checkpoint_dir: str) -> List[Tuple[int, str]]:
    """(step, path) of every complete ``checkpoint-<step>`` directory, ordered by step as a number."""
    return [(step, path) for step, path in _step_dirs(checkpoint_dir) if is_complete(path)]


def latest_checkpoint(checkpoint_dir: str) -> Optional[str]:
    """Path of the complete checkpoint with the highest step, or None when there is none to resume from."""
    found = list_checkpoints(checkpoint_dir)
    return found[-1][1] if found else None


def previous_checkpoint(checkpoint_dir: str, failed: str) -> Optional[str]:
    """The complete checkpoint with the highest step below ``failed``'s step, or None (start from scratch)."""
    match = CHECKPOINT_PATTERN.match(os.path.basename(os.path.normpath(failed)))
    if not match:
        return None
    failed_step = int(match.group(1))
    older = [path for step, path in list_checkpoints(checkpoint_dir) if step < failed_step]
    return older[-1] if older else None
