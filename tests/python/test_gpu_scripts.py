"""The GPU scripts under tests/gpu/, checked on a machine without a GPU: every one compiles, the one GPU check
(tests/gpu/check.sh) stops at once with one clear line and a non-zero exit code, its time limits fit in 10 minutes and
a part that runs out of time is killed with what it started, the packing probe's control layout has no per-example
boundaries and the probe's verdict fails when the control is judged isolated, and the pure-Python parts of the
benchmark (model FLOPs, MFU, the recipe/bare summary) and of the end-to-end script give the figures worked out by
hand here."""
import contextlib
import importlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from translation_support import REPO_ROOT

GPU_DIR = os.path.join(REPO_ROOT, "tests", "gpu")
sys.path.insert(0, GPU_DIR)


def gpu_files(suffix):
    return sorted(os.path.join(GPU_DIR, name) for name in os.listdir(GPU_DIR) if name.endswith(suffix))


class CompileTests(unittest.TestCase):
    def test_every_python_file_compiles(self):
        files = gpu_files(".py")
        self.assertGreaterEqual(len(files), 5)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                with open(path, encoding="utf-8") as handle:
                    compile(handle.read(), path, "exec")  # py_compile without writing __pycache__

    def test_every_shell_script_parses(self):
        for path in gpu_files(".sh"):
            with self.subTest(file=os.path.basename(path)):
                result = subprocess.run(["bash", "-n", path], capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)


class CheckWithoutGpuTests(unittest.TestCase):
    def run_check(self, *args):
        environ = dict(os.environ, CUDA_VISIBLE_DEVICES="")  # no GPU even where torch and a GPU exist
        return subprocess.run(["bash", os.path.join(GPU_DIR, "check.sh"), *args], capture_output=True, text=True,
                              env=environ, timeout=300, cwd=tempfile.gettempdir())

    def test_stops_at_once_with_one_clear_line(self):
        with tempfile.TemporaryDirectory() as out:
            result = self.run_check(os.path.join(out, "figures"))
            lines = (result.stdout + result.stderr).splitlines()
            self.assertNotEqual(result.returncode, 0)
            self.assertEqual(len(lines), 1, lines)
            self.assertRegex(lines[0], r"^gpu check: not run: (torch is not importable|transformers is not "
                                       r"importable|torch \S+ sees no CUDA GPU)")
            self.assertNotIn("Traceback", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(out, "figures", "gpu-figures.json")))

    def test_without_an_output_directory_it_says_how_to_call_it(self):
        result = self.run_check()
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.strip(), "gpu check: usage: tests/gpu/check.sh OUTPUT_DIR")

    def test_the_check_runs_every_gpu_script(self):
        gpu_check = importlib.import_module("gpu_check")
        commands = " ".join(" ".join(part[1]) for part in gpu_check.PARTS)
        for script in ("run_llm_sft_e2e.py", "run_translation_e2e.sh", "packing_probe.py", "benchmark_recipes.py"):
            self.assertIn(f"tests/gpu/{script}", commands)
        self.assertIn("--size tiny", commands)
        self.assertIn("--size real", commands)

    def test_start_up_and_every_part_fit_in_ten_minutes_with_headroom(self):
        gpu_check = importlib.import_module("gpu_check")
        limits = [part[2] for part in gpu_check.PARTS]
        self.assertLessEqual(gpu_check.START_UP_SECONDS + sum(limits) + gpu_check.HEADROOM_SECONDS, 10 * 60)
        self.assertGreaterEqual(gpu_check.HEADROOM_SECONDS, 20)
        # every part that starts on time gets all of its own limit, the last one (the real-size benchmark) included
        elapsed = gpu_check.START_UP_SECONDS
        for index, limit in enumerate(limits):
            self.assertEqual(gpu_check.allowance(limits, index, elapsed), limit, gpu_check.PARTS[index][0])
            elapsed += limit

    def test_time_an_earlier_part_leaves_passes_on_and_a_late_part_takes_none_from_later_ones(self):
        gpu_check = importlib.import_module("gpu_check")
        start = gpu_check.START_UP_SECONDS
        # slots of 100, 50 and 200 s: part 0 took 60 s and part 1 50 s, so part 2 may run 200 + 40 s
        self.assertEqual(gpu_check.allowance([100, 50, 200], 2, start + 60 + 50), 240)
        # part 0 ran 10 s over its slot (killed late): part 1 loses those 10 s, part 2's slot end is unchanged
        self.assertEqual(gpu_check.allowance([100, 50, 200], 1, start + 110), 40)
        self.assertEqual(gpu_check.allowance([100, 50, 200], 2, start + 150), 200)

    def test_a_part_out_of_time_is_killed_with_the_processes_it_started(self):
        gpu_check = importlib.import_module("gpu_check")
        with tempfile.TemporaryDirectory() as out:
            pid_file = os.path.join(out, "grandchild.pid")
            # bash starts a grandchild and waits for it, as run_translation_e2e.sh waits for its Python
            command = ["bash", "-c", f"sleep 120 & echo $! > {pid_file}; wait"]
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                result = gpu_check.run_part("slow", command, 2, out, out)
            self.assertIn("== slow: fail", printed.getvalue())
            self.assertEqual((result["verdict"], result["reason"]), ("fail", "did not finish within 2 s"))
            with open(pid_file, encoding="utf-8") as handle:
                grandchild = int(handle.read())
            deadline = time.monotonic() + 5
            while running(grandchild) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(running(grandchild), "the part's grandchild outlived it (it would hold the GPU)")

    def test_a_check_stopped_by_a_signal_kills_the_running_part(self):
        with tempfile.TemporaryDirectory() as out:
            pid_file = os.path.join(out, "grandchild.pid")
            # The check runs one slow part; the caller's time limit sends SIGTERM to the check only (as `timeout` does).
            script = (f"import sys; sys.path.insert(0, {GPU_DIR!r}); import gpu_check; "
                      f"gpu_check.run_part('slow', ['bash', '-c', 'sleep 120 & echo $! > {pid_file}; wait'], 60, {out!r}, {out!r})")
            check = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while not (os.path.exists(pid_file) and os.path.getsize(pid_file)) and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(pid_file, encoding="utf-8") as handle:
                grandchild = int(handle.read())
            check.send_signal(signal.SIGTERM)
            self.assertEqual(check.wait(timeout=10), -signal.SIGTERM)
            deadline = time.monotonic() + 5
            while running(grandchild) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(running(grandchild), "the part outlived the check that was stopped (it would hold the GPU)")

    def test_missing_packages_are_collected_from_the_logs(self):
        gpu_check = importlib.import_module("gpu_check")
        log = "run5 (QLoRA): not available: bitsandbytes\nfalcon flash_attention_2 not available: flash_attn\nok"
        self.assertEqual(gpu_check.not_available(log), ["bitsandbytes", "flash_attn"])


