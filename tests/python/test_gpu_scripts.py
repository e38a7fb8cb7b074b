"""The GPU scripts under tests/gpu/, checked on a machine without a GPU: every one compiles, the one GPU check
(tests/gpu/check.sh) stops at once with one clear line and a non-zero exit code, and the pure-Python parts of the
benchmark (model FLOPs, MFU, the recipe/bare summary) and of the end-to-end script give the figures worked out by
hand here."""
import importlib
import os
import subprocess
import sys
import tempfile
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
        self.assertLessEqual(gpu_check.TOTAL_SECONDS, 600)

    def test_missing_packages_are_collected_from_the_logs(self):
        gpu_check = importlib.import_module("gpu_check")
        log = "run5 (QLoRA): not available: bitsandbytes\nfalcon flash_attention_2 not available: flash_attn\nok"
        self.assertEqual(gpu_check.not_available(log), ["bitsandbytes", "flash_attn"])


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
