"""The settings the llm-sft script hands to transformers, peft and bitsandbytes, as plain dictionaries.

Kept free of those packages (dtype names are strings, converted in train.py) so the mapping from hyperparameters is
unit-tested without them. Written against the versions the Hugging Face PyTorch training DLC 2.8.0 ships
(transformers 4.56.2, peft 0.17.1, bitsandbytes; see README.md) and tolerant of the renames around them:
``evaluation_strategy`` -> ``eval_strategy`` (transformers 4.41), ``torch_dtype`` -> ``dtype`` (4.56).
Standard library only.
"""
from __future__ import annotations

import argparse
import math
from typing import Collection, Dict, Mapping, Optional

import args as hyperparameters
from hf_recipe import metrics_log
from hf_recipe.job_runtime import pick_name

SAVE_TOTAL_LIMIT = 2          # the newest checkpoint plus one to fall back to (job_runtime.train_with_resume_fallback)
PERPLEXITY_LOSS_LIMIT = 700.0  # exp() of more overflows a float: no perplexity is printed (non-finite)


class Precision:
    """The training precision: ``bf16``/``fp16`` flags for TrainingArguments and the dtype the base model loads in."""

    def __init__(self, bf16: bool, fp16: bool, dtype: str, reason: str) -> None:
        self.bf16, self.fp16, self.dtype, self.reason = bf16, fp16, dtype, reason

    def __repr__(self) -> str:
        return f"Precision(bf16={self.bf16}, fp16={self.fp16}, dtype={self.dtype!r})"


def choose_precision(bf16_setting: str, cuda_available: bool, bf16_supported: bool,
                     device_name: str = "the GPU") -> Precision:
    """bf16 where the GPU has it (``auto``), float16 mixed precision on other GPUs, float32 on CPU.

    ``bf16=true`` on a machine without bfloat16 is refused (ValueError naming the device and the fix); ``false`` on
    a GPU trains in float16 mixed precision (the LoRA weights stay float32, peft's default).
    """
    if bf16_setting not in hyperparameters.BF16_WORDS:
        raise ValueError(f"bf16 must be one of {', '.join(hyperparameters.BF16_WORDS)}; received {bf16_setting!r}")
    if not cuda_available:
        if bf16_setting == "true":
            raise ValueError("hyperparameter bf16=true but no CUDA GPU is visible; use bf16=auto or false")
        return Precision(False, False, "float32", "no CUDA GPU: float32")
    if bf16_setting == "true" and not bf16_supported:
        raise ValueError(f"hyperparameter bf16=true but {device_name} has no native bfloat16 (compute capability "
                         f"8.0 or newer needed: ml.g5, ml.g6, ml.p4d, ml.p5 ...; ml.g4dn and ml.p3/ml.p3dn only "
                         f"emulate it); use bf16=auto, which falls back to float16")
    if bf16_setting != "false" and bf16_supported:
        return Precision(True, False, "bfloat16", f"{device_name} supports bfloat16")
    return Precision(False, True, "float16", f"float16 mixed precision on {device_name} (bf16={bf16_setting})")


NATIVE_BF16_MAJOR = 8  # compute capability 8.0 (Ampere: A100, A10G) and newer (L4, L40S, H100, H200, B200)


def native_bf16(cuda) -> bool:
    """True when ``cuda`` (the ``torch.cuda`` module) sees a GPU that computes in bfloat16 natively.

    Not ``cuda.is_bf16_supported()``: since torch 2.4 its default ``including_emulation=True`` also answers True on
    Volta and Turing (V100 on ml.p3/ml.p3dn, T4 on ml.g4dn), where it only checks that a bfloat16 tensor can be
    created (torch/cuda/__init__.py, ``is_bf16_supported`` -> ``_check_bf16_tensor_supported``), and transformers'
    ``bf16=True`` accepts that, so "auto" would train in emulated bfloat16, far slower than float16. The test here
    is the one torch itself applies before it falls back to emulation: compute capability 8.0 or newer.
    """
    if not cuda.is_available():
        return False
    major, _minor = cuda.get_device_capability(0)
    return major >= NATIVE_BF16_MAJOR


def precision_for_device(bf16_setting: str, cuda) -> Precision:
    """:func:`choose_precision` for the GPU that ``cuda`` (the ``torch.cuda`` module) sees, or the CPU."""
    if not cuda.is_available():
        return choose_precision(bf16_setting, False, False, "CPU")
    major, minor = cuda.get_device_capability(0)
    name = f"{cuda.get_device_name(0)} (compute capability {major}.{minor})"
    return choose_precision(bf16_setting, True, native_bf16(cuda), name)


def dtype_keyword(transformers_version: str) -> str:
    """``dtype`` for ``from_pretrained`` in transformers >= 4.56 (``torch_dtype`` is deprecated there), else
    ``torch_dtype``."""
    parts = []
    for piece in transformers_version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    while len(parts) < 2:
        parts.append(0)
    return "dtype" if tuple(parts) >= (4, 56) else "torch_dtype"


def lora_kwargs(args: argparse.Namespace) -> Dict[str, object]:
    """``peft.LoraConfig`` keyword arguments."""
    return {
        "r": args.lora_r,
        "lora_alpha": args.lora_alpha,
        "lora_dropout": args.lora_dropout,
        "target_modules": hyperparameters.target_modules(args.lora_target_modules),
        "bias": "none",
        "task_type": "CAUSAL_LM",
    }


