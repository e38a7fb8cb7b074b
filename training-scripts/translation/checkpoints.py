"""Finding the checkpoint to resume from after a spot interruption.

The Trainer writes ``<checkpoint_dir>/checkpoint-<global step>/`` and writes ``trainer_state.json`` after the
model and optimizer files, so a directory without a readable ``trainer_state.json`` was cut off mid-write (or is
still being restored from S3) and must not be resumed from. Standard library only.
"""
from __future__ import annotations

import json
import os
import re
from typing import List, Optional, Tuple

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-([0-9]+)$")
TRAINER_STATE = "trainer_state.json"


def is_complete(path: str) -> bool:
    """True when ``path`` holds a ``trainer_state.json`` that parses as a JSON object."""
    state_file = os.path.join(path, TRAINER_STATE)
    try:
        with open(state_file, encoding="utf-8") as handle:
            return isinstance(json.load(handle), dict)
    except (OSError, ValueError):
        return False


def list_checkpoints(checkpoint_dir: str) -> List[Tuple[int, str]]:
    """(step, path) of every complete ``checkpoint-<step>`` directory, ordered by step as a number."""
    if not checkpoint_dir or not os.path.isdir(checkpoint_dir):
        return []
    found = []
    for name in os.listdir(checkpoint_dir):
        match = CHECKPOINT_PATTERN.match(name)
        path = os.path.join(checkpoint_dir, name)
        if match and os.path.isdir(path) and is_complete(path):
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(checkpoint_dir: str) -> Optional[str]:
    """Path of the complete checkpoint with the highest step, or None when there is none to resume from."""
    found = list_checkpoints(checkpoint_dir)
    return found[-1][1] if found else None
