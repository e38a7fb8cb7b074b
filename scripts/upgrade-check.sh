#!/usr/bin/env bash
# The upgrade check over two synthesized cloud assemblies (a pull request's base and head): fails when a stateful
# resource would be replaced or removed without a reason the pull request adds to ops/upgrade-allow-list.yaml.
# Decides "replaced" from CloudFormation's resource provider schemas as bundled with the pinned cfn-lint
# (scripts/python-tools.txt, installed into .venv-tools/ by scripts/python-tools.sh). See scripts/upgrade_check.py.
# Usage: scripts/upgrade-check.sh <base cdk.out> <head cdk.out> [<base checkout>] [<report directory>]
#   <base checkout>: the base's working tree, whose ops/upgrade-allow-list.yaml holds the entries earlier pull requests
#   added (they allow nothing now); without it every entry of the head's file counts.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/upgrade-check.sh <base cdk.out> <head cdk.out> [<base checkout>] [<report directory>]" >&2; exit 2; }
base_out=$1 head_out=$2 base_tree=${3:-} report=${4:-}
bash scripts/python-tools.sh >&2 || { echo "upgrade check: the pinned cfn-lint (scripts/python-tools.txt) could not be installed" >&2; exit 2; }
args=(--base "$base_out" --head "$head_out" --allow-list ops/upgrade-allow-list.yaml)
[ -n "$base_tree" ] && args+=(--base-allow-list "$base_tree/ops/upgrade-allow-list.yaml")
[ -n "$report" ] && args+=(--report "$report")
exec .venv-tools/bin/python scripts/upgrade_check.py "${args[@]}"
