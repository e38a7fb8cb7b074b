"""End-to-end run of training-scripts/llm-sft/train.py as SageMaker would run it, on a machine with torch,
transformers and peft (a GPU box or the Hugging Face DLC itself; CPU works too, slowly). No network is needed.

Usage: python3 tests/gpu/run_llm_sft_e2e.py [WORK_DIR]   (default: a new temporary directory); exit code 0 = PASS.

1. the llm-sft unit tests; a tiny Llama-style model with random weights and a word-level chat tokenizer built from
   examples/data/llm-sft (make_tiny_llama.py), packed as model.tar.gz in a 'model' channel;
2. run 1: LoRA from scratch (padding mode, eval every 10 steps, merge_adapter=True), argv built exactly as the
   sagemaker-training toolkit builds it from SDK-encoded hyperparameters; checks that every MetricDefinitions regex
   reads values from the log, the training and evaluation losses go down, eval_loss is token-weighted, the merged
   model was evaluated beside the adapter, the adapter and tokenizer are in SM_MODEL_DIR, and the merged model in
   SM_MODEL_DIR/merged loads, matches base + adapter and generates; two LoRA wraps with one seed start equal;
3. run 2: a simulated spot restart (more steps, same checkpoint directory, plus a half-synced checkpoint that must be
   skipped) must resume from run 1's last checkpoint;
4. run 3: packing, after checking in-process that a packed row (position_ids restarting, no attention_mask) gives
   the second example the same logits as running it alone (no attention across packed examples); the script's own
   start-up probe must pass and say so in the log;
5. run 4: a tokenizer without a chat template (the script's fallback template is used and saved);
6. run 5: QLoRA (load_in_4bit) with merge_adapter when bitsandbytes and a GPU are there (the merged model must be
   unquantized, load and generate); run 6: torchrun on 2 GPUs when there are 2.
   Run 1 also checks that bf16=auto picked bfloat16 only on a GPU of compute capability 8.0 or newer.
Prints the figures (losses, steps, seconds, sizes) and ends with "llm-sft e2e: PASS" or the list of failures.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT_DIR = os.path.join(REPO, "training-scripts", "llm-sft")
DATA_DIR = os.path.join(REPO, "examples", "data", "llm-sft")
sys.path.insert(0, os.path.join(REPO, "tests", "python"))
sys.path.insert(0, os.path.join(REPO, "tests", "gpu"))

from hf_recipe_support import toolkit_argv  # noqa: E402 - the toolkit's argv, shared with the unit tests
from llm_sft_support import sft  # noqa: E402 - the recipe's own modules (standard library only at import)

FAILURES = []
FIGURES = {}


def dtype_kwargs(dtype):
    """``dtype=`` for from_pretrained from transformers 4.56 (``torch_dtype`` is deprecated there), else
    ``torch_dtype=``: the recipe's own rule (sft_config.dtype_keyword)."""
    import transformers
    return {sft.sft_config.dtype_keyword(transformers.__version__): dtype}


def checkpoint_steps(checkpoints_dir):
    """Steps of the checkpoint-N directories in ``checkpoints_dir`` ([] when it does not exist: a run that failed
    before the Trainer existed leaves none, and the summary must still be printed)."""
    if not os.path.isdir(checkpoints_dir):
        return []
    return sorted(int(n.split("-")[1]) for n in os.listdir(checkpoints_dir) if re.fullmatch(r"checkpoint-\d+", n))


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)
    return condition


def metric_values(log):
    with open(os.path.join(SCRIPT_DIR, "metric_definitions.json"), encoding="utf-8") as handle:
        definitions = json.load(handle)
    return {d["Name"]: [float(m.group(1)) for m in re.finditer(d["Regex"], log)] for d in definitions}


def hyperparameters(work, **overrides):
    values = {"model_name_or_path": None, "max_seq_length": 128, "packing": False, "max_steps": 30,
              "learning_rate": 3e-3, "lr_scheduler_type": "constant", "warmup_ratio": 0.0,
              "per_device_train_batch_size": 4, "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1,
              "gradient_checkpointing": True, "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
              "lora_target_modules": "all-linear", "bf16": "auto", "merge_adapter": False, "eval_steps": 10,
              "save_steps": 10, "logging_steps": 5, "seed": 7, "offline": True,
              "checkpoint_dir": os.path.join(work, "checkpoints"),
              "sagemaker_program": "train.py", "sagemaker_container_log_level": 20}
    values.update(overrides)
    return toolkit_argv({key: json.dumps(value) for key, value in values.items()})


