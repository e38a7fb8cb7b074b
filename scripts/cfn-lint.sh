#!/usr/bin/env bash
# AWS's CloudFormation linter (cfn-lint, pinned below) over every synthesized template of every environment.
# Zero errors; each warning either fixed or listed with a reason in tests/cfn-lint-accepted.yaml, and every listed
# warning must still occur (no stale entries). Usage: scripts/cfn-lint.sh [cdk.out directory] (default $HF_CDK_OUT,
# else ./cdk.out). Prints "ok"/"not ok" lines and, last, "cfn-lint: N passed, N failed"; exit code non-zero on failure.
# scripts/cfn-lint.sh --install-only: only make sure .venv-tools/bin/python has the pinned cfn-lint (for other checks that
# read cfn-lint's bundled schemas, e.g. scripts/upgrade-check.sh).
#
# The tool lives in a project-local virtual environment (.venv-tools/, git-ignored) created with
# --system-site-packages, so a cfn-lint already installed for this Python at the pinned version is reused without
# network access; otherwise the pinned version is installed into the venv from the Python package index. A missing
# or unreachable tool is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
CFN_LINT_VERSION=1.51.0
out_dir=${1:-${HF_CDK_OUT:-cdk.out}}
venv=.venv-tools

fail() { echo "not ok - $1"; echo "cfn-lint: 0 passed, 1 failed"; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv --system-site-packages "$venv" >/dev/null || fail "could not create the virtual environment $venv (python3 -m venv; on Debian/Ubuntu: apt-get install python3-venv)"
fi
installed() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("cfn-lint"))' 2>/dev/null; }
if [ "$(installed)" != "$CFN_LINT_VERSION" ]; then
  echo "cfn-lint $CFN_LINT_VERSION is not installed for $("$venv/bin/python" --version); installing it into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" \
    || fail "pip install cfn-lint==$CFN_LINT_VERSION into $venv failed (no access to the Python package index?); install it and rerun"
  [ "$(installed)" = "$CFN_LINT_VERSION" ] || fail "cfn-lint $CFN_LINT_VERSION still not importable from $venv after pip install"
fi

[ "$out_dir" = "--install-only" ] && exit 0
exec "$venv/bin/python" scripts/cfn_lint_findings.py "$out_dir" tests/cfn-lint-accepted.yaml
