#!/usr/bin/env python3
"""Measures what users feel: synthesis of every environment against the floor, and the whole test suite.

Side by side in one run (interleaved, so machine load hits both alike):
  floor      a bare C# CDK app with one empty stack (tests/benchmark/Floor), `dotnet run --no-build`
  synth      `dotnet run --project infra --no-build`, synthesizing every environment into a temporary directory
  synth-dll  the same app started as `dotnet infra/bin/.../HfSageMaker.Infra.dll` (no `dotnet run` project evaluation)
  floor-dll  the floor app started the same way
  tests      `scripts/test.sh`, the whole suite (only with --with-tests; --test-runs runs, default 3)
Prints median, min and max per measurement (wall time, and CPU time = user + system of the process and its
children, which shared-machine load disturbs far less than wall time), the load average around every run, and the
ratios synth/floor of the medians; writes .test-results/benchmark.json with the machine it ran on and, after
--with-tests, the template sizes and resource counts of .test-results/limits.json.
Targets: synth <= 1.5x floor; test suite < 5 minutes.

Usage: scripts/benchmark.py [--runs N] [--with-tests] [--test-runs K] [--no-build]
"""
import argparse
import json
import os
import platform
import resource
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


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load1():
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


LAST_CPU = {}


def run(cmd, env=None, check=True):
    """Runs cmd, returns (wall seconds, completed process); its CPU seconds are left in LAST_CPU["s"]."""
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - start
    LAST_CPU["s"] = children_cpu() - cpu0
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


def summary(samples, cpu, loads):
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": len(samples),
        "samples_s": [round(s, 3) for s in samples],
        "cpu_median_s": round(statistics.median(cpu), 3),
        "cpu_min_s": round(min(cpu), 3),
        "cpu_max_s": round(max(cpu), 3),
        "cpu_samples_s": [round(s, 3) for s in cpu],
        "load_average_1m_at_start": loads,
    }


def limits_summary():
    """Template sizes and resource counts measured by the Node limits check (tests/node/limits.test.mjs)."""
    path = ROOT / ".test-results" / "limits.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    keys = ("resources", "parameters", "outputs", "mappings", "templateBytes", "minifiedTemplateBytes")
    return [dict({"stack": m.get("stack")}, **{k: m.get(k) for k in keys},
                 stateMachineDefinitionBytes=[sm.get("definitionBytes") for sm in m.get("stateMachines", [])
                                              if isinstance(sm, dict) and "definitionBytes" in sm])
            for m in data]


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
    parser.add_argument("--test-runs", type=int, default=3, help="test suite runs with --with-tests (default 3)")
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
    cpu = {name: [] for name in commands}
    loads = {name: [] for name in commands}
    for i in range(args.runs):
        for name, cmd in commands.items():  # interleaved: load changes hit every measurement alike
            loads[name].append(load1())
            seconds, _ = timed_synth(cmd)
            samples[name].append(seconds)
            cpu[name].append(LAST_CPU["s"])
        print(f"run {i + 1}/{args.runs} (load {load1()}): "
              + ", ".join(f"{n} {samples[n][-1]:.2f}s/{cpu[n][-1]:.2f}s cpu" for n in commands))

    results = {name: summary(samples[name], cpu[name], loads[name]) for name in commands}
    ratio = results["synth"]["median_s"] / results["floor"]["median_s"]
    ratio_dll = results["synth-dll"]["median_s"] / results["floor-dll"]["median_s"]
    ratio_cpu = results["synth-dll"]["cpu_median_s"] / results["floor-dll"]["cpu_median_s"]
    report = {
        "machine": info,
        "environments_synthesized": stacks["synth"],
        "synthesis": results,
        "ratio_synth_to_floor": round(ratio, 3),
        "ratio_synth_dll_to_floor_dll": round(ratio_dll, 3),
        "ratio_synth_dll_to_floor_dll_cpu": round(ratio_cpu, 3),
        "synthesis_target_ratio": SYNTH_TARGET,
    }

    if args.with_tests:
        test_samples, test_cpu, test_loads = [], [], []
        for i in range(args.test_runs):
            test_loads.append(load1())
            seconds, proc = run(["bash", "scripts/test.sh"], check=False)
            test_samples.append(seconds)
            test_cpu.append(LAST_CPU["s"])
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            print(f"test suite run {i + 1}/{args.test_runs}: {seconds:.1f}s, {test_cpu[-1]:.1f}s cpu, "
                  f"load {test_loads[-1]} (exit {proc.returncode}: {last})")
            if proc.returncode != 0:
                report.setdefault("test_suite_failures", []).append(proc.returncode)
        report["test_suite"] = summary(test_samples, test_cpu, test_loads)
        report["test_suite_target_s"] = TESTS_TARGET_S
        report["templates"] = limits_summary()
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None

    print()
    print(f"{'measurement':<12} {'median':>8} {'min':>8} {'max':>8} {'cpu med':>8} {'cpu min':>8} {'cpu max':>8}  runs")
    rows = dict(results)
    if "test_suite" in report:
        rows["test suite"] = report["test_suite"]
    for name, r in rows.items():
        print(f"{name:<12} {r['median_s']:>7.2f}s {r['min_s']:>7.2f}s {r['max_s']:>7.2f}s "
              f"{r['cpu_median_s']:>7.2f}s {r['cpu_min_s']:>7.2f}s {r['cpu_max_s']:>7.2f}s  {r['runs']}")
    print(f"stacks synthesized: {len(stacks['synth'])} ({', '.join(stacks['synth']) or 'none'})")
    print(f"synth / floor (dotnet run --no-build): {ratio:.2f}x   target <= {SYNTH_TARGET}x   "
          f"{'OK' if ratio <= SYNTH_TARGET else 'ABOVE TARGET'}")
    print(f"synth / floor (dotnet <dll>):          {ratio_dll:.2f}x   CPU time: {ratio_cpu:.2f}x")
    if "test_suite" in report:
        ok = report["test_suite"]["median_s"] < TESTS_TARGET_S
        print(f"test suite median: {report['test_suite']['median_s']:.1f}s   target < {TESTS_TARGET_S}s   {'OK' if ok else 'ABOVE TARGET'}")

    for t in report.get("templates") or []:
        print(f"template {t['stack']}: {t['resources']} resources, {t['outputs']} outputs, {t['mappings']} mappings, "
              f"{t['templateBytes']} bytes ({t['minifiedTemplateBytes']} minified)")
    print(f"load average: start {info['load_average_at_start']}, end {report['machine']['load_average_at_end']}")

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
