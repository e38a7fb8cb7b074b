"""hf_recipe.job_runtime (shared by every recipe): one resume decision for all torchrun ranks, the TrainingArguments fields
of the installed release, the final evaluation the Trainer already ran, and bad input ending a run with one message
(stderr and, inside a SageMaker job, the toolkit's failure file) instead of a traceback."""
import argparse
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import hf_recipe_support  # noqa: F401 - puts training-scripts/ on sys.path
from hf_recipe import job_runtime, sm_contract
from hf_recipe_support import REPO_ROOT, SCRIPTS_DIR, recipe_names
from test_hf_recipe_checkpoints import make_checkpoint


class FakeGroup:
    """Rank 0 of a torchrun job whose other ranks report ``others`` (what each would contribute)."""

    def __init__(self, others, rank=0):
        self.others, self.rank = others, rank
        self.world_size = len(others) + 1
        self.gathered = []

    def all_gather(self, value):
        self.gathered.append(value)
        return [value] + list(self.others)


class SharedResumeDecisionTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        self.c10 = make_checkpoint(self.root, "checkpoint-10")
        self.c20 = make_checkpoint(self.root, "checkpoint-20")
        self.calls = []

    def attempt(self, fail=False):
        def run(resume_from, progress):
            self.calls.append(resume_from)
            if fail:
                raise RuntimeError(f"cannot load {resume_from}")
            return "trained"
        return run

    def test_ranks_resume_from_the_newest_checkpoint_complete_on_every_rank(self):
        # another rank (another node) lacks checkpoint-20: every rank must take checkpoint-10, not only that one
        group = FakeGroup([[10]])
        with self.assertLogs("recipe", logging.INFO) as logs:
            result = job_runtime.train_with_resume_fallback(self.attempt(), self.root, group)
        self.assertEqual(result, ("trained", self.c10))
        self.assertEqual(group.gathered, [[10, 20]])
        self.assertIn("not complete on every rank", "\n".join(logs.output))

    def test_single_process_keeps_the_newest(self):
        result = job_runtime.train_with_resume_fallback(self.attempt(), self.root, job_runtime.SINGLE_PROCESS)
        self.assertEqual(result, ("trained", self.c20))

    def test_a_failed_resume_under_torchrun_fails_fast_instead_of_falling_back_on_one_rank(self):
        # one rank falling back while the others train would leave the collectives waiting for the NCCL timeout
        group = FakeGroup([[10, 20]])
        with self.assertLogs("recipe", logging.INFO) as logs:
            with self.assertRaisesRegex(RuntimeError, "cannot load"):
                job_runtime.train_with_resume_fallback(self.attempt(fail=True), self.root, group)
        self.assertEqual(self.calls, [self.c20])  # no second attempt on this rank alone
        self.assertIn("torchrun", "\n".join(logs.output))


class FitToReleaseTests(unittest.TestCase):
    def test_optional_fields_the_release_lacks_are_dropped_and_others_named(self):
        kwargs = {"output_dir": "/x", "overwrite_output_dir": False, "save_safetensors": True}
        self.assertEqual(job_runtime.fit_to_release(kwargs, {"output_dir"}, {"overwrite_output_dir",
                                                                            "save_safetensors"}, "4.46 to 5.x"),
                         {"output_dir": "/x"})
        with self.assertRaisesRegex(ValueError, "no field 'output_dir'; this script is written for transformers 1 to 2"):
            job_runtime.fit_to_release(kwargs, set(), {"overwrite_output_dir", "save_safetensors"}, "1 to 2")


class FinalEvaluationTests(unittest.TestCase):
    HISTORY = [{"loss": 2.0, "step": 10}, {"eval_loss": 1.9, "eval_runtime": 3.0, "step": 10},
               {"loss": 1.5, "step": 20}, {"eval_loss": 1.4, "eval_bleu": 9.0, "step": 20},
               {"train_runtime": 50.0, "step": 20}]

    def test_an_evaluation_at_the_last_step_is_reused(self):
        self.assertEqual(job_runtime.final_evaluation(self.HISTORY, 20),
                         {"eval_loss": 1.4, "eval_bleu": 9.0})

    def test_no_evaluation_at_the_last_step_means_evaluate_again(self):
        self.assertIsNone(job_runtime.final_evaluation(self.HISTORY, 25))
        self.assertIsNone(job_runtime.final_evaluation(self.HISTORY[:2], 10, prefix="test"))


