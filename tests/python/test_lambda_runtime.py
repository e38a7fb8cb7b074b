"""Every Lambda function of the synthesized templates ($HF_CDK_OUT, else cdk.out) runs on the newest Node.js runtime that
CloudFormation accepts, as the schema and runtime calendar bundled with cfn-lint 1.51.0 know them: the newest
nodejs<N>.x of AWS::Lambda::Function's Runtime values, not deprecated and with creation not blocked today
(cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json). The runtime lives in one place,
constructs/Internal/LambdaRuntimes.cs; this test fails the day the pinned cfn-lint knows a newer runtime, so the constant
moves with it (and cdk-nag's AwsSolutions-L1 suppression there turns stale in tests/node/policy.test.mjs the day
cdk-nag's aws-cdk-lib agrees)."""
import datetime
import json
import os
import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# cfn-lint is pinned in scripts/python-tools.txt and installed by scripts/test.sh: a missing one fails, never skips.
import cfnlint
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER


def function_runtimes():
    """{logical id in stack: Runtime} of every AWS::Lambda::Function in the synthesized templates."""
    directory = pathlib.Path(os.environ.get("HF_CDK_OUT") or ROOT / "cdk.out")
    found = {}
    for path in sorted(directory.glob("*.template.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        for logical_id, resource in template.get("Resources", {}).items():
            if resource.get("Type") == "AWS::Lambda::Function":
                found[f"{path.name} {logical_id}"] = resource.get("Properties", {}).get("Runtime")
    return found


def newest_usable_nodejs(enum, calendar, today):
    """The nodejs<N>.x of the enum with the highest N whose deprecation and create-block dates are after today."""
    usable = []
    for runtime in enum:
        m = re.fullmatch(r"nodejs(\d+)\.x", runtime)
        if not m:
            continue
        dates = calendar.get(runtime, {})
        if any(datetime.date.fromisoformat(dates[k]) <= today for k in ("deprecated", "create-block") if dates.get(k)):
            continue
        usable.append((int(m.group(1)), runtime))
    return max(usable)[1] if usable else None


class LambdaRuntimeIsTheNewestCloudFormationAccepts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Lambda::Function").schema
        cls.enum = schema["properties"]["Runtime"]["enum"]
        calendar_file = pathlib.Path(cfnlint.__file__).parent / "data/AdditionalSpecs/LmbdRuntimeLifecycle.json"
        cls.calendar = json.loads(calendar_file.read_text(encoding="utf-8"))
        cls.runtimes = function_runtimes()

    def test_the_templates_hold_functions(self):
        self.assertGreaterEqual(len(self.runtimes), 3, f"{self.runtimes}: synthesize first (scripts/test.sh does)")

    def test_every_function_runs_on_the_newest_usable_nodejs_runtime(self):
        newest = newest_usable_nodejs(self.enum, self.calendar, datetime.date.today())
        self.assertIsNotNone(newest, "cfn-lint lists no usable nodejs runtime")
        wrong = {k: v for k, v in self.runtimes.items() if v != newest}
        self.assertEqual(wrong, {}, f"expected {newest} (constructs/Internal/LambdaRuntimes.cs)")

    def test_the_readme_names_the_runtime_prepare_request_runs_on(self):
        source = (ROOT / "constructs/Internal/LambdaRuntimes.cs").read_text(encoding="utf-8")
        runtime = re.search(r'NodeJsName = "(nodejs(\d+)\.x)"', source)
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        self.assertIn(f"`PrepareRequest` is a Node.js {runtime.group(2)} function (`{runtime.group(1)}`", readme)
        self.assertNotRegex(readme, r"PrepareRequest` is a Node\.js (?!" + runtime.group(2) + r"\b)\d+ function")

    def test_the_choice_follows_the_calendar(self):
        enum = ["nodejs20.x", "nodejs22.x", "nodejs24.x", "python3.13"]
        calendar = {"nodejs20.x": {"deprecated": "2026-04-30"}, "nodejs24.x": {"deprecated": "2028-04-30", "create-block": "2028-06-01"}}
        self.assertEqual(newest_usable_nodejs(enum, calendar, datetime.date(2026, 12, 4)), "nodejs24.x")
        self.assertEqual(newest_usable_nodejs(enum, calendar, datetime.date(2028, 5, 1)), "nodejs22.x")
        self.assertIsNone(newest_usable_nodejs(["nodejs20.x"], calendar, datetime.date(2026, 12, 4)))


if __name__ == "__main__":
    unittest.main()
