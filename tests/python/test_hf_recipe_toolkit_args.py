"""hf_recipe.toolkit_args: a recipe's hyperparameters.json as the script's parser reads it, and the package itself
(imports, what it may not import). The recipes' own tables are tested in test_<recipe>_args.py."""
import ast
import json
import os
import sys
import tempfile
import unittest

from hf_recipe_support import SCRIPTS_DIR, imported_roots, recipe_names
from hf_recipe import hyperparameter_rules, toolkit_args

PACKAGE_DIR = os.path.join(SCRIPTS_DIR, "hf_recipe")
# What the Hugging Face PyTorch training DLCs of every recipe install besides the standard library (the recipes'
# own tests list their DLC's packages; the shared code needs only these, imported inside functions).
DLC_PACKAGES = {"torch", "transformers"}


def contract(entries, rules=None):
    """A recipe directory holding a hyperparameters.json with ``entries`` (and ``rules``)."""
    directory = tempfile.mkdtemp()
    with open(os.path.join(directory, "hyperparameters.json"), "w", encoding="utf-8") as handle:
        json.dump({"hyperparameters": entries, **({"rules": rules} if rules is not None else {})}, handle)
    return directory


def parse(table, *argv):
    values, problems = toolkit_args.parse_table(list(argv), table, "test")
    return values, problems


class LoadContractTests(unittest.TestCase):
    def test_every_recipe_contract_loads_with_the_script_arguments_last(self):
        for recipe in recipe_names():
            with self.subTest(recipe=recipe):
                table = toolkit_args.load_contract(os.path.join(SCRIPTS_DIR, recipe))
                with open(os.path.join(SCRIPTS_DIR, recipe, "hyperparameters.json"), encoding="utf-8") as handle:
                    names = list(json.load(handle)["hyperparameters"])
                self.assertEqual([hp.name for hp in table], names + ["checkpoint_dir", "_tuning_objective_metric"])

    def test_float_default_written_as_an_integer_is_a_float_and_null_defaults_stay_none(self):
        table = toolkit_args.load_contract(contract({
            "epochs": {"kind": "float", "default": 3, "help": "h"},
            "limit": {"kind": "integer", "default": None, "nullable": True, "help": "h"},
        }))
        values, problems = parse(table)
        self.assertEqual(problems, [])
        self.assertEqual((values["epochs"], type(values["epochs"])), (3.0, float))
        self.assertIsNone(values["limit"])


class Bf16Tests(unittest.TestCase):
    WORDS = ["auto", "AUTO", " auto ", "true", "True", "false", "False", "yes", "no", "1", "0"]
    OTHERS = ["maybe", "", "fp16", "2", "truee", "auto\n", "tru e"]

    def test_every_recipes_bf16_pattern_admits_exactly_the_words_the_script_maps(self):
        for recipe in recipe_names():
            table = {hp.name: hp for hp in toolkit_args.load_contract(os.path.join(SCRIPTS_DIR, recipe))}
            if "bf16" not in table or table["bf16"].kind != "string":
                continue
            with self.subTest(recipe=recipe):
                for word in self.WORDS + self.OTHERS:
                    admitted = table["bf16"].fits(word)
                    self.assertEqual(admitted, toolkit_args.normalize_bf16(word) is not None, repr(word))


