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
from typing import Dict, List, Optional, Sequence, Tuple

import args as hyperparameters
import chat_data
import chat_format
from hf_recipe import metrics_log
import sft_config
from hf_recipe import sm_contract
from hf_recipe.job_runtime import (ResumeProgress, final_evaluation, list_dataset, metric_callback, pick_name,
                                   process_group, progress_callback, resolve_job_model, run_entry_point,
                                   train_with_resume_fallback)

logger = logging.getLogger("llm-sft")
metrics_logger = logging.getLogger("llm-sft.metrics")

TRAIN_CHANNEL, VALIDATION_CHANNEL = "train", "validation"
RESULTS_FILE = "results.json"
RECIPE_FILE = "recipe.json"


def merged_subdirectory(recipe_dir: str = os.path.dirname(os.path.abspath(__file__))) -> str:
    """The folder of SM_MODEL_DIR the merged model goes to: ``inference.modelDirectory`` of the recipe's ``recipe.json``
    (beside this script in the job's archive), where the registered package's serving container (TGI, HF_MODEL_ID)
    looks for the weights."""
    with open(os.path.join(recipe_dir, RECIPE_FILE), encoding="utf-8") as handle:
        return json.load(handle)["inference"]["modelDirectory"]


def _renderer(tokenizer):
    def render(messages, add_generation_prompt):
        return tokenizer.apply_chat_template(list(messages), tokenize=False,
                                             add_generation_prompt=add_generation_prompt)
    return render


def _encoders(tokenizer) -> dict:
    """``encode`` (with character offsets, fast tokenizers) or ``encode_plain`` for chat_format.build_examples."""
    if getattr(tokenizer, "is_fast", False):
        def encode(text):
            encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
            return encoded["input_ids"], [tuple(pair) for pair in encoded["offset_mapping"]]
        return {"encode": encode}
    return {"encode_plain": lambda text: tokenizer(text, add_special_tokens=False)["input_ids"]}


def _rows(tokenizer, conversations, args, what: str) -> List[Dict[str, List[int]]]:
    """Tokenized rows (packed or one example each) of ``conversations``."""
    encoders = _encoders(tokenizer)
    if "encode" not in encoders:
        logger.info("the tokenizer gives no character offsets (not a fast tokenizer): prompt and response pieces "
                    "are tokenized one by one")
    examples, stats = chat_format.build_examples(conversations, _renderer(tokenizer), args.max_seq_length,
                                                 **encoders)
    logger.info("%s: %s", what, stats.describe())
    if stats.dropped:
        logger.warning("%s: %d rows dropped (first: %s) because no response token fits in max_seq_length=%d",
                       what, stats.dropped, stats.dropped_rows, args.max_seq_length)
    if stats.untrained_turns:
        logger.warning("%s: %d assistant turns left untrained (%d rows without any trainable turn): the chat "
                       "template's generation prompt is not the start of the answer it renders (%s)", what,
                       stats.untrained_turns, stats.template_dropped, stats.template_problem)
    if stats.separate_turns:
        logger.info("%s: %d earlier assistant turns are rendered differently inside the whole conversation (the "
                    "chat template rewrites them); each is trained in the conversation up to it", what,
                    stats.separate_turns)
    if stats.straddling_tokens:
        logger.info("%s: %d tokens straddle an answer boundary (labelled by their first character)", what,
                    stats.straddling_tokens)
    if args.packing:
        rows = chat_format.pack_examples(examples, args.max_seq_length)
        logger.info("%s: packed %d examples into %d rows of at most %d tokens", what, len(examples), len(rows),
                    args.max_seq_length)
        return rows
    return chat_format.example_rows(examples)


