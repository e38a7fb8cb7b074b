"""train.py: importable without torch, offline switch, and the Trainer arguments it builds."""
import argparse
import importlib
import logging
import sys
import unittest

import translation_support  # noqa: F401
import args as hyperparameters
import trainer_config

HEAVY_MODULES = ("torch", "transformers", "sacrebleu", "numpy", "datasets")

# Field names of Seq2SeqTrainingArguments that every supported release has (besides the evaluation strategy).
COMMON_FIELDS = {
    "output_dir", "overwrite_output_dir", "num_train_epochs", "max_steps", "per_device_train_batch_size",
    "per_device_eval_batch_size", "gradient_accumulation_steps", "learning_rate", "weight_decay", "warmup_steps",
    "lr_scheduler_type", "fp16", "bf16", "seed", "save_strategy", "save_steps", "save_total_limit",
    "logging_strategy", "logging_steps", "predict_with_generate", "generation_max_length", "generation_num_beams",
    "report_to", "disable_tqdm", "eval_steps", "save_safetensors",
}


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
            with self.assertRaisesRegex(ValueError, "'fp16'"):
                train.main(["--fp16", "maybe"])
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
        self.assertEqual({name for name in HEAVY_MODULES if name in sys.modules} - before, set())

    def test_offline_sets_the_hub_variables_and_online_leaves_them(self):
        train = importlib.import_module("train")
        environ = {}
        train.apply_offline(False, environ)
        self.assertEqual(environ, {})
        train.apply_offline(True, environ)
        self.assertEqual(environ["HF_HUB_OFFLINE"], "1")
        self.assertEqual(environ["TRANSFORMERS_OFFLINE"], "1")


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
