"""Hyperparameters of the llm-sft script, parsed exactly as the SageMaker training toolkit passes them.

The table is ``hyperparameters.json`` beside this file (the pipeline reads the same file at synthesis);
hf_recipe.toolkit_args loads it and turns the toolkit's ``--key value`` pairs into typed values (booleans as
``True``/``False``, JSON null as an empty argument, numbers as Python re-printed them), reporting every bad value in
one ValueError naming the hyperparameter, the value received and what is allowed, and checks the file's cross-field
``rules``. This module adds the conversions of two string settings (``bf16``, ``lora_target_modules``). Standard
library only.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from hf_recipe.toolkit_args import (BF16_WORDS, check_bf16, load_contract, load_rules, normalize_bf16,  # noqa: F401
                                    parse_table)

DESCRIPTION = "Supervised fine-tuning of a causal language model with LoRA (or QLoRA) on SageMaker."
RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
ALL_LINEAR = "all-linear"

HYPERPARAMETERS = load_contract(RECIPE_DIR)
RULES = load_rules(RECIPE_DIR)


def target_modules(value: str):
    """``"all-linear"`` as it is, else the list of comma-separated module names (blanks dropped)."""
    if value.strip() == ALL_LINEAR:
        return ALL_LINEAR
    return [name.strip() for name in value.split(",") if name.strip()]


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Raises one ValueError listing every problem: unknown hyperparameters, bad booleans, numbers or choices, values
    out of range, each naming the hyperparameter, the value received and what is allowed.
    """
    values, problems = parse_table(sys.argv[1:] if argv is None else argv, HYPERPARAMETERS, DESCRIPTION, RULES)
    check_bf16(values, problems)  # "True" (a JSON true as the toolkit prints it) -> "true"
    if problems:
        raise ValueError("; ".join(problems))
    return argparse.Namespace(**values)
