"""The one GPU check (run as tests/gpu/check.sh OUTPUT_DIR): everything about the recipes that needs a GPU, in under
10 minutes on one H200, with whatever torch / transformers / peft / accelerate are installed.

1. versions (printed first): Python, torch, CUDA, the GPU, transformers, peft, accelerate, and whether flash_attn,
   bitsandbytes and sacrebleu are installed;
2. ``llm-sft-e2e``: tests/gpu/run_llm_sft_e2e.py (tiny Llama built from a config, no download);
3. ``translation-e2e``: tests/gpu/run_translation_e2e.sh (tiny T5 built from a config);
4. ``packing-probe``: tests/gpu/packing_probe.py (the start-up isolation probe of llm-sft on a tiny Llama and tiny
   models still on transformers' older mask code, under sdpa, eager and flash_attention_2, with a control layout
   that must leak);
5. ``benchmark-tiny`` and ``benchmark-real``: tests/gpu/benchmark_recipes.py at the tiny size and at a real size
   (llm-sft: an 8B-class Llama shape with LoRA, sequence 2048, packing; translation: a t5-base shape), random weights
   created on the GPU.

Each part runs as its own process (in a session of its own, killed with everything it started when its time is up)
with a time limit (BUDGET_SECONDS: the limits and the start-up add up to under 10 minutes), its log in
OUTPUT_DIR/logs/; a part that needs a package the machine lacks reports "not available: <package>" instead of
failing the check. OUTPUT_DIR/gpu-figures.json (rewritten after every part) holds the versions, each part's verdict
and the figures it measured. Exit code 0 when no part failed.

Without a GPU, or without torch or transformers, it prints one line and exits with code 2 (no traceback).
"""
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
import time

STARTED = time.monotonic()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The 10-minute budget, in seconds from the start of this process: START_UP_SECONDS for the preflight (Python, torch
# and transformers imports, CUDA initialisation), then the parts in order, each within the limit below; what is left,
# HEADROOM_SECONDS, covers killing a part that ran out of time, the JSON and the exit. The limits add up to
# 150 + 90 + 60 + 60 + 180 = 540, and 30 + 540 + 30 = 600. Each part may run until the end of its own slot (start-up
# plus its limit and all earlier ones; ``allowance``), so the time an earlier part leaves unused passes on to the
# next part and no part can take time from the parts after it: the real-size benchmark, last, gets its 180 s and any
# time the others saved.
BUDGET_SECONDS = 600
START_UP_SECONDS = 30
HEADROOM_SECONDS = 30
# (name, command, time limit in seconds, figures file the part writes or None)
PARTS = (
    ("llm-sft-e2e", [sys.executable, "tests/gpu/run_llm_sft_e2e.py", "{work}/llm-sft"], 150, "{work}/llm-sft/figures.json"),
    ("translation-e2e", ["bash", "tests/gpu/run_translation_e2e.sh", "{work}/translation"], 90, None),
    ("packing-probe", [sys.executable, "tests/gpu/packing_probe.py", "--json", "{out}/packing-probe.json"], 60,
     "{out}/packing-probe.json"),
    ("benchmark-tiny", [sys.executable, "tests/gpu/benchmark_recipes.py", "--size", "tiny", "--work", "{work}/bench-tiny",
                        "--json", "{out}/benchmark-tiny.json"], 60, "{out}/benchmark-tiny.json"),
    ("benchmark-real", [sys.executable, "tests/gpu/benchmark_recipes.py", "--size", "real", "--work", "{work}/bench-real",
                        "--json", "{out}/benchmark-real.json"], 180, "{out}/benchmark-real.json"),
)
MINIMUM_SECONDS = 20  # a part with less than this left is not started (reported as failed: no time left)


def allowance(limits, index, elapsed):
    """Seconds part ``index`` may run when it starts ``elapsed`` seconds after this process started: until the end of
    its slot, START_UP_SECONDS plus the limits of the parts up to and including it."""
    return START_UP_SECONDS + sum(limits[:index + 1]) - elapsed


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


def stop_part_with_the_check(process):
    """While a part runs, a SIGTERM, SIGINT or SIGHUP to the check (a caller's time limit such as `timeout`, Ctrl-C, a
    closed terminal) kills the part's session too, then ends the check as that signal would: the part runs in a
    session of its own, out of reach of signals sent to the check's process group. Returns the handlers it replaced.
    (SIGKILL cannot be caught: a caller that kills the check that way leaves the part running.)"""
    def handler(number, frame):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    return {number: signal.signal(number, handler) for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}


def run_part(name, command, limit, out, work):
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    log_path = os.path.join(out, "logs", f"{name}.log")
    argv = [piece.format(out=out, work=work) for piece in command]
    print(f"== {name} (limit {limit} s): {' '.join(argv)}", flush=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        # A session of its own, so a part that runs out of time is killed with every process it started (the bash
        # e2e script's Python, torchrun's workers), which would otherwise hold the GPU during the later parts.
        process = subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        previous = stop_part_with_the_check(process)
        try:
            code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the part's processes still running: none when it ended cleanly
        except ProcessLookupError:
            pass
        process.wait()
    seconds = round(time.monotonic() - started, 1)
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
    limits = [part[2] for part in PARTS]
    for index, (name, command, _, figures_file) in enumerate(PARTS):
        left = int(allowance(limits, index, time.monotonic() - STARTED))
        if left < MINIMUM_SECONDS:
            figures["checks"][name] = {"verdict": "fail", "reason": "no time left in the 10-minute budget"}
            continue
        figures["checks"][name] = run_part(name, command, left, out, work)
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
