#!/usr/bin/env bash
# The one GPU check: tests/gpu/check.sh OUTPUT_DIR (runs tests/gpu/gpu_check.py; its docstring says what it runs).
# Prints the torch / transformers / peft / accelerate versions first and writes OUTPUT_DIR/gpu-figures.json.
# Without a GPU, or without torch or transformers, it stops at once with one line and a non-zero exit code.
# PYTHON selects the interpreter (default python3).
cd "$(dirname "$0")/../.." || exit 2
python=${PYTHON:-python3}
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "gpu check: usage: tests/gpu/check.sh OUTPUT_DIR" >&2
  exit 2
fi
command -v "$python" >/dev/null 2>&1 || { echo "gpu check: not run: no $python on PATH" >&2; exit 2; }
exec "$python" tests/gpu/gpu_check.py "$1"