def _collator(pad_token_id: int, pad_to_multiple_of: Optional[int], flatten: bool = False):
    """Tensors of a batch: padded rows, or (flash-attention varlen) one flattened row of packed examples."""
    import torch  # noqa: PLC0415

    layout = chat_format.flatten_batch if flatten else chat_format.pad_batch

    def collate(features):
        batch = layout(features, pad_token_id, pad_to_multiple_of)
        return {name: torch.tensor(values, dtype=torch.long) for name, values in batch.items()}

    return collate


def _token_loss_sums(logits, labels):
    """``preprocess_logits_for_metrics``: each row's (summed loss over its trained tokens, their count), so the
    evaluation loss is a mean over tokens (sft_config.token_weighted_loss) and no logits are gathered."""
    import torch  # noqa: PLC0415

    if isinstance(logits, (tuple, list)):
        logits = logits[0]
    rows = []
    for row in range(logits.shape[0]):
        targets = labels[row, 1:]
        loss = torch.nn.functional.cross_entropy(logits[row, :-1].float(), targets,
                                                 ignore_index=chat_format.IGNORE_INDEX, reduction="sum")
        rows.append(torch.stack([loss, (targets != chat_format.IGNORE_INDEX).sum().to(loss.dtype)]))
    return torch.stack(rows)


def _evaluation_hooks():
    """The Trainer arguments that make ``eval_loss`` token-weighted (sft_config.use_token_weighted_loss)."""
    return {"preprocess_logits_for_metrics": _token_loss_sums,
            "compute_metrics": lambda prediction: sft_config.token_weighted_loss(prediction.predictions)}


PROBE_LENGTHS = (24, 16, 20)  # the example packed first, the one whose logits are compared, the one in row 1


def packing_probe(model, collate, vocab_size: int) -> Tuple[float, float]:
    """(largest change of one packed example's logits when the example packed before it is replaced, largest
    logit): a batch laid out as in training (``collate``: padded rows or one flattened row) with two examples packed
    in row 0 and a third in row 1 (chat_format.isolation_probe_rows), run twice with a different first example.
    Isolated attention gives equal logits; attention across the packed examples does not."""
    import torch  # noqa: PLC0415

    generator = torch.Generator().manual_seed(0)
    low = min(10, max(vocab_size - 1, 0))

    def tokens(length):
        return torch.randint(low, vocab_size, (length,), generator=generator).tolist()

    first, replacement, second, third = (tokens(PROBE_LENGTHS[0]), tokens(PROBE_LENGTHS[0]), tokens(PROBE_LENGTHS[1]),
                                         tokens(PROBE_LENGTHS[2]))
    device = model.get_input_embeddings().weight.device
    window = slice(len(first), len(first) + len(second))
    was_training = model.training
    model.eval()
    outputs = []
    try:
        with torch.no_grad():
            for lead in (first, replacement):
                batch = collate(chat_format.isolation_probe_rows(lead, second, third))
                batch = {name: value.to(device) for name, value in batch.items() if name != "labels"}
                outputs.append(model(**batch, use_cache=False).logits[0, window].float())
    finally:
        model.train(was_training)
    return (outputs[0] - outputs[1]).abs().max().item(), outputs[0].abs().max().item()


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


def _load_model(model_path: str, args, precision: sft_config.Precision, for_training: bool,
                attn_implementation: str = "sdpa"):
    """The base model in the training dtype (4-bit NF4 for QLoRA when ``for_training``), with the attention
    implementation given (never the one a checkpoint's config.json may name)."""
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig  # noqa: PLC0415

    kwargs = sft_config.model_load_kwargs(args, precision, for_training, transformers.__version__,
                                          int(os.environ.get("LOCAL_RANK", "0")), attn_implementation)
    dtype_name = sft_config.dtype_keyword(transformers.__version__)
    kwargs[dtype_name] = getattr(torch, kwargs[dtype_name])
    quantization = kwargs.get("quantization_config")
    if quantization:
        quantization["bnb_4bit_compute_dtype"] = getattr(torch, quantization["bnb_4bit_compute_dtype"])
        kwargs["quantization_config"] = BitsAndBytesConfig(**quantization)
    return AutoModelForCausalLM.from_pretrained(model_path, **kwargs)


