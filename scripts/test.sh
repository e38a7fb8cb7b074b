#!/usr/bin/env bash
# The whole test suite: C# (xUnit), Python (unittest) and Node (node:test) checks over freshly synthesized templates.
# Needs the .NET SDK, Node.js and Python 3 (the Python tools of scripts/python-tools.txt: reused when installed at the
# pinned version, else installed into .venv-tools/ by scripts/python-tools.sh; Node: the machine's when package.json
# "engines" allows it, else the pinned one scripts/node.sh installs into .venv-tools/node/). Usage: scripts/test.sh
# Order: choose Node -> npm ci (only if the lock file changed) -> dotnet build (the only build) -> then, side by side:
#          [synthesize every environment into $HF_CDK_OUT -> Node checks and cfn-lint over cdk.out]   and   [dotnet test]
#          and [tests/consumer/run.sh: pack the library, build and synthesize an external net8.0 app against it]
#        -> Python unittest and the Node checks over what the C# tests wrote ($HF_TEST_RESULTS).
#        Each stage's output is printed as one block under a "== stage ==" heading (dotnet test live, the
#        background stage once it is done). The last line is always "N passed, N failed", the line before it the
#        number of skipped tests: a skip fails the run unless tests/allowed-skips.json names the test with its reason
#        (scripts/skip_gate.py); the exit code is non-zero if anything failed (build, synthesis or any test).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/.test-results"
rm -rf "$results" && mkdir -p "$results/requests"
export HF_TEST_RESULTS="$results"          # C# tests write every SageMaker request they build here (validated by Node)
export HF_CDK_OUT="$results/cdk.out"       # every environment synthesized once, read by the Node and Python checks
unset HF_ENVIRONMENTS_DIR                  # always test the shipped environments/

# Stops the suite after a step that leaves nothing to test, still printing the summary line CI reads.
abort() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# Node for everything below (jsii under dotnet, node:test, npm): see scripts/node.sh. It says which Node it chose.
node_bin=$(bash scripts/node.sh --path) || abort "no Node.js of the major version package.json engines.node names"
[ -z "$node_bin" ] || export PATH="$node_bin:$PATH"

# Node tooling is pinned by package-lock.json; reinstall only when the lock file changed.
if ! cmp -s package-lock.json node_modules/.package-lock.json.stamp 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error || abort "npm ci failed"
  cp package-lock.json node_modules/.package-lock.json.stamp
fi

section() { printf '\n== %s ==\n' "$1"; }

dotnet build Infra.sln --nologo -clp:ErrorsOnly -v q || abort "dotnet build failed"