def environment(work, model_channel):
    env = dict(os.environ)
    env.update({
        "SM_MODEL_DIR": os.path.join(work, "model"), "SM_OUTPUT_DATA_DIR": os.path.join(work, "output"),
        "SM_CHANNELS": json.dumps(["model", "train", "validation"]),
        "SM_CHANNEL_TRAIN": os.path.join(work, "input", "train"),
        "SM_CHANNEL_VALIDATION": os.path.join(work, "input", "validation"),
        "SM_CHANNEL_MODEL": model_channel, "SM_HOSTS": '["algo-1"]', "SM_CURRENT_HOST": "algo-1",
        "HF_HOME": os.path.join(work, "hf-home"),  # an empty cache: nothing comes from an earlier download
        "TMPDIR": os.path.join(work, "tmp"),  # where the model channel's archive is extracted: fresh per work dir
        "PYTHONPATH": os.path.dirname(SCRIPT_DIR),  # hf_recipe, which the job's archive holds beside train.py
    })
    os.makedirs(env["TMPDIR"], exist_ok=True)
    return env


def run_train(name, work, model_channel, argv, launcher=None):
    """Run train.py (as the toolkit does: from the script directory, with ``launcher``, default this Python) and
    return (log, results.json)."""
    for directory in ("model", "output"):
        shutil.rmtree(os.path.join(work, directory), ignore_errors=True)
        os.makedirs(os.path.join(work, directory))
    command = list(launcher or [sys.executable]) + ["train.py"] + argv
    print(f"\n== {name}: {' '.join(command)}", flush=True)
    started = time.time()
    process = subprocess.run(command, cwd=SCRIPT_DIR, env=environment(work, model_channel), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seconds = time.time() - started
    log = process.stdout
    with open(os.path.join(work, f"{name}.log"), "w", encoding="utf-8") as handle:
        handle.write(log)
    print("\n".join(log.splitlines()[-25:]))
    check(process.returncode == 0, f"{name}: train.py exited with {process.returncode} ({seconds:.1f} s)")
    results_path = os.path.join(work, "output", "results.json")
    results = {}
    if os.path.isfile(results_path):
        with open(results_path, encoding="utf-8") as handle:
            results = json.load(handle)
    FIGURES[name] = {"seconds": round(seconds, 1), "resumed_from": results.get("resumed_from"),
                     "train": {k: v for k, v in results.get("train", {}).items() if k in ("train_loss", "train_runtime")},
                     "eval": {k: v for k, v in results.get("eval", {}).items() if k in ("eval_loss", "eval_perplexity")}}
    return log, results


def check_metrics(name, log, expect_eval=True, expect_decrease=True):
    values = metric_values(log)
    print(f"{name}: " + ", ".join(f"{key} {len(v)} values (first {v[0] if v else None}, last {v[-1] if v else None})"
                                  for key, v in values.items()))
    expected = ["train_loss", "epoch", "learning_rate"] + (["eval_loss", "eval_perplexity"] if expect_eval else [])
    for key in expected:
        check(bool(values[key]), f"{name}: the {key} regex reads a value from the log")
    if expect_decrease:
        # the Trainer's last log is the run's average train_loss: compare the step-wise values before it
        steps = values["train_loss"][:-1]
        check(len(steps) >= 2 and steps[-1] < steps[0] * 0.9,
              f"{name}: training loss goes down by more than 10% ({steps[:1]} -> {steps[-1:]})")
        if expect_eval:
            check(len(values["eval_loss"]) >= 2 and values["eval_loss"][-1] < values["eval_loss"][0],
                  f"{name}: eval loss goes down ({values['eval_loss'][:1]} -> {values['eval_loss'][-1:]})")
    return values


def check_outputs(name, work, merged):
    model_dir = os.path.join(work, "model")
    for file_name in ("adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        check(os.path.isfile(os.path.join(model_dir, file_name)), f"{name}: SM_MODEL_DIR holds {file_name}")
    check(not os.path.isfile(os.path.join(model_dir, "model.safetensors")),
          f"{name}: SM_MODEL_DIR holds the adapter, not a full copy of the base model")
    sizes = {n: os.path.getsize(os.path.join(model_dir, n)) for n in os.listdir(model_dir)
             if os.path.isfile(os.path.join(model_dir, n))}
    FIGURES[name]["adapter_bytes"] = sizes.get("adapter_model.safetensors")
    if merged:
        merged_dir = os.path.join(model_dir, sft.train.merged_subdirectory())
        check(os.path.isfile(os.path.join(merged_dir, "config.json")) and any(
            n.startswith("model") and n.endswith(".safetensors") for n in os.listdir(merged_dir)),
            f"{name}: SM_MODEL_DIR/merged holds a full model")


def check_merged_model(work, base_dir):
    """The merged model loads, gives the logits of base + adapter, and generates from a chat prompt."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merged_dir = os.path.join(work, "model", sft.train.merged_subdirectory())
    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, **dtype_kwargs(torch.float32)).eval()
    base = AutoModelForCausalLM.from_pretrained(base_dir, **dtype_kwargs(torch.float32))
    adapted = PeftModel.from_pretrained(base, os.path.join(work, "model")).eval()
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                           tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(prompt, add_special_tokens=False, return_token_type_ids=False, return_tensors="pt")
    with torch.no_grad():
        a = merged(**inputs).logits
        b = adapted(**inputs).logits
    difference = (a - b).abs().max().item()
    FIGURES["merge_max_logit_difference"] = difference
    check(difference < 5e-2, f"merged model's logits equal base + adapter (max difference {difference:.2e})")
    with torch.no_grad():
        output = merged.generate(**inputs, max_new_tokens=12, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    new_tokens = output[0, inputs["input_ids"].shape[1]:]
    text = tokenizer.decode(new_tokens, skip_special_tokens=False)
    FIGURES["merged_generation"] = text
    print(f"merged model generates: {text!r}")
    check(len(new_tokens) > 0, "merged model generates new tokens")


def check_precision(name, results):
    """bf16=auto trains in bfloat16 exactly where the GPU computes in it natively (compute capability 8.0+); a T4 or
    V100, where torch.cuda.is_bf16_supported() also says True (emulation), trains in float16."""
    import torch
    if not torch.cuda.is_available():
        expected = "float32"
    else:
        expected = "bfloat16" if torch.cuda.get_device_capability(0)[0] >= 8 else "float16"
    check(results.get("precision") == expected,
          f"{name}: bf16=auto trains in {expected} on this device ({results.get('precision')})")


def check_qlora_merge(name, work):
    """QLoRA + merge_adapter: the adapter was trained on a 4-bit base, so the script must merge it into the base
    reloaded unquantized; the merged model has no quantization_config, loads as a plain model and generates."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merged_dir = os.path.join(work, "model", sft.train.merged_subdirectory())
    with open(os.path.join(merged_dir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    check("quantization_config" not in config, f"{name}: the merged model is not quantized (config.json)")
    with open(os.path.join(work, "model", "adapter_config.json"), encoding="utf-8") as handle:
        adapter = json.load(handle)
    FIGURES[name]["adapter_target_modules"] = sorted(adapter.get("target_modules") or [])
    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, **dtype_kwargs(torch.float32)).eval()
    check(not getattr(merged, "is_loaded_in_4bit", False), f"{name}: the merged model loads unquantized")
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "What is the capital of Spain?"}],
                                           tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(prompt, add_special_tokens=False, return_token_type_ids=False, return_tensors="pt")
    with torch.no_grad():
        output = merged.generate(**inputs, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    check(output.shape[1] > inputs["input_ids"].shape[1], f"{name}: the merged model generates")


def check_evaluation(name, results):
    """eval_loss is the mean over tokens (not over batches) and the merged model was evaluated beside the adapter."""
    import math
    evaluation = results.get("eval", {})
    check("eval_loss_tokens" in evaluation and evaluation.get("eval_loss_tokens", 0) > 0,
          f"{name}: eval_loss is token-weighted ({evaluation.get('eval_loss_tokens')} tokens)")
    merged = results.get("merged_eval") or {}
    loss, adapter = merged.get("merged_eval_loss"), merged.get("adapter_eval_loss")
    if check(isinstance(loss, float) and math.isfinite(loss), f"{name}: the merged model was evaluated ({loss})"):
        FIGURES[name]["merged_minus_adapter_eval_loss"] = loss - adapter if isinstance(adapter, float) else None
        check(isinstance(adapter, float) and abs(loss - adapter) < 0.05 * max(abs(adapter), 1.0),
              f"{name}: the merged model's eval loss {loss:.5f} is close to the adapter's {adapter}")


def check_lora_seeding(base_dir):
    """Two LoRA wraps of the same base with the same seed start from the same adapter weights (runs repeat from the
    seed)."""
    import argparse
    import torch
    from transformers import AutoModelForCausalLM

    precision = sft.sft_config.Precision(False, False, "float32", "e2e")
    args = sft.args.parse_args(["--seed", "11", "--lora_r", "4"])
    weights = []
    for _ in range(2):
        torch.manual_seed(1234 + len(weights))  # a different global RNG state each time: only the seed may matter
        model = sft.train._peft_model(AutoModelForCausalLM.from_pretrained(base_dir, **dtype_kwargs(torch.float32)),
                                      args, precision)
        weights.append({n: p.detach().clone() for n, p in model.named_parameters() if "lora_A" in n})
    same = weights[0].keys() == weights[1].keys() and all(torch.equal(weights[0][n], weights[1][n]) for n in weights[0])
    check(bool(weights[0]) and same, "LoRA initialisation is reproducible from seed (two wraps, same seed)")


def check_packing_isolation(base_dir):
    """Logits of example B alone equal B's logits when packed after A (position_ids restart, no attention mask)."""
    import torch
    from transformers import AutoModelForCausalLM

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(base_dir, **dtype_kwargs(torch.float32)).to(device).eval()
    a = torch.tensor([[2, 3, 10, 11, 12, 13, 5]], device=device)
    b = torch.tensor([[2, 3, 20, 21, 22, 5]], device=device)
    packed = torch.cat([a, b], dim=1)
    positions = torch.cat([torch.arange(a.shape[1]), torch.arange(b.shape[1])]).unsqueeze(0).to(device)
    with torch.no_grad():
        # use_cache=False as in training (the script sets it): transformers detects packed rows only without a cache
        alone = model(input_ids=b, use_cache=False).logits[0]
        together = model(input_ids=packed, position_ids=positions, use_cache=False).logits[0, a.shape[1]:]
        leaky = model(input_ids=packed, use_cache=False).logits[0, a.shape[1]:]  # no position_ids: B attends to A
    difference = (alone - together).abs().max().item()
    leak = (alone - leaky).abs().max().item()
    FIGURES["packing_isolation"] = {"max_difference": difference, "without_position_ids": leak,
                                    "attn_implementation": getattr(model.config, "_attn_implementation", None)}
    check(difference < 1e-3, f"packed example's logits equal its logits alone (max difference {difference:.2e}, "
                             f"{leak:.2e} without position_ids)")


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="llm-sft-e2e-")
    os.makedirs(work, exist_ok=True)
    try:
        import peft
        import torch
        import transformers
    except ImportError as error:
        print(f"run_llm_sft_e2e: needs torch, transformers, peft and tokenizers ({error}); a Hugging Face DLC has "
              f"them", file=sys.stderr)
        return 2
    gpus = torch.cuda.device_count()
    FIGURES["versions"] = {"torch": torch.__version__, "transformers": transformers.__version__,
                           "peft": peft.__version__, "gpus": gpus,
                           "device": torch.cuda.get_device_name(0) if gpus else "cpu"}
    print(FIGURES["versions"], flush=True)

    print("== unit tests", flush=True)
    unit = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", "tests/python", "-p",
                           "test_llm_sft_*.py"], cwd=REPO)
    check(unit.returncode == 0, "llm-sft unit tests pass")

    import make_tiny_llama  # noqa: PLC0415 - needs transformers
    for directory in ("input", "checkpoints", "checkpoints-packing", "checkpoints-plain", "checkpoints-qlora",
                      "checkpoints-ddp", "tiny-llama", "tiny-llama-plain", "hf-home", "tmp"):
        shutil.rmtree(os.path.join(work, directory), ignore_errors=True)
    for channel in ("train", "validation", "model"):
        os.makedirs(os.path.join(work, "input", channel))
    for name, channel in (("train.jsonl", "train"), ("validation.jsonl", "validation")):
        shutil.copy(os.path.join(DATA_DIR, name), os.path.join(work, "input", channel, name))
    base_dir = os.path.join(work, "tiny-llama")
    vocabulary, parameters = make_tiny_llama.build(DATA_DIR, base_dir)
    shutil.move(make_tiny_llama.archive(base_dir), os.path.join(work, "input", "model", "model.tar.gz"))
    FIGURES["tiny_model"] = {"parameters": parameters, "vocabulary": vocabulary}
    model_channel = os.path.join(work, "input", "model")

    log, results = run_train("run1", work, model_channel, hyperparameters(work, merge_adapter=True))
    check_metrics("run1", log)
    check_outputs("run1", work, merged=True)
    check(results.get("resumed_from") is None, "run1 starts from scratch")
    check("model.tar.gz" not in str(results.get("model_source")) and bool(results.get("model_source")),
          f"run1 loads the extracted model channel ({results.get('model_source')})")
    check("offline=True" in log, "run1 logs that it is offline")
    check_precision("run1", results)
    if not FAILURES:
        check_merged_model(work, base_dir)

    check_evaluation("run1", results)
    checkpoints_dir = os.path.join(work, "checkpoints")
    steps = checkpoint_steps(checkpoints_dir)
    print(f"checkpoints after run 1: {steps}")
    if check(bool(steps), "run1 wrote checkpoints (run 2, the spot restart, needs them)"):
        half = os.path.join(checkpoints_dir, "checkpoint-999")
        os.makedirs(half, exist_ok=True)
        last = os.path.join(checkpoints_dir, f"checkpoint-{steps[-1]}")
        for file_name in ("adapter_model.safetensors", "adapter_config.json", "trainer_state.json"):
            shutil.copy(os.path.join(last, file_name), half)  # optimizer.pt and scheduler.pt not synced yet
        log, results = run_train("run2", work, model_channel, hyperparameters(work, max_steps=40))
        check(str(results.get("resumed_from", "")).endswith(f"checkpoint-{steps[-1]}"),
              f"run2 resumes from run 1's last checkpoint checkpoint-{steps[-1]} ({results.get('resumed_from')})")
        check("skipping incomplete checkpoint" in log and "checkpoint-999" in log,
              "run2 skips the half-synced checkpoint")
        check(results.get("train", {}).get("train_runtime") is not None, "run2 completes training")
        shutil.rmtree(half)
    check_lora_seeding(base_dir)

    check_packing_isolation(base_dir)
    log, results = run_train("run3-packing", work, model_channel,
                             hyperparameters(work, packing=True, max_steps=10, eval_steps=5,
                                             checkpoint_dir=os.path.join(work, "checkpoints-packing")))
    check("packed" in log, "run3 packs the examples")
    check("packed examples are isolated in this model" in log, "run3's start-up probe proves packing isolation")
    check_metrics("run3-packing", log, expect_decrease=False)

    plain_dir = os.path.join(work, "tiny-llama-plain")
    make_tiny_llama.build(DATA_DIR, plain_dir, chat_template=False)
    log, results = run_train("run4-fallback-template", work, plain_dir,
                             hyperparameters(work, max_steps=5, checkpoint_dir=os.path.join(work, "checkpoints-plain")))
    check("no chat template: using the fallback template" in log, "run4 uses the fallback template")
    with open(os.path.join(work, "model", "tokenizer_config.json"), encoding="utf-8") as handle:
        saved = json.load(handle).get("chat_template") or ""
    if not saved and os.path.isfile(os.path.join(work, "model", "chat_template.jinja")):
        with open(os.path.join(work, "model", "chat_template.jinja"), encoding="utf-8") as handle:
            saved = handle.read()
    check("### Response" in saved, "run4 saves the fallback template with the tokenizer")

    try:
        import bitsandbytes  # noqa: F401
        has_bnb = True
    except ImportError:
        has_bnb = False
    if gpus and has_bnb:
        log, results = run_train("run5-qlora", work, model_channel,
                                 hyperparameters(work, load_in_4bit=True, max_steps=10, eval_steps=5,
                                                 merge_adapter=True,
                                                 checkpoint_dir=os.path.join(work, "checkpoints-qlora")))
        check_metrics("run5-qlora", log, expect_decrease=False)
        check_outputs("run5-qlora", work, merged=True)
        if os.path.isfile(os.path.join(work, "model", sft.train.merged_subdirectory(), "config.json")):
            check_qlora_merge("run5-qlora", work)
    else:
        print("run5 (QLoRA): not available: bitsandbytes" if gpus else "run5 (QLoRA) skipped: needs a GPU")
    if gpus >= 2:
        launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
        log, results = run_train("run6-torchrun", work, model_channel,
                                 hyperparameters(work, max_steps=10, eval_steps=5,
                                                 checkpoint_dir=os.path.join(work, "checkpoints-ddp")), launcher)
        check_metrics("run6-torchrun", log, expect_decrease=False)
    else:
        print(f"run6 (torchrun) skipped: {gpus} GPU(s)")

    print("\n== figures")
    print(json.dumps(FIGURES, indent=2, default=str))
    with open(os.path.join(work, "figures.json"), "w", encoding="utf-8") as handle:
        json.dump(FIGURES, handle, indent=2, default=str)
    if FAILURES:
        print("llm-sft e2e: FAIL\n" + "\n".join(f"  - {failure}" for failure in FAILURES))
        return 1
    print(f"llm-sft e2e: PASS ({work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