class CheckTests(unittest.TestCase):
    TABLE = toolkit_args.load_contract(contract({
        "seed": {"kind": "integer", "default": 1, "minimum": 0, "maximum": 4294967295, "help": "h"},
        "steps": {"kind": "integer", "default": -1, "minimum": -1, "excluded": [0], "help": "h"},
        "ratio": {"kind": "float", "default": 0.1, "minimum": 0, "exclusiveMaximum": 1, "help": "h"},
        "rate": {"kind": "float", "default": 0.1, "exclusiveMinimum": 0, "help": "h"},
        "mode": {"kind": "string", "default": "a", "choices": ["a", "b"], "help": "h"},
        "lang": {"kind": "string", "default": "en", "minLength": 1, "help": "h"},
        "word": {"kind": "string", "default": "x", "pattern": "^[a-z]+(?![\\s\\S])", "patternMeaning": "lowercase letters",
                 "help": "h"},
        "limit": {"kind": "integer", "default": None, "nullable": True, "minimum": 1, "help": "h"},
        "flag": {"kind": "boolean", "default": False, "help": "h"},
    }))

    def test_values_inside_every_bound_pass(self):
        values, problems = parse(self.TABLE, "--seed", "4294967295", "--steps", "5", "--ratio", "0", "--rate", "1e-9",
                                 "--mode", "b", "--lang", "de", "--word", "abc", "--limit", "", "--flag", "True")
        self.assertEqual(problems, [])
        self.assertEqual((values["seed"], values["steps"], values["limit"], values["flag"]), (4294967295, 5, None, True))

    def test_each_bound_refuses_with_the_name_the_value_received_and_what_is_allowed(self):
        cases = [
            ("seed", "-1", "an integer >= 0 and <= 4294967295"), ("seed", "4294967296", "an integer >= 0 and <= 4294967295"),
            ("steps", "0", "an integer >= -1 and not 0"), ("steps", "-2", "an integer >= -1 and not 0"),
            ("ratio", "1", "a number >= 0 and < 1"), ("rate", "0", "a number > 0"),
            ("mode", "c", 'one of "a", "b"'), ("lang", "", "a string of at least 1 character(s)"),
            ("word", "ABC", "lowercase letters"), ("word", "abc\n", "lowercase letters"),
            ("limit", "0", "an integer >= 1, or null"),
        ]
        for name, raw, allowed in cases:
            with self.subTest(name=name, raw=raw):
                _, problems = parse(self.TABLE, f"--{name}", raw)
                self.assertEqual(problems, [f"hyperparameter '{name}' must be {allowed}; received {raw!r}"])

    def test_empty_value_where_null_is_not_allowed_says_what_is_needed(self):
        _, problems = parse(self.TABLE, "--seed", "")
        self.assertEqual(len(problems), 1)
        self.assertIn("'seed' received an empty value (how the toolkit passes null) but needs an integer >= 0", problems[0])

    def test_checkpoint_dir_is_a_script_argument_for_local_runs(self):
        values, problems = parse(self.TABLE, "--checkpoint_dir", "/tmp/ckpt", "--_tuning_objective_metric", "eval_loss")
        self.assertEqual((problems, values["checkpoint_dir"]), ([], "/tmp/ckpt"))


