#!/usr/bin/env bash
# End-to-end run of training-scripts/translation/train.py as SageMaker would run it, on a machine with torch and
# transformers (a GPU box or the Hugging Face DLC itself; CPU works too, slowly). No network is needed.
#   1. builds a tiny T5 + word-level tokenizer from examples/data/translation (tests/gpu/make_tiny_model.py) and packs
#      it as model.tar.gz in a 'model' channel;
#   2. sets the SM_* variables and builds argv exactly as the sagemaker-training toolkit does from SDK-encoded
#      hyperparameters (sorted --key value, True/False, '' for null);
#   3. run 1 trains 2 epochs, then checks: model + tokenizer in SM_MODEL_DIR, results.json, checkpoints, and that each
#      MetricDefinitions regex in metric_definitions.json reads a value from the log;
#   4. run 2 is a simulated spot restart (3 epochs, same checkpoint dir, plus two half-synced checkpoints that must be
#      ignored: weights only, and trainer_state.json + weights without optimizer.pt/scheduler.pt) and must resume from
#      run 1's last checkpoint;
#   5. run 3 (4 epochs) finds its newest checkpoint complete but with a corrupt optimizer.pt, so resuming fails while
#      loading; it must log that and retry once from the next older checkpoint.
# Usage: tests/gpu/run_translation_e2e.sh [WORK_DIR]   (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
python=${PYTHON:-python3}
work=${1:-$(mktemp -d)}
mkdir -p "$work"

"$python" -c 'import torch, transformers, tokenizers' 2>/dev/null || {
  echo "run_translation_e2e: needs torch, transformers and tokenizers in $python (a Hugging Face DLC has them)" >&2
  exit 2
}
"$python" -c 'import torch, transformers; print(f"torch {torch.__version__}, transformers {transformers.__version__}, cuda {torch.cuda.is_available()}")'

echo "== unit tests"
"$python" -m unittest discover -s tests/python -p 'test_translation_*.py'
"$python" -m unittest discover -s tests/python -p 'test_hf_recipe_*.py'

echo "== tiny model and channels in $work"
rm -rf "$work/input" "$work/model" "$work/output" "$work/checkpoints" "$work/tiny-t5" "$work/tiny-t5.tar.gz"
mkdir -p "$work/input/train" "$work/input/validation" "$work/input/model" "$work/model" "$work/output"
cp examples/data/translation/train.jsonl "$work/input/train/"
cp examples/data/translation/validation.jsonl "$work/input/validation/"
"$python" tests/gpu/make_tiny_model.py examples/data/translation "$work/tiny-t5" --archive
mv "$work/tiny-t5.tar.gz" "$work/input/model/model.tar.gz"

export SM_MODEL_DIR="$work/model" SM_OUTPUT_DATA_DIR="$work/output"
export SM_CHANNELS='["model","train","validation"]'
export SM_CHANNEL_TRAIN="$work/input/train" SM_CHANNEL_VALIDATION="$work/input/validation" SM_CHANNEL_MODEL="$work/input/model"
export SM_NUM_GPUS=$("$python" -c 'import torch; print(torch.cuda.device_count())')
export SM_HOSTS='["algo-1"]' SM_CURRENT_HOST=algo-1
export HF_HOME="$work/hf-home"   # an empty cache: proves nothing comes from a previous download

# argv the toolkit would pass for SDK-encoded hyperparameters (EPOCHS filled in per run)
toolkit_argv() {
  EPOCHS=$1 WORK="$work" "$python" - <<'PY'
import json, os, sys
sys.path.insert(0, "tests/python")
from hf_recipe_support import toolkit_argv
hps = {"model_name_or_path": None, "source_lang": "en", "target_lang": "de", "num_train_epochs": float(os.environ["EPOCHS"]),
       "per_device_train_batch_size": 8, "per_device_eval_batch_size": 8, "learning_rate": 1e-3,
       "logging_steps": 1, "save_total_limit": None, "offline": True, "fp16": False, "num_beams": 1,
       "max_target_length": 32, "max_source_length": 32, "checkpoint_dir": os.environ["WORK"] + "/checkpoints",
       "sagemaker_program": "train.py", "sagemaker_container_log_level": 20}
print("\0".join(toolkit_argv({k: json.dumps(v) for k, v in hps.items()})), end="")
PY
}

