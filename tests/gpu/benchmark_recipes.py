"""Benchmark each recipe's training loop against a bare PyTorch loop over the same model, batch and sequence length.

Usage: python3 tests/gpu/benchmark_recipes.py [--size tiny|real] [--recipes translation,llm-sft] [--work DIR]
                                              [--json OUT] [--repetitions 3]

Sizes (SIZES below), every model built from a config with random weights created directly on the GPU (no download,
no weights on disk; the recipe's own ``from_pretrained`` is pointed at the same construction):

* ``tiny``: the end-to-end scripts' shapes (llm-sft: a Llama with hidden size 64, 2 layers, padding mode, 8 rows of
  512 tokens; translation: a T5 with d_model 64, 2 + 2 layers, 32 rows of 128 + 128 tokens);
* ``real``: llm-sft a Llama-3-8B shape (hidden 4096, 32 layers, 32 heads, 8 KV heads, MLP 14336, vocabulary 128256)
  with LoRA r=16 on all linear layers, gradient checkpointing, packing on: rows of 2048 tokens holding four
  512-token examples; translation a t5-base shape (d_model 768, 12 + 12 layers, 12 heads, MLP 3072, vocabulary
  32128), full fine-tuning, 32 rows of 256 + 256 tokens.

What makes the recipe/bare ratio the recipe's overhead (and nothing else):

* both sides time the same steady-state window: ``WARMUP`` optimizer steps first (cuBLAS handles, allocator growth,
  kernel selection), then ``MEASURED`` steps between two ``torch.cuda.synchronize()`` calls; on the recipe side a
  ``TrainerCallback`` added to the recipe's own Trainer marks the window (``on_step_begin`` of the first measured step,
  ``on_step_end`` of the last, which comes before the Trainer's saving and logging of that step);
* no checkpoint or evaluation inside the window (no validation channel; the recipe's final save comes after it);
* the bare loop has what the recipe's Trainer has: fused AdamW (the Trainer's default ``adamw_torch_fused`` on torch
  2.8 and newer), ``clip_grad_norm_(1.0)`` (the default ``max_grad_norm``), a constant learning-rate schedule stepped
  every step, the same autocast dtype, gradient checkpointing with ``use_reentrant=False``, the same LoRA settings
  and, for packing, the same layout (``position_ids`` restarting every example, no attention mask);
* ``--repetitions`` (at least 3) measurements per side in one process each, alternating nothing else on the GPU;
  the report gives every repetition, the median and the spread (min-max) of recipe/bare ratios.

Figures per side: tokens/s (tokens of the measured steps / window seconds), peak GPU memory
(``torch.cuda.max_memory_allocated`` over the repetition, from a reset before the model is built), and MFU: model
FLOPs per second over the GPU's peak dense bfloat16 throughput (PEAK_BF16_TFLOPS, with its source). Model FLOPs
follow the PaLM paper's convention (Chowdhery et al. 2022, "PaLM: Scaling Language Modeling with Pathways",
appendix B): matrix multiplications of the forward pass (2 per parameter and token) and backward pass (2 for the
activation gradients, and 2 more for each trainable weight), plus attention scores (12 x layers x attention width x
attended keys per token), without the recomputation of gradient checkpointing; attended keys are counted causally
(each token attends to the tokens of its own example before it), so a kernel that computes the whole square of a
packed row counts as waste, not work. A GPU without a table entry gets no MFU ("not available").

Needs a CUDA GPU, torch, transformers, peft and tokenizers; the pure-Python parts (FLOPs, summaries, the peak table)
are unit-tested in tests/python/test_gpu_scripts.py.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "python"))
sys.path.insert(0, os.path.join(REPO, "tests", "gpu"))
RESULT_PREFIX = "BENCHMARK_RESULT "
WARMUP = {"tiny": 3, "real": 2}
MEASURED = {"tiny": 10, "real": 6}

SIZES = {
    "tiny": {
        "llm-sft": {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2, "intermediate": 176, "vocab_size": None,
                    "batch": 8, "seq": 512, "packing": False, "example_tokens": None, "lora_r": 16, "lora_alpha": 32,
                    "lora_dropout": 0.05, "learning_rate": 1e-4, "gradient_checkpointing": True},
        "translation": {"d_model": 64, "d_ff": 128, "d_kv": 16, "layers": 2, "heads": 4, "vocab_size": None,
                        "batch": 32, "seq": 128, "learning_rate": 5e-5},
    },
    "real": {
        "llm-sft": {"hidden": 4096, "layers": 32, "heads": 32, "kv_heads": 8, "intermediate": 14336,
                    "vocab_size": 128256, "rope_theta": 500000.0, "batch": 2, "seq": 2048, "packing": True,
                    "example_tokens": 512, "lora_r": 16, "lora_alpha": 32, "lora_dropout": 0.05,
                    "learning_rate": 1e-4, "gradient_checkpointing": True},
        "translation": {"d_model": 768, "d_ff": 3072, "d_kv": 64, "layers": 12, "heads": 12, "vocab_size": 32128,
                        "batch": 32, "seq": 256, "learning_rate": 5e-5},
    },
}

# Peak dense bfloat16 tensor throughput (TFLOPS, without sparsity) by the name torch gives the GPU. Sources: NVIDIA
# H200 Tensor Core GPU datasheet (H200 SXM: BFLOAT16 Tensor Core 1,979 TFLOPS "with sparsity", so 989.5 dense;
# H200 NVL 1,671 with sparsity, 835.5 dense); NVIDIA H100 Tensor Core GPU datasheet (H100 SXM 1,979 with sparsity,
# 989.5 dense); NVIDIA A100 Tensor Core GPU datasheet (BFLOAT16 312 dense); NVIDIA L4 datasheet (242 with sparsity,
# 121 dense); NVIDIA L40S datasheet (733 with sparsity, 366 dense).
PEAK_BF16_TFLOPS = {
    "NVIDIA H200": (989.5, "NVIDIA H200 datasheet: 1,979 TFLOPS BF16 with sparsity (SXM), dense half"),
    "NVIDIA H200 NVL": (835.5, "NVIDIA H200 datasheet: 1,671 TFLOPS BF16 with sparsity (NVL), dense half"),
    "NVIDIA H100 80GB HBM3": (989.5, "NVIDIA H100 datasheet: 1,979 TFLOPS BF16 with sparsity (SXM), dense half"),
    "NVIDIA A100-SXM4-80GB": (312.0, "NVIDIA A100 datasheet: 312 TFLOPS BF16 dense"),
    "NVIDIA A100-SXM4-40GB": (312.0, "NVIDIA A100 datasheet: 312 TFLOPS BF16 dense"),
    "NVIDIA L4": (121.0, "NVIDIA L4 datasheet: 242 TFLOPS BF16 with sparsity, dense half"),
    "NVIDIA L40S": (366.0, "NVIDIA L40S datasheet: 733 TFLOPS BF16 with sparsity, dense half"),
}


# ---------------------------------------------------------------- pure Python (unit-tested without a GPU)

def peak_bf16(device_name):
    """(peak dense bf16 FLOP/s, source) for ``device_name``, or (None, why not)."""
    entry = PEAK_BF16_TFLOPS.get(device_name.strip())
    if entry is None:
        return None, f"not available: no peak bfloat16 figure for {device_name!r} in PEAK_BF16_TFLOPS"
    return entry[0] * 1e12, entry[1]


def causal_keys(segment_lengths):
    """Attended keys summed over the tokens of one row: each token attends to its example's tokens up to itself."""
    return sum(length * (length + 1) // 2 for length in segment_lengths)


def lora_step_flops(rows, segment_lengths, linear_parameters, lora_parameters, layers, attention_width):
    """Model FLOPs of one step of LoRA training of a causal LM (frozen base: no weight gradients for it)."""
    tokens = sum(segment_lengths)
    per_row = (4 * linear_parameters + 6 * lora_parameters) * tokens
    per_row += 12 * layers * attention_width * causal_keys(segment_lengths)
    return rows * per_row


def seq2seq_step_flops(rows, source_tokens, target_tokens, encoder_parameters, decoder_parameters, encoder_layers,
                       decoder_layers, attention_width):
    """Model FLOPs of one step of full fine-tuning of an encoder-decoder (every weight trained: 6 per parameter and
    token); encoder self-attention sees the whole source, decoder self-attention is causal, cross-attention sees the
    whole source. ``decoder_parameters`` includes the output projection (lm_head)."""
    per_row = 6 * (encoder_parameters * source_tokens + decoder_parameters * target_tokens)
    per_row += 12 * attention_width * (encoder_layers * source_tokens * source_tokens
                                       + decoder_layers * (causal_keys([target_tokens]) + target_tokens * source_tokens))
    return rows * per_row


def side_figures(repetition, step_flops, peak):
    """tokens/s, peak GiB and MFU of one repetition ({"seconds", "tokens", "steps", "peak_bytes"})."""
    seconds = repetition["seconds"]
    figures = {"seconds": seconds, "tokens_per_s": repetition["tokens"] / seconds,
               "peak_gib": repetition["peak_bytes"] / 2 ** 30}
    figures["mfu"] = (step_flops * repetition["steps"] / seconds / peak) if (peak and step_flops) else None
    return figures


def summarize(recipe, bare, step_flops, peak):
    """Both sides' repetitions summarized: median and min-max of each figure, and recipe/bare ratios pairwise."""
    sides = {"recipe": [side_figures(r, step_flops, peak) for r in recipe],
             "bare": [side_figures(r, step_flops, peak) for r in bare]}
    summary = {}
    for side, rows in sides.items():
        summary[side] = {"repetitions": rows}
        for key in ("tokens_per_s", "peak_gib", "mfu"):
            values = [row[key] for row in rows if row[key] is not None]
            summary[side][key] = ({"median": statistics.median(values), "min": min(values), "max": max(values)}
                                  if values else None)
    ratios = [r["tokens_per_s"] / b["tokens_per_s"] for r, b in zip(sides["recipe"], sides["bare"])]
    memory = [r["peak_gib"] / b["peak_gib"] for r, b in zip(sides["recipe"], sides["bare"])]
    summary["throughput_ratio"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                                   "pairs": ratios}
    summary["memory_ratio"] = {"median": statistics.median(memory), "min": min(memory), "max": max(memory)}
    return summary


def toolkit_argv(values):
    from hf_recipe_support import toolkit_argv as to_argv  # noqa: PLC0415
    return to_argv({key: json.dumps(value) for key, value in values.items()})


def recipe_argv(recipe, setup, steps, checkpoint_dir, bf16):
    if recipe == "llm-sft":
        return toolkit_argv({
            "max_seq_length": setup["seq"], "per_device_train_batch_size": setup["batch"],
            "gradient_accumulation_steps": 1, "max_steps": steps, "learning_rate": setup["learning_rate"],
            "lr_scheduler_type": "constant", "warmup_ratio": 0.0, "lora_r": setup["lora_r"],
            "lora_alpha": setup["lora_alpha"], "lora_dropout": setup["lora_dropout"], "packing": setup["packing"],
            "attn_implementation": "sdpa", "gradient_checkpointing": setup["gradient_checkpointing"],
            "bf16": "true" if bf16 else "false", "save_steps": 10 ** 6, "logging_steps": 10, "offline": True,
            "checkpoint_dir": checkpoint_dir})
    return toolkit_argv({
        "max_source_length": setup["seq"], "max_target_length": setup["seq"],
        "per_device_train_batch_size": setup["batch"], "max_steps": steps, "learning_rate": setup["learning_rate"],
        "lr_scheduler_type": "constant", "bf16": "true" if bf16 else "false", "fp16": not bf16,
        "eval_strategy": "no", "save_strategy": "no", "logging_steps": 10, "offline": True,
        "checkpoint_dir": checkpoint_dir})


# ---------------------------------------------------------------- preparation (parent)

def plain_words(words):
    return [word for word in words if word.isalnum()]


def prepare_llm_sft(work, size, examples):
    """config.json + tokenizer (no weights) and a train channel whose rows pack exactly (or truncate to ``seq``)."""
    import make_tiny_llama  # noqa: PLC0415
    from transformers import LlamaConfig  # noqa: PLC0415
    setup = SIZES[size]["llm-sft"]
    data_dir = os.path.join(REPO, "examples", "data", "llm-sft")
    model_dir = os.path.join(work, "llm-sft", "model")
    os.makedirs(model_dir, exist_ok=True)
    tokenizer = make_tiny_llama.build_tokenizer(make_tiny_llama.corpus_words(data_dir))
    tokenizer.save_pretrained(model_dir)
    vocab = max(setup["vocab_size"] or 0, len(tokenizer))
    config = LlamaConfig(vocab_size=vocab, hidden_size=setup["hidden"], intermediate_size=setup["intermediate"],
                         num_hidden_layers=setup["layers"], num_attention_heads=setup["heads"],
                         num_key_value_heads=setup["kv_heads"], max_position_embeddings=max(4096, setup["seq"]),
                         rope_theta=setup.get("rope_theta", 10000.0), pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         tie_word_embeddings=False)
    config.save_pretrained(model_dir)
    words = plain_words(make_tiny_llama.corpus_words(data_dir))
    rng = random.Random(0)
    if setup["packing"]:
        # calibrate: every example exactly example_tokens long, so rows of seq tokens hold seq / example_tokens
        probe = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
        overhead = len(tokenizer(tokenizer.apply_chat_template(probe, tokenize=False),
                                 add_special_tokens=False)["input_ids"]) - 2
        answer_words = setup["example_tokens"] - overhead - 16
        prompt_words = 16
    else:
        prompt_words, answer_words = 24, setup["seq"] + 100  # truncated to exactly seq tokens
    train_dir = os.path.join(work, "llm-sft", "train")
    os.makedirs(train_dir, exist_ok=True)
    with open(os.path.join(train_dir, "train.jsonl"), "w", encoding="utf-8") as handle:
        for _ in range(examples):
            prompt = " ".join(rng.choice(words) for _ in range(prompt_words))
            answer = " ".join(rng.choice(words) for _ in range(answer_words))
            handle.write(json.dumps({"messages": [{"role": "user", "content": prompt},
                                                  {"role": "assistant", "content": answer}]}) + "\n")
    return vocab


def prepare_translation(work, size, examples):
    import make_tiny_model  # noqa: PLC0415
    from transformers import AutoTokenizer, T5Config  # noqa: PLC0415
    setup = SIZES[size]["translation"]
    data_dir = os.path.join(REPO, "examples", "data", "translation")
    model_dir = os.path.join(work, "translation", "model")
    make_tiny_model.build(data_dir, model_dir)  # the word-level tokenizer; its tiny weights are replaced below
    for name in os.listdir(model_dir):
        if name.endswith((".safetensors", ".bin")):
            os.remove(os.path.join(model_dir, name))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    vocab = max(setup["vocab_size"] or 0, len(tokenizer))
    T5Config(vocab_size=vocab, d_model=setup["d_model"], d_ff=setup["d_ff"], d_kv=setup["d_kv"],
             num_layers=setup["layers"], num_decoder_layers=setup["layers"], num_heads=setup["heads"],
             pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
             decoder_start_token_id=tokenizer.pad_token_id).save_pretrained(model_dir)
    words = plain_words(make_tiny_model.corpus_words(data_dir))
    rng = random.Random(0)
    train_dir = os.path.join(work, "translation", "train")
    os.makedirs(train_dir, exist_ok=True)
    with open(os.path.join(train_dir, "train.jsonl"), "w", encoding="utf-8") as handle:
        for _ in range(examples):
            pair = {lang: " ".join(rng.choice(words) for _ in range(setup["seq"] + 50)) for lang in ("en", "de")}
            handle.write(json.dumps({"translation": pair}) + "\n")
    return vocab


# ---------------------------------------------------------------- children (one per recipe and side)

def native_bf16(torch):
    return torch.cuda.get_device_capability(0)[0] >= 8


def build_on_gpu(auto_class, path, dtype, attn_implementation=None):
    """The model of ``path``'s config.json with random weights created on the GPU, in ``dtype``."""
    import torch  # noqa: PLC0415
    from transformers import AutoConfig  # noqa: PLC0415
    config = AutoConfig.from_pretrained(path)
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    torch.manual_seed(0)
    try:
        with torch.device("cuda"):
            return auto_class.from_config(config, **kwargs)
    finally:
        torch.set_default_dtype(previous)


def point_from_pretrained_at_the_gpu():
    """The recipes call ``AutoModelFor*.from_pretrained(model_dir, dtype=..., ...)``: build from the config on the
    GPU instead (the model directory holds no weights)."""
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415

    for name in ("AutoModelForCausalLM", "AutoModelForSeq2SeqLM"):
        auto_class = getattr(transformers, name)

        def from_pretrained(path, *args, _auto=auto_class, **kwargs):
            dtype = kwargs.get("dtype", kwargs.get("torch_dtype")) or torch.float32
            return build_on_gpu(_auto, path, dtype, kwargs.get("attn_implementation"))

        auto_class.from_pretrained = from_pretrained


def timing_callback(window, warmup, measured):
    """A TrainerCallback that times optimizer steps warmup+1 .. warmup+measured, synchronizing at both edges."""
    import torch  # noqa: PLC0415
    from transformers import TrainerCallback  # noqa: PLC0415

    class Timing(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step == warmup:
                torch.cuda.synchronize()
                window["start"] = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == warmup + measured:
                torch.cuda.synchronize()
                window["end"] = time.perf_counter()

    return Timing()


def run_recipe_child(recipe, size, work, repetitions):
    import gc  # noqa: PLC0415
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    setup = SIZES[size][recipe]
    warmup, measured = WARMUP[size], MEASURED[size]
    bf16 = native_bf16(torch)
    recipe_dir = os.path.join(REPO, "training-scripts", recipe)
    os.environ.update({
        "SM_MODEL_DIR": os.path.join(work, recipe, "out-model"), "SM_OUTPUT_DATA_DIR": os.path.join(work, recipe, "out"),
        "SM_CHANNELS": json.dumps(["model", "train"]), "SM_CHANNEL_TRAIN": os.path.join(work, recipe, "train"),
        "SM_CHANNEL_MODEL": os.path.join(work, recipe, "model"), "SM_NUM_GPUS": "1", "SM_HOSTS": '["algo-1"]',
        "SM_CURRENT_HOST": "algo-1", "HF_HOME": os.path.join(work, "hf-home")})
    sys.path[:0] = [recipe_dir, os.path.dirname(recipe_dir)]  # the recipe, and hf_recipe as the archive holds it
    os.chdir(recipe_dir)
    point_from_pretrained_at_the_gpu()
    window = {}
    original_init = transformers.Trainer.__init__

    def init_with_timing(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.add_callback(timing_callback(window, warmup, measured))

    transformers.Trainer.__init__ = init_with_timing
    import train  # noqa: PLC0415 - the recipe's own entry point (this child imports no other recipe)
    rows = []
    for repetition in range(repetitions):
        window.clear()
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        train.main(recipe_argv(recipe, setup, warmup + measured,
                               os.path.join(work, recipe, f"checkpoints-{repetition}-{time.time_ns()}"), bf16))
        if "start" not in window or "end" not in window:
            raise RuntimeError(f"the timing window was not reached in repetition {repetition}: {window}")
        rows.append({"seconds": window["end"] - window["start"], "steps": measured,
                     "tokens": measured * tokens_per_step(recipe, setup), "peak_bytes": torch.cuda.max_memory_allocated()})
    return {"repetitions": rows, "precision": "bf16" if bf16 else "fp16"}


def tokens_per_step(recipe, setup):
    return setup["batch"] * setup["seq"] * (2 if recipe == "translation" else 1)


def segment_lengths(setup):
    if setup.get("packing"):
        return [setup["example_tokens"]] * (setup["seq"] // setup["example_tokens"])
    return [setup["seq"]]


def bare_batch(recipe, setup, vocab, torch, device):
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(10, vocab, (setup["batch"], setup["seq"]), generator=generator).to(device)
    if recipe == "translation":
        labels = torch.randint(10, vocab, (setup["batch"], setup["seq"]), generator=generator).to(device)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
    labels = ids.clone()
    if setup.get("packing"):
        positions = torch.cat([torch.arange(n) for n in segment_lengths(setup)]).repeat(setup["batch"], 1).to(device)
        labels[positions == 0] = -100
        return {"input_ids": ids, "position_ids": positions, "labels": labels}
    labels[:, :24] = -100
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def run_bare_child(recipe, size, work, repetitions):
    import gc  # noqa: PLC0415
    import torch  # noqa: PLC0415
    from transformers import AutoConfig  # noqa: PLC0415
    setup = SIZES[size][recipe]
    warmup, measured = WARMUP[size], MEASURED[size]
    device = torch.device("cuda")
    bf16 = native_bf16(torch)
    autocast_dtype = torch.bfloat16 if bf16 else torch.float16
    model_dir = os.path.join(work, recipe, "model")
    vocab = AutoConfig.from_pretrained(model_dir).vocab_size
    rows = []
    for _ in range(repetitions):
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        if recipe == "llm-sft":
            import peft  # noqa: PLC0415
            from transformers import AutoModelForCausalLM  # noqa: PLC0415
            model = build_on_gpu(AutoModelForCausalLM, model_dir, autocast_dtype, "sdpa")
            model.config.use_cache = False
            model = peft.get_peft_model(model, peft.LoraConfig(
                r=setup["lora_r"], lora_alpha=setup["lora_alpha"], lora_dropout=setup["lora_dropout"],
                target_modules="all-linear", bias="none", task_type="CAUSAL_LM"))
            if setup["gradient_checkpointing"]:
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        else:
            from transformers import AutoModelForSeq2SeqLM  # noqa: PLC0415
            model = build_on_gpu(AutoModelForSeq2SeqLM, model_dir, torch.float32)
        model.train()
        if bf16:
            torch.set_float32_matmul_precision("high")  # TF32, as the translation recipe sets on these GPUs
        batch = bare_batch(recipe, setup, vocab, torch, device)
        parameters = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(parameters, lr=setup["learning_rate"], weight_decay=0.0, fused=True)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        scaler = torch.amp.GradScaler("cuda", enabled=not bf16)
        for step in range(warmup + measured):
            if step == warmup:
                torch.cuda.synchronize()
                started = time.perf_counter()
            with torch.autocast("cuda", dtype=autocast_dtype):
                loss = model(**batch).loss
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        rows.append({"seconds": time.perf_counter() - started, "steps": measured,
                     "tokens": measured * tokens_per_step(recipe, setup),
                     "peak_bytes": torch.cuda.max_memory_allocated(), "last_loss": float(loss)})
        del model, optimizer, scheduler, batch, parameters
    return {"repetitions": rows, "precision": "bf16" if bf16 else "fp16"}


def model_step_flops(recipe, size, work):
    """Model FLOPs of one step, from the model's own parameter counts (built on the meta device: no memory)."""
    import torch  # noqa: PLC0415
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM  # noqa: PLC0415
    setup = SIZES[size][recipe]
    config = AutoConfig.from_pretrained(os.path.join(work, recipe, "model"))
    with torch.device("meta"):
        model = (AutoModelForCausalLM if recipe == "llm-sft" else AutoModelForSeq2SeqLM).from_config(config)
    linear = {name: module.weight.numel() for name, module in model.named_modules()
              if isinstance(module, torch.nn.Linear)}
    if recipe == "llm-sft":
        # LoRA on every linear layer but lm_head (peft's all-linear): r x (in + out) per layer
        lora = sum(setup["lora_r"] * (module.in_features + module.out_features)
                   for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and not name.endswith("lm_head"))
        width = config.num_attention_heads * (config.hidden_size // config.num_attention_heads)
        return lora_step_flops(setup["batch"], segment_lengths(setup), sum(linear.values()), lora,
                               config.num_hidden_layers, width)
    encoder = sum(n for name, n in linear.items() if name.startswith("encoder."))
    decoder = sum(linear.values()) - encoder
    return seq2seq_step_flops(setup["batch"], setup["seq"], setup["seq"], encoder, decoder, config.num_layers,
                              config.num_decoder_layers, config.num_heads * config.d_kv)


# ---------------------------------------------------------------- parent

def run_child(kind, recipe, size, work, repetitions):
    command = [sys.executable, os.path.abspath(__file__), "--child", kind, "--recipes", recipe, "--size", size,
               "--work", work, "--repetitions", str(repetitions)]
    print(f"== {recipe} / {size} / {kind}: {' '.join(command)}", flush=True)
    process = subprocess.run(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = process.stdout.splitlines()
    print("\n".join(lines[-8:]), flush=True)
    results = [line[len(RESULT_PREFIX):] for line in lines if line.startswith(RESULT_PREFIX)]
    if process.returncode != 0 or not results:
        raise RuntimeError(f"{recipe} / {kind} failed with exit code {process.returncode}")
    return json.loads(results[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--recipes", default="translation,llm-sft")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--work", default=None, help="working directory (default: a new temporary one)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--child", choices=("recipe", "bare"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    recipes = [name.strip() for name in options.recipes.split(",") if name.strip()]
    unknown = sorted(set(recipes) - set(SIZES[options.size]))
    if unknown or options.repetitions < 3:
        parser.error(f"unknown recipes {unknown}; known: {sorted(SIZES[options.size])}" if unknown
                     else "--repetitions must be at least 3 (the spread needs them)")
    if options.child:
        child = run_recipe_child if options.child == "recipe" else run_bare_child
        print(RESULT_PREFIX + json.dumps(child(recipes[0], options.size, options.work, options.repetitions)),
              flush=True)
        return 0

    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    if not torch.cuda.is_available():
        print("benchmark_recipes: not run: no CUDA GPU", file=sys.stderr)
        return 2
    work = options.work or tempfile.mkdtemp(prefix="recipe-benchmark-")
    device = torch.cuda.get_device_name(0)
    peak, peak_source = peak_bf16(device)
    report = {"device": device, "torch": torch.__version__, "transformers": transformers.__version__,
              "size": options.size, "warmup_steps": WARMUP[options.size], "measured_steps": MEASURED[options.size],
              "repetitions": options.repetitions, "peak_bf16_flops": peak, "peak_source": peak_source, "rows": [],
              "failures": []}
    for recipe in recipes:
        setup = SIZES[options.size][recipe]
        examples = options.repetitions * (WARMUP[options.size] + MEASURED[options.size]) * setup["batch"]
        if setup.get("packing"):
            examples *= setup["seq"] // setup["example_tokens"]
        try:
            (prepare_llm_sft if recipe == "llm-sft" else prepare_translation)(work, options.size, examples)
            try:
                step_flops = model_step_flops(recipe, options.size, work)
            except Exception as error:  # noqa: BLE001 - then no MFU, the other figures still come
                step_flops = None
                print(f"{recipe}: MFU not available: model FLOPs not computed ({type(error).__name__}: {error})")
            measured = {kind: run_child(kind, recipe, options.size, work, options.repetitions)
                        for kind in ("recipe", "bare")}
        except Exception as error:  # noqa: BLE001 - reported; the other recipe still runs
            report["failures"].append(f"{recipe}: {type(error).__name__}: {error}")
            print(f"{recipe}: FAIL {type(error).__name__}: {error}", flush=True)
            continue
        summary = summarize(measured["recipe"]["repetitions"], measured["bare"]["repetitions"], step_flops, peak)
        report["rows"].append({"recipe": recipe, "setup": setup, "tokens_per_step": tokens_per_step(recipe, setup),
                               "model_flops_per_step": step_flops, "precision": measured["recipe"]["precision"],
                               **summary})
        ratio = summary["throughput_ratio"]
        mfu = {side: summary[side]["mfu"]["median"] if summary[side]["mfu"] else None for side in ("recipe", "bare")}
        print(f"{recipe} ({options.size}): recipe {summary['recipe']['tokens_per_s']['median']:,.0f} tokens/s, "
              f"bare {summary['bare']['tokens_per_s']['median']:,.0f} tokens/s, ratio {ratio['median']:.3f} "
              f"({ratio['min']:.3f}-{ratio['max']:.3f}); peak {summary['recipe']['peak_gib']['median']:.2f} / "
              f"{summary['bare']['peak_gib']['median']:.2f} GiB; MFU "
              + " / ".join(f"{value:.1%}" if value is not None else "not available" for value in mfu.values()),
              flush=True)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
