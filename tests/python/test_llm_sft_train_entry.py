"""llm-sft train.py and sft_config.py: importable without torch, nothing to install, the settings handed to
transformers / peft / bitsandbytes, precision choice, and main() as the toolkit runs it."""
import ast
import io
import json
import logging
import os
import subprocess
import sys
import unittest
from unittest import mock

from hf_recipe_support import imported_roots
from cuda_standins import A10G, H100, T4, V100, FakeCuda
from llm_sft_support import MODULE_NAMES, SCRIPT_DIR, sft

HEAVY_MODULES = ("torch", "transformers", "peft", "trl", "bitsandbytes", "datasets", "numpy", "accelerate")
# What the Hugging Face PyTorch training DLC 2.8.0 (transformers 4.56.2) installs besides the standard library:
# aws/deep-learning-containers huggingface/pytorch/training/docker/2.8/py3/cu129/Dockerfile.gpu at commit
# 09b9b8949de9e41dc36328c5a14dbabfb688d43f, lines 15-25 (versions) and 39-53 (pip install), on top of the
# pytorch-training:2.8.0 base image (torch).
DLC_PACKAGES = {"torch", "transformers", "datasets", "huggingface_hub", "diffusers", "evaluate", "accelerate", "trl",
                "peft", "flash_attn", "jinja2", "tensorboard", "bitsandbytes", "kernels", "ninja"}
# TrainingArguments fields the script passes; all exist in transformers 4.46 to 4.56 (training_args.py).
TRAINING_ARGUMENT_FIELDS = {
    "output_dir", "overwrite_output_dir", "num_train_epochs", "max_steps", "per_device_train_batch_size",
    "per_device_eval_batch_size", "gradient_accumulation_steps", "learning_rate", "lr_scheduler_type",
    "warmup_ratio", "weight_decay", "bf16", "fp16", "gradient_checkpointing", "gradient_checkpointing_kwargs",
    "seed", "eval_strategy", "eval_steps", "save_strategy", "save_steps", "save_total_limit", "logging_strategy",
    "logging_steps", "prediction_loss_only", "label_names", "remove_unused_columns", "ddp_find_unused_parameters",
    "report_to", "disable_tqdm", "save_safetensors", "group_by_length", "tf32", "max_grad_norm", "optim",
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "training_arguments_fields.json"),
          encoding="utf-8") as _handle:
    RELEASE_FIELDS = {name: set(entry["fields"]) for name, entry in json.load(_handle)["sets"].items()}


def parse(*argv):
    return sft.args.parse_args(list(argv))


def script_sources():
    for name in MODULE_NAMES:
        path = os.path.join(SCRIPT_DIR, f"{name}.py")
        with open(path, encoding="utf-8") as handle:
            yield name, ast.parse(handle.read(), path)