class RuleTests(unittest.TestCase):
    ENTRIES = {
        "flag": {"kind": "boolean", "default": False, "help": "h"},
        "word": {"kind": "string", "default": "auto", "help": "h"},
        "steps": {"kind": "integer", "default": None, "nullable": True, "help": "h"},
        "mode": {"kind": "string", "default": "epoch", "choices": ["steps", "epoch"], "help": "h"},
        "code": {"kind": "string", "default": None, "nullable": True, "help": "h"},
    }
    RULES = [
        {"when": {"flag": {"in": [True]}, "word": {"matches": "^(true|1)(?![\\s\\S])"}}, "message": "not both"},
        {"when": {"steps": {"null": False}}, "require": {"mode": {"in": ["steps"]}}, "message": "steps needs mode"},
        {"when": {"code": {"given": True}}, "require": {"code": {"null": False}}, "message": "code given as null"},
        {"when": {"word": {"in": ["1"]}}, "effect": "note", "message": "one"},
    ]

    def setUp(self):
        directory = contract(self.ENTRIES, self.RULES)
        self.table = toolkit_args.load_contract(directory)
        self.rules = toolkit_args.load_rules(directory)

    def problems(self, *argv):
        return toolkit_args.parse_table(list(argv), self.table, "test", self.rules)[1]

    def test_forbidden_combination_and_unmet_requirement_are_problems_naming_every_value(self):
        self.assertEqual(self.problems("--flag", "True", "--word", "true"),
                         ['hyperparameters flag = true, word = "true": not both'])
        self.assertEqual(self.problems("--steps", "5"),
                         ['hyperparameters steps = 5, mode = "epoch" (not set: the default): steps needs mode'])
        self.assertEqual(self.problems("--steps", "5", "--mode", "steps"), [])
        self.assertEqual(self.problems("--flag", "True", "--word", "auto"), [])

    def test_a_boolean_never_equals_a_number_and_null_is_the_empty_argument(self):
        # Python's True == 1 is not JavaScript's true === 1: "in": [true] must not match 1 (a string "1" here anyway)
        self.assertEqual(self.problems("--word", "true"), [])
        self.assertTrue(hyperparameter_rules.same(1, 1.0))
        self.assertFalse(hyperparameter_rules.same(True, 1))
        self.assertFalse(hyperparameter_rules.same(None, ""))
        self.assertEqual(self.problems("--code", ""), ['hyperparameters code = null: code given as null'])
        self.assertEqual(self.problems("--code", "x"), [])

    def test_note_rules_are_logged_not_refused(self):
        with self.assertLogs("hf_recipe.toolkit_args", "WARNING") as logs:
            self.assertEqual(self.problems("--word", "1"), [])
        self.assertEqual(logs.output, ['WARNING:hf_recipe.toolkit_args:hyperparameters word = "1": one'])

    def test_a_rule_over_an_undeclared_name_or_with_an_unknown_test_is_refused_naming_the_file(self):
        for rules, expected in (([{"when": {"flags": {"in": [True]}}, "message": "m"}], r"rules\[0\]\.when\.flags: not a hyperparameter"),
                                ([{"when": {"flag": {"is": True}}, "message": "m"}], r"rules\[0\]\.when\.flag: tests \['is'\] not allowed"),
                                ([{"when": {"flag": {"in": [True]}}, "effect": "warn", "message": "m"}], r"rules\[0\]\.effect: 'warn' not allowed")):
            with self.subTest(expected=expected):
                with self.assertRaisesRegex(ValueError, "hyperparameters.json: " + expected):
                    toolkit_args.load_rules(contract(self.ENTRIES, rules))

    def test_every_recipe_loads_its_rules(self):
        for recipe in recipe_names():
            with self.subTest(recipe=recipe):
                rules = toolkit_args.load_rules(os.path.join(SCRIPTS_DIR, recipe))
                self.assertTrue(rules)


class PackageTests(unittest.TestCase):
    def sources(self):
        for name in sorted(os.listdir(PACKAGE_DIR)):
            if name.endswith(".py"):
                path = os.path.join(PACKAGE_DIR, name)
                with open(path, encoding="utf-8") as handle:
                    yield name, ast.parse(handle.read(), path)

    def test_imports_are_the_standard_library_the_package_or_dlc_packages_inside_functions(self):
        for name, tree in self.sources():
            top_level = {id(node) for node in tree.body}
            for node, root in imported_roots(tree):
                with self.subTest(module=name, imports=root):
                    if root in DLC_PACKAGES:
                        self.assertNotIn(id(node), top_level, "heavy packages are imported inside functions")
                    else:
                        self.assertIn(root, set(sys.stdlib_module_names) | {"__future__", "hf_recipe"})

    def test_no_recipe_carries_a_copy_of_a_package_module(self):
        shared = {name for name in os.listdir(PACKAGE_DIR) if name.endswith(".py") and name != "__init__.py"}
        for recipe in recipe_names():
            with self.subTest(recipe=recipe):
                self.assertEqual(shared & set(os.listdir(os.path.join(SCRIPTS_DIR, recipe))), set())


if __name__ == "__main__":
    unittest.main()
