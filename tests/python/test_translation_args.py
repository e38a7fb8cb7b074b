"""args: hyperparameters parsed exactly as the sagemaker-training toolkit passes them."""
import json
import unittest

from translation_support import toolkit_argv
import args


class ToolkitArgvTests(unittest.TestCase):
    """The request's HyperParameters are JSON-encoded strings (as the SageMaker Python SDK sends them)."""

    def test_sdk_encoded_request_parses_to_typed_values(self):
        request = {
            "model_name_or_path": json.dumps("t5-small"), "source_prefix": json.dumps("translate English to German: "),
            "num_train_epochs": json.dumps(2), "learning_rate": json.dumps(2e-05), "fp16": json.dumps(True),
            "offline": json.dumps(False), "per_device_train_batch_size": json.dumps(8),
            "save_total_limit": json.dumps(None), "max_train_samples": json.dumps(None),
            "sagemaker_program": json.dumps("train.py"), "sagemaker_region": json.dumps("eu-west-1"),
            "sagemaker_container_log_level": "20",
        }
        argv = toolkit_argv(request)
        # what the script really receives: sorted, True/False, '' for null, 2e-05, no sagemaker_* keys
        self.assertEqual(argv[:4], ["--fp16", "True", "--learning_rate", "2e-05"])
        self.assertIn("", argv)
        self.assertNotIn("--sagemaker_program", argv)
        parsed = args.parse_args(argv)
        self.assertIs(parsed.fp16, True)
        self.assertIs(parsed.offline, False)
        self.assertEqual(parsed.learning_rate, 2e-05)
        self.assertEqual(parsed.num_train_epochs, 2.0)
        self.assertEqual(parsed.per_device_train_batch_size, 8)
        self.assertIsNone(parsed.save_total_limit)
        self.assertIsNone(parsed.max_train_samples)
        self.assertEqual(parsed.model_name_or_path, "t5-small")
        self.assertEqual(parsed.source_prefix, "translate English to German: ")

    def test_false_as_the_toolkit_prints_it_is_false(self):
        # the bug argparse type=bool has: bool("False") is True
        self.assertIs(args.parse_args(["--fp16", "False"]).fp16, False)

    def test_defaults_when_nothing_is_passed(self):
        parsed = args.parse_args([])
        self.assertEqual(parsed.model_name_or_path, "t5-small")
        self.assertEqual((parsed.source_lang, parsed.target_lang), ("en", "de"))
        self.assertEqual(parsed.source_prefix, "translate English to German: ")  # T5 reads the task from it
        self.assertIs(parsed.offline, True)
        self.assertIs(parsed.fp16, False)
        self.assertEqual(parsed.learning_rate, 5e-05)
        self.assertEqual(parsed.num_train_epochs, 3.0)
        self.assertEqual(parsed.save_total_limit, 2)
        self.assertEqual(parsed.eval_strategy, "epoch")
        self.assertEqual(parsed.save_strategy, "epoch")
        self.assertIsNone(parsed.num_beams)

    def test_tuning_objective_metric_added_by_a_tuning_job_is_accepted(self):
        argv = toolkit_argv({"_tuning_objective_metric": json.dumps("eval_bleu"), "learning_rate": "0.00031"})
        parsed = args.parse_args(argv)
        self.assertEqual(parsed.learning_rate, 0.00031)

    def test_tuner_integer_written_with_decimal_point_is_accepted(self):
        self.assertEqual(args.parse_args(["--per_device_train_batch_size", "16.0"]).per_device_train_batch_size, 16)

    def test_equals_form_is_accepted(self):
        self.assertEqual(args.parse_args(["--seed=7"]).seed, 7)


class Str2BoolTests(unittest.TestCase):
    def test_accepted_spellings(self):
        for word in ("True", "true", "TRUE", "1", "yes", "Yes"):
            self.assertIs(args.str2bool(word), True, word)
        for word in ("False", "false", "0", "no", "NO"):
            self.assertIs(args.str2bool(word), False, word)

    def test_other_words_are_rejected_with_the_argument_name(self):
        for word in ("maybe", "", "2", "t", "None"):
            with self.assertRaisesRegex(ValueError, "'fp16'") as caught:
                args.str2bool(word, "fp16")
            self.assertIn(repr(word), str(caught.exception))


