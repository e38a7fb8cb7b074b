"""checkpoints: which checkpoint a restarted spot job resumes from."""
import json
import os
import tempfile
import unittest

import translation_support  # noqa: F401
import checkpoints


def make_checkpoint(root, name, complete=True, state_text=None):
    path = os.path.join(root, name)
    os.makedirs(path)
    with open(os.path.join(path, "model.safetensors"), "wb") as handle:
        handle.write(b"weights")
    if complete:
        with open(os.path.join(path, "trainer_state.json"), "w", encoding="utf-8") as handle:
            handle.write(state_text if state_text is not None else json.dumps({"global_step": 1}))
    return path


class LatestCheckpointTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()

    def test_highest_step_wins_numerically_not_lexicographically(self):
        make_checkpoint(self.root, "checkpoint-900")
        expected = make_checkpoint(self.root, "checkpoint-1000")
        make_checkpoint(self.root, "checkpoint-99")
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)

    def test_incomplete_checkpoint_without_trainer_state_is_ignored(self):
        expected = make_checkpoint(self.root, "checkpoint-500")
        make_checkpoint(self.root, "checkpoint-1000", complete=False)
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)

    def test_truncated_trainer_state_is_ignored(self):
        expected = make_checkpoint(self.root, "checkpoint-10")
        make_checkpoint(self.root, "checkpoint-20", state_text='{"global_step": 2')
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)

    def test_other_directories_and_files_are_ignored(self):
        expected = make_checkpoint(self.root, "checkpoint-3")
        make_checkpoint(self.root, "tmp-checkpoint-4")
        make_checkpoint(self.root, "checkpoint-5-old")
        make_checkpoint(self.root, "runs")
        open(os.path.join(self.root, "checkpoint-6"), "w").close()  # a file, not a directory
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)
        self.assertEqual([step for step, _ in checkpoints.list_checkpoints(self.root)], [3])

    def test_no_checkpoint_gives_none(self):
        self.assertIsNone(checkpoints.latest_checkpoint(self.root))
        make_checkpoint(self.root, "checkpoint-7", complete=False)
        self.assertIsNone(checkpoints.latest_checkpoint(self.root))

    def test_missing_directory_gives_none(self):
        self.assertIsNone(checkpoints.latest_checkpoint(os.path.join(self.root, "absent")))


if __name__ == "__main__":
    unittest.main()
