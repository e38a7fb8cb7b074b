"""The settings the llm-sft script hands to transformers, peft and bitsandbytes, as plain dictionaries.

Kept free of those packages (dtype names are strings, converted in train.py) so the mapping from hyperparameters is
unit-tested without them. Written against the versions the Hugging Face PyTorch training DLC 2.8.0 ships
(transformers 4.56.2, peft 0.17.1, bitsandbytes; see README.md) and tolerant of the renames around them:
``evaluation_strategy`` -> ``eval_strategy`` (transformers 4.41), ``torch_dtype`` -> ``dtype`` (4.56), and in 5.x
``overwrite_output_dir`` and ``save_safetensors`` removed (5.0), ``group_by_length`` replaced by
``train_sampling_strategy``, ``warmup_ratio`` removed (5.15; ``warmup_steps`` takes the ratio as a float).
Standard library only.
"""
from __future__ import annotations

import argparse
import math
from typing import Collection, Dict, List, Mapping, Optional, Sequence, Tuple

import args as hyperparameters
import metrics_log
from job_runtime import NATIVE_BF16_MAJOR, device_description, fit_to_release, native_bf16, pick_name  # noqa: F401

SUPPORTED_TRANSFORMERS = "4.46 to 5.x"
OPTIONAL_FIELDS = ("overwrite_output_dir", "save_safetensors")
ISOLATION_TOLERANCE = 1e-3  # packed-probe logit change allowed, relative to the largest logit (exactly 0 expected)
TOKEN_LOSS, LOSS_TOKENS = "token_loss", "loss_tokens"  # compute_metrics keys (the Trainer prefixes "eval_")

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


def precision_for_device(bf16_setting: str, cuda) -> Precision:
    """:func:`choose_precision` for the GPU that ``cuda`` (the ``torch.cuda`` module) sees, or the CPU."""
    if not cuda.is_available():
        return choose_precision(bf16_setting, False, False, "CPU")
    return choose_precision(bf16_setting, True, native_bf16(cuda), device_description(cuda))


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


def attention_implementation(setting: str, packing: bool, flash_attn_installed: bool,
                             precision: Precision) -> Tuple[str, bool, str]:
    """(``attn_implementation`` for ``from_pretrained``, whether packed batches are flattened into one row, why).

    Always explicit, so a checkpoint's config.json cannot switch the model to another implementation. ``auto``:
    with packing, flash-attention's varlen path where the flash_attn package is installed and the GPU trains in half
    precision (each batch flattened into one row: flash-attention finds packed sequences only in a batch of one
    row, transformers ``modeling_flash_attention_utils._is_packed_sequence``); otherwise sdpa. Either way the script
    proves isolation for the loaded model before training (train.py).
    """
    half = precision.dtype in ("bfloat16", "float16")
    if setting == "flash_attention_2":
        if not flash_attn_installed:
            raise ValueError("hyperparameter attn_implementation=flash_attention_2 needs the flash_attn package, "
                             "which this image does not have; use auto or sdpa")
        if not half:
            raise ValueError(f"hyperparameter attn_implementation=flash_attention_2: flash_attention_2 computes in "
                             f"bfloat16 or float16, but this job trains in {precision.dtype} ({precision.reason})")
        return "flash_attention_2", packing, "asked for"
    if setting != "auto":
        return setting, False, "asked for"
    if packing and flash_attn_installed and half:
        return "flash_attention_2", True, "packing, flash_attn installed: the varlen path, one flattened row a batch"
    if packing:
        why = "flash_attn is not installed" if not flash_attn_installed else f"{precision.dtype} training"
        return "sdpa", False, f"packing without flash-attention ({why}): sdpa with a block mask from position_ids"
    return "sdpa", False, "padding mode"


def isolation_holds(max_change: float, largest_logit: float) -> bool:
    """The probe's verdict: packed examples are isolated when the logits of one example do not change (beyond
    ``ISOLATION_TOLERANCE`` of the largest logit) when the example packed before it is replaced. The two forward
    passes have the same shapes, so an isolated model gives exactly equal logits."""
    if not (math.isfinite(max_change) and math.isfinite(largest_logit)):
        return False
    return max_change <= ISOLATION_TOLERANCE * max(abs(largest_logit), 1.0)


def half_precision_parameters(named_parameters, half_dtypes) -> List[str]:
    """Names of the parameters ``prepare_model_for_kbit_training`` upcasts to float32: every bfloat16/float16
    parameter that is not a bitsandbytes 4-bit weight (peft v0.17.1 src/peft/utils/other.py lines 151-156)."""
    return [name for name, parameter in named_parameters
            if parameter.dtype in half_dtypes and type(parameter).__name__ != "Params4bit"]


