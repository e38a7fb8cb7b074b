"""The cfn-lint gate of scripts/test.sh (scripts/cfn_lint_findings.py): which findings pass, which fail, and that the
accepted list can neither hide an error nor keep a stale entry."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import cfn_lint_findings as gate  # noqa: E402


def finding(rule, logical_id, *path, level="Warning", filename="a.template.json"):
    return {"Filename": filename, "Level": level, "Message": f"{rule} message",
            "Rule": {"Id": rule}, "Location": {"Path": ["Resources", logical_id, *path], "Start": {"LineNumber": 1}}}


AZ = {"rule": "W3010", "resource": r"NetworkVpcPrivateSubnet\dSubnet[0-9A-F]{8}", "path": "Properties/AvailabilityZone",
      "reason": "zones are chosen per environment on purpose"}


class JudgeTests(unittest.TestCase):
    def test_an_accepted_warning_passes_and_counts_as_a_use_of_its_entry(self):
        errors, unaccepted, uses = gate.judge([finding("W3010", "NetworkVpcPrivateSubnet1Subnet6DD86AE6", "Properties", "AvailabilityZone")], [AZ])
        self.assertEqual((errors, unaccepted, uses), ([], [], [1]))

    def test_an_error_fails_even_when_an_entry_would_match_its_location(self):
        e = finding("E2533", "NetworkVpcPrivateSubnet1Subnet6DD86AE6", "Properties", "AvailabilityZone", level="Error")
        errors, _, uses = gate.judge([e], [AZ])
        self.assertEqual(errors, [e])
        self.assertEqual(uses, [0])

    def test_a_warning_on_another_resource_or_path_is_not_accepted(self):
        other_resource = finding("W3010", "OtherSubnet", "Properties", "AvailabilityZone")
        other_path = finding("W3010", "NetworkVpcPrivateSubnet1Subnet6DD86AE6", "Properties", "CidrBlock")
        prefix_only = finding("W3010", "NetworkVpcPrivateSubnet1Subnet6DD86AE6Extra", "Properties", "AvailabilityZone")
        _, unaccepted, uses = gate.judge([other_resource, other_path, prefix_only], [AZ])
        self.assertEqual(unaccepted, [other_resource, other_path, prefix_only])
        self.assertEqual(uses, [0])

    def test_an_entry_no_warning_matches_has_no_use_so_the_gate_reports_it_stale(self):
        self.assertEqual(gate.judge([], [AZ]), ([], [], [0]))


class AcceptedFileTests(unittest.TestCase):
    def test_error_rules_and_missing_reasons_are_refused(self):
        for bad in ({**AZ, "rule": "E2533"}, {**AZ, "reason": "ok"}, {k: v for k, v in AZ.items() if k != "reason"}):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                gate.validate_accepted([bad])

    def test_the_shipped_list_is_valid(self):
        import yaml  # a cfn-lint dependency: installed with it by scripts/test.sh, so never missing there
        path = os.path.join(os.path.dirname(__file__), "..", "cfn-lint-accepted.yaml")
        with open(path, encoding="utf-8") as f:
            entries = gate.validate_accepted(yaml.safe_load(f)["accepted"])
        self.assertGreater(len(entries), 0)


class StacksTests(unittest.TestCase):
    def test_every_stack_of_the_assembly_is_found_with_its_region_nested_stages_included(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "stage"))
            with open(os.path.join(d, "manifest.json"), "w") as f:
                json.dump({"artifacts": {
                    "A": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/eu-west-1", "properties": {"templateFile": "A.template.json"}},
                    "S": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "stage"}}}}, f)
            with open(os.path.join(d, "stage", "manifest.json"), "w") as f:
                json.dump({"artifacts": {"B": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region"}}}, f)
            self.assertEqual(gate.stacks(d), [(os.path.join(d, "A.template.json"), "eu-west-1"),
                                              (os.path.join(d, "stage", "B.template.json"), "us-east-1")])

    def test_a_missing_manifest_is_an_error_naming_the_synthesis_step(self):
        with tempfile.TemporaryDirectory() as d, self.assertRaisesRegex(ValueError, "synthesize first"):
            gate.stacks(d)


if __name__ == "__main__":
    unittest.main()
