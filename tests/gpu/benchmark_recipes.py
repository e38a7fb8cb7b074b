"""Benchmark each recipe's training loop against a bare PyTorch loop over the same model, batch and sequence length.

Usage: python3 tests/gpu/benchmark_recipes.py [--steps 40] [--recipes translation,llm-sft] [--work DIR] [--json OUT]

For each recipe the parent process builds a model from a config (random weights, no Hub) and a data set of rows
long enough that every training sequence is exactly the benchmark's length, then runs two child processes, one
after the other, each alone on the GPU (so peak-memory figures do not mix, and the two recipes' same-named modules
never meet):

* ``recipe``: the recipe's own ``train.main(argv)``, with the SM_* variables and toolkit-style argv of a SageMaker
  job (no validation channel, ``max_steps`` steps); throughput = steps x batch x tokens per row / the Trainer's
  ``train_runtime`` (results.json: data loading, the Trainer's step loop and its end-of-training checkpoint);
* ``bare``: the same model, loaded the same way (llm-sft: the same dtype, LoRA adapters and gradient checkpointing;
  translation: full fine-tuning in float32 weights), a batch of the same shape already on the GPU, and a plain
  loop of forward, backward, AdamW step under the same autocast; throughput = the same tokens / the loop's time.

Peak GPU memory is ``torch.cuda.max_memory_allocated`` over each child's whole run. The report gives both figures
and the ratios recipe/bare (tokens/s below 1 and memory above 1 are the recipe's overhead). Needs a CUDA GPU, torch,
transformers, peft and tokenizers (the Hugging Face PyTorch training DLC has them).

Setups (edit SETUPS to change them): llm-sft: a Llama-style model (hidden 1024, 8 layers, 16 heads, 8 KV heads,
32000-row vocabulary), 8 x 512 tokens per step, LoRA r=16 on all linear layers, gradient checkpointing; translation:
a T5 with t5-small's shape (d_model 512, 6 + 6 layers, 32128-row vocabulary), 32 x (128 source + 128 target) tokens
per step.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "python"))
sys.path.insert(0, os.path.join(REPO, "tests", "gpu"))
RESULT_PREFIX = "BENCHMARK_RESULT "

SETUPS = {
    "llm-sft": {"batch": 8, "seq": 512, "learning_rate": 1e-4, "lora_r": 16, "lora_alpha": 32, "lora_dropout": 0.05,
                "gradient_checkpointing": True, "hidden": 1024, "layers": 8, "heads": 16, "kv_heads": 8,
                "vocab_size": 32000, "prompt_tokens": 24},
    "translation": {"batch": 32, "seq": 128, "learning_rate": 5e-5, "d_model": 512, "d_ff": 2048, "layers": 6,
                    "heads": 8, "vocab_size": 32128},
}


def toolkit_argv(values):
    from hf_recipe_support import toolkit_argv as to_argv  # noqa: PLC0415
    return to_argv({key: json.dumps(value) for key, value in values.items()})


def plain_words(words):
    return [word for word in words if word.isalnum()]


# ---------------------------------------------------------------- preparation (parent)

def prepare_llm_sft(work, steps):
    import make_tiny_llama  # noqa: PLC0415
    setup = SETUPS["llm-sft"]
    model_dir = os.path.join(work, "llm-sft", "model")
    make_tiny_llama.build(os.path.join(REPO, "examples", "data", "llm-sft"), model_dir, hidden=setup["hidden"],
                          layers=setup["layers"], heads=setup["heads"], kv_heads=setup["kv_heads"],
                          vocab_size=setup["vocab_size"])
    words = plain_words(make_tiny_llama.corpus_words(os.path.join(REPO, "examples", "data", "llm-sft")))
    rng = random.Random(0)
    train_dir = os.path.join(work, "llm-sft", "train")
    os.makedirs(train_dir, exist_ok=True)
    with open(os.path.join(train_dir, "train.jsonl"), "w", encoding="utf-8") as handle:
        for _ in range(steps * setup["batch"]):
            prompt = " ".join(rng.choice(words) for _ in range(setup["prompt_tokens"]))
            answer = " ".join(rng.choice(words) for _ in range(setup["seq"] + 100))  # truncated to seq tokens
            handle.write(json.dumps({"messages": [{"role": "user", "content": prompt},
                                                  {"role": "assistant", "content": answer}]}) + "\n")
    return model_dir, train_dir


def prepare_translation(work, steps):
    import make_tiny_model  # noqa: PLC0415
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration  # noqa: PLC0415
    setup = SETUPS["translation"]
    data_dir = os.path.join(REPO, "examples", "data", "translation")
    model_dir = os.path.join(work, "translation", "model")
    make_tiny_model.build(data_dir, model_dir)  # the word-level tokenizer (and a tiny T5, replaced below)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = T5Config(vocab_size=setup["vocab_size"], d_model=setup["d_model"], d_ff=setup["d_ff"], d_kv=64,
                      num_layers=setup["layers"], num_decoder_layers=setup["layers"], num_heads=setup["heads"],
                      pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                      decoder_start_token_id=tokenizer.pad_token_id)
    T5ForConditionalGeneration(config).save_pretrained(model_dir, safe_serialization=True)
    words = plain_words(make_tiny_model.corpus_words(data_dir))
    rng = random.Random(0)
    train_dir = os.path.join(work, "translation", "train")
    os.makedirs(train_dir, exist_ok=True)
    with open(os.path.join(train_dir, "train.jsonl"), "w", encoding="utf-8") as handle:
        for _ in range(steps * setup["batch"]):
            pair = {lang: " ".join(rng.choice(words) for _ in range(setup["seq"] + 50)) for lang in ("en", "de")}
            handle.write(json.dumps({"translation": pair}) + "\n")
    return model_dir, train_dir


# ---------------------------------------------------------------- children

def recipe_argv(recipe, steps, checkpoint_dir, bf16):
    setup = SETUPS[recipe]
    if recipe == "llm-sft":
        return toolkit_argv({
            "max_seq_length": setup["seq"], "per_device_train_batch_size": setup["batch"],
            "gradient_accumulation_steps": 1, "max_steps": steps, "learning_rate": setup["learning_rate"],
            "lr_scheduler_type": "constant", "warmup_ratio": 0.0, "lora_r": setup["lora_r"],
            "lora_alpha": setup["lora_alpha"], "lora_dropout": setup["lora_dropout"],
            "gradient_checkpointing": setup["gradient_checkpointing"], "bf16": "true" if bf16 else "false",
            "save_steps": 10 ** 6, "logging_steps": 10, "offline": True, "checkpoint_dir": checkpoint_dir})
    return toolkit_argv({
        "max_source_length": setup["seq"], "max_target_length": setup["seq"],
        "per_device_train_batch_size": setup["batch"], "max_steps": steps, "learning_rate": setup["learning_rate"],
        "bf16": bf16, "fp16": not bf16, "eval_strategy": "no", "save_strategy": "no", "logging_steps": 10,
        "offline": True, "checkpoint_dir": checkpoint_dir})


def native_bf16(torch):
    """Compute capability 8.0 or newer: what llm-sft's sft_config.native_bf16 and bf16=auto decide. Not
    torch.cuda.is_bf16_supported(): its default (including_emulation=True) also says True on a T4 or V100."""
    return torch.cuda.get_device_capability(0)[0] >= 8


def run_recipe_child(recipe, work, steps):
    """The recipe's train.main in this process; returns seconds of the Trainer's loop and the peak memory."""
    import torch  # noqa: PLC0415
    recipe_dir = os.path.join(REPO, "training-scripts", recipe)
    bf16 = native_bf16(torch)
    os.environ.update({
        "SM_MODEL_DIR": os.path.join(work, recipe, "out-model"), "SM_OUTPUT_DATA_DIR": os.path.join(work, recipe, "out"),
        "SM_CHANNELS": json.dumps(["model", "train"]), "SM_CHANNEL_TRAIN": os.path.join(work, recipe, "train"),
        "SM_CHANNEL_MODEL": os.path.join(work, recipe, "model"), "SM_NUM_GPUS": "1", "SM_HOSTS": '["algo-1"]',
        "SM_CURRENT_HOST": "algo-1", "HF_HOME": os.path.join(work, "hf-home")})
    sys.path[:0] = [recipe_dir, os.path.dirname(recipe_dir)]  # the recipe, and hf_recipe as the archive holds it
    os.chdir(recipe_dir)
    import train  # noqa: PLC0415 - the recipe's own entry point (this child imports no other recipe)
    torch.cuda.reset_peak_memory_stats()
    train.main(recipe_argv(recipe, steps, os.path.join(work, recipe, f"checkpoints-{time.time_ns()}"), bf16))
    with open(os.path.join(work, recipe, "out", "results.json"), encoding="utf-8") as handle:
        results = json.load(handle)
    return {"seconds": results["train"]["train_runtime"], "peak_bytes": torch.cuda.max_memory_allocated(),
            "precision": "bf16" if bf16 else "fp16"}


def run_bare_child(recipe, work, steps):
    """The same model, batch and sequence length in a plain PyTorch loop; returns seconds and the peak memory."""
    import torch  # noqa: PLC0415
    setup = SETUPS[recipe]
    device = torch.device("cuda")
    bf16 = native_bf16(torch)
    autocast_dtype = torch.bfloat16 if bf16 else torch.float16
    model_dir = os.path.join(work, recipe, "model")
    generator = torch.Generator().manual_seed(0)
    torch.cuda.reset_peak_memory_stats()
    if recipe == "llm-sft":
        import peft  # noqa: PLC0415
        from transformers import AutoModelForCausalLM  # noqa: PLC0415
        model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=autocast_dtype)
        model.config.use_cache = False
        model = peft.get_peft_model(model, peft.LoraConfig(
            r=setup["lora_r"], lora_alpha=setup["lora_alpha"], lora_dropout=setup["lora_dropout"],
            target_modules="all-linear", bias="none", task_type="CAUSAL_LM"))
        if setup["gradient_checkpointing"]:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.to(device).train()
        ids = torch.randint(10, 200, (setup["batch"], setup["seq"]), generator=generator).to(device)
        labels = ids.clone()
        labels[:, :setup["prompt_tokens"]] = -100
        batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
        step_tokens = setup["batch"] * setup["seq"]
    else:
        from transformers import AutoModelForSeq2SeqLM  # noqa: PLC0415
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).to(device).train()
        ids = torch.randint(10, 200, (setup["batch"], setup["seq"]), generator=generator).to(device)
        labels = torch.randint(10, 200, (setup["batch"], setup["seq"]), generator=generator).to(device)
        batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
        step_tokens = setup["batch"] * setup["seq"] * 2
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=setup["learning_rate"])
    scaler = torch.amp.GradScaler("cuda", enabled=not bf16)
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        with torch.autocast("cuda", dtype=autocast_dtype):
            loss = model(**batch).loss
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
    torch.cuda.synchronize()
    return {"seconds": time.perf_counter() - started, "peak_bytes": torch.cuda.max_memory_allocated(),
            "tokens_per_step": step_tokens, "last_loss": float(loss), "precision": "bf16" if bf16 else "fp16"}


def tokens_per_step(recipe):
    setup = SETUPS[recipe]
    return setup["batch"] * setup["seq"] * (2 if recipe == "translation" else 1)


# ---------------------------------------------------------------- parent

def run_child(kind, recipe, work, steps):
    command = [sys.executable, os.path.abspath(__file__), "--child", kind, "--recipes", recipe, "--work", work,
               "--steps", str(steps)]
    print(f"== {recipe} / {kind}: {' '.join(command)}", flush=True)
    process = subprocess.run(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = process.stdout.splitlines()
    print("\n".join(lines[-8:]), flush=True)
    results = [line[len(RESULT_PREFIX):] for line in lines if line.startswith(RESULT_PREFIX)]
    if process.returncode != 0 or not results:
        raise RuntimeError(f"{recipe} / {kind} failed with exit code {process.returncode}")
    return json.loads(results[-1])


def report(rows):
    header = (f"{'recipe':<12} {'tokens/s recipe':>16} {'tokens/s bare':>14} {'ratio':>6} "
              f"{'peak GiB recipe':>16} {'peak GiB bare':>14} {'ratio':>6}")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row['recipe']:<12} {row['recipe_tokens_per_s']:>16,.0f} {row['bare_tokens_per_s']:>14,.0f} "
                     f"{row['throughput_ratio']:>6.2f} {row['recipe_peak_gib']:>16.2f} {row['bare_peak_gib']:>14.2f} "
                     f"{row['memory_ratio']:>6.2f}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="optimizer steps per measurement")
    parser.add_argument("--recipes", default="translation,llm-sft")
    parser.add_argument("--work", default=None, help="working directory (default: a new temporary one)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--child", choices=("recipe", "bare"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    recipes = [name.strip() for name in options.recipes.split(",") if name.strip()]
    unknown = sorted(set(recipes) - set(SETUPS))
    if unknown:
        parser.error(f"unknown recipes {unknown}; known: {sorted(SETUPS)}")
    if options.child:
        figures = (run_recipe_child if options.child == "recipe" else run_bare_child)(recipes[0], options.work,
                                                                                      options.steps)
        print(RESULT_PREFIX + json.dumps(figures), flush=True)
        return 0

    import torch  # noqa: PLC0415
    if not torch.cuda.is_available():
        print("benchmark_recipes: needs a CUDA GPU", file=sys.stderr)
        return 2
    work = options.work or tempfile.mkdtemp(prefix="recipe-benchmark-")
    rows = []
    for recipe in recipes:
        (prepare_llm_sft if recipe == "llm-sft" else prepare_translation)(work, options.steps)
        measured = {kind: run_child(kind, recipe, work, options.steps) for kind in ("recipe", "bare")}
        tokens = options.steps * tokens_per_step(recipe)
        recipe_rate = tokens / measured["recipe"]["seconds"]
        bare_rate = tokens / measured["bare"]["seconds"]
        rows.append({
            "recipe": recipe, "steps": options.steps, "tokens_per_step": tokens_per_step(recipe),
            "precision": measured["recipe"]["precision"],
            "recipe_tokens_per_s": recipe_rate, "bare_tokens_per_s": bare_rate,
            "throughput_ratio": recipe_rate / bare_rate,
            "recipe_peak_gib": measured["recipe"]["peak_bytes"] / 2 ** 30,
            "bare_peak_gib": measured["bare"]["peak_bytes"] / 2 ** 30,
            "memory_ratio": measured["recipe"]["peak_bytes"] / measured["bare"]["peak_bytes"],
            "setup": SETUPS[recipe],
        })
    print(f"\n{torch.cuda.get_device_name(0)}, torch {torch.__version__}, {options.steps} steps per measurement")
    print(report(rows))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "rows": rows}, handle,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
