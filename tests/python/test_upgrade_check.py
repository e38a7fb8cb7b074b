"""The upgrade check (scripts/upgrade_check.py) on crafted pairs of base and head cloud assemblies: a renamed construct,
a create-only edit, a harmless edit, a retained removal, cascades through create-only references, and the allow-list
(only entries the pull request adds count; an added entry that matches nothing fails). "Replaced" comes from the
createOnlyProperties of CloudFormation's schemas as bundled with cfn-lint, so these pairs also prove the checker reads
them (AWS::Logs::LogGroup LogGroupName, AWS::SageMaker::UserProfile Tags and DomainId, AWS::SageMaker::Domain AuthMode,
AWS::EC2::SecurityGroup GroupDescription are create-only there)."""
import contextlib
import copy
import io
import json
import pathlib
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

# cfn-lint is pinned in scripts/python-tools.txt and installed by scripts/test.sh: a missing one fails, never skips.
import upgrade_check  # noqa: E402 - after the sys.path entry above

STACK = "HfSageMaker-dev"


def bucket(**extra):
    return {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}, **extra}


BASE = {
    "Resources": {
        "StorageDatasets615E7AC1": bucket(DeletionPolicy="Retain", UpdateReplacePolicy="Retain"),
        "FlowLogGroup4F8CEEEF": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        "Studio43727D10": {"Type": "AWS::SageMaker::Domain", "Properties": {"AuthMode": "IAM", "DomainName": "d", "VpcId": "vpc-1"}},
        "StudioUsersalice7F322E54": {"Type": "AWS::SageMaker::UserProfile",
                                     "Properties": {"DomainId": {"Fn::GetAtt": ["Studio43727D10", "DomainId"]}, "UserProfileName": "alice"}},
        "StudioSecurityGroup973FB21A": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "studio", "VpcId": "vpc-1"}},
        "StudioSelfRule": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
            "GroupId": {"Fn::GetAtt": ["StudioSecurityGroup973FB21A", "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": ["StudioSecurityGroup973FB21A", "GroupId"]}}},
        "ExecutionRoleDefaultPolicyDE3B85B1": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {}}},
    }
}


