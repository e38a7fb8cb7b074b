"""The metric lines the script prints and the MetricDefinitions that read them.

(a) every regex in metric_definitions.json captures its own metric from lines made by metrics_log, and no other;
(b) the MetricDefinitions the C# recipe puts in the CreateTrainingJob request equal metric_definitions.json.
"""
import json
import os
import re
import unittest

from translation_support import SCRIPT_DIR, toolkit_argv
from hf_recipe import metrics_log

REQUEST_FILE = os.path.join("requests", "translation-train.json")
EXPECTED_NAMES = ["train_loss", "eval_loss", "eval_bleu", "epoch"]
SAMPLE_VALUES = [2.345678, 2e-05, 3, 0, 1.0, 0.1, 12345.678, 1.5e20, -0.25, 1e-10, 100.0, 7.123456789012345]


class DefinitionsFileTests(unittest.TestCase):
    def test_names_and_limits(self):
        definitions = metrics_log.load_metric_definitions(SCRIPT_DIR)
        self.assertEqual([d["Name"] for d in definitions], EXPECTED_NAMES)
        for definition in definitions:
            self.assertLessEqual(len(definition["Regex"]), 500, definition["Name"])
            self.assertEqual(re.compile(definition["Regex"]).groups >= 1, True, definition["Name"])
            # portable subset: no lookbehind, named groups, possessive or atomic groups
            for construct in ("(?<", "(?P", "(?>", "*+", "++"):
                self.assertNotIn(construct, definition["Regex"], definition["Name"])


class LineFormatTests(unittest.TestCase):
    def setUp(self):
        self.regexes = {d["Name"]: re.compile(d["Regex"]) for d in metrics_log.load_metric_definitions(SCRIPT_DIR)}

    def test_each_regex_reads_its_value_back_exactly(self):
        for name in EXPECTED_NAMES:
            for value in SAMPLE_VALUES:
                line = metrics_log.format_metric_line({name: value})
                # as CloudWatch shows it: the logging prefix before the message
                logged = f"2024-05-01 12:00:00,000 INFO translation.metrics: {line}"
                match = self.regexes[name].search(logged)
                self.assertIsNotNone(match, f"{name} regex does not match {logged!r}")
                self.assertEqual(float(match.group(1)), float(value), logged)

    def test_scientific_notation_and_integers_are_printed_as_python_does(self):
        self.assertEqual(metrics_log.format_metric_line({"learning_rate": 2e-05}), "METRIC learning_rate=2e-05")
        self.assertEqual(metrics_log.format_metric_line({"epoch": 3}), "METRIC epoch=3.0")

    def test_every_metric_of_a_combined_line_is_read_by_its_own_regex(self):
        values = {"epoch": 2.0, "eval_loss": 1.25, "eval_bleu": 31.4159, "train_loss": 0.5, "learning_rate": 3e-05}
        line = metrics_log.format_metric_line(values)
        for name in EXPECTED_NAMES:
            self.assertEqual(float(self.regexes[name].search(line).group(1)), values[name], name)

    def test_regexes_do_not_read_other_metrics(self):
        others = {"loss": 9.0, "learning_rate": 9.0, "test_loss": 9.0, "test_bleu": 9.0, "eval_gen_len": 9.0,
                  "train_runtime": 9.0, "eval_train_loss": 9.0, "grad_norm": 9.0, "eval_bleu_1": 9.0,
                  "best_eval_loss": 9.0, "final_eval_bleu": 9.0, "last_epoch": 9.0, "epochs": 9.0}
        for other, value in others.items():
            line = metrics_log.format_metric_line({other: value})
            for name, regex in self.regexes.items():
                match = regex.search(line)
                self.assertIsNone(match, f"{name} regex wrongly reads {line!r}")

    def test_lines_without_the_prefix_are_not_read(self):
        # the Trainer itself prints dicts such as {'loss': 2.3, 'epoch': 1.0}: they must not double-count
        for text in ("{'loss': 2.3, 'eval_loss': 1.0, 'epoch': 1.0}", "eval_bleu=30.0 epoch=1.0"):
            for name, regex in self.regexes.items():
                self.assertIsNone(regex.search(text), f"{name} regex reads {text!r}")

    def test_trainer_logs_are_renamed_and_non_numeric_or_non_finite_values_dropped(self):
        metrics = metrics_log.trainer_logs_to_metrics(
            {"loss": 2.5, "learning_rate": 2e-05, "epoch": 0.5, "total_flos": 1e15})
        self.assertEqual(metrics, {"train_loss": 2.5, "learning_rate": 2e-05, "epoch": 0.5})
        line = metrics_log.format_metric_line({"eval_loss": float("nan"), "eval_bleu": 12.5, "note": "x", "ok": True})
        self.assertEqual(line, "METRIC eval_bleu=12.5")
        self.assertIsNone(metrics_log.format_metric_line({"eval_loss": float("inf")}))

    def test_metric_name_that_could_break_the_line_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "metric name 'eval loss'"):
            metrics_log.format_metric_line({"eval loss": 1.0})


