"""train.py: importable without torch, offline switch, and the Trainer arguments it builds."""
import argparse
import importlib
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

import translation_support  # noqa: F401
import args as hyperparameters
import trainer_config
from test_hf_recipe_checkpoints import make_checkpoint

HEAVY_MODULES = ("torch", "transformers", "sacrebleu", "numpy", "datasets")

# Field names of Seq2SeqTrainingArguments that every supported release has (besides the evaluation strategy).
COMMON_FIELDS = {
    "output_dir", "overwrite_output_dir", "num_train_epochs", "max_steps", "per_device_train_batch_size",
    "per_device_eval_batch_size", "gradient_accumulation_steps", "learning_rate", "weight_decay", "warmup_steps",
    "lr_scheduler_type", "fp16", "bf16", "seed", "save_strategy", "save_steps", "save_total_limit",
    "logging_strategy", "logging_steps", "predict_with_generate", "generation_max_length", "generation_num_beams",
    "report_to", "disable_tqdm", "eval_steps", "save_safetensors",
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "training_arguments_fields.json"),
          encoding="utf-8") as _handle:
    RELEASE_FIELDS = {name: set(entry["fields"]) for name, entry in json.load(_handle)["sets"].items()}


class ImportTests(unittest.TestCase):
    def test_import_has_no_heavy_imports_and_exposes_main(self):
        before = {name for name in HEAVY_MODULES if name in sys.modules}
        sys.modules.pop("train", None)
        train = importlib.import_module("train")
        self.assertTrue(callable(train.main))
        self.assertTrue(callable(train.train))
        after = {name for name in HEAVY_MODULES if name in sys.modules}
        self.assertEqual(after - before, set(), "importing train.py must not import heavy packages")

    def test_bad_hyperparameter_fails_before_any_heavy_import(self):
        train = importlib.import_module("train")
        before = {name for name in HEAVY_MODULES if name in sys.modules}
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        try:
            with mock.patch.dict(os.environ, {}, clear=True), \
                    mock.patch("sys.stderr", new_callable=io.StringIO) as stderr:
                self.assertEqual(train.main(["--fp16", "maybe"]), 2)
            self.assertRegex(stderr.getvalue(), r"^translation: error: .*'fp16'.*\n$")
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
        self.assertEqual({name for name in HEAVY_MODULES if name in sys.modules} - before, set())

    def test_offline_sets_every_hub_variable(self):
        train = importlib.import_module("train")
        environ = {}
        self.assertIs(train.apply_offline(True, environ), True)
        self.assertEqual(environ, {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})


class OfflineSemanticsTests(unittest.TestCase):
    """offline=False goes online only where the job has a network; an isolated job stays offline, with a warning."""

    def setUp(self):
        self.train = importlib.import_module("train")

    def test_online_request_in_a_job_with_network_unsets_the_offline_variables(self):
        environ = {"TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "0", "PATH": "/bin",
                   "SM_MODULE_DIR": "s3://bucket/job/source/sourcedir.tar.gz"}
        self.assertIs(self.train.apply_offline(False, environ), False)
        self.assertEqual(environ, {"PATH": "/bin", "SM_MODULE_DIR": "s3://bucket/job/source/sourcedir.tar.gz"})

    def test_online_request_in_an_isolated_job_keeps_offline_and_warns(self):
        for marker in ({"HF_HUB_OFFLINE": "1"}, {"HF_HUB_OFFLINE": "true"},
                       {"SM_MODULE_DIR": "/opt/ml/input/data/code/sourcedir.tar.gz"}):
            with self.subTest(**marker):
                environ = dict(marker)
                with self.assertLogs("recipe", logging.WARNING) as logs:
                    self.assertIs(self.train.apply_offline(False, environ), True)
                for name in self.train.OFFLINE_VARIABLES:
                    self.assertEqual(environ[name], "1", name)
                self.assertIn("offline=False ignored", "\n".join(logs.output))

    def test_isolation_reason_names_the_signal(self):
        self.assertIn("HF_HUB_OFFLINE=1", self.train.network_isolation_reason({"HF_HUB_OFFLINE": "1"}))
        self.assertIn("'code' channel", self.train.network_isolation_reason(
            {"SM_MODULE_DIR": "/opt/ml/input/data/code/sourcedir.tar.gz"}))
        self.assertIsNone(self.train.network_isolation_reason(
            {"SM_MODULE_DIR": "s3://bucket/code/sourcedir.tar.gz", "TRANSFORMERS_OFFLINE": "1"}))

    def run_main(self, argv, environ):
        captured = {}
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        try:
            with mock.patch.dict(os.environ, environ, clear=True), \
                    mock.patch.object(self.train, "train", lambda args, context: captured.update(vars(args))):
                self.train.main(argv)
                captured["environ"] = dict(os.environ)
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
        return captured

    def test_main_keeps_an_isolated_job_offline_and_reports_it_in_args(self):
        captured = self.run_main(["--offline", "False"], {"HF_HUB_OFFLINE": "1"})
        self.assertIs(captured["offline"], True)
        self.assertEqual(captured["environ"]["TRANSFORMERS_OFFLINE"], "1")

    def test_main_goes_online_in_a_job_with_network(self):
        captured = self.run_main(["--offline", "False"], {"TRANSFORMERS_OFFLINE": "1"})
        self.assertIs(captured["offline"], False)
        self.assertFalse(set(self.train.OFFLINE_VARIABLES) & set(captured["environ"]))


