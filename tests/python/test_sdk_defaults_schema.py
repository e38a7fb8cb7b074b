"""The SageMaker Python SDK defaults that the Studio lifecycle configurations install are a valid SDK config file.

Reads every synthesized template ($HF_CDK_OUT, else cdk.out), renders each AWS::SageMaker::StudioLifecycleConfig
script with realistic placeholder values for CloudFormation references, runs it with bash as a non-root Studio user
without sudo (so it writes the user's config file under a temporary $HOME), loads the file with yaml.safe_load and
validates it with jsonschema.validate against the SDK's own schema, as SDK v2.257.6 does
(src/sagemaker/config/config.py lines 150-161 and 173-185). The schema is transcribed, with line citations, in
fixtures/sagemaker_sdk_config_schema.json.
"""

import base64
import hashlib
import json
import os
import pathlib
import stat
import subprocess
import tempfile
import unittest

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((pathlib.Path(__file__).parent / "fixtures" / "sagemaker_sdk_config_schema.json").read_text())
MAX_SCRIPT = 16384  # characters per lifecycle script: https://docs.aws.amazon.com/sagemaker/latest/dg/jl-lcc.html
ACCOUNT, REGION = "123456789012", "eu-west-1"


def _hex(text, n=16):
    return hashlib.sha1(text.encode()).hexdigest()[:n]


# Realistic values for what the defaults reference (lengths and formats as CloudFormation generates them).
REFS = {
    "AWS::S3::Bucket": lambda s, i: f"{s}-{i}-{_hex(i, 12)}".lower()[:63],
    "AWS::EC2::Subnet": lambda s, i: f"subnet-0{_hex(i)}",
}
ATTRS = {
    ("AWS::IAM::Role", "Arn"): lambda s, i: f"arn:aws:iam::{ACCOUNT}:role/{s}-{i}-{_hex(i, 13).upper()}"[:100],
    ("AWS::KMS::Key", "Arn"): lambda s, i: f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{_hex(i, 8)}-{_hex(i + 'a', 4)}-4{_hex(i + 'b', 3)}-a{_hex(i + 'c', 3)}-{_hex(i + 'd', 12)}",
    ("AWS::EC2::SecurityGroup", "GroupId"): lambda s, i: f"sg-0{_hex(i)}",
}
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}