class UpgradeCheckOnCraftedPairs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def assembly(self, name, template):
        d = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.tmp.name))
        (d / "manifest.json").write_text(json.dumps({"version": "38.0.1", "artifacts": {STACK: {
            "type": "aws:cloudformation:stack", "environment": "aws://111111111111/eu-west-1",
            "properties": {"templateFile": f"{STACK}.template.json"}}}}), encoding="utf-8")
        (d / f"{STACK}.template.json").write_text(json.dumps(template), encoding="utf-8")
        return str(d)

    def allow_list(self, name, entries):
        path = pathlib.Path(self.tmp.name) / name
        path.write_text(json.dumps(entries), encoding="utf-8")  # JSON is YAML
        return str(path)

    def check(self, head, allow_head=(), allow_base=()):
        return upgrade_check.judge(self.assembly("base", BASE), self.assembly("head", head),
                                   self.allow_list("head.yaml", list(allow_head)), self.allow_list("base.yaml", list(allow_base)))

    def changes(self, result):
        return {(c["logicalId"], c["effect"]) for c in result["stacks"][STACK]["changes"]}

    def test_identical_templates_change_nothing(self):
        result = self.check(copy.deepcopy(BASE))
        self.assertTrue(result["ok"])
        self.assertEqual(self.changes(result), set())

    def test_a_harmless_edit_passes(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["StorageDatasets615E7AC1"]["Properties"]["Tags"] = [{"Key": "owner", "Value": "ml"}]
        head["Resources"]["FlowLogGroup4F8CEEEF"]["Properties"]["RetentionInDays"] = 90
        head["Resources"]["Studio43727D10"]["Properties"]["VpcId"] = "vpc-2"  # not create-only in the bundled schema
        result = self.check(head)
        self.assertTrue(result["ok"], result)
        self.assertEqual(self.changes(result), set())

    def test_a_renamed_construct_removes_the_old_bucket_and_fails(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["StorageData0A1B2C3D"] = head["Resources"].pop("StorageDatasets615E7AC1")
        result = self.check(head)
        self.assertFalse(result["ok"])
        [change] = [c for c in result["stacks"][STACK]["changes"] if c["stateful"]]
        self.assertEqual((change["logicalId"], change["effect"], change["retained"]), ("StorageDatasets615E7AC1", "removed", True))
        self.assertIn("StorageData0A1B2C3D", change["why"])

    def test_a_create_only_edit_replaces_the_log_group_and_fails(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["FlowLogGroup4F8CEEEF"]["Properties"]["LogGroupName"] = "/platform/flow-logs"
        result = self.check(head)
        self.assertFalse(result["ok"])
        self.assertEqual(self.changes(result), {("FlowLogGroup4F8CEEEF", "replaced")})
        self.assertIn("/properties/LogGroupName", result["stacks"][STACK]["changes"][0]["why"])

    def test_tags_on_a_user_profile_are_create_only_and_replace_it(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["StudioUsersalice7F322E54"]["Properties"]["Tags"] = [{"Key": "team", "Value": "nlp"}]
        self.assertEqual(self.changes(self.check(head)), {("StudioUsersalice7F322E54", "replaced")})

    def test_a_replaced_domain_replaces_its_user_profiles_through_the_create_only_reference(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["Studio43727D10"]["Properties"]["AuthMode"] = "SSO"
        result = self.check(head)
        self.assertEqual(self.changes(result), {("Studio43727D10", "replaced"), ("StudioUsersalice7F322E54", "replaced")})
        profile = next(c for c in result["stacks"][STACK]["changes"] if c["logicalId"] == "StudioUsersalice7F322E54")
        self.assertIn("refers to replaced Studio43727D10", profile["why"])

    def test_a_replaced_security_group_and_its_rule_are_reported_but_do_not_fail(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["StudioSecurityGroup973FB21A"]["Properties"]["GroupDescription"] = "Studio apps"
        head["Resources"].pop("ExecutionRoleDefaultPolicyDE3B85B1")
        result = self.check(head)
        self.assertTrue(result["ok"], result)
        self.assertEqual(self.changes(result), {("StudioSecurityGroup973FB21A", "replaced"), ("StudioSelfRule", "replaced"),
                                                ("ExecutionRoleDefaultPolicyDE3B85B1", "removed")})
        self.assertFalse(any(c["stateful"] for c in result["stacks"][STACK]["changes"]))

    def test_a_type_change_under_the_same_logical_id_is_a_replacement(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["ExecutionRoleDefaultPolicyDE3B85B1"]["Type"] = "AWS::IAM::ManagedPolicy"
        self.assertEqual(self.changes(self.check(head)), {("ExecutionRoleDefaultPolicyDE3B85B1", "replaced")})

    def test_any_resource_the_base_retains_counts_as_stateful(self):
        base = copy.deepcopy(BASE)
        base["Resources"]["Vpc"] = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}, "UpdateReplacePolicy": "Retain"}
        head = copy.deepcopy(base)
        head["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.1.0.0/16"
        result = upgrade_check.judge(self.assembly("base", base), self.assembly("head", head), None, None)
        self.assertFalse(result["ok"])
        self.assertEqual([(c["logicalId"], c["stateful"]) for c in result["stacks"][STACK]["changes"]], [("Vpc", True)])

    def test_a_retained_removal_is_reported_as_orphaned_and_fails_without_an_entry(self):
        head = copy.deepcopy(BASE)
        head["Resources"].pop("StorageDatasets615E7AC1")
        result = self.check(head)
        self.assertFalse(result["ok"])
        [change] = result["stacks"][STACK]["changes"]
        self.assertTrue(change["retained"])
        report = upgrade_check.stack_report(STACK, result["stacks"][STACK], result["unused"])
        self.assertIn("retained: the old one stays in the account, orphaned", report)
        self.assertIn("**not allowed**", report)

    def test_an_entry_the_pull_request_adds_allows_exactly_that_change(self):
        head = copy.deepcopy(BASE)
        head["Resources"].pop("StorageDatasets615E7AC1")
        entry = {"stack": STACK, "logicalId": "StorageDatasets615E7AC1", "effect": "removed",
                 "reason": "The dev datasets are re-uploaded from the team's source of truth after the move."}
        result = self.check(head, allow_head=[entry])
        self.assertTrue(result["ok"], result)
        self.assertIn("allowed: The dev datasets", upgrade_check.stack_report(STACK, result["stacks"][STACK], result["unused"]))
        wrong_effect = dict(entry, effect="replaced")
        self.assertFalse(self.check(head, allow_head=[wrong_effect])["ok"])

    def test_an_entry_already_on_the_base_branch_allows_nothing(self):
        head = copy.deepcopy(BASE)
        head["Resources"].pop("StorageDatasets615E7AC1")
        entry = {"stack": STACK, "logicalId": "StorageDatasets615E7AC1", "effect": "removed",
                 "reason": "An earlier pull request's reason, for an earlier change of the same id."}
        self.assertFalse(self.check(head, allow_head=[entry], allow_base=[entry])["ok"])

    def test_an_added_entry_that_matches_no_change_fails(self):
        entry = {"stack": STACK, "logicalId": "FlowLogGroup4F8CEEEF", "effect": "replaced",
                 "reason": "Flow logs older than the retention are not needed."}
        result = self.check(copy.deepcopy(BASE), allow_head=[entry])
        self.assertFalse(result["ok"])
        self.assertEqual(result["unused"], [entry])

    def test_a_malformed_entry_is_a_clear_error(self):
        with self.assertRaisesRegex(upgrade_check.InputError, r"entry 1: effect 'deleted' is not one of replaced, removed"):
            self.check(copy.deepcopy(BASE), allow_head=[{"stack": STACK, "logicalId": "X", "effect": "deleted", "reason": "x" * 30}])
        with self.assertRaisesRegex(upgrade_check.InputError, r"shorter than 20 characters"):
            self.check(copy.deepcopy(BASE), allow_head=[{"stack": STACK, "logicalId": "X", "effect": "removed", "reason": "ok"}])

    def test_a_stack_no_longer_synthesized_removes_its_stateful_resources(self):
        base = self.assembly("base", BASE)
        other = pathlib.Path(self.tmp.name) / "head"
        other.mkdir()
        (other / "manifest.json").write_text(json.dumps({"version": "38.0.1", "artifacts": {"HfSageMaker-prod": {
            "type": "aws:cloudformation:stack", "environment": "aws://2/eu-west-1",
            "properties": {"templateFile": "HfSageMaker-prod.template.json"}}}}), encoding="utf-8")
        (other / "HfSageMaker-prod.template.json").write_text(json.dumps(BASE), encoding="utf-8")
        result = upgrade_check.judge(base, str(other), None, None)
        self.assertFalse(result["ok"])
        self.assertTrue(result["stacks"][STACK]["removedStack"])
        self.assertTrue(result["stacks"]["HfSageMaker-prod"]["new"])

    def test_main_writes_one_report_per_stack_and_exits_non_zero_on_failure(self):
        head = copy.deepcopy(BASE)
        head["Resources"]["FlowLogGroup4F8CEEEF"]["Properties"]["LogGroupName"] = "renamed"
        report = pathlib.Path(self.tmp.name) / "report"
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = upgrade_check.main(["upgrade_check.py", "--base", self.assembly("base", BASE), "--head", self.assembly("head", head),
                                       "--allow-list", self.allow_list("none.yaml", []), "--report", str(report)])
        self.assertEqual(code, 1)
        self.assertIn("FAILED", out.getvalue())
        self.assertIn("`FlowLogGroup4F8CEEEF`", (report / f"{STACK}.md").read_text(encoding="utf-8"))

    def test_create_only_pointers_with_wildcards_reach_every_item(self):
        resource = {"Properties": {"A": [{"B": 1}, {"B": 2}]}}
        self.assertEqual(upgrade_check.values_at(resource, "/properties/A/*/B"), [1, 2])
        self.assertEqual(upgrade_check.values_at(resource, "/properties/C"), [upgrade_check._MISSING])


if __name__ == "__main__":
    unittest.main()
