#!/usr/bin/env bash
# Makes .venv-tools/ (git-ignored) a Python virtual environment with every pin of scripts/python-tools.txt. It is
# created with --system-site-packages, so a tool already installed for this Python at the pinned version is reused
# without network access; otherwise the pins are installed into it from the Python package index. A missing or
# unreachable tool is a failure, never a skip. Usage: scripts/python-tools.sh (prints what it installs; exit code
# non-zero with the reason when a pin cannot be installed).
set -uo pipefail
cd "$(dirname "$0")/.."
venv=.venv-tools
pins=scripts/python-tools.txt

fail() { echo "scripts/python-tools.sh: $1" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv --system-site-packages "$venv" >/dev/null \
    || fail "could not create the virtual environment $venv (python3 -m venv; on Debian/Ubuntu: apt-get install python3-venv)"
fi
# The pins not installed at their version, one "name==version" a line.
missing() {
  "$venv/bin/python" - "$pins" <<'PY'
import importlib.metadata as metadata, re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    pin = line.split("#", 1)[0].strip()
    if not pin:
        continue
    name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", pin).groups()
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        print(pin)
PY
}
todo=$(missing) || fail "could not read $pins with $venv/bin/python"
if [ -n "$todo" ]; then
  echo "installing into $venv for $("$venv/bin/python" --version): $(echo $todo)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins" \
    || fail "pip install -r $pins into $venv failed (no access to the Python package index?); install $(echo $todo) and rerun"
  todo=$(missing)
  [ -z "$todo" ] || fail "still not importable from $venv after pip install: $(echo $todo)"
fi
