"""Keyword arguments for ``Seq2SeqTrainingArguments``, ``Seq2SeqTrainer`` and generation across transformers 4.36
to 5.x, the training precision, and the language codes of multilingual tokenizers.

Names moved between releases: ``evaluation_strategy`` became ``eval_strategy`` (4.41; the old name was removed in
4.46), ``Seq2SeqTrainer(tokenizer=...)`` became ``processing_class=`` (4.46), and 5.0 removed
``overwrite_output_dir`` and ``save_safetensors``. The caller passes the names that the installed version accepts
(read from its signature at run time) and these functions pick among them.
Standard library only, so the mapping is unit-tested without transformers.
"""
from __future__ import annotations

import argparse
from typing import Collection, Dict, Mapping, Optional

from job_runtime import device_description, fit_to_release, native_bf16, pick_name

SUPPORTED_TRANSFORMERS = "4.36 to 5.x"
# Fields a release may lack without harm: older releases save .bin only; 5.0 removed the first two.
OPTIONAL_FIELDS = ("overwrite_output_dir", "save_safetensors", "tf32")


def precision_kwargs(args: argparse.Namespace, cuda) -> Dict[str, bool]:
    """``bf16`` / ``fp16`` / ``tf32`` for the GPU that ``cuda`` (the ``torch.cuda`` module) sees.

    ``bf16=auto`` trains in bfloat16 mixed precision where the GPU computes in it natively (compute capability 8.0 or
    newer: A10G, L4, A100, H100, H200) and in float32 elsewhere (float16 is T5's known overflow trap, so it is used
    only when ``fp16`` asks for it); TF32 matrix multiplications are on wherever the GPU has them (the same GPUs).
    ``bf16=true`` on a GPU without native bfloat16 is refused, naming the device.
    """
    native = native_bf16(cuda)
    if args.bf16 == "true" and not native:
        raise ValueError(f"hyperparameter bf16=true but {device_description(cuda)} has no native bfloat16 (compute "
                         f"capability 8.0 or newer needed: ml.g5, ml.g6, ml.p4d, ml.p5 ...); use bf16=auto, which "
                         f"trains in float32 there, or fp16=true")
    kwargs = {"bf16": bool(not args.fp16 and args.bf16 != "false" and native), "fp16": bool(args.fp16)}
    if native:
        kwargs["tf32"] = True
    return kwargs


def training_arguments_kwargs(args: argparse.Namespace, checkpoint_dir: str, available: Collection[str],
                              has_validation: bool,
                              precision: Optional[Mapping[str, bool]] = None) -> Dict[str, object]:
    """``Seq2SeqTrainingArguments`` keyword arguments.

    ``available`` is the set of field names of the installed ``Seq2SeqTrainingArguments``; ``precision`` comes from
    :func:`precision_kwargs` (default: ``fp16`` as given, ``bf16`` only when ``true``). Checkpoints go to
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
    kwargs.update(precision if precision is not None else {"fp16": args.fp16, "bf16": args.bf16 == "true"})
    if eval_strategy == "steps" and args.eval_steps is not None:
        kwargs["eval_steps"] = args.eval_steps
    return fit_to_release(kwargs, available, OPTIONAL_FIELDS, SUPPORTED_TRANSFORMERS)


def trainer_tokenizer_kwarg(trainer_parameters: Collection[str]) -> str:
    """``processing_class`` (transformers >= 4.46) or ``tokenizer`` (older) for ``Seq2SeqTrainer``."""
    return pick_name(("processing_class", "tokenizer"), trainer_parameters, "the Seq2SeqTrainer tokenizer")


def generation_kwargs(args: argparse.Namespace) -> Dict[str, Optional[int]]:
    """Arguments of the final ``trainer.evaluate`` (the same generation settings as during training; the forced
    first token of a multilingual model is in its generation config, :func:`language_settings`)."""
    kwargs: Dict[str, Optional[int]] = {"max_length": args.generation_max_length or args.max_target_length}
    if args.num_beams is not None:
        kwargs["num_beams"] = args.num_beams
    return kwargs


# Examples of codes for the error message, by what the tokenizer's class is called.
CODE_EXAMPLES = (("Nllb", "eng_Latn", "deu_Latn"), ("MBart", "en_XX", "de_DE"), ("M2M100", "en", "de"))


def is_multilingual(tokenizer) -> bool:
    """True for tokenizers that write language codes into every sequence (NLLB, mBART, mBART-50, M2M100): they have
    ``src_lang`` and ``tgt_lang`` (transformers models/nllb/tokenization_nllb_fast.py, m2m_100, mbart50)."""
    return hasattr(tokenizer, "src_lang") and hasattr(tokenizer, "tgt_lang")


def _language_id(tokenizer, code: str) -> Optional[int]:
    if hasattr(tokenizer, "get_lang_id"):  # M2M100: "de" -> "__de__"
        try:
            return int(tokenizer.get_lang_id(code))
        except (KeyError, ValueError, TypeError):
            return None
    token_id = tokenizer.convert_tokens_to_ids(code)
    if token_id is None or token_id == getattr(tokenizer, "unk_token_id", None):
        return None
    return int(token_id)


def language_settings(tokenizer, args: argparse.Namespace) -> Dict[str, int]:
    """Set ``tokenizer.src_lang`` / ``tgt_lang`` from ``source_lang_code`` / ``target_lang_code`` and return the
    generation setting ``forced_bos_token_id`` (the target language's code, which these models must generate
    first), for multilingual tokenizers; an empty dict for others.

    Raises ValueError when a multilingual tokenizer gets no codes or unknown ones (its labels would carry no or the
    wrong language code), and when codes are given for a tokenizer that has none.
    """
    name = type(tokenizer).__name__
    source, target = args.source_lang_code, args.target_lang_code
    if not is_multilingual(tokenizer):
        if source or target:
            raise ValueError(f"the tokenizer {name} has no language codes; leave source_lang_code and "
                             f"target_lang_code empty (null) for it")
        return {}
    if not (source and target):
        examples = next((f"{s!r} and {t!r}" for prefix, s, t in CODE_EXAMPLES if name.startswith(prefix)),
                        "'eng_Latn' and 'deu_Latn' (NLLB), 'en_XX' and 'de_DE' (mBART-50) or 'en' and 'de' (M2M100)")
        raise ValueError(f"the tokenizer {name} is a multilingual tokenizer: it writes a language code into every "
                         f"source and target sequence, so the hyperparameters source_lang_code and target_lang_code "
                         f"must name them (e.g. {examples}); received source_lang_code={source!r}, "
                         f"target_lang_code={target!r}")
    ids = {}
    for hyperparameter, code in (("source_lang_code", source), ("target_lang_code", target)):
        ids[hyperparameter] = _language_id(tokenizer, code)
        if ids[hyperparameter] is None:
            raise ValueError(f"hyperparameter {hyperparameter} {code!r} is not a language code of {name}")
    tokenizer.src_lang = source
    tokenizer.tgt_lang = target
    return {"forced_bos_token_id": ids["target_lang_code"]}