def render(template, stack, value):
    """Renders Ref, Fn::GetAtt, Fn::Join and Fn::Base64; anything else the defaults do not use raises."""
    if isinstance(value, list):
        return [render(template, stack, v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            if arg in PSEUDO:
                return PSEUDO[arg]
            return REFS[template["Resources"][arg]["Type"]](stack, arg)
        if fn == "Fn::GetAtt":
            return ATTRS[(template["Resources"][arg[0]]["Type"], arg[1])](stack, arg[0])
        if fn == "Fn::Join":
            return arg[0].join(render(template, stack, arg[1]))
        if fn == "Fn::Base64":
            return base64.b64encode(render(template, stack, arg).encode()).decode()
        if fn.startswith("Fn::"):
            raise AssertionError(f"cannot render {fn}; extend render() in {__file__}")
    return {k: render(template, stack, v) for k, v in value.items()}


def cdk_out():
    directory = pathlib.Path(os.environ.get("HF_CDK_OUT") or ROOT / "cdk.out")
    templates = sorted(directory.glob("*.template.json"))
    if not templates:
        raise AssertionError(f"no synthesized templates in {directory}; run scripts/test.sh (or synthesize with CDK_OUTDIR={directory}).")
    return {p.name.removesuffix(".template.json"): json.loads(p.read_text()) for p in templates}


def lifecycle_scripts(template, stack):
    out = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::SageMaker::StudioLifecycleConfig":
            props = resource["Properties"]
            content = render(template, stack, props["StudioLifecycleConfigContent"])
            out[props["StudioLifecycleConfigAppType"]] = base64.b64decode(content).decode()
    return out


def run_as_studio_user(script):
    """Runs the script as a non-root user without sudo; returns the parsed config file it wrote under $HOME."""
    with tempfile.TemporaryDirectory() as home:
        shims = pathlib.Path(home) / "shims"
        shims.mkdir()
        for name, body in (("id", 'if [ "${1:-}" = "-u" ]; then echo 1000; else /usr/bin/id "$@"; fi'), ("sudo", "exit 1")):
            shim = shims / name
            shim.write_text(f"#!/bin/bash\n{body}\n")
            shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
        path = pathlib.Path(home) / "lcc.sh"
        path.write_text(script)
        env = {"HOME": home, "PATH": f"{shims}:/usr/bin:/bin"}
        result = subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise AssertionError(f"lifecycle script failed ({result.returncode}): {result.stderr}")
        written = pathlib.Path(home) / ".config" / "sagemaker" / "config.yaml"
        if pathlib.Path("/etc/xdg/sagemaker/config.yaml").exists() and not written.exists():
            raise AssertionError("the script wrote the admin file although it ran as a non-root user without sudo")
        with written.open(encoding="utf-8") as f:
            return yaml.safe_load(f)


class SdkDefaultsSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.templates = cdk_out()
        cls.environments = {
            p.stem: json.loads(p.read_text()) for p in (ROOT / "environments").glob("*.json") if p.stem != "environment.schema"
        }

    def test_lifecycle_configurations_exist_exactly_where_the_environment_allows_notebook_jobs(self):
        checked = 0
        for name, environment in self.environments.items():
            stack = f"HfSageMaker-{name}"
            if stack not in self.templates:
                continue
            checked += 1
            scripts = lifecycle_scripts(self.templates[stack], stack)
            expected = {"JupyterLab", "CodeEditor"} if environment["studio"].get("notebookJobs", False) else set()
            self.assertEqual(set(scripts), expected, f"{stack}: studio.notebookJobs is {environment['studio'].get('notebookJobs')}")
        self.assertGreater(checked, 0, "no synthesized stack matches environments/*.json")

    def test_every_script_writes_a_config_the_sdk_schema_accepts(self):
        validated = 0
        for stack, template in self.templates.items():
            for app, script in lifecycle_scripts(template, stack).items():
                with self.subTest(stack=stack, app=app):
                    self.assertLessEqual(len(script), MAX_SCRIPT)
                    config = run_as_studio_user(script)
                    jsonschema.validate(config, SCHEMA)
                    self.assertTrue(config["SageMaker"]["TrainingJob"]["EnableNetworkIsolation"])
                    validated += 1
        self.assertGreater(validated, 0, "no lifecycle configuration found: nothing was validated")

    def test_jupyterlab_and_code_editor_install_the_same_defaults(self):
        for stack, template in self.templates.items():
            scripts = lifecycle_scripts(template, stack)
            if scripts:
                self.assertEqual(scripts["JupyterLab"], scripts["CodeEditor"], stack)

    def test_the_schema_rejects_what_the_sdk_rejects(self):
        """The oracle can fail: keys the SDK's schema lacks, wrong types and malformed values are errors."""
        good = {
            "SchemaVersion": "1.0",
            "SageMaker": {"TrainingJob": {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/Jobs", "EnableNetworkIsolation": True}},
        }
        jsonschema.validate(good, SCHEMA)
        bad = [
            {"SageMaker": good["SageMaker"]},  # SchemaVersion is required
            {**good, "SchemaVersion": "2.0"},
            {**good, "SageMaker": {"HyperParameterTuningJob": {"RoleArn": good["SageMaker"]["TrainingJob"]["RoleArn"]}}},
            {**good, "SageMaker": {"TrainingJob": {"EnableNetworkIsolation": "true"}}},
            {**good, "SageMaker": {"TrainingJob": {"RoleArn": "Jobs"}}},
            {**good, "SageMaker": {"TrainingJob": {"VpcConfig": {"Subnets": []}}}},
            {**good, "SageMaker": {"TrainingJob": {"OutputDataConfig": {"S3OutputPath": "s3://b/p"}}}},
            {**good, "SageMaker": {"TrainingJob": {"Tags": [{"Key": "it's", "Value": "x"}]}}},
            {**good, "SageMaker": {"PythonSDK": {"Modules": {"Session": {"DefaultS3Bucket": "Not_A_Bucket"}}}}},
            {**good, "SageMaker": {"PythonSDK": {"Modules": {"RemoteFunction": {"S3RootUri": "bucket/prefix"}}}}},
            {**good, "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": "true"}}}},
        ]
        for config in bad:
            with self.subTest(config=config):
                with self.assertRaises(jsonschema.ValidationError):
                    jsonschema.validate(config, SCHEMA)


if __name__ == "__main__":
    unittest.main()