class PackagingTests(unittest.TestCase):
    def test_import_has_no_heavy_imports_and_exposes_main(self):
        # a fresh interpreter, as the job starts: the script directory first on the path, training-scripts/ for hf_recipe
        probe = ("import sys, train; assert callable(train.main); "
                 f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
        run = subprocess.run([sys.executable, "-c", probe], cwd=SCRIPT_DIR, capture_output=True, text=True, check=False,
                             env={**os.environ, "PYTHONPATH": os.path.dirname(SCRIPT_DIR)})
        self.assertEqual((run.returncode, run.stdout.strip()), (0, "[]"), run.stderr)

    def test_nothing_is_installed_at_run_time(self):
        self.assertFalse(os.path.exists(os.path.join(SCRIPT_DIR, "requirements.txt")),
                         "the toolkit would pip install requirements.txt; an isolated job cannot reach an index")
        self.assertFalse(os.path.exists(os.path.join(SCRIPT_DIR, "setup.py")))

    def test_every_import_is_the_standard_library_a_sibling_or_a_dlc_package(self):
        allowed = set(sys.stdlib_module_names) | set(MODULE_NAMES) | DLC_PACKAGES | {"__future__", "hf_recipe"}
        for name, tree in script_sources():
            for _, root in imported_roots(tree):
                self.assertIn(root, allowed, f"{name}.py imports {root}, which the DLC does not ship")

    def test_bad_hyperparameter_fails_before_any_heavy_import(self):
        before = {name for name in HEAVY_MODULES if name in sys.modules}
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        try:
            with mock.patch.dict(os.environ, {}, clear=True), \
                    mock.patch("sys.stderr", new_callable=io.StringIO) as stderr:
                self.assertEqual(sft.train.main(["--lora_r", "0"]), 2)
            self.assertEqual(stderr.getvalue(), "llm-sft: error: hyperparameter 'lora_r' must be an integer >= 1; "
                                                "received '0'\n")
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
        self.assertEqual({name for name in HEAVY_MODULES if name in sys.modules} - before, set())


class MainTests(unittest.TestCase):
    def run_main(self, argv, environ):
        captured = {}
        with mock.patch.dict(os.environ, environ, clear=True), \
                mock.patch.object(sft.job_runtime, "configure_logging", lambda: None), \
                mock.patch.object(sft.train, "train", lambda args, context: captured.update(args=args, context=context)):
            with self.assertLogs(level=logging.INFO) as logs:
                self.assertEqual(sft.train.main(argv), 0)
            captured["environ"] = dict(os.environ)
        captured["log"] = "\n".join(logs.output)
        return captured

    def test_isolated_job_stays_offline_and_reads_the_channels(self):
        captured = self.run_main(["--offline", "False", "--packing", "True"], {
            "HF_HUB_OFFLINE": "1", "SM_CHANNELS": '["model","train"]', "SM_CHANNEL_TRAIN": "/data/train",
            "SM_CHANNEL_MODEL": "/data/model", "SM_MODEL_DIR": "/out/model"})
        self.assertIs(captured["args"].offline, True)
        self.assertIs(captured["args"].packing, True)
        self.assertEqual(captured["environ"]["TRANSFORMERS_OFFLINE"], "1")
        self.assertEqual(captured["context"].channel("train"), "/data/train")
        self.assertEqual(captured["context"].checkpoint_dir, "/opt/ml/checkpoints")
        self.assertIn("offline=False ignored", captured["log"])

    def test_checkpoint_dir_override_for_local_runs(self):
        captured = self.run_main(["--checkpoint_dir", "/tmp/ckpt"], {})
        self.assertEqual(captured["context"].checkpoint_dir, "/tmp/ckpt")
        self.assertIs(captured["args"].offline, False)


class MergedModelFolderTests(unittest.TestCase):
    """The merged weights go where the registered package's TGI container is pointed: recipe.json's
    inference.modelDirectory (read by the app for HF_MODEL_ID=/opt/ml/model/<folder>), beside train.py in the archive."""

    def test_the_folder_is_the_recipes_model_directory(self):
        with open(os.path.join(SCRIPT_DIR, "recipe.json"), encoding="utf-8") as handle:
            declared = json.load(handle)["inference"]["modelDirectory"]
        self.assertEqual(sft.train.merged_subdirectory(), declared)

    def test_the_folder_is_read_from_the_recipe_file_not_written_in_the_script(self):
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "recipe.json"), "w", encoding="utf-8") as handle:
                json.dump({"inference": {"modelDirectory": "weights-for-serving"}}, handle)
            self.assertEqual(sft.train.merged_subdirectory(folder), "weights-for-serving")


