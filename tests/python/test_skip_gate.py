"""scripts/skip_gate.py: every skipped test of a suite run is found, per runner, from what the real runners write
(node:test's TAP and tests/python/run.py's output are produced here by running them), and a skip fails unless
tests/allowed-skips.json names the test with a reason."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import skip_gate  # noqa: E402 - after the sys.path entry above

RUN_PY = ROOT / "tests" / "python" / "run.py"
ALLOWED = ROOT / "tests" / "allowed-skips.json"
TRX = """<?xml version="1.0" encoding="utf-8"?>
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
  <UnitTestResult testName="HfSageMaker.Tests.A.Runs" outcome="Passed" />
  <UnitTestResult testName="HfSageMaker.Tests.A.Skips" outcome="NotExecuted">
    <Output><ErrorInfo><Message>needs a GPU</Message></ErrorInfo></Output></UnitTestResult>
</Results></TestRun>"""


class SkipGateTests(unittest.TestCase):
    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="skip-gate-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)

    def write(self, name, text):
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def test_python_skips_and_expected_failures_come_from_run_py(self):
        self.write("modules/test_sample.py", """\
            import unittest

            class Sample(unittest.TestCase):
                def test_runs(self):
                    self.assertTrue(True)

                def test_skips(self):
                    self.skipTest("cfn-lint is not installed")

                @unittest.expectedFailure
                def test_known_bug(self):
                    self.assertTrue(False)

            @unittest.skipIf(True, "whole class")
            class Skipped(unittest.TestCase):
                def test_one(self):
                    pass
            """)
        run = subprocess.run([sys.executable, str(RUN_PY), "--group", "test_sample"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(self.work / "modules")}, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        skips = skip_gate.python_skips(run.stdout)
        self.assertEqual(sorted(s.test for s in skips),
                         ["test_sample.Sample.test_known_bug", "test_sample.Sample.test_skips",
                          "test_sample.Skipped.test_one"])
        self.assertIn(skip_gate.Skip("python", "test_sample.Sample.test_skips", "cfn-lint is not installed"), skips)

    def test_node_skip_and_todo_directives_come_from_the_tap_reporter(self):
        source = self.write("sample.test.mjs", """\
            import { test, describe } from 'node:test';
            test('runs', () => {});
            test('skips', { skip: 'needs a GPU' }, () => {});
            describe('suite', () => {
              test('inner todo', { todo: 'not written yet' }, () => { throw new Error('x'); });
              test('inner runs', () => {});
            });
            """)
        tap = self.work / "out.tap"
        subprocess.run(["node", "--test", "--test-reporter=tap", f"--test-reporter-destination={tap}", str(source)],
                       capture_output=True, text=True, timeout=120, check=True)
        skips = skip_gate.tap_skips(tap.read_text(encoding="utf-8"))
        self.assertEqual([(s.test, s.reason) for s in skips],
                         [("skips", "SKIP: needs a GPU"), ("suite > inner todo", "TODO: not written yet")])

    def test_dotnet_not_executed_results_come_from_the_trx_report(self):
        path = self.write("nested/dotnet.trx", TRX)
        self.assertEqual(skip_gate.trx_skips(str(path)), [skip_gate.Skip("dotnet", "HfSageMaker.Tests.A.Skips", "needs a GPU")])

    def test_a_skip_not_on_the_list_fails_and_a_listed_one_passes(self):
        self.write("nested/dotnet.trx", TRX)
        self.write("python.log", "Ran 3 tests\nOK (skipped=1)\nSKIPPED test_x.T.test_y: cfn-lint is not installed\n")
        allowed = self.write("allowed.json", json.dumps({"allowed": [
            {"runner": "dotnet", "test": "HfSageMaker.Tests.A.Skips", "reason": "needs a GPU, which CI machines lack"}]}))
        run = subprocess.run([sys.executable, str(ROOT / "scripts" / "skip_gate.py"), str(self.work), str(allowed)],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertIn("not ok - skipped (python) test_x.T.test_y: cfn-lint is not installed", run.stdout)
        self.assertIn("allowed skip (dotnet) HfSageMaker.Tests.A.Skips: needs a GPU", run.stdout)
        self.assertEqual(run.stdout.splitlines()[-1], "skipped: 2, not allowed: 1")

    def test_no_skips_passes(self):
        self.write("python.log", "Ran 3 tests\nOK\n")
        run = subprocess.run([sys.executable, str(ROOT / "scripts" / "skip_gate.py"), str(self.work), str(ALLOWED)],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual((run.returncode, run.stdout), (0, "skipped: 0, not allowed: 0\n"))

    def test_entries_need_a_runner_a_test_and_a_reason(self):
        for bad in ({"runner": "java", "test": "t", "reason": "x" * 30}, {"runner": "python", "test": "t", "reason": "gpu"},
                    {"runner": "python", "test": "", "reason": "x" * 30}, {"runner": "python", "test": "t"}):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                skip_gate.load_allowed([bad])

    def test_the_shipped_list_is_valid_and_names_only_tests_that_exist(self):
        entries = skip_gate.load_allowed(json.loads(ALLOWED.read_text(encoding="utf-8"))["allowed"])
        sources = {"dotnet": ROOT / "tests" / "HfSageMaker.Tests", "python": ROOT / "tests" / "python",
                   "node": ROOT / "tests" / "node"}
        for entry in entries:
            with self.subTest(test=entry["test"]):
                name = entry["test"].split(".")[-1] if entry["runner"] != "node" else entry["test"].split(" > ")[-1]
                found = any(name in path.read_text(encoding="utf-8", errors="replace")
                            for path in sources[entry["runner"]].rglob("*") if path.is_file()
                            and path.suffix in (".cs", ".py", ".mjs") and "obj" not in path.parts)
                self.assertTrue(found, f"{entry['test']}: no such test in {sources[entry['runner']]}")


if __name__ == "__main__":
    unittest.main()
