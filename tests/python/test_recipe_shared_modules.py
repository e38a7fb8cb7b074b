"""The modules every recipe shares stay identical in every recipe directory.

Each recipe's code reaches SageMaker as its own sourcedir.tar.gz holding only its directory (the C# TrainingSourceCode
packs one directory and refuses symbolic links), so a recipe cannot import another's modules at run time: each
directory carries a copy of the shared modules. This test is what keeps the copies one module: a change to any copy
fails here until every recipe directory has the same bytes.
"""
import hashlib
import os
import unittest

from translation_support import REPO_ROOT

SCRIPTS_DIR = os.path.join(REPO_ROOT, "training-scripts")
SHARED_MODULES = ("checkpoints.py", "job_runtime.py", "metrics_log.py", "model_source.py", "sm_contract.py",
                  "toolkit_args.py")


def recipe_directories():
    """Every directory under training-scripts/ with a train.py entry point."""
    return sorted(os.path.join(SCRIPTS_DIR, name) for name in os.listdir(SCRIPTS_DIR)
                  if os.path.isfile(os.path.join(SCRIPTS_DIR, name, "train.py")))


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


class SharedModulesTests(unittest.TestCase):
    def test_there_are_at_least_two_recipes(self):
        names = [os.path.basename(path) for path in recipe_directories()]
        self.assertIn("translation", names)
        self.assertIn("llm-sft", names)

    def test_every_recipe_carries_every_shared_module(self):
        for directory in recipe_directories():
            for module in SHARED_MODULES:
                with self.subTest(recipe=os.path.basename(directory), module=module):
                    self.assertTrue(os.path.isfile(os.path.join(directory, module)),
                                    f"{directory} lacks {module}: copy it from training-scripts/translation/")

    def test_shared_modules_are_byte_identical(self):
        for module in SHARED_MODULES:
            copies = {os.path.relpath(directory, REPO_ROOT): digest(os.path.join(directory, module))
                      for directory in recipe_directories() if os.path.isfile(os.path.join(directory, module))}
            with self.subTest(module=module):
                self.assertEqual(len(set(copies.values())), 1,
                                 f"{module} differs between {sorted(copies)}: make the change in one copy and copy "
                                 f"that file to every recipe directory")

    def test_shared_modules_say_they_are_shared(self):
        for module in SHARED_MODULES:
            with open(os.path.join(SCRIPTS_DIR, "translation", module), encoding="utf-8") as handle:
                self.assertIn("tests/python/test_recipe_shared_modules.py keeps them identical", handle.read(), module)


if __name__ == "__main__":
    unittest.main()
