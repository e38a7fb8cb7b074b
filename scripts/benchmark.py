#!/usr/bin/env python3
"""Measures what users feel: synthesis of every environment against the floor, and the whole test suite.

Side by side in one run (interleaved, so machine load hits both alike):
  floor      a bare C# CDK app with one empty stack (tests/benchmark/Floor), `dotnet run --no-build`
  synth      `dotnet run --project infra --no-build`, synthesizing every environment into a temporary directory
  synth-dll  the same app started as `dotnet infra/bin/.../HfSageMaker.Infra.dll` (no `dotnet run` project evaluation)
  tests      `scripts/test.sh`, the whole suite (only with --with-tests; fewer runs)
Prints median, min and max per measurement and the ratio synth/floor of the medians; writes
.test-results/benchmark.json with the machine it ran on. Targets: synth <= 1.5x floor; test suite < 5 minutes.

Usage: scripts/benchmark.py [--runs N] [--with-tests] [--test-runs K] [--no-build]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT / "tests" / "benchmark" / "Floor" / "Floor.csproj"
INFRA = ROOT / "infra" / "HfSageMaker.Infra.csproj"
SYNTH_TARGET = 1.5
TESTS_TARGET_S = 300


def run(cmd, env=None, check=True):
    """Runs cmd, returns (seconds, completed process)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        tail = "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("!!"))[-3000:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return elapsed, proc


def stacks_in(outdir):
    manifest = Path(outdir) / "manifest.json"
    if not manifest.exists():
        raise SystemExit(f"synthesis wrote no {manifest}")
    artifacts = json.loads(manifest.read_text())["artifacts"]
    return sorted(k for k, v in artifacts.items() if v["type"] == "aws:cloudformation:stack")


def timed_synth(cmd):
    outdir = tempfile.mkdtemp(prefix="bench-cdk-out-")
    try:
        env = dict(os.environ, CDK_OUTDIR=outdir)
        seconds, _ = run(cmd, env=env)
        return seconds, stacks_in(outdir)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def summary(samples):
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": len(samples),
        "samples_s": [round(s, 3) for s in samples],
    }


def output_dll(project, name):
    """The built entry assembly of a project (Debug, the configuration scripts/test.sh builds)."""
    candidates = sorted((project.parent / "bin" / "Debug").glob(f"net*/{name}.dll"))
    if not candidates:
        raise SystemExit(f"{name}.dll not found under {project.parent / 'bin' / 'Debug'}; build first")
    return candidates[-1]


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return "unknown"

    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "os": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
        "dotnet": version(["dotnet", "--version"]),
        "node": version(["node", "--version"]),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="synthesis runs per measurement (default 5)")
    parser.add_argument("--with-tests", action="store_true", help="also time scripts/test.sh")
    parser.add_argument("--test-runs", type=int, default=2, help="test suite runs with --with-tests (default 2)")
    parser.add_argument("--no-build", action="store_true", help="skip building Infra.sln and the floor app")
    parser.add_argument("--output", default=str(ROOT / ".test-results" / "benchmark.json"))
    args = parser.parse_args(argv)
    if args.runs < 1 or args.test_runs < 1:
        parser.error("--runs and --test-runs must be at least 1")

    info = machine()
    print(f"machine: {info['cpu']}, {info['logical_cores']} cores, {info['memory_gib']} GiB, load {info['load_average_at_start']}")
    if not args.no_build:
        print("building Infra.sln and the floor app (not timed)...")
        run(["dotnet", "build", "Infra.sln", "--nologo", "-clp:ErrorsOnly", "-v", "q"])
        run(["dotnet", "build", str(FLOOR), "--nologo", "-clp:ErrorsOnly", "-v", "q"])

    commands = {
        "floor": ["dotnet", "run", "--project", str(FLOOR), "--no-build"],
        "synth": ["dotnet", "run", "--project", str(INFRA), "--no-build"],
        "synth-dll": ["dotnet", str(output_dll(INFRA, "HfSageMaker.Infra"))],
        "floor-dll": ["dotnet", str(output_dll(FLOOR, "Floor"))],
    }
    # One untimed warm-up each: the first jsii run of a machine unpacks aws-cdk-lib into the package cache.
    stacks = {}
    for name, cmd in commands.items():
        _, stacks[name] = timed_synth(cmd)
    samples = {name: [] for name in commands}
    for i in range(args.runs):
        for name, cmd in commands.items():  # interleaved: load changes hit every measurement alike
            seconds, _ = timed_synth(cmd)
            samples[name].append(seconds)
        print(f"run {i + 1}/{args.runs}: " + ", ".join(f"{n} {samples[n][-1]:.2f}s" for n in commands))

    results = {name: summary(s) for name, s in samples.items()}
    ratio = results["synth"]["median_s"] / results["floor"]["median_s"]
    ratio_dll = results["synth-dll"]["median_s"] / results["floor-dll"]["median_s"]
    report = {
        "machine": info,
        "environments_synthesized": stacks["synth"],
        "synthesis": results,
        "ratio_synth_to_floor": round(ratio, 3),
        "ratio_synth_dll_to_floor_dll": round(ratio_dll, 3),
        "synthesis_target_ratio": SYNTH_TARGET,
    }

    if args.with_tests:
        test_samples = []
        for i in range(args.test_runs):
            seconds, proc = run(["bash", "scripts/test.sh"], check=False)
            test_samples.append(seconds)
            print(f"test suite run {i + 1}/{args.test_runs}: {seconds:.1f}s (exit {proc.returncode})")
            if proc.returncode != 0:
                report.setdefault("test_suite_failures", []).append(proc.returncode)
        report["test_suite"] = summary(test_samples)
        report["test_suite_target_s"] = TESTS_TARGET_S

    print()
    print(f"{'measurement':<12} {'median':>8} {'min':>8} {'max':>8}  runs")
    for name, r in results.items():
        print(f"{name:<12} {r['median_s']:>7.2f}s {r['min_s']:>7.2f}s {r['max_s']:>7.2f}s  {r['runs']}")
    if "test_suite" in report:
        r = report["test_suite"]
        print(f"{'test suite':<12} {r['median_s']:>7.1f}s {r['min_s']:>7.1f}s {r['max_s']:>7.1f}s  {r['runs']}")
    print(f"stacks synthesized: {len(stacks['synth'])} ({', '.join(stacks['synth']) or 'none'})")
    print(f"synth / floor (dotnet run --no-build): {ratio:.2f}x   target <= {SYNTH_TARGET}x   "
          f"{'OK' if ratio <= SYNTH_TARGET else 'ABOVE TARGET'}")
    print(f"synth / floor (dotnet <dll>):          {ratio_dll:.2f}x")
    if "test_suite" in report:
        ok = report["test_suite"]["median_s"] < TESTS_TARGET_S
        print(f"test suite median: {report['test_suite']['median_s']:.1f}s   target < {TESTS_TARGET_S}s   {'OK' if ok else 'ABOVE TARGET'}")

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
