"""Hyperparameters of the llm-sft script, parsed exactly as the SageMaker training toolkit passes them.

toolkit_args.py (shared by every recipe) turns the toolkit's ``--key value`` pairs into typed values (booleans as
``True``/``False``, JSON null as an empty argument, numbers as Python re-printed them); this module holds the table
of /work/coord/llm-sft-contract.md (names, types, defaults, allowed values) and reports every bad value in one
ValueError naming the hyperparameter, the value received and what is allowed. Standard library only.
"""
from __future__ import annotations

import argparse
import re
import sys
from typing import List, Optional, Sequence

from toolkit_args import BF16_WORDS, TUNING_OBJECTIVE, HyperParameter, check_bf16, normalize_bf16  # noqa: F401
from toolkit_args import parse_table

DESCRIPTION = "Supervised fine-tuning of a causal language model with LoRA (or QLoRA) on SageMaker."
SCHEDULERS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup")
ATTN_IMPLEMENTATIONS = ("auto", "sdpa", "eager", "flash_attention_2")
ALL_LINEAR = "all-linear"
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
MIN_SEQ_LENGTH = 16

HYPERPARAMETERS: List[HyperParameter] = [
    HyperParameter("model_name_or_path", "str", "meta-llama/Llama-3.1-8B-Instruct",
                   "Hub id or local path of the base model; ignored when the job has a 'model' channel."),
    HyperParameter("max_seq_length", "int", 2048, "Tokens per training sequence (longer examples are truncated)."),
    HyperParameter("packing", "bool", False,
                   "Pack several examples into each sequence of max_seq_length tokens instead of padding each one."),
    HyperParameter("attn_implementation", "str", "auto",
                   "Attention implementation the model loads with, whatever its config.json says: auto (with packing, "
                   "flash_attention_2 where the flash_attn package is installed, one flattened row per batch; "
                   "otherwise sdpa), sdpa, eager or flash_attention_2. With packing the script checks at start-up "
                   "that packed examples do not attend to each other and refuses packing where they do.",
                   choices=ATTN_IMPLEMENTATIONS),
    HyperParameter("num_train_epochs", "float", 1.0, "Training epochs (fractions allowed: 0.5)."),
    HyperParameter("max_steps", "int", -1, "Stop after this many optimizer steps (-1: use num_train_epochs)."),
    HyperParameter("learning_rate", "float", 2e-4, "Peak learning rate of AdamW."),
    HyperParameter("lr_scheduler_type", "str", "cosine", "Learning-rate schedule.", choices=SCHEDULERS),
    HyperParameter("warmup_ratio", "float", 0.03, "Fraction of the steps spent warming up, in [0, 1)."),
    HyperParameter("weight_decay", "float", 0.0, "AdamW weight decay (>= 0)."),
    HyperParameter("per_device_train_batch_size", "int", 2, "Training sequences per GPU and step."),
    HyperParameter("per_device_eval_batch_size", "int", 2, "Evaluation sequences per GPU and step."),
    HyperParameter("gradient_accumulation_steps", "int", 8, "Batches accumulated per optimizer step."),
    HyperParameter("gradient_checkpointing", "bool", True, "Recompute activations in the backward pass (less memory)."),
    HyperParameter("lora_r", "int", 16, "LoRA rank."),
    HyperParameter("lora_alpha", "int", 32, "LoRA scaling numerator (the update is scaled by lora_alpha / lora_r)."),
    HyperParameter("lora_dropout", "float", 0.05, "Dropout on the LoRA input, in [0, 1)."),
    HyperParameter("lora_target_modules", "str", ALL_LINEAR,
                   "Modules that get LoRA adapters: all-linear, or comma-separated module names (q_proj,v_proj)."),
    HyperParameter("load_in_4bit", "bool", False,
                   "QLoRA: load the base model in 4-bit NF4 with double quantization (bitsandbytes)."),
    HyperParameter("bf16", "str", "auto",
                   "bfloat16 mixed precision: auto (when the GPU supports it), true or false."),
    HyperParameter("merge_adapter", "bool", False,
                   "Also save the base model with the adapter merged into SM_MODEL_DIR/merged."),
    HyperParameter("eval_steps", "int", None, "Steps between evaluations (null: evaluate at the end of each epoch).",
                   nullable=True),
    HyperParameter("save_steps", "int", 200, "Steps between checkpoints (the spot-interruption resume points)."),
    HyperParameter("logging_steps", "int", 10, "Steps between training-loss METRIC lines."),
    HyperParameter("seed", "int", 42, "Random seed."),
    HyperParameter("max_train_samples", "int", None, "Use only the first N training rows, N >= 1 (null: all).",
                   nullable=True),
    HyperParameter("max_eval_samples", "int", None, "Use only the first N validation rows, N >= 1 (null: all).",
                   nullable=True),
    HyperParameter("offline", "bool", False,
                   "Never contact the Hugging Face Hub (HF_HUB_OFFLINE=1, TRANSFORMERS_OFFLINE=1); a network-isolated "
                   "job stays offline whatever this says."),
    HyperParameter("checkpoint_dir", "str", "",
                   "Checkpoint directory for local runs; empty: /opt/ml/checkpoints (CheckpointConfig.LocalPath's "
                   "default). Not part of the recipe's declared hyperparameters."),
    HyperParameter(TUNING_OBJECTIVE, "str", "",
                   "Added by SageMaker to every training job of a tuning job; accepted and ignored."),
]

