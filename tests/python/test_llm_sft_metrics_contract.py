"""llm-sft: the METRIC lines the script prints, training-scripts/llm-sft/metric_definitions.json that reads them, and
the C# recipe's requests (when the C# tests wrote them to $HF_TEST_RESULTS/requests/llm-sft-{train,tune}.json).

(a) the definitions name exactly the contract's metrics, each regex reads its own metric back from lines that the
script's mapping (sft_config.trainer_logs_to_metrics + metrics_log.format_metric_line) makes of real Trainer logs,
and no other; (b) the C# recipe sends exactly these definitions and hyperparameters the script accepts.
"""
import json
import math
import os
import re
import unittest

from llm_sft_support import SCRIPT_DIR, sft, toolkit_argv

# merged_eval_loss: train.py prints it once after merging (merge_adapter=true), so that the merged weights' loss reaches
# the job's FinalMetricDataList and the registered model package beside the adapter's eval_loss.
CONTRACT_NAMES = ["train_loss", "eval_loss", "eval_perplexity", "epoch", "learning_rate", "merged_eval_loss"]
# Logs as transformers' Trainer passes them to on_log (Trainer._maybe_log_save_evaluate, Trainer.evaluate and the
# end-of-training summary in Trainer._inner_training_loop, transformers 4.56).
TRAINING_LOG = {"loss": 1.8734, "grad_norm": 0.91, "learning_rate": 0.000196, "epoch": 0.25}
EVALUATION_LOG = {"eval_loss": 1.2, "eval_runtime": 3.1, "eval_samples_per_second": 12.9,
                  "eval_steps_per_second": 3.2, "epoch": 1.0}
SUMMARY_LOG = {"train_runtime": 100.0, "train_samples_per_second": 4.0, "train_steps_per_second": 0.5,
               "total_flos": 1.2e15, "train_loss": 1.5, "epoch": 1.0}


def definitions():
    return sft.metrics_log.load_metric_definitions(SCRIPT_DIR)


def line_of(logs):
    return sft.metrics_log.format_metric_line(sft.sft_config.trainer_logs_to_metrics(logs))


class DefinitionsTests(unittest.TestCase):
    def test_names_are_the_contracts_and_regexes_are_portable(self):
        self.assertEqual([d["Name"] for d in definitions()], CONTRACT_NAMES)
        for definition in definitions():
            self.assertLessEqual(len(definition["Regex"]), 500, definition["Name"])
            self.assertGreaterEqual(re.compile(definition["Regex"]).groups, 1)
            for construct in ("(?<", "(?P", "(?>", "*+", "++"):
                self.assertNotIn(construct, definition["Regex"], definition["Name"])


