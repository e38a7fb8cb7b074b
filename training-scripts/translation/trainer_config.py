"""Keyword arguments for ``Seq2SeqTrainingArguments`` and ``Seq2SeqTrainer`` across transformers 4.3x-4.4x.

Names moved between releases: ``evaluation_strategy`` became ``eval_strategy`` (4.41; the old name was removed in
4.46), and ``Seq2SeqTrainer(tokenizer=...)`` became ``processing_class=`` (4.46). The caller passes the names that the
installed version accepts (read from its signature at run time) and these functions pick among them.
Standard library only, so the mapping is unit-tested without transformers.
"""
from __future__ import annotations

import argparse
from typing import Collection, Dict, Optional

from hf_recipe.job_runtime import pick_name


def training_arguments_kwargs(args: argparse.Namespace, checkpoint_dir: str, available: Collection[str],
                              has_validation: bool) -> Dict[str, object]:
    """``Seq2SeqTrainingArguments`` keyword arguments.

    ``available`` is the set of field names of the installed ``Seq2SeqTrainingArguments``. Checkpoints go to
    ``checkpoint_dir`` (the Trainer's ``output_dir``), which SageMaker syncs to S3 and restores after a spot
    interruption. Evaluation is switched off when there is no validation channel.
    """
    eval_strategy = args.eval_strategy if has_validation else "no"
    kwargs: Dict[str, object] = {
        "output_dir": checkpoint_dir,
        "overwrite_output_dir": False,
        "num_train_epochs": args.num_train_epochs,
        "max_steps": args.max_steps if args.max_steps is not None else -1,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "per_device_eval_batch_size": args.per_device_eval_batch_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "learning_rate": args.learning_rate,
        "weight_decay": args.weight_decay,
        "warmup_steps": args.warmup_steps,
        "lr_scheduler_type": args.lr_scheduler_type,
        "fp16": args.fp16,
        "bf16": args.bf16,
        "seed": args.seed,
        pick_name(("eval_strategy", "evaluation_strategy"), available, "the evaluation strategy"): eval_strategy,
        "save_strategy": args.save_strategy,
        "save_steps": args.save_steps,
        "save_total_limit": args.save_total_limit,
        "logging_strategy": "steps",
        "logging_steps": args.logging_steps,
        "predict_with_generate": True,
        "generation_max_length": args.generation_max_length or args.max_target_length,
        "generation_num_beams": args.num_beams,
        "report_to": "none",          # no TensorBoard/W&B/MLflow reporters: nothing may reach the network
        "disable_tqdm": True,         # progress bars are noise in CloudWatch
        "save_safetensors": True,
    }
    if eval_strategy == "steps" and args.eval_steps is not None:
        kwargs["eval_steps"] = args.eval_steps
    missing = sorted(name for name in kwargs if name not in available)
    optional = {"save_safetensors"}  # older releases save .bin only; everything else must exist
    for name in missing:
        if name in optional:
            del kwargs[name]
        else:
            raise ValueError(f"the installed Seq2SeqTrainingArguments has no field {name!r}; "
                             f"this script supports transformers 4.36 to 4.4x")
    return kwargs


def trainer_tokenizer_kwarg(trainer_parameters: Collection[str]) -> str:
    """``processing_class`` (transformers >= 4.46) or ``tokenizer`` (older) for ``Seq2SeqTrainer``."""
    return pick_name(("processing_class", "tokenizer"), trainer_parameters, "the Seq2SeqTrainer tokenizer")


def generation_kwargs(args: argparse.Namespace) -> Dict[str, Optional[int]]:
    """Arguments of the final ``trainer.evaluate`` (the same generation settings as during training)."""
    kwargs: Dict[str, Optional[int]] = {"max_length": args.generation_max_length or args.max_target_length}
    if args.num_beams is not None:
        kwargs["num_beams"] = args.num_beams
    return kwargs
