#!/usr/bin/env bash
# AWS's CloudFormation linter (cfn-lint, pinned in scripts/python-tools.txt) over every synthesized template of every
# environment. Zero errors; each warning either fixed or listed with a reason in tests/cfn-lint-accepted.yaml, and every
# listed warning must still occur (no stale entries). Usage: scripts/cfn-lint.sh [cdk.out directory] (default $HF_CDK_OUT,
# else ./cdk.out). Prints "ok"/"not ok" lines and, last, "cfn-lint: N passed, N failed"; exit code non-zero on failure.
#
# The tool is pinned in scripts/python-tools.txt and lives in the project-local virtual environment .venv-tools/
# (git-ignored) that scripts/python-tools.sh keeps: an installed cfn-lint at the pinned version is reused without
# network access, otherwise it is installed from the Python package index. A missing or unreachable tool is a
# failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
out_dir=${1:-${HF_CDK_OUT:-cdk.out}}
venv=.venv-tools

fail() { echo "not ok - $1"; echo "cfn-lint: 0 passed, 1 failed"; exit 1; }

bash scripts/python-tools.sh || fail "the pinned cfn-lint (scripts/python-tools.txt) is not installed in $venv (see above)"

exec "$venv/bin/python" scripts/cfn_lint_findings.py "$out_dir" tests/cfn-lint-accepted.yaml
