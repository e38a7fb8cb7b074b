"""Hyperparameters of the translation script, parsed exactly as the SageMaker training toolkit passes them.

The toolkit decodes each hyperparameter with ``json.loads`` (keeping the raw string when that fails), drops the
``sagemaker_*`` keys, sorts the rest and runs ``train.py --key value ...`` with ``str(value)``. So booleans arrive
as ``True``/``False`` (``argparse type=bool`` would turn ``False`` into True), a JSON ``null`` arrives as an empty
argument, numbers are re-printed by Python (``2e-05``, ``3``), and a tuning job adds ``_tuning_objective_metric``.
This module accepts all of that, converts every value itself and reports every bad value in one ValueError that names
the hyperparameter. Standard library only.
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
STRATEGIES = ("no", "steps", "epoch")


def str2bool(value: str, name: str = "value") -> bool:
    """``True``/``False`` (as the toolkit prints them), ``true``/``false``, ``1``/``0``, ``yes``/``no``, any case."""
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        f"hyperparameter '{name}' must be a boolean (True/False, true/false, 1/0, yes/no); received {value!r}"
    )


def _to_int(value: str, name: str) -> int:
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and number == int(number):
        return int(number)  # "3.0": a JSON number written with a decimal point
    raise ValueError(f"hyperparameter '{name}' must be an integer; received {value!r}")


def _to_float(value: str, name: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"hyperparameter '{name}' must be a finite number (e.g. 5e-05); received {value!r}")
    return number


@dataclass(frozen=True)
class HyperParameter:
    """One accepted hyperparameter: its name, kind, default and help text."""

    name: str
    kind: str  # "str", "int", "float", "bool"
    default: object
    help: str
    nullable: bool = False  # an empty value (JSON null) means None
    choices: Optional[Sequence[str]] = None

    def convert(self, raw: Optional[str]):
        """The typed value of ``raw`` (None: not given, so the default)."""
        if raw is None:
            return self.default
        if raw == "" and self.nullable:
            return None
        if raw == "" and self.kind != "str":
            raise ValueError(
                f"hyperparameter '{self.name}' received an empty value (how the toolkit passes null) but needs "
                f"a {self.kind}; leave it out to use the default {self.default!r}"
            )
        converters: Dict[str, Callable[[str, str], object]] = {
            "str": lambda text, _name: text,
            "int": _to_int,
            "float": _to_float,
            "bool": lambda text, name: str2bool(text, name),
        }
        value = converters[self.kind](raw, self.name)  # an empty string stays "" and still meets the choices check
        if self.choices is not None and value not in self.choices:
            raise ValueError(
                f"hyperparameter '{self.name}' must be one of {', '.join(self.choices)}; received {raw!r}"
            )
        return value


HYPERPARAMETERS: List[HyperParameter] = [
    HyperParameter("model_name_or_path", "str", "t5-small",
                   "Hub id or local path of the pretrained model; ignored when the job has a 'model' channel."),
    HyperParameter("source_lang", "str", "en", "Key of the source text in each line's 'translation' object."),
    HyperParameter("target_lang", "str", "de", "Key of the target text in each line's 'translation' object."),
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
    HyperParameter("lr_scheduler_type", "str", "linear", "transformers scheduler name (linear, cosine, constant...)."),
    HyperParameter("fp16", "bool", False, "Mixed precision with float16 (GPU only)."),
    HyperParameter("bf16", "bool", False, "Mixed precision with bfloat16 (Ampere or newer GPUs)."),
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
    HyperParameter("_tuning_objective_metric", "str", "",
                   "Added by SageMaker to every training job of a tuning job; accepted and ignored."),
]

_BY_NAME = {hp.name: hp for hp in HYPERPARAMETERS}
POSITIVE_INTS = ("max_source_length", "max_target_length", "per_device_train_batch_size",
                 "per_device_eval_batch_size", "gradient_accumulation_steps", "save_steps", "logging_steps",
                 "max_train_samples", "max_eval_samples")  # the nullable ones only when not null


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print and exit(2); the caller wants one ValueError
        raise ValueError(f"invalid arguments: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser: every value is kept as a string and converted by :func:`parse_args`."""
    parser = _RaisingParser(prog="train.py", allow_abbrev=False,
                            description="Fine-tune a sequence-to-sequence model for translation on SageMaker.")
    for hp in HYPERPARAMETERS:
        parser.add_argument(f"--{hp.name}", dest=hp.name, type=str, default=None,
                            help=f"{hp.help} Default: {hp.default!r}.")
    return parser


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Raises one ValueError listing every problem: unknown hyperparameters, bad booleans, numbers or choices, each
    naming the hyperparameter and the value received.
    """
    namespace, unknown = build_parser().parse_known_args(list(argv) if argv is not None else None)
    problems: List[str] = []
    if unknown:
        problems.append(f"unknown arguments {unknown!r}; accepted hyperparameters: {', '.join(sorted(_BY_NAME))}")
    values = {}
    for hp in HYPERPARAMETERS:
        try:
            values[hp.name] = hp.convert(getattr(namespace, hp.name))
        except ValueError as error:
            problems.append(str(error))
    for name in POSITIVE_INTS:
        if isinstance(values.get(name), int) and values[name] < 1:
            problems.append(f"hyperparameter '{name}' must be at least 1; received {values[name]}")
    if values.get("fp16") and values.get("bf16"):
        problems.append("hyperparameters 'fp16' and 'bf16' are both True; choose at most one")
    if values.get("num_train_epochs") is not None and values["num_train_epochs"] <= 0 and values.get("max_steps", -1) <= 0:
        problems.append(f"hyperparameter 'num_train_epochs' must be positive; received {values['num_train_epochs']}")
    for name in ("source_lang", "target_lang"):
        if not values.get(name):
            problems.append(f"hyperparameter '{name}' must name a language key such as 'en'; received an empty value")
    if problems:
        raise ValueError("; ".join(problems))
    return argparse.Namespace(**values)
