"""The README text that describes the recipes is generated from the recipe folders (scripts/update-recipe-docs.py):
this fails when a recipe.json, hyperparameters.json or metric_definitions.json changed and the text was not
regenerated, and when a recipe has no generated hyperparameter table anywhere."""
import copy
import os
import subprocess
import sys
import unittest

import repo_scripts
from hf_recipe_support import REPO_ROOT

SCRIPT = os.path.join(REPO_ROOT, "scripts", "update-recipe-docs.py")


def load_script():
    return repo_scripts.load_script("update-recipe-docs.py")


class RecipeDocsTests(unittest.TestCase):
    def test_generated_text_is_up_to_date(self):
        run = subprocess.run([sys.executable, SCRIPT, "--check"], capture_output=True, text=True, check=False)
        self.assertEqual(run.returncode, 0, run.stderr)

    def test_a_changed_contract_makes_its_table_and_the_overview_stale(self):
        module = load_script()
        found = module.recipes()
        changed = copy.deepcopy(found)
        changed["translation"][1]["seed"]["default"] = 7
        changed["translation"][0]["gpu"]["minimumMemoryGiB"] = 20
        module.recipes = lambda: changed
        stale, missing = module.update(check=True)
        self.assertEqual(missing, [])
        self.assertEqual(stale, ["README.md: recipes", "README.md: hyperparameters:translation"])

    def test_a_changed_rule_makes_its_table_stale(self):
        module = load_script()
        changed = copy.deepcopy(module.recipes())
        changed["llm-sft"][3][0]["message"] = "another message"
        module.recipes = lambda: changed
        stale, _ = module.update(check=True)
        self.assertEqual(stale, ["training-scripts/llm-sft/README.md: hyperparameters:llm-sft"])

    def test_a_recipe_without_a_table_is_reported(self):
        module = load_script()
        found = module.recipes()
        module.recipes = lambda: {**found, "summarization": found["translation"]}
        _, missing = module.update(check=True)
        self.assertEqual(missing, ["hyperparameters:summarization"])


if __name__ == "__main__":
    unittest.main()
