"""registry.approvers of environments/environment.schema.json (generated from infra/Configuration/EnvironmentConfig.cs)
against IAM's API model, botocore's iam service-2 (CreateRole's RoleName is roleNameType, its Path pathType): a role
ARN whose path and name are as long as the model allows is accepted and one character more is refused, the name takes
exactly the model pattern's characters, and a service-linked role (path /aws-service-role/, whose policies only its
service defines) is refused. botocore comes with the pinned cfn-lint and AWS CLI (scripts/python-tools.txt)."""
import json
import os
import re
import unittest

import botocore.loaders

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "environments", "environment.schema.json")


def arn(path: str, name: str) -> str:
    return f"arn:aws:iam::123456789012:role{path}{name}"


class ApproverRoleArnTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shapes = botocore.loaders.Loader().load_service_model("iam", "service-2")["shapes"]
        cls.name_shape, cls.path_shape = shapes["roleNameType"], shapes["pathType"]
        with open(SCHEMA, encoding="utf-8") as f:
            items = json.load(f)["properties"]["registry"]["properties"]["approvers"]["items"]
        cls.pattern = re.compile(items["pattern"])
        cls.refused = re.compile(items["not"]["pattern"])

    def accepts(self, value: str) -> bool:
        return bool(self.pattern.search(value)) and not self.refused.search(value)

    def test_the_model_is_the_one_cited(self):
        self.assertEqual(botocore.__version__, "1.43.11")

    def test_name_lengths_are_the_models(self):
        shortest, longest = self.name_shape["min"], self.name_shape["max"]
        self.assertTrue(self.accepts(arn("/", "n" * shortest)))
        self.assertTrue(self.accepts(arn("/team/", "n" * longest)))
        self.assertFalse(self.accepts(arn("/", "n" * (longest + 1))))
        self.assertFalse(self.accepts(arn("/", "n" * (shortest - 1))))

    def test_path_lengths_are_the_models(self):
        longest = self.path_shape["max"]
        model = re.compile(rf"(?:{self.path_shape['pattern']})\Z")
        one_segment = "/" + "p" * (longest - 2) + "/"
        names = ["p" * 9] * 50
        names[-1] += "q" * (longest - len("/".join(names)) - 2)
        for path in (one_segment, "/" + "/".join(names) + "/"):
            with self.subTest(path=path[:20]):
                self.assertEqual(len(path), longest)
                self.assertTrue(model.match(path), "the fixture is a path the model allows")
                self.assertTrue(self.accepts(arn(path, "approvers")))
                self.assertFalse(self.accepts(arn("/x" + path, "approvers")), "one segment more: over the limit")
        self.assertFalse(self.accepts(arn("/" + "p" * (longest - 1) + "/", "approvers")))

    def test_name_characters_are_the_models(self):
        model = re.compile(rf"(?:{self.name_shape['pattern']})\Z", re.ASCII)  # the model's \w is ASCII (Java's)
        for code in range(0x21, 0x7F):
            name = "a" + chr(code)
            with self.subTest(name=name):
                self.assertEqual(self.accepts(arn("/", name)), bool(model.match(name)))

    def test_a_service_linked_role_is_refused_and_the_same_name_elsewhere_is_not(self):
        name = "AWSServiceRoleForAmazonSageMakerNotebooks"
        self.assertFalse(self.accepts(arn("/aws-service-role/sagemaker.amazonaws.com/", name)))
        self.assertTrue(self.accepts(arn("/platform/", name)))


if __name__ == "__main__":
    unittest.main()