status=0
passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# Node test files are split by folder: those in tests/node/csharp-output/ read what the C# tests write to
# $HF_TEST_RESULTS (requests, the state machine templates, the encoding contract) and run after dotnet test; all others
# read only cdk.out (or nothing) and run while dotnet test runs. Patterns: node --test's defaults for a directory.
node_before=() node_after=()
if [ -d tests/node ]; then
  while IFS= read -r file; do
    case "$file" in
      tests/node/csharp-output/*) node_after+=("$file") ;;
      *) node_before+=("$file") ;;
    esac
  done < <(find tests/node -type f \( -name '*.test.js' -o -name '*.test.mjs' -o -name '*.test.cjs' \
             -o -name '*-test.*js' -o -name '*_test.*js' -o -name 'test-*.*js' -o -name 'test.*js' \
             -o -path '*/test/*.*js' \) -not -path '*/node_modules/*' | LC_ALL=C sort)
fi

# Runs node:test over the given files: spec reporter to stdout, TAP copy to $1 for the counts. Files run two at a
# time (node defaults to cores - 1, i.e. one at a time on 2 cores).
run_node() {
  local tap=$1; shift
  node --test --test-concurrency=2 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$@"
}

# Adds the counts of a node:test TAP file; $2 is node's exit code.
count_node() {
  read -r p f < <(python3 - "$1" <<'EOF'
import re, sys
try:
    text = open(sys.argv[1], encoding="utf-8").read()
except OSError:
    text = ""
def last(key):
    found = re.findall(rf"^# {key} (\d+)$", text, re.M)
    return int(found[-1]) if found else 0
print(last("pass"), last("fail") + last("cancelled"))
EOF
)
  count "${p:-0}" "${f:-0}"
  if [ "$2" -ne 0 ]; then status=1; if [ "${f:-0}" -eq 0 ]; then count 0 1; fi; fi
}

# Background stage: synthesis (the built app started directly: `dotnet run` would evaluate the project first), then
# the Node checks over cdk.out. Synthesis must succeed for every environment: its own exit code decides.
app_dll=$(ls -t infra/bin/Debug/net*/HfSageMaker.Infra.dll 2>/dev/null | head -n 1)   # the newest build: a stale older target framework never wins
stage_log="$results/synth-and-node.log"
(
  echo "== synthesis: every environment into $HF_CDK_OUT =="
  if [ -n "$app_dll" ]; then
    CDK_OUTDIR="$HF_CDK_OUT" dotnet "$app_dll" >"$results/synth.log" 2>&1
  else
    CDK_OUTDIR="$HF_CDK_OUT" dotnet run --project infra --no-build >"$results/synth.log" 2>&1
  fi
  synth_rc=$?
  cat "$results/synth.log"
  if [ "$synth_rc" -ne 0 ] || [ ! -f "$HF_CDK_OUT/manifest.json" ]; then
    echo "synthesis failed (exit code $synth_rc; see the messages above); the Node checks over cdk.out did not run"
    echo 1 >"$results/synth.rc"
    exit 0
  fi
  echo 0 >"$results/synth.rc"
  # cfn-lint (AWS's CloudFormation linter, pinned in scripts/cfn-lint.sh) over every template, beside the Node checks.
  bash scripts/cfn-lint.sh "$HF_CDK_OUT" >"$results/cfn-lint.log" 2>&1 &
  cfn_lint_pid=$!
  if [ "${#node_before[@]}" -gt 0 ]; then
    echo
    echo "== Node: checks over cdk.out (${#node_before[@]} files) =="
    run_node "$results/node-cdk-out.tap" "${node_before[@]}"
    echo $? >"$results/node-cdk-out.rc"
  fi
  wait "$cfn_lint_pid"
  echo $? >"$results/cfn-lint.rc"
) >"$stage_log" 2>&1 &
stage_pid=$!

# Background stage: the library as another team consumes it (pack into a temporary feed, restore, build and
# synthesize the external net8.0 app in tests/consumer/, check its template). Needs only the build above.
consumer_log="$results/consumer.log"
(
  echo "== consumer: the packed library in an external net8.0 CDK app (tests/consumer/run.sh) =="
  bash tests/consumer/run.sh "$results/consumer.tap"
  echo $? >"$results/consumer.rc"
) >"$consumer_log" 2>&1 &
consumer_pid=$!

# C#: counts from the TRX report.
# A hung test host (e.g. a jsii pipe deadlock) is killed after 15 minutes instead of blocking CI forever.
section "C#: dotnet test"
dotnet test Infra.sln --no-build --nologo --logger "trx;LogFileName=dotnet.trx" --results-directory "$results" \
  --blame-hang-timeout 15min --blame-hang-dump-type none 2>&1
dotnet_rc=$?
[ "$dotnet_rc" -eq 0 ] || status=1
read -r p f < <(python3 - "$results" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
p = f = 0
for trx in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for c in ET.parse(trx).getroot().iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}Counters"):
        p += int(c.get("passed", 0))
        f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