def _peft_model(model, args, precision: sft_config.Precision):
    """``model`` with LoRA adapters, initialised after seeding from ``seed`` (reproducible runs); for QLoRA the
    frozen weights that ``prepare_model_for_kbit_training`` upcast to float32 go back to the compute dtype."""
    import peft  # noqa: PLC0415
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415

    transformers.set_seed(args.seed)  # the Trainer seeds only later, after the LoRA weights exist
    model.config.use_cache = False  # the cache is useless in training and conflicts with gradient checkpointing
    if args.load_in_4bit:
        upcast = sft_config.half_precision_parameters(model.named_parameters(), (torch.bfloat16, torch.float16))
        model = peft.prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=args.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False})
        cast = sft_config.restore_dtype(model.named_parameters(), upcast, getattr(torch, precision.dtype))
        logger.info("QLoRA: %d frozen parameters (embeddings, lm_head, norms) kept in %s rather than float32",
                    cast, precision.dtype)
    model = peft.get_peft_model(model, peft.LoraConfig(**sft_config.lora_kwargs(args)))
    # peft's count: a bitsandbytes 4-bit weight holds two parameters per stored byte (numel() counts bytes)
    trainable, total = model.get_nb_trainable_parameters()
    logger.info("LoRA r=%d alpha=%d on %s: %d trainable parameters of %d (%.3f%%)", args.lora_r, args.lora_alpha,
                args.lora_target_modules, trainable, total, 100.0 * trainable / max(total, 1))
    return model


def merge_adapter(model_path: str, adapter_dir: str, merged_dir: str, tokenizer, args,
                  precision: sft_config.Precision):
    """Load the base model (never quantized) on the CPU, apply the adapter saved in ``adapter_dir``, merge it into
    the weights and save the result (safetensors) with the tokenizer to ``merged_dir``; returns the merged model."""
    from peft import PeftModel  # noqa: PLC0415

    logger.info("merging the adapter into %s (on the CPU, %s)", model_path, precision.dtype)
    base = _load_model(model_path, args, precision, for_training=False)
    merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    merged.config.use_cache = True
    merged.save_pretrained(merged_dir)  # safetensors, the default of every supported release
    tokenizer.save_pretrained(merged_dir)
    logger.info("merged model saved to %s", merged_dir)
    return merged


def merged_evaluation(merged, eval_rows, pad_token_id: int, batch_size: int) -> Dict[str, object]:
    """The merged model's token-weighted loss on the validation examples (one example per row, padded, on the GPU
    when there is one): what the merged weights (W + BA rounded to the training dtype; for QLoRA, an adapter learned
    against 4-bit weights added to the original ones) actually score."""
    import torch  # noqa: PLC0415

    device = "cuda" if torch.cuda.is_available() else "cpu"
    merged.to(device).eval()
    collate = _collator(pad_token_id, None)
    sums = []
    with torch.no_grad():
        for start in range(0, len(eval_rows), batch_size):
            batch = collate(eval_rows[start:start + batch_size])
            labels = batch.pop("labels").to(device)
            logits = merged(**{name: value.to(device) for name, value in batch.items()}, use_cache=False).logits
            sums.extend(_token_loss_sums(logits, labels).tolist())
    return sft_config.token_weighted_loss(sums)


