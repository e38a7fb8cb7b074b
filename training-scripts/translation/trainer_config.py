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

from hf_recipe.job_runtime import device_description, fit_to_release, native_bf16, pick_name

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
    """Arguments of the final ``trainer.evaluate`` (the same generation settings as during training; the language
    settings of a multilingual model are in its generation config, :func:`language_settings`)."""
    kwargs: Dict[str, Optional[int]] = {"max_length": args.generation_max_length or args.max_target_length}
    if args.num_beams is not None:
        kwargs["num_beams"] = args.num_beams
    return kwargs


# How each multilingual tokenizer writes the language codes, and so what generation needs (huggingface/transformers
# src/transformers/models/..., read at the commits named; the formats are unchanged through 4.56):
# - "suffix": MBartTokenizer / MBartTokenizerFast, the original mBART (mbart-large-cc25, mbart-large-en-ro): source
#   ``X </s> src_code``, target ``X </s> tgt_code`` (mbart/tokenization_mbart.py at 024483cb, class docstring and
#   set_tgt_lang_special_tokens: "No prefix and suffix=[eos, tgt_lang_code]"). The model builds the decoder input by
#   moving that final code to the front (mbart/modeling_mbart.py at 00b676f8, shift_tokens_right, lines 65-82: "wrap
#   the last non pad token (the <LID> token)"), so the decoder starts with the target code
#   (``decoder_start_token_id``) and nothing is forced: forcing the code as the first generated token would make
#   the model emit it in place of the first word.
# - "prefix": MBart50Tokenizer(Fast) (mbart/tokenization_mbart50.py at 02cd6688, set_tgt_lang_special_tokens:
#   "prefix=[tgt_lang_code] and suffix=[eos]"), NllbTokenizer(Fast) (nllb/tokenization_nllb_fast.py, the default
#   since huggingface/transformers#22313) and M2M100Tokenizer (m2m_100/tokenization_m2m_100.py, codes ``__de__``
#   from get_lang_id): target ``tgt_code X </s>``, the decoder starts with ``</s>`` from the checkpoint's config and
#   the target code is the first generated token (``forced_bos_token_id``), as the model cards' generate calls do.
# - NLLB with ``legacy_behaviour=True`` writes the codes last like the original mBART, but its model (M2M100) starts
#   the decoder with a fixed token: no generation setting matches its labels, so it is refused.
# Any other tokenizer with src_lang/tgt_lang (FSMT, SeamlessM4T, ...) is refused by name: its code layout is unknown.
LANGUAGE_CODE_LAYOUTS = {
    "MBartTokenizer": "suffix", "MBartTokenizerFast": "suffix",
    "MBart50Tokenizer": "prefix", "MBart50TokenizerFast": "prefix",
    "NllbTokenizer": "prefix", "NllbTokenizerFast": "prefix",
    "M2M100Tokenizer": "prefix",
}
# Examples of codes for the error message, by tokenizer class.
CODE_EXAMPLES = {"MBartTokenizer": ("en_XX", "ro_RO"), "MBart50Tokenizer": ("en_XX", "de_DE"),
                 "NllbTokenizer": ("eng_Latn", "deu_Latn"), "M2M100Tokenizer": ("en", "de")}


def _known_class(tokenizer) -> Optional[str]:
    """The first class of ``tokenizer``'s hierarchy listed in :data:`LANGUAGE_CODE_LAYOUTS` (a subclass counts)."""
    return next((cls.__name__ for cls in type(tokenizer).__mro__ if cls.__name__ in LANGUAGE_CODE_LAYOUTS), None)


def is_multilingual(tokenizer) -> bool:
    """True for tokenizers that write language codes into every sequence: those of :data:`LANGUAGE_CODE_LAYOUTS` and
    any other with ``src_lang`` and ``tgt_lang`` attributes (which :func:`language_settings` refuses by name)."""
    return _known_class(tokenizer) is not None or (hasattr(tokenizer, "src_lang") and hasattr(tokenizer, "tgt_lang"))


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


def language_settings(tokenizer, args: argparse.Namespace) -> Dict[str, Optional[int]]:
    """Set ``tokenizer.src_lang`` / ``tgt_lang`` from ``source_lang_code`` / ``target_lang_code`` and return the
    generation settings the tokenizer's code layout needs (see :data:`LANGUAGE_CODE_LAYOUTS`): for the original mBART
    ``decoder_start_token_id`` = the target code and no ``forced_bos_token_id``; for mBART-50, NLLB and M2M100
    ``forced_bos_token_id`` = the target code. An empty dict for tokenizers without language codes.

    Raises ValueError naming the tokenizer class when a multilingual tokenizer gets no codes or unknown ones (its
    labels would carry no or the wrong language code), when its layout is unknown or unsupported, and when codes are
    given for a tokenizer that has none.
    """
    name = type(tokenizer).__name__
    source, target = args.source_lang_code, args.target_lang_code
    if not is_multilingual(tokenizer):
        if source or target:
            raise ValueError(f"the tokenizer {name} has no language codes; leave source_lang_code and "
                             f"target_lang_code empty (null) for it")
        return {}
    known = _known_class(tokenizer)
    supported = ", ".join(sorted(LANGUAGE_CODE_LAYOUTS))
    if known is None:
        raise ValueError(f"the tokenizer {name} has src_lang and tgt_lang, but this script does not know where it "
                         f"writes language codes, so it cannot set them or the first generated token; supported "
                         f"multilingual tokenizers: {supported}")
    if getattr(tokenizer, "legacy_behaviour", False):
        raise ValueError(f"the tokenizer {name} was loaded with legacy_behaviour=True: it writes the language code "
                         f"after the text, which the model's decoder start does not match; save the tokenizer with "
                         f"legacy_behaviour=False (the default since transformers 4.28)")
    if not (source and target):
        example = CODE_EXAMPLES[known.replace("Fast", "")]
        raise ValueError(f"the tokenizer {name} is a multilingual tokenizer: it writes a language code into every "
                         f"source and target sequence, so the hyperparameters source_lang_code and target_lang_code "
                         f"must name them (e.g. {example[0]!r} and {example[1]!r}); received "
                         f"source_lang_code={source!r}, target_lang_code={target!r}")
    ids = {}
    for hyperparameter, code in (("source_lang_code", source), ("target_lang_code", target)):
        ids[hyperparameter] = _language_id(tokenizer, code)
        if ids[hyperparameter] is None:
            raise ValueError(f"hyperparameter {hyperparameter} {code!r} is not a language code of {name}")
    tokenizer.src_lang = source
    tokenizer.tgt_lang = target
    if LANGUAGE_CODE_LAYOUTS[known] == "suffix":
        return {"decoder_start_token_id": ids["target_lang_code"], "forced_bos_token_id": None}
    return {"forced_bos_token_id": ids["target_lang_code"]}