class BadInputTests(unittest.TestCase):
    """A ValueError (bad hyperparameters, contract variables, data, language codes) ends the run with one line."""

    def setUp(self):
        self.base = tempfile.mkdtemp(prefix="sm-base-")
        self.addCleanup(shutil.rmtree, self.base, ignore_errors=True)
        os.makedirs(os.path.join(self.base, "output"))
        self.failure = os.path.join(self.base, "output", "failure")
        self.job = {"SAGEMAKER_BASE_DIR": self.base, "SM_TRAINING_ENV": "{}"}

    def run_entry(self, parse_args, train, environ):
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        try:
            with mock.patch.dict(os.environ, environ, clear=True), \
                    mock.patch("sys.stderr", new_callable=io.StringIO) as stderr:
                code = job_runtime.run_entry_point([], parse_args, train, logging.getLogger("some-recipe"))
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)
        return code, stderr.getvalue()

    @staticmethod
    def bad_hyperparameters(argv):
        raise ValueError("hyperparameter 'seed' must be an integer >= 0; received '-1'; hyperparameter 'x' is unknown")

    @staticmethod
    def parsed(argv):
        return argparse.Namespace(checkpoint_dir="", offline=True)

    def test_a_bad_hyperparameter_prints_one_line_listing_every_problem_and_exits_2(self):
        code, stderr = self.run_entry(self.bad_hyperparameters, None, {})
        self.assertEqual(code, 2)
        self.assertEqual(stderr, "some-recipe: error: hyperparameter 'seed' must be an integer >= 0; received '-1'; "
                                 "hyperparameter 'x' is unknown\n")
        self.assertFalse(os.path.exists(self.failure), "outside a job nothing is written")

    def test_inside_a_job_the_message_is_the_failure_reason(self):
        code, stderr = self.run_entry(self.bad_hyperparameters, None, self.job)
        self.assertEqual(code, 2)
        with open(self.failure, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "some-recipe: error: hyperparameter 'seed' must be an integer >= 0; "
                                            "received '-1'; hyperparameter 'x' is unknown")
        self.assertIn(f"also in {self.failure}", stderr)

    def test_a_value_error_while_training_is_reported_the_same_way(self):
        def train(args, context):
            raise ValueError("the tokenizer MBartTokenizer needs source_lang_code and target_lang_code")
        code, stderr = self.run_entry(self.parsed, train, self.job)
        self.assertEqual((code, stderr.splitlines()[0]),
                         (2, "some-recipe: error: the tokenizer MBartTokenizer needs source_lang_code and "
                             "target_lang_code"))
        self.assertTrue(os.path.isfile(self.failure))

    def test_a_malformed_contract_variable_is_bad_input_too(self):
        code, stderr = self.run_entry(self.parsed, None, {"SM_HOSTS": "not json"})
        self.assertEqual(code, 2)
        self.assertIn("SM_HOSTS is not valid JSON", stderr)

    def test_other_exceptions_keep_their_traceback(self):
        def train(args, context):
            raise RuntimeError("CUDA out of memory")
        with self.assertRaisesRegex(RuntimeError, "CUDA out of memory"):
            self.run_entry(self.parsed, train, self.job)

    def test_an_existing_failure_file_is_kept_and_a_missing_output_directory_writes_nothing(self):
        with open(self.failure, "w", encoding="utf-8") as handle:
            handle.write("earlier")
        self.assertIsNone(sm_contract.write_failure("later", self.job))
        with open(self.failure, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "earlier")
        self.assertIsNone(sm_contract.failure_file({"SAGEMAKER_BASE_DIR": os.path.join(self.base, "none"),
                                                    "SM_TRAINING_ENV": "{}"}))
        self.assertEqual(sm_contract.failure_file({"SM_TRAINING_ENV": "{}", "SAGEMAKER_BASE_DIR": self.base}),
                         self.failure)


class ScriptRunTests(unittest.TestCase):
    """Each recipe's train.py run as a user runs it locally (PYTHONPATH=training-scripts python3
    training-scripts/<recipe>/train.py ...) and as the toolkit runs it in a job (SM_TRAINING_ENV set, the base
    directory's output/ present)."""

    def run_script(self, recipe, argv, extra_env=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": SCRIPTS_DIR, **(extra_env or {})}
        return subprocess.run([sys.executable, os.path.join("training-scripts", recipe, "train.py"), *argv],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)

    def test_a_bad_hyperparameter_is_one_line_and_a_non_zero_exit_for_every_recipe(self):
        for recipe in recipe_names():
            with self.subTest(recipe=recipe):
                run = self.run_script(recipe, ["--seed", "-1", "--no_such_name", "1"])
                self.assertEqual(run.returncode, 2, run.stderr)
                self.assertNotIn("Traceback", run.stderr + run.stdout)
                self.assertEqual(len(run.stderr.splitlines()), 1, run.stderr)
                self.assertRegex(run.stderr, rf"^{recipe}: error: unknown arguments \['--no_such_name', '1'\].*; "
                                             r"hyperparameter 'seed' must be an integer >= 0 .*received '-1'")

    def test_inside_a_job_the_failure_file_holds_the_message(self):
        base = tempfile.mkdtemp(prefix="sm-base-")
        self.addCleanup(shutil.rmtree, base, ignore_errors=True)
        os.makedirs(os.path.join(base, "output"))
        for recipe in recipe_names():
            with self.subTest(recipe=recipe):
                failure = os.path.join(base, "output", "failure")
                if os.path.exists(failure):
                    os.remove(failure)
                run = self.run_script(recipe, ["--seed", "-1"], {"SAGEMAKER_BASE_DIR": base, "SM_TRAINING_ENV": "{}"})
                self.assertEqual(run.returncode, 2, run.stderr)
                self.assertNotIn("Traceback", run.stderr)
                with open(failure, encoding="utf-8") as handle:
                    self.assertRegex(handle.read(), rf"^{recipe}: error: hyperparameter 'seed' must be an integer")


if __name__ == "__main__":
    unittest.main()
