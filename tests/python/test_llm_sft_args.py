"""llm-sft args: training-scripts/llm-sft/hyperparameters.json as the script's parser reads it, and values as the
sagemaker-training toolkit passes them (tests/python/hf_recipe_support.toolkit_argv follows the toolkit's
mapping.to_cmd_args)."""
import json
import os
import unittest

from llm_sft_support import SCRIPT_DIR, sft, toolkit_argv

with open(os.path.join(SCRIPT_DIR, "hyperparameters.json"), encoding="utf-8") as _handle:
    CONTRACT = json.load(_handle)["hyperparameters"]
PYTHON_TYPES = {"string": str, "integer": int, "float": float, "boolean": bool}
# Accepted besides the contract: SageMaker's own addition in tuning jobs, and a local-run override.
EXTRAS = {"_tuning_objective_metric", "checkpoint_dir"}


def parse(*argv):
    return sft.args.parse_args(list(argv))


class ContractTableTests(unittest.TestCase):
    def test_the_parser_accepts_the_contract_and_the_script_arguments(self):
        table = {hp.name: hp for hp in sft.args.HYPERPARAMETERS}
        self.assertEqual(list(table)[:len(CONTRACT)], list(CONTRACT))
        self.assertEqual(set(table) - set(CONTRACT), EXTRAS)

    def test_defaults_when_nothing_is_passed_have_the_kind_of_the_contract(self):
        parsed = vars(parse())
        for name, entry in CONTRACT.items():
            with self.subTest(name=name):
                self.assertEqual(parsed[name], entry["default"])
                if entry["default"] is not None:
                    self.assertIs(type(parsed[name]), PYTHON_TYPES[entry["kind"]])

    def test_nullable_exactly_where_the_contract_allows_null(self):
        nullable = {hp.name for hp in sft.args.HYPERPARAMETERS if hp.nullable}
        self.assertEqual(nullable, {"eval_steps", "max_train_samples", "max_eval_samples"})


class ToolkitArgvTests(unittest.TestCase):
    """The request's HyperParameters are JSON-encoded strings (as the SageMaker Python SDK sends them)."""

    def test_sdk_encoded_request_parses_to_typed_values(self):
        request = {name: json.dumps(value) for name, value in {
            "model_name_or_path": "meta-llama/Llama-3.1-8B-Instruct", "max_seq_length": 1024, "packing": True,
            "num_train_epochs": 0.5, "learning_rate": 2e-05, "lora_r": 64, "lora_dropout": 0.1, "bf16": True,
            "eval_steps": None, "max_train_samples": None, "load_in_4bit": False, "offline": True,
            "lora_target_modules": "q_proj,k_proj,v_proj,o_proj", "lr_scheduler_type": "constant_with_warmup",
            "sagemaker_program": "train.py", "sagemaker_torch_distributed_enabled": True,
        }.items()}
        argv = toolkit_argv(request)
        self.assertIn("True", argv)         # bf16 true as the toolkit prints a JSON true
        self.assertIn("2e-05", argv)
        parsed = parse(*argv)
        self.assertEqual(parsed.max_seq_length, 1024)
        self.assertIs(parsed.packing, True)
        self.assertEqual(parsed.num_train_epochs, 0.5)
        self.assertEqual(parsed.learning_rate, 2e-05)
        self.assertEqual((parsed.lora_r, parsed.lora_dropout), (64, 0.1))
        self.assertEqual(parsed.bf16, "true")
        self.assertIsNone(parsed.eval_steps)
        self.assertIsNone(parsed.max_train_samples)
        self.assertIs(parsed.load_in_4bit, False)
        self.assertIs(parsed.offline, True)
        self.assertEqual(sft.args.target_modules(parsed.lora_target_modules), ["q_proj", "k_proj", "v_proj", "o_proj"])
        self.assertEqual(parsed.lr_scheduler_type, "constant_with_warmup")

    def test_tuning_job_values_are_accepted(self):
        # a tuning job sends the tuned values as plain strings and adds _tuning_objective_metric
        argv = toolkit_argv({"learning_rate": "0.00012345", "lora_r": "32", "_tuning_objective_metric": "eval_loss"})
        parsed = parse(*argv)
        self.assertEqual((parsed.learning_rate, parsed.lora_r), (0.00012345, 32))

    def test_bf16_spellings(self):
        for raw, expected in (("auto", "auto"), ("AUTO", "auto"), ("True", "true"), ("true", "true"),
                              ("False", "false"), ("false", "false"), ("1", "true"), ("0", "false")):
            with self.subTest(raw=raw):
                self.assertEqual(parse("--bf16", raw).bf16, expected)

    def test_integer_written_with_a_decimal_point_is_accepted(self):
        self.assertEqual(parse("--lora_r", "16.0").lora_r, 16)


