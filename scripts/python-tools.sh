#!/usr/bin/env bash
# Makes .venv-tools/ (git-ignored, created with --system-site-packages) hold every package pinned in
# scripts/python-tools.txt at its version: one already installed for this Python at that version is reused without
# network access; otherwise the pinned version is installed from the Python package index. A missing or unreachable
# package is a failure, never a skip. Prints nothing when all is in place; on failure one "python-tools: ..." line
# on stderr and exit code 1. Usage: scripts/python-tools.sh
set -uo pipefail
cd "$(dirname "$0")/.."
venv=.venv-tools

fail() { echo "python-tools: $1" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv --system-site-packages "$venv" >/dev/null || fail "could not create the virtual environment $venv (python3 -m venv; on Debian/Ubuntu: apt-get install python3-venv)"
fi
installed() { "$venv/bin/python" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$1" 2>/dev/null; }
while IFS= read -r line; do
  pin=${line%%#*}; pin=${pin//[[:space:]]/}
  [ -n "$pin" ] || continue
  name=${pin%%==*} version=${pin#*==}
  if [ "$(installed "$name")" != "$version" ]; then
    echo "$name $version is not installed for $("$venv/bin/python" --version); installing it into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pin" \
      || fail "pip install $pin into $venv failed (no access to the Python package index?); install it and rerun"
    [ "$(installed "$name")" = "$version" ] || fail "$name $version still not importable from $venv after pip install"
  fi
done < scripts/python-tools.txt
