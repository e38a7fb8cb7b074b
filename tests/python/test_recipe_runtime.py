"""job_runtime (shared by every recipe): one resume decision for all torchrun ranks, the TrainingArguments fields
of the installed release, and the final evaluation the Trainer already ran."""
import logging
import os
import shutil
import tempfile
import unittest

from llm_sft_support import sft
from test_translation_checkpoints import make_checkpoint

job_runtime = sft.job_runtime


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


if __name__ == "__main__":
    unittest.main()
