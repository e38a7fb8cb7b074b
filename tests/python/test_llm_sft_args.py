"""llm-sft args: the recipe's hyperparameters (training-scripts/llm-sft/README.md), parsed as the sagemaker-training toolkit
passes them (tests/python/translation_support.toolkit_argv follows the toolkit's mapping.to_cmd_args)."""
import json
import unittest

from llm_sft_support import sft, toolkit_argv

# The contract's table, written out by hand from the README's (name: type, default).
CONTRACT = {
    "model_name_or_path": ("str", "meta-llama/Llama-3.1-8B-Instruct"),
    "max_seq_length": ("int", 2048),
    "packing": ("bool", False),
    "attn_implementation": ("str", "auto"),
    "num_train_epochs": ("float", 1.0),
    "max_steps": ("int", -1),
    "learning_rate": ("float", 2e-4),
    "lr_scheduler_type": ("str", "cosine"),
    "warmup_ratio": ("float", 0.03),
    "weight_decay": ("float", 0.0),
    "per_device_train_batch_size": ("int", 2),
    "per_device_eval_batch_size": ("int", 2),
    "gradient_accumulation_steps": ("int", 8),
    "gradient_checkpointing": ("bool", True),
    "lora_r": ("int", 16),
    "lora_alpha": ("int", 32),
    "lora_dropout": ("float", 0.05),
    "lora_target_modules": ("str", "all-linear"),
    "load_in_4bit": ("bool", False),
    "bf16": ("str", "auto"),
    "merge_adapter": ("bool", False),
    "eval_steps": ("int", None),
    "save_steps": ("int", 200),
    "logging_steps": ("int", 10),
    "seed": ("int", 42),
    "max_train_samples": ("int", None),
    "max_eval_samples": ("int", None),
    "offline": ("bool", False),
}
# Accepted besides the contract: SageMaker's own addition in tuning jobs, and a local-run override.
EXTRAS = {"_tuning_objective_metric", "checkpoint_dir"}


def parse(*argv):
    return sft.args.parse_args(list(argv))


class ContractTableTests(unittest.TestCase):
    def test_names_types_and_defaults_are_the_contracts(self):
        table = {hp.name: (hp.kind, hp.default) for hp in sft.args.HYPERPARAMETERS}
        self.assertEqual(set(table) - EXTRAS, set(CONTRACT))
        for name, expected in CONTRACT.items():
            self.assertEqual(table[name], expected, name)

    def test_defaults_when_nothing_is_passed(self):
        parsed = vars(parse())
        for name, (_, default) in CONTRACT.items():
            self.assertEqual(parsed[name], default, name)
            self.assertIs(type(parsed[name]), type(default), name)

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
            ("max_steps", "0", "-1"), ("max_steps", "-2", "-1"), ("learning_rate", "0", "> 0"),
            ("learning_rate", "-0.001", "> 0"), ("warmup_ratio", "1", "[0, 1)"), ("warmup_ratio", "-0.1", "[0, 1)"),
            ("weight_decay", "-0.01", ">= 0"), ("lora_dropout", "1.0", "[0, 1)"),
            ("per_device_train_batch_size", "0", "at least 1"), ("per_device_eval_batch_size", "0", "at least 1"),
            ("gradient_accumulation_steps", "0", "at least 1"), ("lora_r", "0", "at least 1"),
            ("lora_alpha", "0", "at least 1"), ("eval_steps", "0", "at least 1"), ("save_steps", "0", "at least 1"),
            ("logging_steps", "0", "at least 1"), ("max_train_samples", "0", "at least 1"),
            ("max_eval_samples", "-3", "at least 1"),
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
        with self.assertRaisesRegex(ValueError, "'lr_scheduler_type' must be one of linear, cosine, "
                                                "cosine_with_restarts, polynomial, constant, constant_with_warmup; "
                                                "received 'warmup'"):
            parse("--lr_scheduler_type", "warmup")
        with self.assertRaisesRegex(ValueError, "'bf16' must be one of auto, true, false; received 'fp16'"):
            parse("--bf16", "fp16")

    def test_bad_target_modules(self):
        for value in (",", "q_proj;v_proj", "q proj", ""):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValueError, "'lora_target_modules' must be all-linear or "
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
        for fragment in ("unknown arguments", "--epochs", "'lora_r' must be at least 1", "'bf16' must be one of"):
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