class RejectionTests(unittest.TestCase):
    def test_bad_boolean_names_the_hyperparameter_and_the_value(self):
        with self.assertRaisesRegex(ValueError, r"hyperparameter 'fp16' must be a boolean.*'maybe'"):
            args.parse_args(["--fp16", "maybe"])

    def test_empty_value_for_a_boolean_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "'offline' received an empty value"):
            args.parse_args(["--offline", ""])

    def test_bad_number_names_the_hyperparameter(self):
        with self.assertRaisesRegex(ValueError, "'learning_rate' must be a finite number.*'fast'"):
            args.parse_args(["--learning_rate", "fast"])

    def test_fractional_integer_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "'seed' must be an integer.*'1.5'"):
            args.parse_args(["--seed", "1.5"])

    def test_non_finite_float_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "'learning_rate'"):
            args.parse_args(["--learning_rate", "nan"])

    def test_unknown_hyperparameter_is_named(self):
        with self.assertRaisesRegex(ValueError, "unknown arguments.*--epochs"):
            args.parse_args(["--epochs", "3"])

    def test_strategy_outside_the_choices_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "'save_strategy' must be one of \"no\", \"steps\", \"epoch\"; received 'hourly'"):
            args.parse_args(["--save_strategy", "hourly"])

    def test_scheduler_outside_the_transformers_schedules_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "'lr_scheduler_type' must be one of \"linear\", \"cosine\", .*; received 'cosinus'"):
            args.parse_args(["--lr_scheduler_type", "cosinus"])
        self.assertEqual(args.parse_args(["--lr_scheduler_type", "constant_with_warmup"]).lr_scheduler_type, "constant_with_warmup")

    def test_every_problem_is_reported_at_once(self):
        with self.assertRaises(ValueError) as caught:
            args.parse_args(["--fp16", "maybe", "--seed", "x", "--per_device_train_batch_size", "0"])
        message = str(caught.exception)
        for name in ("'fp16'", "'seed'", "'per_device_train_batch_size' must be an integer >= 1"):
            self.assertIn(name, message)

    def test_fp16_and_bf16_together_are_rejected(self):
        for bf16 in ("True", "true", " YES ", "1"):
            with self.subTest(bf16=bf16):
                with self.assertRaisesRegex(ValueError, f'hyperparameters fp16 = true, bf16 = "{bf16}": fp16 and bf16'):
                    args.parse_args(["--fp16", "True", "--bf16", bf16])
        for bf16 in ("auto", "False", "no", "0"):
            self.assertIs(args.parse_args(["--fp16", "True", "--bf16", bf16]).fp16, True)

    def test_step_settings_need_their_steps_strategy(self):
        with self.assertRaisesRegex(ValueError, 'hyperparameters eval_steps = 100, eval_strategy = "epoch" '
                                                r'\(not set: the default\): eval_steps is used only with eval_strategy steps'):
            args.parse_args(["--eval_steps", "100"])
        with self.assertRaisesRegex(ValueError, "save_steps is used only with save_strategy steps"):
            args.parse_args(["--save_steps", "100", "--save_strategy", "epoch"])
        with self.assertRaisesRegex(ValueError, "save_total_limit limits the checkpoints kept"):
            args.parse_args(["--save_total_limit", "3", "--save_strategy", "no"])
        parsed = args.parse_args(["--eval_steps", "100", "--eval_strategy", "steps", "--save_steps", "50",
                                  "--save_strategy", "steps", "--save_total_limit", ""])
        self.assertEqual((parsed.eval_steps, parsed.save_steps, parsed.save_total_limit), (100, 50, None))

    def test_a_refused_value_breaks_no_rule_as_its_default(self):
        # eval_strategy "STEPS" is refused on its own; the rule over eval_steps is not checked against the default
        with self.assertRaises(ValueError) as caught:
            args.parse_args(["--eval_steps", "100", "--eval_strategy", "STEPS"])
        self.assertIn("'eval_strategy' must be one of", str(caught.exception))
        self.assertNotIn("eval_steps is used only", str(caught.exception))

    def test_max_steps_with_epochs_is_a_note_not_a_refusal(self):
        with self.assertLogs("hf_recipe.toolkit_args", "WARNING") as logs:
            parsed = args.parse_args(["--max_steps", "20", "--num_train_epochs", "3"])
        self.assertEqual(parsed.max_steps, 20)
        self.assertIn("hyperparameters max_steps = 20, num_train_epochs = 3.0: num_train_epochs is not used", logs.output[0])

    def test_sample_limits_below_one_are_rejected_with_name_and_value(self):
        for name in ("max_train_samples", "max_eval_samples"):
            for value in ("0", "-1", "-5.0"):
                with self.subTest(name=name, value=value):
                    with self.assertRaisesRegex(ValueError, f"hyperparameter '{name}' must be an integer >= 1, or null; "
                                                            f"received '{value}'"):
                        args.parse_args([f"--{name}", value])

    def test_sample_limits_of_one_or_null_are_accepted(self):
        parsed = args.parse_args(["--max_train_samples", "1", "--max_eval_samples", ""])
        self.assertEqual((parsed.max_train_samples, parsed.max_eval_samples), (1, None))

    def test_missing_value_raises_value_error_not_system_exit(self):
        with self.assertRaisesRegex(ValueError, "--seed"):
            args.parse_args(["--seed"])


if __name__ == "__main__":
    unittest.main()
