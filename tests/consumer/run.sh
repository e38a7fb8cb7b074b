#!/usr/bin/env bash
# The library as another team consumes it: pack constructs/ into a temporary feed, restore and build the external
# net8.0 app in this folder (laid out as `cdk init app --language csharp` lays it out; not in Infra.sln) against the
# package, synthesize it on the Node scripts/node.sh chooses and check its template and its output (template.test.mjs).
# Also checks that a copy of constructs/ alone restores with its own framework and dependency settings. Needs the
# library built (scripts/test.sh builds it first).
# Usage: tests/consumer/run.sh <tap file>   (prints node:test's spec output; writes TAP for the counts)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tap=${1:-/dev/null}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# The Node jsii runs the app on: scripts/node.sh's, as in scripts/test.sh (the machine's when package.json engines
# allows it, else the pinned one). No JSII_NODE and no jsii variable that silences its Node-support notices, so a notice
# shows in the synthesis output, which template.test.mjs reads.
node_bin=$(bash "$root/scripts/node.sh" --path) || exit 1
[ -z "$node_bin" ] || export PATH="$node_bin:$PATH"
unset JSII_NODE JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION \
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION

# Runs a command quietly, its output kept in $log (default: step.log); on failure prints it and fails.
quiet() {
  local log=${log:-$work/step.log}
  "$@" >"$log" 2>&1 || { echo "consumer test: '$*' failed:" >&2; cat "$log" >&2; return 1; }
}

start=$SECONDS
# 1. Pack what scripts/test.sh just built (Debug, both target frameworks), symbols included.
quiet dotnet pack "$root/constructs/HfSageMaker.Constructs.csproj" -c Debug --no-build --nologo -v q -o "$work/feed"
package=$(cd "$work/feed" && ls HfSageMaker.Constructs.*.nupkg | grep -v '\.symbols\.' | head -1)
version=${package#HfSageMaker.Constructs.}
version=${version%.nupkg}
ls "$work/feed/HfSageMaker.Constructs.$version.snupkg" >/dev/null

echo "consumer test: $((SECONDS - start)) s" >&2
# 2. The package's own metadata, as NuGet reads it.
mkdir -p "$work/nupkg"
(cd "$work/nupkg" && python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall('.')" "$work/feed/$package")

echo "consumer test: $((SECONDS - start)) s" >&2
# 3. constructs/ copied out alone restores with its own settings (no repository-root props in reach).
mkdir -p "$work/alone"
cp -r "$root/constructs" "$work/alone/constructs"
rm -rf "$work/alone/constructs/bin" "$work/alone/constructs/obj"
dotnet msbuild "$work/alone/constructs/HfSageMaker.Constructs.csproj" -nologo \
  -getProperty:TargetFrameworks -getProperty:ImplicitUsings -getProperty:Nullable -getProperty:Version \
  > "$work/alone-properties.json"

echo "consumer test: $((SECONDS - start)) s" >&2
# 4. The external app: restore from the temporary feed, the machine's package cache (read as a feed) and nuget.org
#    (a net8.0 app needs a few packages the repository's net10.0 restore never downloads, e.g. System.Text.Json).
cp -r "$here" "$work/app"
rm -rf "$work/app/cdk.out" "$work/app/src/TeamTraining/bin" "$work/app/src/TeamTraining/obj"
cat > "$work/app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$work/feed" />
    <add key="local-cache" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
cd "$work/app"
# A package cache of its own, so the freshly packed package is never confused with an older copy of the same version;
# the machine's cached packages are linked in (not extracted again), except this library.
export NUGET_PACKAGES="$work/packages"
mkdir -p "$NUGET_PACKAGES"
for cached in "$packages"/*/; do
  id=$(basename "$cached")
  [ "$id" = hfsagemaker.constructs ] || ln -s "${cached%/}" "$NUGET_PACKAGES/$id"
done
quiet dotnet build src/TeamTraining/TeamTraining.csproj --nologo -v q -clp:ErrorsOnly \
  -p:HfSageMakerConstructsVersion="$version" -p:UseAppHost=false
echo "consumer test: $((SECONDS - start)) s" >&2
# What `cdk synth` runs (cdk.json "app"), on the .NET runtime this machine has (the app targets net8.0); its output
# (the jsii kernel's notices among it) is kept for template.test.mjs.
DOTNET_ROLL_FORWARD=Major CDK_OUTDIR="$work/app/cdk.out" log="$work/synth.log" \
  quiet dotnet src/TeamTraining/bin/Debug/net8.0/TeamTraining.dll
test -f "$work/app/cdk.out/TeamTrainingStack.template.json"
if [ -n "${CONSUMER_KEEP:-}" ]; then rm -rf "$CONSUMER_KEEP" && cp -r "$work/app/cdk.out" "$CONSUMER_KEEP"; fi  # for debugging

# The commit Source Link must have recorded: git's HEAD when the repository is a clone (Source Link finds the same .git);
# "none" in a source download or a `git archive` copy, where there is no commit to record.
if commit=$(git -C "$root" rev-parse --verify HEAD 2>/dev/null); then source_commit=$commit
elif [ -e "$root/.git" ]; then source_commit=unknown   # a clone, but no git program to ask: any commit, but one
else source_commit=none
fi

CONSUMER_CDK_OUT="$work/app/cdk.out" CONSUMER_NUPKG="$work/nupkg" CONSUMER_ALONE="$work/alone-properties.json" \
CONSUMER_SOURCE_COMMIT="$source_commit" CONSUMER_SYNTH_LOG="$work/synth.log" CONSUMER_JSII_NODE="$(node --version)" \
CONSUMER_RESTORE="$work/app/src/TeamTraining/obj/project.assets.json" \
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$here/template.test.mjs"