class TrainerLogTests(unittest.TestCase):
    def setUp(self):
        self.regexes = {d["Name"]: re.compile(d["Regex"]) for d in definitions()}

    def read(self, line):
        logged = f"2026-11-30 19:00:00,000 INFO llm-sft.metrics: {line}"
        return {name: float(m.group(1)) for name, regex in self.regexes.items() if (m := regex.search(logged))}

    def test_training_log_gives_train_loss_learning_rate_and_epoch(self):
        self.assertEqual(self.read(line_of(TRAINING_LOG)),
                         {"train_loss": 1.8734, "learning_rate": 0.000196, "epoch": 0.25})

    def test_evaluation_log_gives_eval_loss_and_its_perplexity(self):
        values = self.read(line_of(EVALUATION_LOG))
        self.assertEqual(set(values), {"eval_loss", "eval_perplexity", "epoch"})
        self.assertEqual(values["eval_loss"], 1.2)
        self.assertAlmostEqual(values["eval_perplexity"], 3.3201169227365472, places=12)  # e ** 1.2

    def test_end_of_training_summary_gives_the_average_train_loss(self):
        self.assertEqual(self.read(line_of(SUMMARY_LOG)), {"train_loss": 1.5, "epoch": 1.0})

    def test_huge_eval_loss_prints_no_perplexity_and_nan_prints_nothing(self):
        self.assertEqual(set(self.read(line_of({"eval_loss": 800.0}))), {"eval_loss"})
        self.assertIsNone(line_of({"eval_loss": math.nan}))
        self.assertEqual(sft.sft_config.perplexity(0.0), 1.0)

    def test_merged_model_line_gives_merged_eval_loss_only(self):
        # The line train.py prints after merging (metrics_log.format_metric_line of {"merged_eval_loss": ...}).
        line = sft.metrics_log.format_metric_line({"merged_eval_loss": 1.25})
        self.assertEqual(self.read(line), {"merged_eval_loss": 1.25})
        self.assertNotIn("merged_eval_loss", self.read(line_of(EVALUATION_LOG)))

    def test_each_regex_reads_only_its_own_metric(self):
        for other in ("loss", "eval_loss_2", "best_eval_loss", "eval_perplexity_x", "train_loss_avg", "epochs",
                      "grad_norm", "eval_runtime", "peak_learning_rate"):
            line = sft.metrics_log.format_metric_line({other: 9.5})
            for name, regex in self.regexes.items():
                self.assertIsNone(regex.search(line), f"{name} reads {line!r}")

    def test_the_trainers_own_dict_lines_are_not_read(self):
        for text in ("{'loss': 2.3, 'eval_loss': 1.0, 'epoch': 1.0}", "eval_loss=1.0 epoch=1.0"):
            for name, regex in self.regexes.items():
                self.assertIsNone(regex.search(text), f"{name} reads {text!r}")


class CSharpRequestTests(unittest.TestCase):
    """What the C# recipe puts in CreateTrainingJob / CreateHyperParameterTuningJob for llm-sft."""

    def load(self, name):
        results = os.environ.get("HF_TEST_RESULTS")
        if not results:
            self.skipTest("HF_TEST_RESULTS is not set: run scripts/test.sh to check the C# requests as well")
        path = os.path.join(results, "requests", name)
        self.assertTrue(os.path.isfile(path), f"{path} is missing: the C# tests must write the llm-sft requests there "
                        f"({{\"operation\": ..., \"request\": {{...}}}})")
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)["request"]

    def test_metric_definitions_are_this_file(self):
        request = self.load("llm-sft-train.json")
        self.assertEqual(request["AlgorithmSpecification"].get("MetricDefinitions"), definitions())

    def test_hyperparameters_of_training_and_tuning_requests_parse(self):
        checked = 0
        for name, member in (("llm-sft-train.json", "HyperParameters"), ("llm-sft-tune.json", "StaticHyperParameters")):
            request = self.load(name)
            if member == "HyperParameters":
                hyperparameters = dict(request[member])
            else:
                hyperparameters = dict(request["TrainingJobDefinition"][member])
                self.assertEqual(request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"],
                                 {"Type": "Minimize", "MetricName": "eval_loss"})
                ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
                for kind in ("ContinuousParameterRanges", "IntegerParameterRanges"):
                    for r in ranges.get(kind, []):
                        for bound in ("MinValue", "MaxValue"):
                            with self.subTest(request=name, range=r["Name"], bound=bound):
                                sft.args.parse_args(toolkit_argv({**hyperparameters, r["Name"]: r[bound]}))
                for r in ranges.get("CategoricalParameterRanges", []):
                    for value in r["Values"]:
                        with self.subTest(request=name, range=r["Name"], value=value):
                            sft.args.parse_args(toolkit_argv({**hyperparameters, r["Name"]: value}))
                hyperparameters["_tuning_objective_metric"] = "eval_loss"
            namespace = sft.args.parse_args(toolkit_argv(hyperparameters))
            for key in hyperparameters:
                if not key.startswith("sagemaker_"):
                    self.assertTrue(hasattr(namespace, key), f"{name}: {key} did not reach the script")
                    checked += 1
        self.assertGreater(checked, 20)


if __name__ == "__main__":
    unittest.main()