def quantization_kwargs(args: argparse.Namespace, precision: Precision) -> Optional[Dict[str, object]]:
    """``transformers.BitsAndBytesConfig`` keyword arguments for QLoRA (None without ``load_in_4bit``): NF4, double
    quantization, computing in the training dtype (``bnb_4bit_compute_dtype`` is a dtype name here)."""
    if not args.load_in_4bit:
        return None
    if precision.dtype == "float32":
        raise ValueError("hyperparameter load_in_4bit=True needs a CUDA GPU (bitsandbytes 4-bit); none is visible")
    return {
        "load_in_4bit": True,
        "bnb_4bit_quant_type": "nf4",
        "bnb_4bit_use_double_quant": True,
        "bnb_4bit_compute_dtype": precision.dtype,
    }


def model_load_kwargs(args: argparse.Namespace, precision: Precision, for_training: bool,
                      transformers_version: str, local_rank: int = 0) -> Dict[str, object]:
    """``AutoModelForCausalLM.from_pretrained`` keyword arguments (the dtype and ``bnb_4bit_compute_dtype`` as names).

    For training on a GPU the weights load straight onto this process's GPU (``device_map={"": LOCAL_RANK}``: one full
    copy per process under torchrun, as DDP wants, and for QLoRA the placement bitsandbytes needs). Without it the
    whole model is first built in host memory (an 8B model in bfloat16: about 16 GB, as much as an ml.g5.xlarge has;
    under torchrun once per GPU) before the Trainer moves it. The merge (``for_training`` False) loads the base
    model unquantized on the CPU.
    """
    kwargs: Dict[str, object] = {dtype_keyword(transformers_version): precision.dtype}
    if not for_training:
        kwargs["low_cpu_mem_usage"] = True
        return kwargs
    quantization = quantization_kwargs(args, precision)
    if quantization:
        kwargs["quantization_config"] = quantization
    if precision.dtype != "float32":  # a GPU is visible (choose_precision: float32 means the CPU)
        kwargs["device_map"] = {"": local_rank}
    return kwargs


def training_arguments_kwargs(args: argparse.Namespace, checkpoint_dir: str, available: Collection[str],
                              has_validation: bool, precision: Precision) -> Dict[str, object]:
    """``TrainingArguments`` keyword arguments.

    ``available`` is the set of field names of the installed ``TrainingArguments``. Checkpoints go to
    ``checkpoint_dir`` (SageMaker syncs it to S3 and restores it after a spot interruption) every ``save_steps``,
    keeping the newest two. Evaluation runs each epoch (``eval_steps`` null) or every ``eval_steps``, and only when
    there is a validation channel; it computes the loss only (no logits are gathered: they would not fit in memory
    for a large vocabulary).
    """
    if not has_validation:
        eval_strategy = "no"
    else:
        eval_strategy = "epoch" if args.eval_steps is None else "steps"
    kwargs: Dict[str, object] = {
        "output_dir": checkpoint_dir,
        "overwrite_output_dir": False,
        "num_train_epochs": args.num_train_epochs,
        "max_steps": args.max_steps,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "per_device_eval_batch_size": args.per_device_eval_batch_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "learning_rate": args.learning_rate,
        "lr_scheduler_type": args.lr_scheduler_type,
        "warmup_ratio": args.warmup_ratio,
        "weight_decay": args.weight_decay,
        "bf16": precision.bf16,
        "fp16": precision.fp16,
        "gradient_checkpointing": args.gradient_checkpointing,
        "seed": args.seed,
        pick_name(("eval_strategy", "evaluation_strategy"), available, "the evaluation strategy"): eval_strategy,
        "save_strategy": "steps",
        "save_steps": args.save_steps,
        "save_total_limit": SAVE_TOTAL_LIMIT,
        "logging_strategy": "steps",
        "logging_steps": args.logging_steps,
        "prediction_loss_only": True,
        "label_names": ["labels"],
        "remove_unused_columns": False,       # the collator's position_ids must reach the model (packing)
        "ddp_find_unused_parameters": False,  # LoRA under torchrun: every trainable parameter is used
        "report_to": "none",                  # no TensorBoard/W&B/MLflow: nothing may reach the network
        "disable_tqdm": True,                 # progress bars are noise in CloudWatch
        "save_safetensors": True,
    }
    if args.gradient_checkpointing:
        kwargs["gradient_checkpointing_kwargs"] = {"use_reentrant": False}  # works with frozen base weights
    if eval_strategy == "steps":
        kwargs["eval_steps"] = args.eval_steps
    optional = {"save_safetensors", "overwrite_output_dir"}
    for name in sorted(name for name in kwargs if name not in available):
        if name in optional:
            del kwargs[name]
        else:
            raise ValueError(f"the installed transformers' TrainingArguments has no field {name!r}; this script "
                             f"is written for transformers 4.46 to 4.56")
    return kwargs


def perplexity(loss: float) -> float:
    """``exp(loss)``; infinity (left out of the METRIC line) when that overflows."""
    return math.exp(loss) if loss <= PERPLEXITY_LOSS_LIMIT else math.inf


def trainer_logs_to_metrics(logs: Mapping[str, object]) -> Dict[str, object]:
    """The Trainer's log renamed for the METRIC line (``loss`` -> ``train_loss``), with ``eval_perplexity`` added
    after ``eval_loss``."""
    metrics = metrics_log.trainer_logs_to_metrics(logs)
    loss = metrics.get("eval_loss")
    if isinstance(loss, (int, float)) and not isinstance(loss, bool) and math.isfinite(loss):
        metrics["eval_perplexity"] = perplexity(float(loss))
    return metrics