def running(pid):
    """Whether the process ``pid`` exists and is not a zombie (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class PackingProbeControlTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.probe = importlib.import_module("packing_probe")
        cls.chat_format = importlib.import_module("chat_format")  # on sys.path once packing_probe is imported

    def test_the_control_layout_has_no_per_example_boundaries(self):
        rows = self.chat_format.isolation_probe_rows([11, 12, 13], [21, 22], [31, 32, 33, 34])
        recipe = self.chat_format.pad_batch(rows, 0)
        control = self.chat_format.pad_batch(self.probe.without_boundaries(rows), 0)
        self.assertEqual(recipe["position_ids"][0], [0, 1, 2, 0, 1])  # the recipe's: positions restart per example
        self.assertNotIn("attention_mask", recipe)
        self.assertNotIn("position_ids", control)
        self.assertEqual(control["attention_mask"], [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])  # one span over both examples
        self.assertEqual(control["input_ids"], recipe["input_ids"])
        self.assertIn("position_ids", rows[0], "the recipe's rows were changed")

    def table(self, **control):
        """The recipe's default isolated, flash-attention not installed and the Llama/sdpa control as given."""
        probe = self.probe
        default = {"verdict": "agrees", "probe_isolated": True, "reference_isolated": True}
        return [dict(default, model="llama", attn_implementation="sdpa", layout=probe.PADDED),
                {"verdict": "not available: flash_attn", "model": "llama", "attn_implementation": "flash_attention_2",
                 "layout": probe.FLATTENED},
                dict(control, model="llama", attn_implementation="sdpa", layout=probe.CONTROL)]

    def test_a_control_both_sides_find_leaking_passes(self):
        self.assertEqual(self.probe.failures(self.table(verdict="agrees", probe_isolated=False,
                                                        reference_isolated=False)), [])

    def test_a_control_judged_isolated_fails_the_check_although_probe_and_reference_agree(self):
        problems = self.probe.failures(self.table(verdict="agrees", probe_isolated=True, reference_isolated=True))
        self.assertEqual(len(problems), 1, problems)
        self.assertRegex(problems[0], r"^llama/sdpa/no boundaries \(control\): judged isolated \(probe True, "
                                      r"reference True\)")

    def test_a_control_only_the_reference_judges_isolated_fails_twice(self):
        problems = self.probe.failures(self.table(verdict="DISAGREES", probe_isolated=False, reference_isolated=True))
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("DISAGREES", problems[0])
        self.assertIn("judged isolated (probe False, reference True)", problems[1])

    def test_a_control_that_did_not_run_fails_the_check(self):
        problems = self.probe.failures(self.table(verdict="not supported by llama: ValueError: x"))
        self.assertEqual(problems, ["llama/sdpa/no boundaries (control): the control did not run (not supported by "
                                    "llama: ValueError: x)"])
        problems = self.probe.failures(self.table(verdict="agrees", probe_isolated=False,
                                                  reference_isolated=False)[:2])
        self.assertEqual(problems, ["llama/sdpa/no boundaries (control): the control did not run (not in the table)"])

    def test_the_recipe_default_not_isolated_still_fails_the_check(self):
        table = self.table(verdict="agrees", probe_isolated=False, reference_isolated=False)
        table[0].update(probe_isolated=False, reference_isolated=False)
        self.assertEqual(self.probe.failures(table), ["llama/sdpa/padded rows (the recipe's default) is not isolated: "
                                                      "agrees"])


class BenchmarkArithmeticTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bench = importlib.import_module("benchmark_recipes")

    def test_peak_figure_by_device_name(self):
        peak, source = self.bench.peak_bf16("NVIDIA H200")
        self.assertEqual(peak, 989.5e12)
        self.assertIn("datasheet", source)
        peak, why = self.bench.peak_bf16("Tesla T4")
        self.assertIsNone(peak)
        self.assertIn("not available", why)

    def test_lora_flops_by_hand(self):
        # 2 rows, each two causal examples of 3 tokens: keys 3 * 4 / 2 = 6 per example, 12 per row; 6 tokens per row.
        # per row: (4 * 100 + 6 * 10) * 6 = 2760 matmul, 12 * 2 layers * 8 width * 12 keys = 2304 attention
        self.assertEqual(self.bench.lora_step_flops(2, [3, 3], 100, 10, 2, 8), 2 * (2760 + 2304))

    def test_seq2seq_flops_by_hand(self):
        # 1 row, 4 source + 2 target tokens: 6 * (50 * 4 + 70 * 2) = 2040 matmul; attention 12 * 8 * (1 * 16 +
        # 1 * (3 + 8)) = 2592
        self.assertEqual(self.bench.seq2seq_step_flops(1, 4, 2, 50, 70, 1, 1, 8), 2040 + 2592)

    def test_summary_pairs_repetitions_and_gives_the_spread(self):
        recipe = [{"seconds": 2.0, "tokens": 1000, "steps": 10, "peak_bytes": 3 * 2 ** 30},
                  {"seconds": 2.5, "tokens": 1000, "steps": 10, "peak_bytes": 3 * 2 ** 30},
                  {"seconds": 2.0, "tokens": 1000, "steps": 10, "peak_bytes": 3 * 2 ** 30}]
        bare = [{"seconds": 1.0, "tokens": 1000, "steps": 10, "peak_bytes": 2 * 2 ** 30}] * 3
        summary = self.bench.summarize(recipe, bare, step_flops=1e12, peak=1e15)
        self.assertEqual(summary["throughput_ratio"]["pairs"], [0.5, 0.4, 0.5])
        self.assertEqual((summary["throughput_ratio"]["median"], summary["throughput_ratio"]["min"],
                          summary["throughput_ratio"]["max"]), (0.5, 0.4, 0.5))
        self.assertEqual(summary["recipe"]["tokens_per_s"]["median"], 500.0)
        self.assertAlmostEqual(summary["bare"]["mfu"]["median"], 10 * 1e12 / 1.0 / 1e15)
        self.assertEqual(summary["memory_ratio"]["median"], 1.5)
        self.assertIsNone(self.bench.summarize(recipe, bare, 1e12, None)["recipe"]["mfu"])


class EndToEndHelperTests(unittest.TestCase):
    def test_no_checkpoint_directory_means_no_steps_not_a_crash(self):
        # run 1 failing before the Trainer existed leaves no checkpoint directory; the summary must still print
        e2e = importlib.import_module("run_llm_sft_e2e")
        with tempfile.TemporaryDirectory() as root:
            self.assertEqual(e2e.checkpoint_steps(os.path.join(root, "checkpoints")), [])
            for name in ("checkpoint-20", "checkpoint-5", "checkpoint-x", "other"):
                os.makedirs(os.path.join(root, "checkpoints", name))
            self.assertEqual(e2e.checkpoint_steps(os.path.join(root, "checkpoints")), [5, 20])


if __name__ == "__main__":
    unittest.main()