run_train() {  # $1 epochs, $2 log file
  local -a argv=()
  while IFS= read -r -d '' item; do argv+=("$item"); done < <(toolkit_argv "$1"; printf '\0')
  echo "train.py ${argv[*]}"
  (cd training-scripts/translation && PYTHONPATH=.. "$python" train.py "${argv[@]}") 2>&1 | tee "$2"   # hf_recipe: as in the archive
}

check_run() {  # $1 log file, $2 expect resume (yes/no)
  "$python" - "$1" "$2" "$work" <<'PY'
import json, os, re, sys
log_path, expect_resume, work = sys.argv[1:]
log = open(log_path, encoding="utf-8").read()
problems = []
definitions = json.load(open("training-scripts/translation/metric_definitions.json"))
for d in definitions:
    values = [float(m.group(1)) for m in re.finditer(d["Regex"], log)]
    print(f"{d['Name']}: {len(values)} values, last {values[-1] if values else None}")
    if not values:
        problems.append(f"regex for {d['Name']} matched nothing in the log")
for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
    if not os.path.isfile(os.path.join(work, "model", name)):
        problems.append(f"SM_MODEL_DIR lacks {name}")
if not any(n.startswith("model.safetensors") or n.startswith("pytorch_model") for n in os.listdir(os.path.join(work, "model"))):
    problems.append("SM_MODEL_DIR holds no weights")
results = json.load(open(os.path.join(work, "output", "results.json")))
print("eval:", results.get("validation"))
if "eval_bleu" not in results.get("validation", {}):
    problems.append("results.json has no eval_bleu")
steps = sorted(int(n.split("-")[1]) for n in os.listdir(os.path.join(work, "checkpoints")) if re.fullmatch(r"checkpoint-\d+", n))
print("checkpoints:", steps)
resumed = results.get("resumed_from")
if expect_resume == "yes" and (not resumed or "resuming from checkpoint" not in log or "99999" in resumed):
    problems.append(f"run did not resume from the last complete checkpoint (resumed_from={resumed})")
if expect_resume == "fallback" and (not resumed or "retrying once from checkpoint" not in log):
    problems.append(f"run did not fall back to an older checkpoint after a load failure (resumed_from={resumed})")
if expect_resume == "no" and resumed:
    problems.append(f"first run resumed from {resumed}")
if "offline" not in log:
    problems.append("the log does not show the offline setting")
print("\n".join(["FAIL: " + p for p in problems]) or "run OK")
sys.exit(1 if problems else 0)
PY
}

latest_checkpoint() {  # the newest complete checkpoint, as the script sees it
  "$python" -c 'import sys; sys.path.insert(0, "training-scripts"); from hf_recipe import checkpoints
print(checkpoints.latest_checkpoint(sys.argv[1]) or sys.exit("no complete checkpoint"))' "$work/checkpoints"
}

echo "== run 1: 2 epochs from scratch"
run_train 2 "$work/run1.log"
check_run "$work/run1.log" no

echo "== run 2: simulated spot restart, 3 epochs, with half-synced checkpoints to ignore"
mkdir -p "$work/checkpoints/checkpoint-999999" && echo partial > "$work/checkpoints/checkpoint-999999/model.safetensors"
last=$(latest_checkpoint)
mkdir -p "$work/checkpoints/checkpoint-999998"
cp "$last/trainer_state.json" "$last/config.json" "$last/model.safetensors" "$work/checkpoints/checkpoint-999998/"
run_train 3 "$work/run2.log"
check_run "$work/run2.log" yes
grep -q "skipping incomplete checkpoint .*checkpoint-999998.*optimizer.pt" "$work/run2.log" \
  || { echo "FAIL: run 2 did not report checkpoint-999998 as incomplete" >&2; exit 1; }

echo "== run 3: newest checkpoint complete but its optimizer.pt corrupt: retry once from the next older one"
rm -rf "$work/checkpoints/checkpoint-999999" "$work/checkpoints/checkpoint-999998"
last=$(latest_checkpoint)
echo "not a torch file" > "$last/optimizer.pt"
run_train 4 "$work/run3.log"
check_run "$work/run3.log" fallback
echo "translation e2e: PASS ($work)"