class TrainingArgumentsTests(unittest.TestCase):
    precision = sft.sft_config.Precision(True, False, "bfloat16", "test")

    def kwargs(self, *argv, available=TRAINING_ARGUMENT_FIELDS, has_validation=True):
        return sft.sft_config.training_arguments_kwargs(parse(*argv), "/opt/ml/checkpoints", available,
                                                        has_validation, self.precision)

    def test_contract_defaults(self):
        kwargs = self.kwargs()
        expected = {
            "output_dir": "/opt/ml/checkpoints", "num_train_epochs": 1.0, "max_steps": -1, "learning_rate": 2e-4,
            "lr_scheduler_type": "cosine", "warmup_ratio": 0.03, "weight_decay": 0.0,
            "per_device_train_batch_size": 2, "per_device_eval_batch_size": 2, "gradient_accumulation_steps": 8,
            "gradient_checkpointing": True, "gradient_checkpointing_kwargs": {"use_reentrant": False},
            "bf16": True, "fp16": False, "eval_strategy": "epoch", "save_strategy": "steps", "save_steps": 200,
            "save_total_limit": 2, "logging_steps": 10, "seed": 42, "prediction_loss_only": False,
            "remove_unused_columns": False, "ddp_find_unused_parameters": False, "report_to": "none",
        }
        for name, value in expected.items():
            self.assertEqual(kwargs[name], value, name)
        self.assertNotIn("eval_steps", kwargs)

    def test_eval_steps_switches_to_step_evaluation_and_no_validation_switches_it_off(self):
        kwargs = self.kwargs("--eval_steps", "50")
        self.assertEqual((kwargs["eval_strategy"], kwargs["eval_steps"]), ("steps", 50))
        kwargs = self.kwargs("--eval_steps", "50", has_validation=False)
        self.assertEqual(kwargs["eval_strategy"], "no")
        self.assertNotIn("eval_steps", kwargs)

    def test_without_gradient_checkpointing_no_checkpointing_kwargs(self):
        kwargs = self.kwargs("--gradient_checkpointing", "False")
        self.assertIs(kwargs["gradient_checkpointing"], False)
        self.assertNotIn("gradient_checkpointing_kwargs", kwargs)

    def test_older_releases_get_evaluation_strategy(self):
        old = (TRAINING_ARGUMENT_FIELDS - {"eval_strategy"}) | {"evaluation_strategy"}
        kwargs = self.kwargs(available=old)
        self.assertEqual(kwargs["evaluation_strategy"], "epoch")
        self.assertNotIn("eval_strategy", kwargs)

    def test_a_release_without_a_needed_field_is_named(self):
        with self.assertRaisesRegex(ValueError, "no field 'remove_unused_columns'.*transformers 4.46 to 5.x"):
            self.kwargs(available=TRAINING_ARGUMENT_FIELDS - {"remove_unused_columns"})
        kwargs = self.kwargs(available=TRAINING_ARGUMENT_FIELDS - {"overwrite_output_dir"})  # optional: dropped
        self.assertNotIn("overwrite_output_dir", kwargs)

    def test_every_release_line_gets_only_fields_it_has(self):
        # transformers 5.0 removed overwrite_output_dir and save_safetensors, 5.15 warmup_ratio (warmup_steps takes
        # the ratio as a float), and 5.x replaced group_by_length by train_sampling_strategy: the field sets are read
        # from the library source (tests/python/fixtures/training_arguments_fields.json names each source).
        for release, fields in RELEASE_FIELDS.items():
            if release == "4.36":
                continue  # older than llm-sft's 4.46 floor
            with self.subTest(release=release):
                kwargs = self.kwargs("--warmup_ratio", "0.05", available=fields)
                self.assertLessEqual(set(kwargs), fields)
                if "warmup_ratio" in fields:
                    self.assertEqual((kwargs["warmup_ratio"], kwargs.get("warmup_steps")), (0.05, None))
                else:
                    self.assertEqual(kwargs["warmup_steps"], 0.05)
                    self.assertIsInstance(kwargs["warmup_steps"], float)  # a float below 1 is a ratio there

    def test_padding_mode_groups_rows_by_length_and_packing_does_not(self):
        for release, fields in RELEASE_FIELDS.items():
            if release == "4.36":
                continue
            with self.subTest(release=release):
                padded = self.kwargs(available=fields)
                packed = self.kwargs("--packing", "True", available=fields)
                if "group_by_length" in fields:
                    self.assertIs(padded["group_by_length"], True)
                    self.assertNotIn("group_by_length", packed)
                else:
                    self.assertEqual(padded["train_sampling_strategy"], "group_by_length")
                    self.assertNotIn("train_sampling_strategy", packed)

    def test_evaluation_gathers_only_the_token_loss_sums(self):
        # token-weighted eval_loss: the per-row (loss sum, tokens) pairs reach compute_metrics, no logits
        kwargs = self.kwargs()
        self.assertIs(kwargs["prediction_loss_only"], False)


