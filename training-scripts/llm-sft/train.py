"""Supervised fine-tuning of a causal language model with LoRA (or QLoRA): the SageMaker entry point.

Run by the sagemaker-training toolkit in the Hugging Face PyTorch training DLC as ``python train.py --key value ...``
(one process), or under ``torchrun`` when the job enables ``sagemaker_torch_distributed_enabled`` (one process per
GPU; transformers' Trainer reads ``LOCAL_RANK``/``WORLD_SIZE``). See args.py for every hyperparameter. It

1. reads the SageMaker contract (sm_contract.py): channels ``train`` (required) and ``validation`` (optional) with
   JSON Lines conversations (chat_data.py), an optional ``model`` channel with the base model (a saved model or a
   model.tar.gz: model_source.py), ``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR`` and the checkpoint directory;
2. goes offline (``HF_HUB_OFFLINE=1`` ...) when ``offline`` is True or the job is network-isolated
   (job_runtime.apply_offline), before transformers is imported;
3. formats every conversation with the tokenizer's chat template (chat_format.FALLBACK_CHAT_TEMPLATE when it has
   none), labels only the assistant tokens, truncates to ``max_seq_length`` and pads or packs (chat_format.py);
4. loads the base model (bfloat16 where the GPU has it, else float16, float32 on CPU; 4-bit NF4 with
   ``load_in_4bit``), adds LoRA adapters (peft) and trains with transformers' ``Trainer`` and gradient checkpointing,
   writing checkpoints to the checkpoint directory and resuming from the latest complete one after a spot
   interruption (checkpoints.py, job_runtime.py), with one fallback to an older one if it fails to load;
5. prints ``METRIC`` lines (train_loss, learning_rate, epoch, eval_loss, eval_perplexity) that the MetricDefinitions
   in metric_definitions.json read;
6. saves the LoRA adapter and the tokenizer to ``SM_MODEL_DIR``, with ``merge_adapter`` also the merged model to
   ``SM_MODEL_DIR/merged``, and the metrics to ``SM_OUTPUT_DATA_DIR/results.json``.

Only what the DLC ships is used (no requirements.txt: nothing is installed at run time). Importing this module has
no side effects and needs only the standard library: torch, transformers and peft are imported inside functions.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
from typing import Dict, List, Optional, Sequence

import args as hyperparameters
import chat_data
import chat_format
import sft_config
from hf_recipe import sm_contract
from hf_recipe.job_runtime import (ResumeProgress, list_dataset, metric_callback, pick_name, progress_callback,
                         resolve_job_model, run_entry_point, train_with_resume_fallback)

logger = logging.getLogger("llm-sft")
metrics_logger = logging.getLogger("llm-sft.metrics")

TRAIN_CHANNEL, VALIDATION_CHANNEL = "train", "validation"
RESULTS_FILE = "results.json"
MERGED_SUBDIR = "merged"


def _rows(tokenizer, conversations, args, what: str) -> List[Dict[str, List[int]]]:
    """Tokenized rows (packed or one example each) of ``conversations``."""
    def render(messages, add_generation_prompt):
        return tokenizer.apply_chat_template(list(messages), tokenize=False,
                                             add_generation_prompt=add_generation_prompt)

    if getattr(tokenizer, "is_fast", False):
        def encode(text):
            encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
            return encoded["input_ids"], [tuple(pair) for pair in encoded["offset_mapping"]]
        examples, stats = chat_format.build_examples(conversations, render, args.max_seq_length, encode=encode)
    else:
        logger.info("the tokenizer gives no character offsets (not a fast tokenizer): prompt and response pieces "
                    "are tokenized one by one")
        examples, stats = chat_format.build_examples(
            conversations, render, args.max_seq_length,
            encode_plain=lambda text: tokenizer(text, add_special_tokens=False)["input_ids"])
    logger.info("%s: %s", what, stats.describe())
    if stats.dropped:
        logger.warning("%s: %d rows dropped (first: %s) because no response token fits in max_seq_length=%d",
                       what, stats.dropped, stats.dropped_rows, args.max_seq_length)
    if stats.untrained_turns:
        logger.warning("%s: %d assistant turns left untrained: the chat template does not render the conversation "
                       "up to them as a prefix of the whole conversation", what, stats.untrained_turns)
    if args.packing:
        rows = chat_format.pack_examples(examples, args.max_seq_length)
        logger.info("%s: packed %d examples into %d rows of at most %d tokens", what, len(examples), len(rows),
                    args.max_seq_length)
        return rows
    return chat_format.example_rows(examples)


def _collator(pad_token_id: int, pad_to_multiple_of: Optional[int]):
    import torch  # noqa: PLC0415

    def collate(features):
        batch = chat_format.pad_batch(features, pad_token_id, pad_to_multiple_of)
        return {name: torch.tensor(values, dtype=torch.long) for name, values in batch.items()}

    return collate


def _prepare_tokenizer(tokenizer) -> None:
    """A pad token (EOS when the tokenizer has none) and a chat template (the fallback when it has none)."""
    if tokenizer.eos_token is None:
        raise ValueError("the tokenizer defines no eos_token; the model could not learn where an answer ends")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
        logger.info("the tokenizer has no pad token: padding with the EOS token %r (padding is never trained)",
                    tokenizer.eos_token)
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = chat_format.FALLBACK_CHAT_TEMPLATE
        logger.info("the tokenizer has no chat template: using the fallback template (### Instruction / "
                    "### Response, EOS after every answer); it is saved with the tokenizer for inference")


def _free_accelerator_memory() -> None:
    import torch  # noqa: PLC0415
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _load_model(model_path: str, args, precision: sft_config.Precision, for_training: bool):
    """The base model in the training dtype (4-bit NF4 for QLoRA when ``for_training``)."""
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig  # noqa: PLC0415

    kwargs = sft_config.model_load_kwargs(args, precision, for_training, transformers.__version__,
                                          int(os.environ.get("LOCAL_RANK", "0")))
    dtype_name = sft_config.dtype_keyword(transformers.__version__)
    kwargs[dtype_name] = getattr(torch, kwargs[dtype_name])
    quantization = kwargs.get("quantization_config")
    if quantization:
        quantization["bnb_4bit_compute_dtype"] = getattr(torch, quantization["bnb_4bit_compute_dtype"])
        kwargs["quantization_config"] = BitsAndBytesConfig(**quantization)
    return AutoModelForCausalLM.from_pretrained(model_path, **kwargs)


def _peft_model(model, args):
    import peft  # noqa: PLC0415

    model.config.use_cache = False  # the cache is useless in training and conflicts with gradient checkpointing
    if args.load_in_4bit:
        model = peft.prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=args.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False})
    model = peft.get_peft_model(model, peft.LoraConfig(**sft_config.lora_kwargs(args)))
    # peft's count: a bitsandbytes 4-bit weight holds two parameters per stored byte (numel() counts bytes)
    trainable, total = model.get_nb_trainable_parameters()
    logger.info("LoRA r=%d alpha=%d on %s: %d trainable parameters of %d (%.3f%%)", args.lora_r, args.lora_alpha,
                args.lora_target_modules, trainable, total, 100.0 * trainable / max(total, 1))
    return model


def merge_adapter(model_path: str, adapter_dir: str, merged_dir: str, tokenizer, args,
                  precision: sft_config.Precision) -> str:
    """Load the base model (never quantized) on the CPU, apply the adapter saved in ``adapter_dir``, merge it into
    the weights and save the result (safetensors) with the tokenizer to ``merged_dir``."""
    from peft import PeftModel  # noqa: PLC0415

    logger.info("merging the adapter into %s (on the CPU, %s)", model_path, precision.dtype)
    base = _load_model(model_path, args, precision, for_training=False)
    merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    merged.config.use_cache = True
    merged.save_pretrained(merged_dir, safe_serialization=True)
    tokenizer.save_pretrained(merged_dir)
    logger.info("merged model saved to %s", merged_dir)
    return merged_dir


def train(args, context: sm_contract.SageMakerContext) -> dict:
    """Fine-tune, evaluate and save; returns the metrics written to ``results.json``."""
    import dataclasses  # noqa: PLC0415
    import inspect  # noqa: PLC0415

    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import AutoTokenizer, Trainer, TrainingArguments  # noqa: PLC0415

    precision = sft_config.precision_for_device(args.bf16, torch.cuda)  # native bfloat16 only (not emulated)
    if args.load_in_4bit:
        sft_config.quantization_kwargs(args, precision)  # refuses 4-bit without a GPU before anything loads
    logger.info("transformers %s, torch %s; %s; channels %s; hosts %s (this is %s); world size %s; "
                "offline=%s", transformers.__version__, torch.__version__, precision.reason,
                sorted(context.channels), context.hosts, context.current_host, os.environ.get("WORLD_SIZE", "1"),
                args.offline)

    model_path = resolve_job_model(args.model_name_or_path, context, "llm-sft", args.offline)
    logger.info("loading tokenizer from %s", model_path)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    _prepare_tokenizer(tokenizer)

    train_dir = context.channel(TRAIN_CHANNEL)
    if not train_dir:
        raise ValueError(f"the job has no '{TRAIN_CHANNEL}' channel; channels received: {sorted(context.channels)}")
    train_rows = _rows(tokenizer, chat_data.load_channel(train_dir, args.max_train_samples), args, "train")
    eval_rows = None
    if context.channel(VALIDATION_CHANNEL):
        eval_rows = _rows(tokenizer, chat_data.load_channel(context.channel(VALIDATION_CHANNEL),
                                                            args.max_eval_samples), args, "validation")
    else:
        logger.warning("no '%s' channel: no evaluation, so no eval_loss (the tuning objective) is reported",
                       VALIDATION_CHANNEL)
    train_dataset = list_dataset(train_rows)
    eval_dataset = list_dataset(eval_rows) if eval_rows is not None else None
    collate = _collator(tokenizer.pad_token_id, 8 if (precision.bf16 or precision.fp16) else None)

    available = {field.name for field in dataclasses.fields(TrainingArguments)}
    training_args = TrainingArguments(**sft_config.training_arguments_kwargs(
        args, context.checkpoint_dir, available, eval_dataset is not None, precision))
    tokenizer_kwarg = pick_name(("processing_class", "tokenizer"), inspect.signature(Trainer.__init__).parameters,
                                "the Trainer's tokenizer")

    def attempt(resume_from: Optional[str], progress: ResumeProgress):
        # A fresh model and Trainer per attempt: a checkpoint that failed half-way may have left weights loaded.
        _free_accelerator_memory()
        logger.info("loading model from %s (%s%s)", model_path, precision.dtype,
                    ", 4-bit NF4" if args.load_in_4bit else "")
        model = _peft_model(_load_model(model_path, args, precision, for_training=True), args)
        trainer = Trainer(
            model=model, args=training_args, train_dataset=train_dataset, eval_dataset=eval_dataset,
            data_collator=collate,
            callbacks=[metric_callback(metrics_logger, sft_config.trainer_logs_to_metrics),
                       progress_callback(progress)],
            **{tokenizer_kwarg: tokenizer})
        return trainer, trainer.train(resume_from_checkpoint=resume_from)

    (trainer, train_result), resume_from = train_with_resume_fallback(attempt, context.checkpoint_dir)

    results = {"train": train_result.metrics, "resumed_from": resume_from, "model_source": model_path,
               "precision": precision.dtype, "packing": args.packing}
    if eval_dataset is not None:
        evaluation = trainer.evaluate()
        evaluation.setdefault("eval_perplexity", sft_config.perplexity(evaluation["eval_loss"]))
        results["eval"] = evaluation

    trainer.save_model(context.model_dir)  # the LoRA adapter: adapter_config.json + adapter_model.safetensors
    if not trainer.is_world_process_zero():
        return results
    tokenizer.save_pretrained(context.model_dir)
    logger.info("adapter and tokenizer saved to %s", context.model_dir)
    if args.merge_adapter:
        del trainer
        _free_accelerator_memory()
        results["merged_model"] = merge_adapter(model_path, context.model_dir,
                                                os.path.join(context.model_dir, MERGED_SUBDIR), tokenizer, args,
                                                precision)
    os.makedirs(context.output_data_dir, exist_ok=True)
    with open(os.path.join(context.output_data_dir, RESULTS_FILE), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, default=str)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: parse the hyperparameters, read the contract, train. Returns the process exit code."""
    return run_entry_point(argv, hyperparameters.parse_args, train, logger)


if __name__ == "__main__":
    sys.exit(main())
