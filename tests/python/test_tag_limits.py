"""The tag rules of environments/environment.schema.json (which the C# reader agrees with:
tests/node/csharp-output/environment-schema.test.mjs) against the CloudFormation resource schemas bundled with
cfn-lint 1.51.0, for every resource type that carries the file's tags in the synthesized templates ($HF_CDK_OUT, else
cdk.out). Every tag lands on every taggable resource, so the file may only allow what the strictest of those types
accepts: an empty value ("" was allowed while AWS::CloudWatch::Alarm, AWS::StepFunctions::StateMachine and
AWS::SageMaker::StudioLifecycleConfig require at least one character) or a longer key would pass the reader and be
refused by CloudFormation."""
import json
import os
import pathlib
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "environments/environment.schema.json").read_text(encoding="utf-8"))

# cfn-lint is pinned in scripts/python-tools.txt and installed by scripts/test.sh: a missing one fails, never skips.
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER


def tagged_types():
    """(region, resource type) of every resource with a Tags list in the synthesized templates."""
    directory = pathlib.Path(os.environ.get("HF_CDK_OUT") or ROOT / "cdk.out")
    found = set()
    for path in sorted(directory.glob("*.template.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        for resource in template.get("Resources", {}).values():
            if isinstance(resource.get("Properties", {}).get("Tags"), list):
                found.add(resource["Type"])
    return found


def tag_definition(schema):
    """The key and value constraints of a resource schema's Tags items."""
    items = schema["properties"]["Tags"].get("items", {})
    ref = items.get("$ref", "")
    definition = schema["definitions"][ref.split("/")[-1]] if ref else items
    return definition["properties"]["Key"], definition["properties"]["Value"]


class FileTagRulesFitEveryTaggedResource(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.types = tagged_types()
        tags = SCHEMA["properties"]["tags"]
        cls.key = tags["propertyNames"]
        cls.value = tags["additionalProperties"]

    def test_the_templates_carry_tags_on_many_resource_types(self):
        self.assertGreaterEqual(len(self.types), 10, f"only {sorted(self.types)}: synthesize first (scripts/test.sh does)")

    def test_lengths_the_file_allows_are_accepted_by_every_tagged_type(self):
        problems = []
        for resource_type in sorted(self.types):
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
            key, value = tag_definition(schema)
            for name, ours, theirs in (("key", self.key, key), ("value", self.value, value)):
                if ours.get("minLength", 0) < theirs.get("minLength", 0):
                    problems.append(f"{resource_type}: tag {name} minLength {theirs['minLength']}, the file allows {ours.get('minLength', 0)}")
                if "maxLength" in theirs and ours.get("maxLength", 10**9) > theirs["maxLength"]:
                    problems.append(f"{resource_type}: tag {name} maxLength {theirs['maxLength']}, the file allows {ours.get('maxLength')}")
        self.assertEqual(problems, [])


if __name__ == "__main__":
    unittest.main()