class ResumeFallbackTests(unittest.TestCase):
    """A checkpoint that passes the completeness check but fails to load is retried once from an older one."""

    def setUp(self):
        self.train = importlib.import_module("train")
        self.root = tempfile.mkdtemp()
        self.older = make_checkpoint(self.root, "checkpoint-10")
        self.latest = make_checkpoint(self.root, "checkpoint-20")
        self.calls = []

    def attempt(self, failures, started_before_failure=False):
        def run(resume_from, progress):
            self.calls.append(resume_from)
            if len(self.calls) <= failures:
                progress.training_started = started_before_failure
                raise RuntimeError(f"cannot load {resume_from}")
            return f"trained from {resume_from}"
        return run

    def test_load_failure_retries_once_from_the_next_older_checkpoint(self):
        with self.assertLogs("recipe", logging.INFO) as logs:
            result = self.train.train_with_resume_fallback(self.attempt(failures=1), self.root)
        self.assertEqual(result, (f"trained from {self.older}", self.older))
        self.assertEqual(self.calls, [self.latest, self.older])
        output = "\n".join(logs.output)
        self.assertIn(f"resuming from checkpoint {self.latest} failed", output)
        self.assertIn("cannot load", output)  # the traceback is logged
        self.assertIn(f"retrying once from checkpoint {self.older}", output)

    def test_load_failure_without_an_older_checkpoint_retries_from_scratch(self):
        shutil.rmtree(self.older)
        with self.assertLogs("recipe", logging.INFO) as logs:
            result = self.train.train_with_resume_fallback(self.attempt(failures=1), self.root)
        self.assertEqual(result, ("trained from None", None))
        self.assertEqual(self.calls, [self.latest, None])
        self.assertIn("from the start", "\n".join(logs.output))

    def test_second_failure_propagates(self):
        with self.assertLogs("recipe", logging.INFO):
            with self.assertRaisesRegex(RuntimeError, f"cannot load {self.older}"):
                self.train.train_with_resume_fallback(self.attempt(failures=2), self.root)
        self.assertEqual(self.calls, [self.latest, self.older])

    def test_failure_after_training_started_is_not_retried(self):
        with self.assertLogs("recipe", logging.INFO):
            with self.assertRaisesRegex(RuntimeError, "cannot load"):
                self.train.train_with_resume_fallback(
                    self.attempt(failures=1, started_before_failure=True), self.root)
        self.assertEqual(self.calls, [self.latest])

    def test_failure_when_starting_from_scratch_is_not_retried(self):
        empty = tempfile.mkdtemp()
        with self.assertLogs("recipe", logging.INFO):
            with self.assertRaisesRegex(RuntimeError, "cannot load None"):
                self.train.train_with_resume_fallback(self.attempt(failures=1), empty)
        self.assertEqual(self.calls, [None])

    def test_incomplete_newest_checkpoint_is_skipped_with_a_warning(self):
        broken = make_checkpoint(self.root, "checkpoint-30", omit=("model.safetensors",))
        with self.assertLogs("recipe", logging.INFO) as logs:
            result = self.train.train_with_resume_fallback(self.attempt(failures=0), self.root)
        self.assertEqual(result, (f"trained from {self.latest}", self.latest))
        self.assertIn(f"skipping incomplete checkpoint {broken}", "\n".join(logs.output))