def restore_dtype(named_parameters, names: Collection[str], dtype) -> int:
    """Cast the parameters ``names`` back to ``dtype`` (QLoRA: the frozen embeddings, lm_head and norms that peft
    upcast; in float32 they would turn the residual stream and every checkpointed activation into float32).
    Returns how many were cast."""
    wanted = set(names)
    cast = 0
    for name, parameter in named_parameters:
        if name in wanted and parameter.dtype != dtype:
            parameter.data = parameter.data.to(dtype)
            cast += 1
    return cast


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
                      transformers_version: str, local_rank: int = 0,
                      attn_implementation: str = "sdpa") -> Dict[str, object]:
    """``AutoModelForCausalLM.from_pretrained`` keyword arguments (the dtype and ``bnb_4bit_compute_dtype`` as names).

    For training on a GPU the weights load straight onto this process's GPU (``device_map={"": LOCAL_RANK}``: one full
    copy per process under torchrun, as DDP wants, and for QLoRA the placement bitsandbytes needs). Without it the
    whole model is first built in host memory (an 8B model in bfloat16: about 16 GB, as much as an ml.g5.xlarge has;
    under torchrun once per GPU) before the Trainer moves it. The merge (``for_training`` False) loads the base
    model unquantized on the CPU. The attention implementation is always explicit (a checkpoint's config.json could
    otherwise choose one under which packed examples attend to each other); the merge uses sdpa.
    """
    kwargs: Dict[str, object] = {dtype_keyword(transformers_version): precision.dtype,
                                 "attn_implementation": attn_implementation if for_training else "sdpa"}
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
    there is a validation channel; no logits are gathered (they would not fit in memory for a large vocabulary):
    train.py reduces each row to its loss sum and token count (``preprocess_logits_for_metrics``), so ``eval_loss``
    is the mean over tokens (:func:`token_weighted_loss`). Padding mode groups rows of similar length into batches.
    Fields the installed release lacks are mapped or dropped (module docstring).
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
        "prediction_loss_only": False,        # the per-row loss sums reach compute_metrics (token-weighted)
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
    if "warmup_ratio" in available:
        kwargs["warmup_ratio"] = args.warmup_ratio
    else:  # transformers 5.15 removed it; warmup_steps below 1 is a ratio there
        kwargs["warmup_steps"] = float(args.warmup_ratio)
    if not args.packing:  # fewer padding tokens per batch
        if "group_by_length" in available:
            kwargs["group_by_length"] = True
        elif "train_sampling_strategy" in available:
            kwargs["train_sampling_strategy"] = "group_by_length"
    return fit_to_release(kwargs, available, OPTIONAL_FIELDS, SUPPORTED_TRANSFORMERS)


def token_weighted_loss(rows: Sequence[Sequence[float]]) -> Dict[str, object]:
    """compute_metrics' result from the per-row ``(loss sum, token count)`` pairs of the evaluation set: the mean
    loss over all tokens (the Trainer's own ``eval_loss`` averages per-batch token means weighted by batch size,
    transformers trainer.py ``evaluation_loop``), and the token count."""
    loss_sum = tokens = 0.0
    for row in rows:
        loss_sum += float(row[0])
        tokens += float(row[1])
    return {TOKEN_LOSS: loss_sum / tokens if tokens else math.nan, LOSS_TOKENS: int(tokens)}


def use_token_weighted_loss(metrics: Mapping[str, object]) -> Dict[str, object]:
    """``metrics`` with ``eval_loss`` replaced by the token-weighted ``eval_token_loss`` (when present) and
    ``eval_perplexity`` = exp of it."""
    result = dict(metrics)
    for key in list(result):
        if key.endswith(f"_{TOKEN_LOSS}"):
            prefix = key[:-len(TOKEN_LOSS) - 1]
            value = result.pop(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                result[f"{prefix}_loss"] = float(value)
                if math.isfinite(value):
                    result[f"{prefix}_perplexity"] = perplexity(float(value))
    return result


def perplexity(loss: float) -> float:
    """``exp(loss)``; infinity (left out of the METRIC line) when that overflows."""
    return math.exp(loss) if loss <= PERPLEXITY_LOSS_LIMIT else math.inf


def trainer_logs_to_metrics(logs: Mapping[str, object]) -> Dict[str, object]:
    """The Trainer's log renamed for the METRIC line (``loss`` -> ``train_loss``), with ``eval_perplexity`` added
    after ``eval_loss``."""
    metrics = metrics_log.trainer_logs_to_metrics(use_token_weighted_loss(logs))
    loss = metrics.get("eval_loss")
    if isinstance(loss, (int, float)) and not isinstance(loss, bool) and math.isfinite(loss):
        metrics["eval_perplexity"] = perplexity(float(loss))
    return metrics
