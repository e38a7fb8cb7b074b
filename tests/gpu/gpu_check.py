"""The one GPU check (run as tests/gpu/check.sh OUTPUT_DIR): everything about the recipes that needs a GPU, in under
10 minutes on one H200, with whatever torch / transformers / peft / accelerate are installed.

1. versions (printed first): Python, torch, CUDA, the GPU, transformers, peft, accelerate, and whether flash_attn,
   bitsandbytes and sacrebleu are installed;
2. ``llm-sft-e2e``: tests/gpu/run_llm_sft_e2e.py (tiny Llama built from a config, no download);
3. ``translation-e2e``: tests/gpu/run_translation_e2e.sh (tiny T5 built from a config);
4. ``packing-probe``: tests/gpu/packing_probe.py (the start-up isolation probe of llm-sft on a tiny Llama and tiny
   models still on transformers' older mask code, under sdpa and flash_attention_2);
5. ``benchmark-tiny`` and ``benchmark-real``: tests/gpu/benchmark_recipes.py at the tiny size and at a real size
   (llm-sft: an 8B-class Llama shape with LoRA, sequence 2048, packing; translation: a t5-base shape), random weights
   created on the GPU.

Each part runs as its own process with a time limit (the whole check keeps under 10 minutes), its log in
OUTPUT_DIR/logs/; a part that needs a package the machine lacks reports "not available: <package>" instead of
failing the check. OUTPUT_DIR/gpu-figures.json (rewritten after every part) holds the versions, each part's verdict
and the figures it measured. Exit code 0 when no part failed.

Without a GPU, or without torch or transformers, it prints one line and exits with code 2 (no traceback).
"""
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOTAL_SECONDS = 570  # under 10 minutes with start-up and the JSON
# (name, command, time limit in seconds, figures file the part writes or None)
PARTS = (
    ("llm-sft-e2e", [sys.executable, "tests/gpu/run_llm_sft_e2e.py", "{work}/llm-sft"], 170, "{work}/llm-sft/figures.json"),
    ("translation-e2e", ["bash", "tests/gpu/run_translation_e2e.sh", "{work}/translation"], 110, None),
    ("packing-probe", [sys.executable, "tests/gpu/packing_probe.py", "--json", "{out}/packing-probe.json"], 60,
     "{out}/packing-probe.json"),
    ("benchmark-tiny", [sys.executable, "tests/gpu/benchmark_recipes.py", "--size", "tiny", "--work", "{work}/bench-tiny",
                        "--json", "{out}/benchmark-tiny.json"], 80, "{out}/benchmark-tiny.json"),
    ("benchmark-real", [sys.executable, "tests/gpu/benchmark_recipes.py", "--size", "real", "--work", "{work}/bench-real",
                        "--json", "{out}/benchmark-real.json"], 200, "{out}/benchmark-real.json"),
)


def preflight():
    """The versions, or one line saying why the check cannot run."""
    try:
        import torch
    except Exception as error:  # noqa: BLE001 - any failure to import is "not installed" here
        return None, f"gpu check: not run: torch is not importable ({type(error).__name__}: {error})"
    try:
        import transformers
    except Exception as error:  # noqa: BLE001
        return None, f"gpu check: not run: transformers is not importable ({type(error).__name__}: {error})"
    if not torch.cuda.is_available():
        return None, (f"gpu check: not run: torch {torch.__version__} sees no CUDA GPU "
                      f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', 'unset')})")
    versions = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
                "gpu": torch.cuda.get_device_name(0), "gpus": torch.cuda.device_count(),
                "compute_capability": ".".join(map(str, torch.cuda.get_device_capability(0))),
                "transformers": transformers.__version__}
    for package in ("peft", "accelerate", "flash_attn", "bitsandbytes", "sacrebleu", "jinja2"):
        if importlib.util.find_spec(package) is None:
            versions[package] = "not installed"
            continue
        try:
            versions[package] = getattr(__import__(package), "__version__", "installed")
        except Exception as error:  # noqa: BLE001 - installed but broken (e.g. a CUDA mismatch)
            versions[package] = f"not importable ({type(error).__name__})"
    return versions, None


def not_available(log_text):
    """Packages a part reported as missing ("not available: <package>" lines)."""
    return sorted({line.split("not available:", 1)[1].strip().split()[0].rstrip(",;:)")
                   for line in log_text.splitlines() if "not available:" in line})


def run_part(name, command, limit, out, work):
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    log_path = os.path.join(out, "logs", f"{name}.log")
    argv = [piece.format(out=out, work=work) for piece in command]
    print(f"== {name} (limit {limit} s): {' '.join(argv)}", flush=True)
    started = time.time()
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            process = subprocess.run(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, timeout=limit)
            code = process.returncode
        except subprocess.TimeoutExpired:
            code = None
    seconds = round(time.time() - started, 1)
    with open(log_path, encoding="utf-8", errors="replace") as log:
        text = log.read()
    missing = not_available(text)
    if code is None:
        verdict = "fail"
        reason = f"did not finish within {limit} s"
    elif code == 0:
        verdict = "pass"
        reason = None
    else:
        verdict = "fail"
        reason = f"exit code {code}"
    print("\n".join(text.splitlines()[-15:]), flush=True)
    print(f"== {name}: {verdict} ({seconds} s){' - ' + reason if reason else ''}"
          f"{'; not available: ' + ', '.join(missing) if missing else ''}", flush=True)
    return {"verdict": verdict, "reason": reason, "seconds": seconds, "not_available": missing,
            "log": os.path.relpath(log_path, out)}


def main(argv):
    if len(argv) != 1:
        print("gpu check: usage: tests/gpu/check.sh OUTPUT_DIR", file=sys.stderr)
        return 2
    versions, problem = preflight()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print("versions: " + ", ".join(f"{key} {value}" for key, value in versions.items()), flush=True)
    out = os.path.abspath(argv[0])
    work = os.path.join(out, "work")
    os.makedirs(work, exist_ok=True)
    figures = {"versions": versions, "checks": {}, "figures": {}}
    path = os.path.join(out, "gpu-figures.json")
    deadline = time.time() + TOTAL_SECONDS
    for name, command, limit, figures_file in PARTS:
        left = int(deadline - time.time())
        if left < 20:
            figures["checks"][name] = {"verdict": "fail", "reason": "no time left in the 10-minute budget"}
            continue
        figures["checks"][name] = run_part(name, command, min(limit, left), out, work)
        if figures_file:
            file_path = figures_file.format(out=out, work=work)
            if os.path.isfile(file_path):
                with open(file_path, encoding="utf-8") as handle:
                    figures["figures"][name] = json.load(handle)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2, default=str)
    failed = sorted(name for name, check in figures["checks"].items() if check["verdict"] == "fail")
    print(f"gpu check: {len(figures['checks']) - len(failed)} passed, {len(failed)} failed"
          f"{' (' + ', '.join(failed) + ')' if failed else ''}; figures in {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("gpu check: interrupted", file=sys.stderr)
        sys.exit(130)
