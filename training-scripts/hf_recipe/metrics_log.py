"""The metric log lines that SageMaker's MetricDefinitions read from the job's log.

A line is ``METRIC name=value name=value ...``: the word ``METRIC``, then each metric as `` name=value`` (one space
before every name, so ``loss`` can never be read out of ``eval_loss``), values printed with Python's ``repr`` of the
float (``2.345678``, ``2e-05``, ``3.0``, ``1.5e+20``). Non-finite values are left out: SageMaker cannot chart them.
Each recipe's ``metric_definitions.json``, beside its ``train.py``, holds the regexes (first group: the value) that
the C# recipe sends in ``AlgorithmSpecification.MetricDefinitions``; each recipe's
tests/python/test_<recipe>_metrics_contract.py keeps the two in step. Standard library only.
"""
from __future__ import annotations

import json
import math
import os
import re
from typing import Dict, List, Mapping, Optional

PREFIX = "METRIC"
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFINITIONS_FILE_NAME = "metric_definitions.json"

# Trainer log keys renamed for the metric lines: the Trainer logs the running training loss as ``loss``.
RENAMES = {"loss": "train_loss"}
# Trainer log keys that are bookkeeping, not metrics.
SKIPPED = {"total_flos"}


def format_value(value: float) -> str:
    """``repr`` of the float: shortest text that parses back to the same number."""
    return repr(float(value))


def format_metric_line(metrics: Mapping[str, object]) -> Optional[str]:
    """``METRIC a=1.0 b=2e-05`` for the finite numeric entries of ``metrics`` (in the given order), or None.

    Raises ValueError for a name that is not an identifier (it could break the line's grammar).
    """
    parts: List[str] = []
    for name, value in metrics.items():
        if not NAME_PATTERN.match(name):
            raise ValueError(f"metric name {name!r} must match {NAME_PATTERN.pattern}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not math.isfinite(float(value)):
            continue
        parts.append(f"{name}={format_value(value)}")
    return f"{PREFIX} " + " ".join(parts) if parts else None


def trainer_logs_to_metrics(logs: Mapping[str, object]) -> Dict[str, object]:
    """The metrics of one Trainer ``on_log`` call, renamed for the metric lines (``loss`` -> ``train_loss``)."""
    metrics: Dict[str, object] = {}
    for key, value in logs.items():
        if key in SKIPPED:
            continue
        metrics[RENAMES.get(key, key)] = value
    return metrics


def load_metric_definitions(recipe_dir: str) -> List[Dict[str, str]]:
    """The ``[{"Name", "Regex"}]`` list of ``recipe_dir``'s ``metric_definitions.json``, which the training job's
    MetricDefinitions must equal."""
    path = os.path.join(recipe_dir, DEFINITIONS_FILE_NAME)
    with open(path, encoding="utf-8") as handle:
        definitions = json.load(handle)
    if not isinstance(definitions, list) or not all(
            isinstance(item, dict) and set(item) == {"Name", "Regex"} for item in definitions):
        raise ValueError(f"{path} must be a JSON list of {{\"Name\", \"Regex\"}} objects")
    return definitions