class RejectionTests(unittest.TestCase):
    def test_values_out_of_the_contracts_ranges(self):
        cases = [
            ("max_seq_length", "15", ">= 16"), ("num_train_epochs", "0", "> 0"), ("num_train_epochs", "-1", "> 0"),
            ("max_steps", "0", ">= -1 and not 0"), ("max_steps", "-2", ">= -1"), ("learning_rate", "0", "> 0"),
            ("learning_rate", "-0.001", "> 0"), ("warmup_ratio", "1", ">= 0 and < 1"), ("warmup_ratio", "-0.1", ">= 0 and < 1"),
            ("weight_decay", "-0.01", ">= 0"), ("lora_dropout", "1.0", ">= 0 and < 1"),
            ("per_device_train_batch_size", "0", ">= 1"), ("per_device_eval_batch_size", "0", ">= 1"),
            ("gradient_accumulation_steps", "0", ">= 1"), ("lora_r", "0", ">= 1"),
            ("lora_alpha", "0", ">= 1"), ("eval_steps", "0", ">= 1, or null"), ("save_steps", "0", ">= 1"),
            ("logging_steps", "0", ">= 1"), ("max_train_samples", "0", ">= 1, or null"),
            ("max_eval_samples", "-3", ">= 1, or null"),
        ]
        for name, value, allowed in cases:
            with self.subTest(name=name, value=value):
                with self.assertRaises(ValueError) as caught:
                    parse(f"--{name}", value)
                message = str(caught.exception)
                self.assertIn(f"hyperparameter '{name}'", message)
                self.assertIn(allowed, message)

    def test_wrong_types(self):
        for name, value in (("max_seq_length", "1.5"), ("seed", "x"), ("learning_rate", "fast"),
                            ("learning_rate", "nan"), ("packing", "maybe"), ("merge_adapter", "2"),
                            ("gradient_checkpointing", "None")):
            with self.subTest(name=name, value=value):
                with self.assertRaisesRegex(ValueError, f"hyperparameter '{name}'.*{value!r}"):
                    parse(f"--{name}", value)

    def test_choices(self):
        with self.assertRaisesRegex(ValueError, "'lr_scheduler_type' must be one of \"linear\", \"cosine\", "
                                                "\"cosine_with_restarts\", \"polynomial\", \"constant\", "
                                                "\"constant_with_warmup\"; received 'warmup'"):
            parse("--lr_scheduler_type", "warmup")
        with self.assertRaisesRegex(ValueError, "'bf16' must be \"auto\", \"true\" or \"false\" \\(any case; .*\\); received 'fp16'"):
            parse("--bf16", "fp16")

    def test_bad_target_modules(self):
        for value in (",", "q_proj;v_proj", "q proj", ""):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValueError, "'lora_target_modules' must be \"all-linear\" or "
                                                        "comma-separated module names"):
                    parse("--lora_target_modules", value)

    def test_null_where_the_contract_has_no_null(self):
        for name in ("max_seq_length", "packing", "learning_rate", "save_steps"):
            with self.subTest(name=name):
                with self.assertRaisesRegex(ValueError, f"'{name}' received an empty value"):
                    parse(f"--{name}", "")

    def test_unknown_hyperparameter_and_every_problem_at_once(self):
        with self.assertRaises(ValueError) as caught:
            parse("--epochs", "3", "--lora_r", "0", "--bf16", "maybe")
        message = str(caught.exception)
        for fragment in ("unknown arguments", "--epochs", "'lora_r' must be an integer >= 1", "'bf16' must be \"auto\""):
            self.assertIn(fragment, message)

    def test_missing_value_raises_value_error_not_system_exit(self):
        with self.assertRaisesRegex(ValueError, "--seed"):
            parse("--seed")

    def test_boundaries_that_the_contract_allows(self):
        parsed = parse("--max_seq_length", "16", "--max_steps", "1", "--warmup_ratio", "0", "--lora_dropout", "0",
                       "--weight_decay", "0", "--num_train_epochs", "0.01", "--eval_steps", "1")
        self.assertEqual((parsed.max_seq_length, parsed.max_steps, parsed.eval_steps), (16, 1, 1))


if __name__ == "__main__":
    unittest.main()