AT_LEAST_ONE = ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps", "lora_r",
                "lora_alpha", "eval_steps", "save_steps", "logging_steps", "max_train_samples", "max_eval_samples")


def target_modules(value: str):
    """``"all-linear"`` as it is, else the list of comma-separated module names (blanks dropped)."""
    if value.strip() == ALL_LINEAR:
        return ALL_LINEAR
    return [name.strip() for name in value.split(",") if name.strip()]


def _range_problems(values) -> List[str]:
    problems: List[str] = []

    def check(name: str, ok, allowed: str) -> None:
        value = values.get(name)
        if value is not None and not ok(value):
            problems.append(f"hyperparameter '{name}' must be {allowed}; received {value!r}")

    check("max_seq_length", lambda v: v >= MIN_SEQ_LENGTH, f"an integer >= {MIN_SEQ_LENGTH}")
    check("num_train_epochs", lambda v: v > 0, "a number > 0 (e.g. 1.0 or 0.5)")
    check("max_steps", lambda v: v == -1 or v >= 1, "-1 (use num_train_epochs) or an integer >= 1")
    check("learning_rate", lambda v: v > 0, "a number > 0 (e.g. 0.0002)")
    check("warmup_ratio", lambda v: 0 <= v < 1, "a number in [0, 1)")
    check("weight_decay", lambda v: v >= 0, "a number >= 0")
    check("lora_dropout", lambda v: 0 <= v < 1, "a number in [0, 1)")
    check_bf16(values, problems)
    modules = values.get("lora_target_modules")
    if isinstance(modules, str):
        parsed = target_modules(modules)
        bad = [name for name in parsed if not MODULE_NAME.match(name)] if isinstance(parsed, list) else []
        if not parsed or bad:
            problems.append(f"hyperparameter 'lora_target_modules' must be {ALL_LINEAR} or comma-separated module "
                            f"names such as q_proj,k_proj,v_proj,o_proj; received {modules!r}")
    return problems


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Raises one ValueError listing every problem: unknown hyperparameters, bad booleans, numbers or choices, values
    out of range, each naming the hyperparameter, the value received and what is allowed.
    """
    values, problems = parse_table(sys.argv[1:] if argv is None else argv, HYPERPARAMETERS, DESCRIPTION,
                                   AT_LEAST_ONE)
    problems += _range_problems(values)
    if problems:
        raise ValueError("; ".join(problems))
    return argparse.Namespace(**values)
