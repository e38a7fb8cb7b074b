"""Hyperparameters of the translation script, parsed exactly as the SageMaker training toolkit passes them.

The table is ``hyperparameters.json`` beside this file (the pipeline reads the same file at synthesis);
hf_recipe.toolkit_args loads it and converts every value as the toolkit passes it (booleans as ``True``/``False``,
JSON null as an empty argument, numbers re-printed by Python, ``_tuning_objective_metric`` added by tuning jobs) and
checks the file's cross-field ``rules`` (fp16 with bf16 true, the language codes as a pair, eval_steps and save_steps
only with the steps strategies). This module adds the bf16 word and reports every bad value in one ValueError that
names the hyperparameter. Standard library only.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from hf_recipe.toolkit_args import str2bool  # noqa: F401 - str2bool re-exported for callers of this module
from hf_recipe.toolkit_args import check_bf16, load_contract, load_rules, parse_table
from hf_recipe.toolkit_args import build_parser as build_table_parser

DESCRIPTION = "Fine-tune a sequence-to-sequence model for translation on SageMaker."
RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))

HYPERPARAMETERS = load_contract(RECIPE_DIR)
RULES = load_rules(RECIPE_DIR)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser: every value is kept as a string and converted by :func:`parse_args`."""
    return build_table_parser(HYPERPARAMETERS, DESCRIPTION)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Raises one ValueError listing every problem: unknown hyperparameters, bad booleans, numbers or choices, values
    out of range, broken rules, each naming the hyperparameter and the value received.
    """
    values, problems = parse_table(sys.argv[1:] if argv is None else argv, HYPERPARAMETERS, DESCRIPTION, RULES)
    check_bf16(values, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return argparse.Namespace(**values)
