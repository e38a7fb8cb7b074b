"""Every `aws` and `cdk` command in the README files, ops/ and the workflows runs as written: the AWS CLI v1's own parser
and the botocore API models (SageMaker: the vendored model) for `aws`, the pinned CDK CLI's `--help` for `cdk`
(tests/python/documented_commands.py says how). The checker is shown failing on bad commands of each kind first."""
import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import documented_commands as dc  # noqa: E402

try:
    import awscli  # noqa: F401  (pinned in scripts/python-tools.txt; scripts/test.sh installs it into .venv-tools/)
    AWSCLI_MISSING = None
except ImportError as e:  # pragma: no cover - depends on the machine
    AWSCLI_MISSING = (f"the AWS CLI v1 is not importable ({e}): run scripts/test.sh, which installs the pins of "
                      "scripts/python-tools.txt into .venv-tools/, or pip install them")


def aws(line, source="fixture:1"):
    return dc.Command(source, "aws", [w for _, ws in dc.simple_commands(line) for w in ws][1:])


def cdk(line):
    return dc.Command("fixture:1", "cdk", [w for _, ws in dc.simple_commands(line) for w in ws][1:])


class ExtractionTests(unittest.TestCase):
    def test_shell_text_is_split_into_commands_with_substitutions_and_continuations(self):
        text = textwrap.dedent("""\
            arn=$(aws cloudformation describe-stacks --stack-name HfSageMaker-$ENV \\
              --query "Stacks[0].Outputs[?OutputKey=='X'].OutputValue" --output text)
            aws stepfunctions start-execution --state-machine-arn "$arn" --input "$(jq -c '.a = 1' in.json)"  # note
            npx cdk diff "HfSageMaker-${ENV_NAME}" --app cdk.out 2>&1 | tee cdk-diff.txt
            aws sagemaker describe-training-job --training-job-name <job-name> > job.json
            """)
        commands = dc.simple_commands(text)
        self.assertEqual([words for _, words in commands], [
            ["aws", "cloudformation", "describe-stacks", "--stack-name", "HfSageMaker-$ENV", "--query",
             "Stacks[0].Outputs[?OutputKey=='X'].OutputValue", "--output", "text"],
            ["jq", "-c", ".a = 1", "in.json"],
            ["aws", "stepfunctions", "start-execution", "--state-machine-arn", "$arn", "--input",
             "$(jq -c '.a = 1' in.json)"],
            ["npx", "cdk", "diff", "HfSageMaker-${ENV_NAME}", "--app", "cdk.out"],
            ["tee", "cdk-diff.txt"],
            ["aws", "sagemaker", "describe-training-job", "--training-job-name", "<job-name>"],
        ])
        self.assertEqual([text.count("\n", 0, offset) for offset, _ in commands], [0, 2, 2, 3, 3, 4])

    def test_markdown_commands_come_from_blocks_spans_and_output_samples_with_their_lines(self):
        markdown = textwrap.dedent("""\
            Check the job (`aws sagemaker describe-training-job`), then:

            1. Step:
               ```bash
               echo start
               aws sts get-caller-identity
               ```
            ```text
              Check: aws service-quotas list-service-quotas --service-code sagemaker
            ```
            `cdk diff (prod)` is a job name; aws prose outside code is not a command, nor `cdk` or `aws` alone.
            """)
        found = [(c.source, c.tool, c.words) for c in dc.commands_in_markdown(markdown, "R.md")]
        self.assertEqual(found, [
            ("R.md:6", "aws", ["sts", "get-caller-identity"]),
            ("R.md:9", "aws", ["service-quotas", "list-service-quotas", "--service-code", "sagemaker"]),
            ("R.md:1", "aws", ["sagemaker", "describe-training-job"]),
            ("R.md:11", "cdk", ["diff"]),
        ])

    def test_yaml_comments_and_workflow_run_scripts_are_searched(self):
        template = "# Deploy with:\n#   aws cloudformation deploy --template-file t.yaml \\\n#     --stack-name s\nA: 1\n"
        self.assertEqual([(c.source, c.words) for c in dc.commands_in_yaml_comments(template, "t.yaml")],
                         [("t.yaml:2", ["cloudformation", "deploy", "--template-file", "t.yaml", "--stack-name", "s"])])
        workflow = textwrap.dedent("""\
            jobs:
              diff:
                steps:
                  - run: npx cdk deploy X --app cdk.out
                  - name: diff
                    run: |
                      set -o pipefail
                      npx cdk diff X --method=template 2>&1 | tee out.txt
            """)
        self.assertEqual([(c.source, c.words) for c in dc.commands_in_workflow(workflow, "w.yml")],
                         [("w.yml:4", ["deploy", "X", "--app", "cdk.out"]),
                          ("w.yml:8", ["diff", "X", "--method=template"])])

    def test_the_repository_documents_hold_the_commands_to_check(self):
        commands = dc.documented_commands()
        sources = {c.source.split(":")[0] for c in commands}
        self.assertGreaterEqual(len([c for c in commands if c.tool == "aws"]), 25, "the extraction is broken")
        self.assertGreaterEqual(len([c for c in commands if c.tool == "cdk"]), 10, "the extraction is broken")
        for document in ("README.md", "ops/github-oidc-roles.yaml", ".github/workflows/deploy.yml",
                         ".github/workflows/pull-request.yml"):
            self.assertIn(document, sources)


class AwsCommandTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if AWSCLI_MISSING:
            raise AssertionError(AWSCLI_MISSING)
        cls.cli = dc.AwsCli().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.cli.__exit__(None, None, None)

    def problems(self, line):
        return "\n".join(self.cli.problems(aws(line)))

    def test_a_missing_required_option_is_reported_as_the_cli_reports_it(self):
        self.assertIn("required: --training-job-name", self.problems("aws sagemaker describe-training-job"))

    def test_unknown_services_operations_and_options_are_reported(self):
        self.assertIn("Invalid choice: 'sagemkaer'", self.problems("aws sagemkaer list-training-jobs"))
        self.assertIn("Invalid choice: 'describe-trainingjob'",
                      self.problems("aws sagemaker describe-trainingjob --training-job-name x"))
        self.assertIn("Unknown options: --bogus", self.problems("aws sts get-caller-identity --bogus"))

    def test_enum_values_are_checked_against_the_model_and_placeholders_are_not(self):
        self.assertIn("StatusEquals is 'Running'; allowed: InProgress, Completed",
                      self.problems("aws sagemaker list-training-jobs --status-equals Running"))
        self.assertIn("RetentionPolicy.HomeEfsFileSystem is 'Remove'; allowed: Retain, Delete",
                      self.problems("aws sagemaker delete-domain --domain-id d-1 --retention-policy HomeEfsFileSystem=Remove"))
        self.assertEqual(self.problems("aws sagemaker list-training-jobs --status-equals <status>"), "")
        self.assertEqual(self.problems("aws sagemaker describe-training-job --training-job-name <job-name>"), "")

    def test_query_fields_are_checked_against_the_output_shape(self):
        self.assertIn("has no member 'causes'",
                      self.problems("aws stepfunctions describe-execution --execution-arn x --query '[error,causes]'"))
        self.assertIn("has no member 'Image'", self.problems(
            "aws sagemaker describe-training-job --training-job-name x --query AlgorithmSpecification.Image"))
        self.assertIn("has no member 'OutputName'", self.problems(
            "aws cloudformation describe-stacks --query \"Stacks[0].Outputs[?OutputName=='A'].OutputValue\""))
        self.assertIn("not a list", self.problems("aws sts get-caller-identity --query 'Account[0]'"))
        self.assertIn("Bad value for --query Account[[", self.problems("aws sts get-caller-identity --query 'Account[['"))
        self.assertEqual(self.problems(
            "aws stepfunctions list-executions --state-machine-arn x --max-items 2 --query 'executions[].[name,status]'"), "")

    def test_cloudformation_deploy_overrides_are_checked_against_the_template_parameters(self):
        found = self.problems("aws cloudformation deploy --template-file ops/github-oidc-roles.yaml --stack-name s "
                              "--parameter-overrides GitHubRepo=a/b EnvironmentName=dev CreateOidcProvider=maybe")
        self.assertIn("GitHubRepo: the template has no such parameter", found)
        self.assertIn("lacks GitHubRepository, which has no default", found)
        self.assertIn("CreateOidcProvider=maybe: allowed true, false", found)

    def test_sagemaker_commands_read_the_vendored_model(self):
        self.assertTrue(self.cli.model_source("sagemaker").startswith(self.cli._models))

    def test_every_documented_aws_command_runs_as_written(self):
        commands = [c for c in dc.documented_commands() if c.tool == "aws"]
        problems = [f"{c}\n    {p}" for c in commands for p in self.cli.problems(c)]
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


class CdkCommandTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = dc.CdkCli()
        if not os.path.isfile(cls.cli.cli):
            raise AssertionError(f"{cls.cli.cli} is missing: run npm ci (scripts/test.sh does)")
        cls.cli.load({"diff", "deploy", "bootstrap", "destroy", "synth", "init"})

    def problems(self, line):
        return "\n".join(self.cli.problems(cdk(line)))

    def test_the_help_pages_are_read(self):
        diff = self.cli.pages["diff"][0]
        self.assertEqual(diff["method"].choices, ["auto", "change-set", "template"])
        self.assertEqual(diff["change-set"].kind, "boolean")

    def test_deprecated_unknown_misnegated_and_out_of_choice_options_are_reported(self):
        self.assertIn("--no-change-set is deprecated", self.problems("cdk diff X --no-change-set"))
        self.assertIn("--nope is not an option of 'cdk diff'", self.problems("cdk diff --nope"))
        self.assertIn("--method tmpl: allowed auto, change-set, template", self.problems("cdk diff --method=tmpl"))
        self.assertIn("cannot be negated", self.problems("cdk deploy --no-app"))
        self.assertIn("not a command", self.problems("cdk frobnicate"))
        self.assertEqual(self.problems("cdk diff X --app cdk.out --method=template --no-color"), "")

    def test_every_documented_cdk_command_uses_options_of_the_pinned_cli(self):
        commands = [c for c in dc.documented_commands() if c.tool == "cdk"]
        self.cli.load({c.words[0] for c in commands if c.words})
        problems = [f"{c}\n    {p}" for c in commands for p in self.cli.problems(c)]
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
