"""tests/api-string-rules.json (the API string rules the Node checks apply to every synthesized template) against the
service API models of the installed botocore: a 'model' rule must copy its shape's pattern, min and max exactly; an EC2
'documentation' rule's character set must be the one the model's documentation text states. botocore comes with the
pinned cfn-lint and AWS CLI that scripts/test.sh installs (scripts/python-tools.txt), so it is always there; the
SageMaker rules are also checked against the vendored model by tests/node/api-strings.test.mjs."""
import html
import json
import os
import re
import unittest

RULES = os.path.join(os.path.dirname(__file__), "..", "api-string-rules.json")

import botocore
import botocore.loaders


def load_rules():
    with open(RULES, encoding="utf-8") as f:
        return json.load(f)["rules"]


def allowed_characters(documentation: str) -> str:
    """The punctuation after 'a-z, A-Z, 0-9, spaces, and ' in an EC2 constraint text."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", documentation))
    m = re.search(r"a-z, A-Z, 0-9, spaces, and (\S+)", text)
    if not m:
        raise AssertionError(f"no character list in: {text}")
    return m.group(1)


class ApiStringRulesTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loader = botocore.loaders.Loader()
        cls.models = {}

    def shapes(self, service):
        if service not in self.models:
            self.models[service] = self.loader.load_service_model(service, "service-2")["shapes"]
        return self.models[service]

    def test_botocore_is_the_version_the_rules_cite(self):
        self.assertEqual(botocore.__version__, "1.43.11")

    def test_every_model_rule_copies_its_shape_exactly(self):
        rules = [r for r in load_rules() if r["source"] == "model"]
        self.assertGreater(len(rules), 5)
        for rule in rules:
            with self.subTest(rule=rule["id"]):
                shape = self.shapes(rule["model"]["service"])[rule["model"]["shape"]]
                self.assertEqual(shape["type"], "string")
                for key in ("pattern", "min", "max"):
                    self.assertEqual(rule.get(key), shape.get(key), key)

    def test_every_ec2_documentation_rule_allows_exactly_the_documented_characters(self):
        rules = [r for r in load_rules() if r["source"] == "documentation" and r["documentation"].get("service") == "ec2"]
        self.assertEqual(len(rules), 2)
        for rule in rules:
            with self.subTest(rule=rule["id"]):
                d = rule["documentation"]
                doc = self.shapes("ec2")[d["shape"]]["members"][d["member"]]["documentation"]
                documented = set(allowed_characters(doc))
                self.assertIn("Up to 255 characters", html.unescape(doc))
                self.assertEqual(rule["max"], 255)
                regex = re.compile(rf"(?:{rule['pattern']})\Z")
                printable = [chr(c) for c in range(32, 127)]
                accepted = {c for c in printable if regex.match(c)}
                expected = documented | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
                self.assertEqual(sorted(accepted), sorted(expected))


if __name__ == "__main__":
    unittest.main()