print(p, f)
EOF
)
count "${p:-0}" "${f:-0}"
if [ "$dotnet_rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then count 0 1; fi   # crashed before reporting

# The background stage's output, as one block.
wait "$stage_pid"
echo
cat "$stage_log"
if [ "$(cat "$results/synth.rc" 2>/dev/null)" != 0 ]; then
  status=1
  count 0 1
elif [ "${#node_before[@]}" -gt 0 ]; then
  count_node "$results/node-cdk-out.tap" "$(cat "$results/node-cdk-out.rc" 2>/dev/null || echo 1)"
fi

# cfn-lint over every template (started beside the Node checks above): its own "cfn-lint: N passed, N failed" line.
if [ "$(cat "$results/synth.rc" 2>/dev/null)" = 0 ]; then
  section "cfn-lint: every template in $HF_CDK_OUT (accepted warnings: tests/cfn-lint-accepted.yaml)"
  cat "$results/cfn-lint.log"
  read -r p f < <(sed -n 's/^cfn-lint: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$results/cfn-lint.log" | tail -n 1)
  count "${p:-0}" "${f:-0}"
  if [ "$(cat "$results/cfn-lint.rc" 2>/dev/null)" != 0 ]; then status=1; [ "${f:-0}" -gt 0 ] || count 0 1; fi
fi

wait "$consumer_pid"
echo
cat "$consumer_log"
count_node "$results/consumer.tap" "$(cat "$results/consumer.rc" 2>/dev/null || echo 1)"

# Python: unittest. Exit code 5 means "no tests ran" (Python 3.12+): not a failure. It runs with the interpreter of
# .venv-tools/, which scripts/python-tools.sh gives the pins of scripts/python-tools.txt: cfn-lint brings jsonschema,
# PyYAML and botocore, which some checks read (the SDK config schema, the API model, cfn-lint's tables), and the AWS
# CLI parses every documented aws command, so a machine without them still runs them.
if [ -d tests/python ]; then
  section "Python: unittest"
  python_log="$results/python.log"
  py=python3
  if bash scripts/python-tools.sh; then py=.venv-tools/bin/python; else status=1; count 0 1; fi
  "$py" tests/python/run.py 2>&1 | tee "$python_log"   # one interpreter per recipe (their modules share names)
  python_rc=${PIPESTATUS[0]}
  read -r p f < <(python3 - "$python_log" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
ran = sum(int(n) for n in re.findall(r"^Ran (\d+) tests?", text, re.M))
bad = skipped = 0
for summary in re.findall(r"^(?:FAILED|OK) \(([^)]*)\)", text, re.M):
    for key, n in re.findall(r"(\w+)=(\d+)", summary):
        if key in ("failures", "errors", "unexpected_successes"):
            bad += int(n)
        elif key in ("skipped", "expected_failures"):
            skipped += int(n)
print(max(ran - bad - skipped, 0), bad)
EOF
)
  count "${p:-0}" "${f:-0}"
  case "$python_rc" in
    0) ;;
    5) echo "python: no tests found in tests/python" ;;
    *) status=1; if [ "${f:-0}" -eq 0 ]; then count 0 1; fi ;;
  esac
fi

# Node: the checks over what the C# tests wrote.
if [ "${#node_after[@]}" -gt 0 ]; then
  section "Node: checks over the C# tests' output in $HF_TEST_RESULTS (${#node_after[@]} files)"
  run_node "$results/node-csharp-output.tap" "${node_after[@]}"
  count_node "$results/node-csharp-output.tap" $?
fi

# Skipped tests: each one fails the run unless tests/allowed-skips.json names it with the reason it may skip on a CI
# machine (scripts/skip_gate.py reads the Python log, every TAP file and the TRX report). The count is printed just
# before the summary line.
section "Skipped tests (allowed only where tests/allowed-skips.json names them)"
python3 scripts/skip_gate.py "$results" tests/allowed-skips.json >"$results/skips.log" 2>&1
skip_rc=$?
grep -v '^skipped: ' "$results/skips.log"
read -r skipped not_allowed < <(sed -n 's/^skipped: \([0-9]*\), not allowed: \([0-9]*\)$/\1 \2/p' "$results/skips.log" | tail -n 1)
skipped=${skipped:-0} not_allowed=${not_allowed:-1}
count 0 "$not_allowed"
if [ "$skip_rc" -ne 0 ] && [ "$not_allowed" -eq 0 ]; then count 0 1; fi

[ "$failed" -eq 0 ] || status=1
echo
echo "$skipped skipped ($((skipped - not_allowed)) allowed by tests/allowed-skips.json)"
echo "$passed passed, $failed failed"
exit $status