class PrecisionTests(unittest.TestCase):
    choose = staticmethod(sft.sft_config.choose_precision)

    def test_auto(self):
        self.assertEqual(repr(self.choose("auto", True, True)), "Precision(bf16=True, fp16=False, dtype='bfloat16')")
        self.assertEqual(repr(self.choose("auto", True, False)), "Precision(bf16=False, fp16=True, dtype='float16')")
        self.assertEqual(repr(self.choose("auto", False, False)), "Precision(bf16=False, fp16=False, dtype='float32')")

    def test_false_on_a_bf16_gpu_uses_float16(self):
        self.assertEqual(self.choose("false", True, True).dtype, "float16")

    def test_true_without_support_is_refused_naming_the_device(self):
        with self.assertRaisesRegex(ValueError, "bf16=true but NVIDIA T4 has no native bfloat16.*bf16=auto"):
            self.choose("true", True, False, "NVIDIA T4")
        with self.assertRaisesRegex(ValueError, "bf16=true but no CUDA GPU"):
            self.choose("true", False, False)




class DevicePrecisionTests(unittest.TestCase):
    def test_emulated_bfloat16_is_not_bfloat16_support(self):
        for gpu in (T4, V100):
            with self.subTest(gpu=gpu.name):
                self.assertTrue(gpu.is_bf16_supported(), "torch's default answer on this GPU is True")
                self.assertFalse(sft.sft_config.native_bf16(gpu))
                precision = sft.sft_config.precision_for_device("auto", gpu)
                self.assertEqual((precision.bf16, precision.fp16, precision.dtype), (False, True, "float16"))
                with self.assertRaisesRegex(ValueError, f"bf16=true but {gpu.name} .compute capability 7.* "
                                                        "no native bfloat16.*ml.p3dn"):
                    sft.sft_config.precision_for_device("true", gpu)

    def test_ampere_and_newer_train_in_bfloat16(self):
        for gpu in (A10G, H100):
            with self.subTest(gpu=gpu.name):
                precision = sft.sft_config.precision_for_device("auto", gpu)
                self.assertEqual((precision.bf16, precision.fp16, precision.dtype), (True, False, "bfloat16"))
                self.assertIn(gpu.name, precision.reason)
                self.assertEqual(sft.sft_config.precision_for_device("false", gpu).dtype, "float16")

    def test_the_contract_marks_exactly_the_bf16_words_the_script_refuses_without_native_bfloat16(self):
        # hyperparameters.json's needsNativeBf16 is what PrepareRequest refuses on ml.g4dn/ml.p3/ml.p3dn before any job
        # starts; the script's own check at job start must refuse the same words on such a GPU, and accept them on A10G/H100.
        with open(os.path.join(SCRIPT_DIR, "hyperparameters.json"), encoding="utf-8") as handle:
            needs = json.load(handle)["hyperparameters"]["bf16"]["needsNativeBf16"]
        for word in sft.args.BF16_WORDS:
            for gpu, native in ((T4, False), (V100, False), (A10G, True), (H100, True)):
                with self.subTest(word=word, gpu=gpu.name):
                    try:
                        sft.sft_config.precision_for_device(word, gpu)
                        refused = False
                    except ValueError:
                        refused = True
                    self.assertEqual(refused, word in needs and not native)

    def test_cpu(self):
        cpu = FakeCuda("none", (0, 0), available=False)
        self.assertEqual(sft.sft_config.precision_for_device("auto", cpu).dtype, "float32")
        self.assertFalse(sft.sft_config.native_bf16(cpu))

    def test_train_decides_precision_through_precision_for_device(self):
        # train() needs torch; this keeps it from going back to torch.cuda.is_bf16_supported()'s default answer
        with open(os.path.join(SCRIPT_DIR, "train.py"), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        called = {node.func.attr for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
        self.assertIn("precision_for_device", called)
        self.assertNotIn("is_bf16_supported", called)


class ModelSettingsTests(unittest.TestCase):
    def test_dtype_keyword_follows_the_transformers_rename(self):
        for version, keyword in (("4.56.2", "dtype"), ("4.56.0", "dtype"), ("4.57.0.dev0", "dtype"), ("5.0.0", "dtype"),
                                 ("4.55.4", "torch_dtype"), ("4.46.3", "torch_dtype"), ("4.9.0", "torch_dtype")):
            with self.subTest(version=version):
                self.assertEqual(sft.sft_config.dtype_keyword(version), keyword)

    def test_lora_settings(self):
        self.assertEqual(sft.sft_config.lora_kwargs(parse()), {
            "r": 16, "lora_alpha": 32, "lora_dropout": 0.05, "target_modules": "all-linear", "bias": "none",
            "task_type": "CAUSAL_LM"})
        kwargs = sft.sft_config.lora_kwargs(parse("--lora_target_modules", "q_proj, v_proj", "--lora_r", "8"))
        self.assertEqual((kwargs["r"], kwargs["target_modules"]), (8, ["q_proj", "v_proj"]))

    def test_training_loads_onto_this_process_gpu_and_the_merge_onto_the_cpu(self):
        bf16 = sft.sft_config.Precision(True, False, "bfloat16", "test")
        load = sft.sft_config.model_load_kwargs
        # LoRA on a GPU: straight onto LOCAL_RANK's GPU, never a whole copy in host memory first
        self.assertEqual(load(parse(), bf16, True, "4.56.2", 3),
                         {"dtype": "bfloat16", "device_map": {"": 3}, "attn_implementation": "sdpa"})
        # the attention implementation is always explicit: a checkpoint's config.json cannot choose another
        self.assertEqual(load(parse(), bf16, True, "4.56.2", 0, "flash_attention_2")["attn_implementation"],
                         "flash_attention_2")
        qlora = load(parse("--load_in_4bit", "True"), bf16, True, "4.56.2", 1)
        self.assertEqual(qlora["device_map"], {"": 1})
        self.assertEqual(qlora["quantization_config"]["bnb_4bit_compute_dtype"], "bfloat16")
        # the merge: the base model again, unquantized (a 4-bit base cannot take the merged weights), on the CPU
        merge = load(parse("--load_in_4bit", "True"), bf16, False, "4.56.2", 1)
        self.assertEqual(merge, {"dtype": "bfloat16", "low_cpu_mem_usage": True, "attn_implementation": "sdpa"})
        cpu = sft.sft_config.Precision(False, False, "float32", "test")
        self.assertEqual(load(parse(), cpu, True, "4.55.0"), {"torch_dtype": "float32", "attn_implementation": "sdpa"})

    def test_qlora_settings(self):
        gpu = sft.sft_config.Precision(False, True, "float16", "test")
        self.assertIsNone(sft.sft_config.quantization_kwargs(parse(), gpu))
        self.assertEqual(sft.sft_config.quantization_kwargs(parse("--load_in_4bit", "True"), gpu), {
            "load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": True,
            "bnb_4bit_compute_dtype": "float16"})
        cpu = sft.sft_config.Precision(False, False, "float32", "test")
        with self.assertRaisesRegex(ValueError, "load_in_4bit=True needs a CUDA GPU"):
            sft.sft_config.quantization_kwargs(parse("--load_in_4bit", "True"), cpu)


class EntryPointCodeTests(unittest.TestCase):
    def test_script_runs_as_the_toolkit_starts_it(self):
        # python train.py: the module must call main() under __main__ and exit with its code
        with open(os.path.join(SCRIPT_DIR, "train.py"), encoding="utf-8") as handle:
            source = handle.read()
        self.assertIn('if __name__ == "__main__":\n    sys.exit(main())', source)


if __name__ == "__main__":
    unittest.main()