class TrainingArgumentsTests(unittest.TestCase):
    def setUp(self):
        self.args = hyperparameters.parse_args(["--learning_rate", "2e-05", "--fp16", "True", "--num_beams", "4"])

    def test_new_releases_get_eval_strategy(self):
        kwargs = trainer_config.training_arguments_kwargs(
            self.args, "/opt/ml/checkpoints", COMMON_FIELDS | {"eval_strategy"}, has_validation=True)
        self.assertEqual(kwargs["eval_strategy"], "epoch")
        self.assertNotIn("evaluation_strategy", kwargs)
        self.assertEqual(kwargs["output_dir"], "/opt/ml/checkpoints")
        self.assertEqual(kwargs["learning_rate"], 2e-05)
        self.assertIs(kwargs["fp16"], True)
        self.assertIs(kwargs["predict_with_generate"], True)
        self.assertEqual(kwargs["save_total_limit"], 2)
        self.assertEqual(kwargs["generation_max_length"], 128)
        self.assertEqual(kwargs["generation_num_beams"], 4)
        self.assertEqual(kwargs["report_to"], "none")

    def test_old_releases_get_evaluation_strategy(self):
        kwargs = trainer_config.training_arguments_kwargs(
            self.args, "/ckpt", COMMON_FIELDS | {"evaluation_strategy"}, has_validation=True)
        self.assertEqual(kwargs["evaluation_strategy"], "epoch")
        self.assertNotIn("eval_strategy", kwargs)

    def test_both_names_present_prefers_eval_strategy(self):
        kwargs = trainer_config.training_arguments_kwargs(
            self.args, "/ckpt", COMMON_FIELDS | {"eval_strategy", "evaluation_strategy"}, has_validation=True)
        self.assertIn("eval_strategy", kwargs)
        self.assertNotIn("evaluation_strategy", kwargs)

    def test_no_validation_channel_turns_evaluation_off(self):
        kwargs = trainer_config.training_arguments_kwargs(
            self.args, "/ckpt", COMMON_FIELDS | {"eval_strategy"}, has_validation=False)
        self.assertEqual(kwargs["eval_strategy"], "no")

    def test_release_without_either_name_is_reported(self):
        with self.assertRaisesRegex(ValueError, "eval_strategy.*evaluation_strategy"):
            trainer_config.training_arguments_kwargs(self.args, "/ckpt", COMMON_FIELDS, has_validation=True)

    def test_release_without_safetensors_option_drops_it(self):
        kwargs = trainer_config.training_arguments_kwargs(
            self.args, "/ckpt", (COMMON_FIELDS - {"save_safetensors"}) | {"eval_strategy"}, has_validation=True)
        self.assertNotIn("save_safetensors", kwargs)

    def test_every_release_line_gets_only_fields_it_has(self):
        # transformers 5.0 removed overwrite_output_dir and save_safetensors (field sets read from the library
        # source: tests/python/fixtures/training_arguments_fields.json); 4.36 is this recipe's DLC
        for release, fields in RELEASE_FIELDS.items():
            with self.subTest(release=release):
                kwargs = trainer_config.training_arguments_kwargs(self.args, "/ckpt", fields, has_validation=True)
                self.assertLessEqual(set(kwargs), fields)
                self.assertEqual(kwargs["learning_rate"], 2e-05)
                self.assertEqual(kwargs.get("eval_strategy", kwargs.get("evaluation_strategy")), "epoch")

    def test_a_release_without_a_needed_field_is_named(self):
        with self.assertRaisesRegex(ValueError, "no field 'predict_with_generate'.*transformers 4.36 to 5.x"):
            trainer_config.training_arguments_kwargs(
                self.args, "/ckpt", (COMMON_FIELDS - {"predict_with_generate"}) | {"eval_strategy"},
                has_validation=True)

    def test_tokenizer_keyword_follows_the_trainer_signature(self):
        self.assertEqual(trainer_config.trainer_tokenizer_kwarg({"self", "model", "processing_class"}),
                         "processing_class")
        self.assertEqual(trainer_config.trainer_tokenizer_kwarg({"self", "model", "tokenizer"}), "tokenizer")

    def test_generation_kwargs_default_to_target_length_and_model_beams(self):
        parsed = hyperparameters.parse_args(["--max_target_length", "64"])
        self.assertEqual(trainer_config.generation_kwargs(parsed), {"max_length": 64})
        self.assertEqual(trainer_config.generation_kwargs(self.args), {"max_length": 128, "num_beams": 4})


if __name__ == "__main__":
    unittest.main()
