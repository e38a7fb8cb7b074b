#!/usr/bin/env bash
# The whole test suite: C# (xUnit), Python (unittest) and Node (node:test) checks over freshly synthesized templates.
# Needs only the .NET SDK, Node.js and Python 3. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/.test-results"
rm -rf "$results" && mkdir -p "$results/requests"
export HF_TEST_RESULTS="$results"          # C# tests write every SageMaker request they build here (validated by Node)
export HF_CDK_OUT="$results/cdk.out"       # every environment synthesized once, read by the Node and Python checks

# Node tooling is pinned by package-lock.json; reinstall only when the lock file changed.
if ! cmp -s package-lock.json node_modules/.package-lock.json.stamp 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.stamp
fi

dotnet build Infra.sln --nologo -clp:ErrorsOnly -v q
CDK_OUTDIR="$HF_CDK_OUT" dotnet run --project infra --no-build 2>&1 | grep -v '^!!' || true
[ -f "$HF_CDK_OUT/manifest.json" ] || { echo "synthesis failed: no $HF_CDK_OUT/manifest.json" >&2; exit 1; }

status=0
dotnet test Infra.sln --no-build --nologo --logger "trx;LogFileName=dotnet.trx" --results-directory "$results" || status=1
python3 -m unittest discover -s tests/python -p 'test_*.py' || status=1
node --test --test-reporter=spec --test-reporter-destination=stdout tests/node/ || status=1
exit $status