def train(args, context: sm_contract.SageMakerContext) -> dict:
    """Fine-tune, evaluate and save; returns the metrics written to ``results.json``."""
    import dataclasses  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415
    import inspect  # noqa: PLC0415

    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import AutoTokenizer, Trainer, TrainingArguments  # noqa: PLC0415

    precision = sft_config.precision_for_device(args.bf16, torch.cuda)  # native bfloat16 only (not emulated)
    if args.load_in_4bit:
        sft_config.quantization_kwargs(args, precision)  # refuses 4-bit without a GPU before anything loads
    attention = dict(zip(("implementation", "flatten", "reason"), sft_config.attention_implementation(
        args.attn_implementation, args.packing, importlib.util.find_spec("flash_attn") is not None, precision)))
    logger.info("transformers %s, torch %s; %s; attention %s (%s); channels %s; hosts %s (this is %s); world size "
                "%s; offline=%s", transformers.__version__, torch.__version__, precision.reason,
                attention["implementation"], attention["reason"], sorted(context.channels), context.hosts,
                context.current_host, os.environ.get("WORLD_SIZE", "1"), args.offline)

    model_path = resolve_job_model(args.model_name_or_path, context, "llm-sft", args.offline)
    logger.info("loading tokenizer from %s", model_path)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    _prepare_tokenizer(tokenizer)

    train_dir = context.channel(TRAIN_CHANNEL)
    if not train_dir:
        raise ValueError(f"the job has no '{TRAIN_CHANNEL}' channel; channels received: {sorted(context.channels)}")
    train_rows = _rows(tokenizer, chat_data.load_channel(train_dir, args.max_train_samples), args, "train")
    eval_rows = eval_conversations = None
    if context.channel(VALIDATION_CHANNEL):
        eval_conversations = chat_data.load_channel(context.channel(VALIDATION_CHANNEL), args.max_eval_samples)
        eval_rows = _rows(tokenizer, eval_conversations, args, "validation")
    else:
        logger.warning("no '%s' channel: no evaluation, so no eval_loss (the tuning objective) is reported",
                       VALIDATION_CHANNEL)
    train_dataset = list_dataset(train_rows)
    eval_dataset = list_dataset(eval_rows) if eval_rows is not None else None
    pad_multiple = 8 if (precision.bf16 or precision.fp16) else None

    available = {field.name for field in dataclasses.fields(TrainingArguments)}
    training_args = TrainingArguments(**sft_config.training_arguments_kwargs(
        args, context.checkpoint_dir, available, eval_dataset is not None, precision))
    _ = training_args.device  # sets up torch.distributed under torchrun, so the ranks can agree on the checkpoint
    tokenizer_kwarg = pick_name(("processing_class", "tokenizer"), inspect.signature(Trainer.__init__).parameters,
                                "the Trainer's tokenizer")

    def load_and_probe():
        """The LoRA model with the chosen attention; with packing, isolation proven for it (sdpa when the
        flash-attention path fails the probe under auto), else a ValueError refusing packing."""
        while True:
            model = _peft_model(_load_model(model_path, args, precision, True, attention["implementation"]), args,
                                precision)
            collate = _collator(tokenizer.pad_token_id, pad_multiple, attention["flatten"])
            if not args.packing:
                return model, collate
            change, largest = packing_probe(model, collate, len(tokenizer))
            layout = "one flattened row per batch" if attention["flatten"] else "padded rows"
            if sft_config.isolation_holds(change, largest):
                logger.info("packing: packed examples are isolated in this model (%s, %s; the probe's logits "
                            "changed by %.3g, largest logit %.3g)", attention["implementation"], layout, change,
                            largest)
                return model, collate
            if args.attn_implementation == "auto" and attention["implementation"] != "sdpa":
                logger.warning("packing: %s with %s lets packed examples attend to each other in this model "
                               "(logits changed by %.3g); trying sdpa", attention["implementation"], layout, change)
                attention.update(implementation="sdpa", flatten=False, reason="the flash-attention path failed the "
                                 "packing probe")
                del model
                _free_accelerator_memory()
                continue
            raise ValueError(
                f"hyperparameter packing=true refused: packed examples attend to each other in this model "
                f"({getattr(model.config, 'model_type', '?')} with attn_implementation="
                f"{attention['implementation']}, {layout}, transformers {transformers.__version__}, torch "
                f"{torch.__version__}): replacing the example packed first changed the next one's logits by "
                f"{change:.3g} (largest logit {largest:.3g}). The architecture does not build its attention mask "
                f"from position_ids here (models still on transformers' older mask code, gpt-oss, flash-attention "
                f"with several rows a batch, torch older than 2.6). Set packing=false (padding), or try another "
                f"attn_implementation")

    def attempt(resume_from: Optional[str], progress: ResumeProgress):
        # A fresh model and Trainer per attempt: a checkpoint that failed half-way may have left weights loaded.
        _free_accelerator_memory()
        logger.info("loading model from %s (%s%s, attention %s)", model_path, precision.dtype,
                    ", 4-bit NF4" if args.load_in_4bit else "", attention["implementation"])
        model, collate = load_and_probe()
        trainer = Trainer(
            model=model, args=training_args, train_dataset=train_dataset, eval_dataset=eval_dataset,
            data_collator=collate,
            callbacks=[metric_callback(metrics_logger, sft_config.trainer_logs_to_metrics),
                       progress_callback(progress)],
            **(_evaluation_hooks() if eval_dataset is not None else {}),
            **{tokenizer_kwarg: tokenizer})
        return trainer, trainer.train(resume_from_checkpoint=resume_from)

    (trainer, train_result), resume_from = train_with_resume_fallback(attempt, context.checkpoint_dir,
                                                                      process_group())

    results = {"train": train_result.metrics, "resumed_from": resume_from, "model_source": model_path,
               "precision": precision.dtype, "packing": args.packing,
               "attn_implementation": attention["implementation"]}
    if eval_dataset is not None:
        evaluation = final_evaluation(trainer.state.log_history, trainer.state.global_step)
        if evaluation is None:
            evaluation = trainer.evaluate()
        else:
            logger.info("the Trainer evaluated at the last step (%d): its result is the final one",
                        trainer.state.global_step)
        results["eval"] = sft_config.use_token_weighted_loss(evaluation)

    trainer.save_model(context.model_dir)  # the LoRA adapter: adapter_config.json + adapter_model.safetensors
    if not trainer.is_world_process_zero():
        return results
    tokenizer.save_pretrained(context.model_dir)
    logger.info("adapter and tokenizer saved to %s", context.model_dir)
    if args.merge_adapter:
        del trainer
        _free_accelerator_memory()
        merged_dir = os.path.join(context.model_dir, merged_subdirectory())
        merged = merge_adapter(model_path, context.model_dir, merged_dir, tokenizer, args, precision)
        results["merged_model"] = merged_dir
        if eval_conversations is not None:
            merged_rows = chat_format.example_rows(chat_format.build_examples(
                eval_conversations, _renderer(tokenizer), args.max_seq_length, **_encoders(tokenizer))[0])
            merged_eval = merged_evaluation(merged, merged_rows, tokenizer.pad_token_id,
                                            args.per_device_eval_batch_size)
            adapter_loss = results["eval"].get("eval_loss")
            results["merged_eval"] = {"merged_eval_loss": merged_eval[sft_config.TOKEN_LOSS],
                                      "adapter_eval_loss": adapter_loss}
            metrics_logger.info(metrics_log.format_metric_line({"merged_eval_loss": merged_eval[sft_config.TOKEN_LOSS]}))
            logger.info("merged model: eval loss %.6g on the validation examples; the adapter's eval_loss %s",
                        merged_eval[sft_config.TOKEN_LOSS], adapter_loss)
        del merged
        _free_accelerator_memory()
    os.makedirs(context.output_data_dir, exist_ok=True)
    with open(os.path.join(context.output_data_dir, RESULTS_FILE), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, default=str)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: parse the hyperparameters, read the contract, train. Returns the process exit code."""
    return run_entry_point(argv, hyperparameters.parse_args, train, logger)


if __name__ == "__main__":
    sys.exit(main())
