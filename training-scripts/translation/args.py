"""Hyperparameters of the translation script, parsed exactly as the SageMaker training toolkit passes them.

The toolkit decodes each hyperparameter with ``json.loads`` (keeping the raw string when that fails), drops the
``sagemaker_*`` keys, sorts the rest and runs ``train.py --key value ...`` with ``str(value)``. So booleans arrive
as ``True``/``False`` (``argparse type=bool`` would turn ``False`` into True), a JSON ``null`` arrives as an empty
argument, numbers are re-printed by Python (``2e-05``, ``3``), and a tuning job adds ``_tuning_objective_metric``.
toolkit_args.py (shared by every recipe) converts every value; this module holds the translation table and its
cross-checks, and reports every bad value in one ValueError that names the hyperparameter. Standard library only.
"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional, Sequence

from toolkit_args import HyperParameter, str2bool  # noqa: F401 - str2bool re-exported for callers of this module
from toolkit_args import BF16_WORDS, TUNING_OBJECTIVE, check_bf16, parse_table
from toolkit_args import build_parser as build_table_parser

STRATEGIES = ("no", "steps", "epoch")
BF16_SETTINGS = BF16_WORDS
# transformers SchedulerType values every DLC of this recipe knows (the llm-sft recipe offers the same six).
SCHEDULERS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup")
DESCRIPTION = "Fine-tune a sequence-to-sequence model for translation on SageMaker."

HYPERPARAMETERS: List[HyperParameter] = [
    HyperParameter("model_name_or_path", "str", "t5-small",
                   "Hub id or local path of the pretrained model; ignored when the job has a 'model' channel."),
    HyperParameter("source_lang", "str", "en", "Key of the source text in each line's 'translation' object."),
    HyperParameter("target_lang", "str", "de", "Key of the target text in each line's 'translation' object."),
    HyperParameter("source_lang_code", "str", None,
                   "The tokenizer's code of the source language for multilingual models (NLLB: eng_Latn, mBART-50: "
                   "en_XX, M2M100: en); required by them, refused by others (null: none).", nullable=True),
    HyperParameter("target_lang_code", "str", None,
                   "The tokenizer's code of the target language for multilingual models (NLLB: deu_Latn, mBART-50: "
                   "de_DE, M2M100: de); also forced as the first generated token (null: none).", nullable=True),
    HyperParameter("source_prefix", "str", "",
                   "Text put before every source sentence, e.g. 'translate English to German: ' for T5."),
    HyperParameter("max_source_length", "int", 128, "Source tokens kept per example (longer ones are truncated)."),
    HyperParameter("max_target_length", "int", 128, "Target tokens kept per example (longer ones are truncated)."),
    HyperParameter("num_train_epochs", "float", 3.0, "Training epochs."),
    HyperParameter("max_steps", "int", -1, "Stop after this many optimizer steps (-1: use num_train_epochs)."),
    HyperParameter("per_device_train_batch_size", "int", 16, "Training batch size per GPU."),
    HyperParameter("per_device_eval_batch_size", "int", 16, "Evaluation batch size per GPU."),
    HyperParameter("gradient_accumulation_steps", "int", 1, "Batches accumulated per optimizer step."),
    HyperParameter("learning_rate", "float", 5e-5, "Peak learning rate of AdamW."),
    HyperParameter("weight_decay", "float", 0.0, "AdamW weight decay."),
    HyperParameter("warmup_steps", "int", 0, "Linear warm-up steps."),
    HyperParameter("lr_scheduler_type", "str", "linear", "transformers learning-rate schedule.", choices=SCHEDULERS),
    HyperParameter("fp16", "bool", False, "Mixed precision with float16 (GPU only)."),
    HyperParameter("bf16", "str", "auto",
                   "bfloat16 mixed precision (with TF32): auto (where the GPU computes in bfloat16 natively, compute "
                   "capability 8.0 or newer; float32 elsewhere), true or false.", choices=None),
    HyperParameter("seed", "int", 42, "Random seed."),
    HyperParameter("eval_strategy", "str", "epoch", "When to evaluate: no, steps or epoch.", choices=STRATEGIES),
    HyperParameter("eval_steps", "int", None, "Steps between evaluations when eval_strategy=steps.", nullable=True),
    HyperParameter("save_strategy", "str", "epoch",
                   "When to write a checkpoint (the spot resume point): no, steps or epoch.", choices=STRATEGIES),
    HyperParameter("save_steps", "int", 500, "Steps between checkpoints when save_strategy=steps."),
    HyperParameter("save_total_limit", "int", 2,
                   "Checkpoints kept in the checkpoint directory (null: keep all).", nullable=True),
    HyperParameter("logging_steps", "int", 50, "Steps between training-loss log lines."),
    HyperParameter("generation_max_length", "int", None,
                   "Longest generated translation at evaluation (null: max_target_length).", nullable=True),
    HyperParameter("num_beams", "int", None,
                   "Beams for generation at evaluation (null: the model's generation config).", nullable=True),
    HyperParameter("max_train_samples", "int", None, "Use only the first N training pairs, N >= 1 (null: all).",
                   nullable=True),
    HyperParameter("max_eval_samples", "int", None,
                   "Use only the first N validation/test pairs, N >= 1 (null: all).",
                   nullable=True),
    HyperParameter("offline", "bool", True,
                   "Never contact the Hugging Face Hub (HF_HUB_OFFLINE=1, TRANSFORMERS_OFFLINE=1); False unsets them, "
                   "except in a network-isolated job, which stays offline."),
    HyperParameter("checkpoint_dir", "str", "",
                   "Checkpoint directory; empty: /opt/ml/checkpoints (CheckpointConfig.LocalPath's default)."),
    HyperParameter(TUNING_OBJECTIVE, "str", "",
                   "Added by SageMaker to every training job of a tuning job; accepted and ignored."),
]

POSITIVE_INTS = ("max_source_length", "max_target_length", "per_device_train_batch_size",
                 "per_device_eval_batch_size", "gradient_accumulation_steps", "save_steps", "logging_steps",
                 "max_train_samples", "max_eval_samples")  # the nullable ones only when not null


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser: every value is kept as a string and converted by :func:`parse_args`."""
    return build_table_parser(HYPERPARAMETERS, DESCRIPTION)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Raises one ValueError listing every problem: unknown hyperparameters, bad booleans, numbers or choices, each
    naming the hyperparameter and the value received.
    """
    values, problems = parse_table(sys.argv[1:] if argv is None else argv, HYPERPARAMETERS, DESCRIPTION,
                                   POSITIVE_INTS)
    check_bf16(values, problems)
    if values.get("fp16") and values.get("bf16") == "true":
        problems.append("hyperparameters 'fp16' and 'bf16' are both true; choose at most one")
    if values.get("num_train_epochs") is not None and values["num_train_epochs"] <= 0 and values.get("max_steps", -1) <= 0:
        problems.append(f"hyperparameter 'num_train_epochs' must be positive; received {values['num_train_epochs']}")
    for name in ("source_lang", "target_lang"):
        if not values.get(name):
            problems.append(f"hyperparameter '{name}' must name a language key such as 'en'; received an empty value")
    if problems:
        raise ValueError("; ".join(problems))
    return argparse.Namespace(**values)