class CSharpRequestTests(unittest.TestCase):
    def test_request_built_by_the_csharp_recipe_uses_these_definitions(self):
        results = os.environ.get("HF_TEST_RESULTS")
        if not results:
            self.skipTest("HF_TEST_RESULTS is not set: run scripts/test.sh to check the C# request as well")
        path = os.path.join(results, REQUEST_FILE)
        self.assertTrue(os.path.isfile(path),
                        f"{path} is missing: the C# tests must write the translation CreateTrainingJob request there "
                        f"({{\"operation\": \"CreateTrainingJob\", \"request\": {{...}}}})")
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        self.assertEqual(document.get("operation"), "CreateTrainingJob", path)
        emitted = document["request"]["AlgorithmSpecification"].get("MetricDefinitions")
        self.assertEqual(emitted, metrics_log.load_metric_definitions(SCRIPT_DIR),
                         f"{path}: AlgorithmSpecification.MetricDefinitions differ from "
                         f"training-scripts/translation/metric_definitions.json")

    def test_hyperparameters_of_the_csharp_requests_parse_as_the_toolkit_passes_them(self):
        """Every non-reserved hyperparameter the C# recipe sends (training and tuning) is one the script accepts, with
        a value it parses: an unknown or unparsable one would fail the job minutes after it started."""
        import args
        results = os.environ.get("HF_TEST_RESULTS")
        if not results:
            self.skipTest("HF_TEST_RESULTS is not set: run scripts/test.sh to check the C# requests as well")
        checked = 0
        for name, member in (("translation-train.json", "HyperParameters"), ("translation-tune.json", "StaticHyperParameters")):
            path = os.path.join(results, "requests", name)
            self.assertTrue(os.path.isfile(path), f"{path} is missing: the C# Orchestration tests must write it")
            with open(path, encoding="utf-8") as handle:
                request = json.load(handle)["request"]
            hyperparameters = request[member] if member == "HyperParameters" else request["TrainingJobDefinition"][member]
            if member == "StaticHyperParameters":
                # SageMaker adds each tuned value itself (and _tuning_objective_metric): give them a sample value
                ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
                for kind in ("ContinuousParameterRanges", "IntegerParameterRanges"):
                    for r in ranges.get(kind, []):
                        hyperparameters = {**hyperparameters, r["Name"]: r["MinValue"]}
                for r in ranges.get("CategoricalParameterRanges", []):
                    hyperparameters = {**hyperparameters, r["Name"]: r["Values"][0]}
            with self.subTest(request=name):
                namespace = args.parse_args(toolkit_argv(hyperparameters))
                for key in hyperparameters:
                    if not key.startswith("sagemaker_"):
                        self.assertTrue(hasattr(namespace, key), f"{name}: {key} did not reach the script")
                        checked += 1
        self.assertGreater(checked, 10)


if __name__ == "__main__":
    unittest.main()
