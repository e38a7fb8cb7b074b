"""Fine-tune a pretrained sequence-to-sequence model for translation: the SageMaker entry point.

Run by the sagemaker-training toolkit in a Hugging Face PyTorch training DLC as
``python train.py --key value ...`` (see args.py for every hyperparameter and how values arrive). It

1. reads the SageMaker contract (sm_contract.py): channels ``train`` (required), ``validation`` and ``test``
   (optional) with JSON Lines translation pairs (data.py), an optional ``model`` channel, ``SM_MODEL_DIR``,
   ``SM_OUTPUT_DATA_DIR`` and the checkpoint directory;
2. goes offline (``HF_HUB_OFFLINE=1``, ``TRANSFORMERS_OFFLINE=1``) unless ``offline`` is False in a job with network
   access (an isolated job stays offline: job_runtime.apply_offline), and loads the model
   and tokenizer from the ``model`` channel (a saved model or a model.tar.gz) or ``model_name_or_path``;
3. sets the language codes of a multilingual tokenizer (mBART, mBART-50, NLLB, M2M100: ``source_lang_code`` /
   ``target_lang_code``; the target code starts the decoder (mBART) or is forced as the first generated token (the
   others): trainer_config.language_settings)
   and trains with ``Seq2SeqTrainer`` in bfloat16 with TF32 where the GPU has them natively (``bf16=auto``), writing
   checkpoints to the checkpoint directory and resuming from the latest
   complete one (checkpoints.py, job_runtime.py) when a spot interruption restarted the job; if that checkpoint
   still fails to load, it retries once from the next older complete one, or from scratch;
4. logs ``METRIC name=value`` lines (metrics_log.py) that the MetricDefinitions in metric_definitions.json read,
   with BLEU from sacrebleu or its built-in equivalent (bleu.py);
   (the validation channel is evaluated once at the end: the Trainer's own pass at the last step is reused);
5. saves the model and tokenizer to ``SM_MODEL_DIR`` and the metrics to ``SM_OUTPUT_DATA_DIR/results.json``.

Importing this module has no side effects and needs only the standard library: torch and transformers are imported
inside :func:`train`.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from typing import List, Optional, Sequence, Tuple

import args as hyperparameters
import bleu
import data
from hf_recipe import sm_contract
import trainer_config
from hf_recipe.job_runtime import (OFFLINE_VARIABLES, ResumeProgress, apply_offline,  # noqa: F401 - re-exported
                                   final_evaluation, list_dataset, metric_callback, network_isolation_reason,
                                   process_group, progress_callback, resolve_job_model, run_entry_point,
                                   train_with_resume_fallback)

logger = logging.getLogger("translation")
metrics_logger = logging.getLogger("translation.metrics")

TRAIN_CHANNEL, VALIDATION_CHANNEL, TEST_CHANNEL = "train", "validation", "test"
RESULTS_FILE = "results.json"


def _tokenize_pairs(tokenizer, pairs: List[Tuple[str, str]], args) -> List[dict]:
    sources = [args.source_prefix + source for source, _ in pairs]
    targets = [target for _, target in pairs]
    inputs = tokenizer(sources, max_length=args.max_source_length, truncation=True)
    labels = tokenizer(text_target=targets, max_length=args.max_target_length, truncation=True)
    return [
        {"input_ids": inputs["input_ids"][i], "attention_mask": inputs["attention_mask"][i],
         "labels": labels["input_ids"][i]}
        for i in range(len(pairs))
    ]


def _bleu_metrics(tokenizer):
    import numpy as np  # noqa: PLC0415
    reported = []

    def compute_metrics(eval_prediction):
        predictions, labels = eval_prediction.predictions, eval_prediction.label_ids
        if isinstance(predictions, tuple):
            predictions = predictions[0]
        predictions = np.where(predictions != -100, predictions, tokenizer.pad_token_id)
        labels = np.where(labels != -100, labels, tokenizer.pad_token_id)
        hypotheses = [text.strip() for text in tokenizer.batch_decode(predictions, skip_special_tokens=True)]
        references = [text.strip() for text in tokenizer.batch_decode(labels, skip_special_tokens=True)]
        result = bleu.corpus_bleu(hypotheses, references)
        if not reported:
            logger.info("BLEU computed with %s", result.implementation)
            reported.append(result.implementation)
        lengths = [int(np.count_nonzero(row != tokenizer.pad_token_id)) for row in predictions]
        return {"bleu": result.score, "gen_len": float(np.mean(lengths)) if lengths else 0.0}

    return compute_metrics


def train(args, context: sm_contract.SageMakerContext) -> dict:
    """Fine-tune, evaluate and save; returns the metrics written to ``results.json``."""
    import inspect  # noqa: PLC0415
    import dataclasses  # noqa: PLC0415

    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import (AutoModelForSeq2SeqLM, AutoTokenizer, DataCollatorForSeq2Seq,  # noqa: PLC0415
                              Seq2SeqTrainer, Seq2SeqTrainingArguments)

    precision = trainer_config.precision_kwargs(args, torch.cuda)
    logger.info("transformers %s, torch %s; %s: bf16=%s fp16=%s tf32=%s; channels %s; GPUs %d; hosts %s (this is "
                "%s); offline=%s", transformers.__version__, torch.__version__,
                trainer_config.device_description(torch.cuda), precision["bf16"], precision["fp16"],
                precision.get("tf32", False), sorted(context.channels), context.num_gpus, context.hosts,
                context.current_host, args.offline)

    model_path = resolve_job_model(args.model_name_or_path, context, "translation", args.offline)
    logger.info("loading tokenizer from %s", model_path)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    language = trainer_config.language_settings(tokenizer, args)  # before tokenizing: codes go into every sequence
    if language:
        logger.info("multilingual tokenizer %s: src_lang=%s, tgt_lang=%s, generation %s", type(tokenizer).__name__,
                    args.source_lang_code, args.target_lang_code, language)

    train_dir = context.channel(TRAIN_CHANNEL)
    if not train_dir:
        raise ValueError(f"the job has no '{TRAIN_CHANNEL}' channel; channels received: {sorted(context.channels)}")
    train_pairs = data.load_channel(train_dir, args.source_lang, args.target_lang, args.max_train_samples)
    eval_sets = {}
    for channel in (VALIDATION_CHANNEL, TEST_CHANNEL):
        if context.channel(channel):
            eval_sets[channel] = data.load_channel(
                context.channel(channel), args.source_lang, args.target_lang, args.max_eval_samples)
    logger.info("pairs: train %d, %s", len(train_pairs), {name: len(pairs) for name, pairs in eval_sets.items()})
    train_dataset = list_dataset(_tokenize_pairs(tokenizer, train_pairs, args))
    eval_datasets = {name: list_dataset(_tokenize_pairs(tokenizer, pairs, args)) for name, pairs in eval_sets.items()}
    has_validation = VALIDATION_CHANNEL in eval_datasets
    if not has_validation and args.eval_strategy != "no":
        logger.warning("no '%s' channel: evaluation during training is off", VALIDATION_CHANNEL)

    available = {field.name for field in dataclasses.fields(Seq2SeqTrainingArguments)}
    training_args = Seq2SeqTrainingArguments(**trainer_config.training_arguments_kwargs(
        args, context.checkpoint_dir, available, has_validation, precision))
    _ = training_args.device  # sets up torch.distributed under torchrun, so the ranks can agree on the checkpoint
    tokenizer_kwarg = trainer_config.trainer_tokenizer_kwarg(inspect.signature(Seq2SeqTrainer.__init__).parameters)

    def attempt(resume_from: Optional[str], progress: ResumeProgress):
        # A fresh model and Trainer per attempt: a checkpoint that failed half-way may have left weights loaded.
        logger.info("loading model from %s", model_path)
        model = AutoModelForSeq2SeqLM.from_pretrained(model_path)
        if getattr(model.config, "model_type", "") == "t5" and not args.source_prefix:
            logger.warning("T5 expects a task prefix such as 'translate English to German: '; source_prefix is empty")
        for key, value in language.items():  # used by evaluation now and saved with the model for inference
            setattr(model.generation_config, key, value)
        collator = DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=-100,
                                          pad_to_multiple_of=8 if (precision["fp16"] or precision["bf16"]) else None)
        trainer = Seq2SeqTrainer(
            model=model, args=training_args, train_dataset=train_dataset,
            eval_dataset=eval_datasets.get(VALIDATION_CHANNEL), data_collator=collator,
            compute_metrics=_bleu_metrics(tokenizer) if eval_datasets else None,
            callbacks=[metric_callback(metrics_logger), progress_callback(progress)], **{tokenizer_kwarg: tokenizer})
        return trainer, trainer.train(resume_from_checkpoint=resume_from)

    (trainer, train_result), resume_from = train_with_resume_fallback(attempt, context.checkpoint_dir,
                                                                      process_group())

    results = {"train": train_result.metrics, "resumed_from": resume_from, "model_source": model_path,
               "precision": precision}
    generation = trainer_config.generation_kwargs(args)
    for name, dataset in eval_datasets.items():
        prefix = "eval" if name == VALIDATION_CHANNEL else name
        done = final_evaluation(trainer.state.log_history, trainer.state.global_step, prefix)
        if done is not None and name == VALIDATION_CHANNEL:
            logger.info("the Trainer evaluated the validation channel at the last step (%d): not generating again",
                        trainer.state.global_step)
            results[name] = done
        else:
            results[name] = trainer.evaluate(eval_dataset=dataset, metric_key_prefix=prefix, **generation)

    trainer.save_model(context.model_dir)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(context.model_dir)
        os.makedirs(context.output_data_dir, exist_ok=True)
        with open(os.path.join(context.output_data_dir, RESULTS_FILE), "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, default=str)
        logger.info("model saved to %s; metrics written to %s", context.model_dir,
                    os.path.join(context.output_data_dir, RESULTS_FILE))
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: parse the hyperparameters, read the contract, train. Returns the process exit code."""
    return run_entry_point(argv, hyperparameters.parse_args, train, logger)


if __name__ == "__main__":
    sys.exit(main())
