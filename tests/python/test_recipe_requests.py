"""Every recipe under training-scripts/ and the requests its C# recipe class builds.

For each training-scripts/<recipe>/ with a metric_definitions.json, the C# tests write the recipe's requests to
$HF_TEST_RESULTS/requests/<recipe>-{train,tune}.json. Here: the MetricDefinitions of the training and tuning requests are
exactly the script's file, the tuning objective is one of those metrics, and each regex has the shared form
`METRIC.* <name>=(<float>)` for its own name.
"""
import json
import os
import re
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(ROOT, "training-scripts")
FLOAT = r"([-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)"


def recipes():
    return sorted(d for d in os.listdir(SCRIPTS) if os.path.isfile(os.path.join(SCRIPTS, d, "metric_definitions.json")))


def definitions(recipe):
    with open(os.path.join(SCRIPTS, recipe, "metric_definitions.json"), encoding="utf-8") as handle:
        return json.load(handle)


def request(results, name):
    path = os.path.join(results, "requests", name)
    if not os.path.isfile(path):
        raise AssertionError(f"{path} is missing: the C# tests (RecipePipelineFixture) must write it for every recipe")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["request"]


class RecipeRequestTests(unittest.TestCase):
    def test_there_are_at_least_the_two_recipes(self):
        self.assertTrue({"translation", "llm-sft"} <= set(recipes()), recipes())

    def test_each_regex_has_the_shared_form_for_its_own_name(self):
        for recipe in recipes():
            for d in definitions(recipe):
                with self.subTest(recipe=recipe, metric=d["Name"]):
                    self.assertEqual(d["Regex"], f"METRIC.* {d['Name']}={FLOAT}")
                    line = f"INFO METRIC {d['Name']}=0.125 other=9.0"
                    self.assertEqual(float(re.search(d["Regex"], line).group(1)), 0.125)

    def test_requests_carry_the_scripts_metric_definitions_and_tune_one_of_them(self):
        results = os.environ.get("HF_TEST_RESULTS")
        if not results:
            self.skipTest("HF_TEST_RESULTS is not set: run scripts/test.sh to check the C# requests as well")
        for recipe in recipes():
            with self.subTest(recipe=recipe):
                expected = definitions(recipe)
                train = request(results, f"{recipe}-train.json")
                self.assertEqual(train["AlgorithmSpecification"]["MetricDefinitions"], expected)
                tune = request(results, f"{recipe}-tune.json")
                self.assertEqual(tune["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"], expected)
                objective = tune["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"]
                self.assertIn(objective, [d["Name"] for d in expected])


if __name__ == "__main__":
    unittest.main()
