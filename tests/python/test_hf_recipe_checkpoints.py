"""hf_recipe.checkpoints: which checkpoint a restarted spot job resumes from, for a full model (translation) and for a
LoRA adapter (llm-sft).

For a PeftModel, transformers' Trainer._save checkpoint holds the adapter only (PeftModel.save_pretrained:
``adapter_config.json`` + ``adapter_model.safetensors``), never ``model.safetensors``, plus the optimizer, scheduler,
RNG and trainer state.
"""
import json
import os
import tempfile
import unittest

import hf_recipe_support  # noqa: F401 - puts training-scripts/ on sys.path
from hf_recipe import checkpoints


def write_file(path, content=b"x"):
    with open(path, "wb") as handle:
        handle.write(content)


def make_checkpoint(root, name, complete=True, state_text=None, weights="model.safetensors",
                    omit=(), empty=()):
    """A checkpoint directory as Trainer._save_checkpoint (transformers 4.36-4.4x) leaves it, minus ``omit``,
    with the files in ``empty`` written empty (a file SageMaker's sync uploaded before it was written)."""
    path = os.path.join(root, name)
    os.makedirs(path)
    files = {weights: b"weights", "config.json": b"{}", "optimizer.pt": b"optimizer", "scheduler.pt": b"scheduler",
             "rng_state.pth": b"rng", "training_args.bin": b"args"}
    if complete:
        files["trainer_state.json"] = (state_text if state_text is not None
                                       else json.dumps({"global_step": 1})).encode()
    for file_name, content in files.items():
        if file_name not in omit:
            write_file(os.path.join(path, file_name), b"" if file_name in empty else content)
    return path


def make_sharded_checkpoint(root, name, shards=2, index="model.safetensors.index.json",
                            missing_shard=False, empty_shard=False, index_text=None):
    path = make_checkpoint(root, name, omit=("model.safetensors",))
    stem, suffix = ("model", "safetensors") if index.startswith("model.") else ("pytorch_model", "bin")
    names = [f"{stem}-{i:05d}-of-{shards:05d}.{suffix}" for i in range(1, shards + 1)]
    weight_map = {f"layer.{i}.weight": shard for i, shard in enumerate(names + names)}
    write_file(os.path.join(path, index), (index_text if index_text is not None
                                           else json.dumps({"metadata": {}, "weight_map": weight_map})).encode())
    for position, shard in enumerate(names):
        last = position == len(names) - 1
        if last and missing_shard:
            continue
        write_file(os.path.join(path, shard), b"" if last and empty_shard else b"shard")
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


class CompletenessTests(unittest.TestCase):
    """A trainer_state.json is not enough: SageMaker uploads checkpoint files in no order, so S3 (and a restored spot
    job) can hold the state without the weights or optimizer, or with an empty file uploaded before it was written."""

    def setUp(self):
        self.root = tempfile.mkdtemp()

    def assert_skipped_for_older(self, **broken):
        expected = make_checkpoint(self.root, "checkpoint-10")
        make_checkpoint(self.root, "checkpoint-20", **broken)
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)
        self.assertEqual([step for step, _ in checkpoints.list_checkpoints(self.root)], [10])

    def test_state_without_weights_is_skipped(self):
        self.assert_skipped_for_older(omit=("model.safetensors",))

    def test_state_with_empty_weights_is_skipped(self):
        self.assert_skipped_for_older(empty=("model.safetensors",))

    def test_missing_or_empty_optimizer_or_scheduler_is_skipped(self):
        for broken in ({"omit": ("optimizer.pt",)}, {"empty": ("optimizer.pt",)},
                       {"omit": ("scheduler.pt",)}, {"empty": ("scheduler.pt",)}):
            with self.subTest(**broken):
                self.root = tempfile.mkdtemp()
                self.assert_skipped_for_older(**broken)

    def test_empty_rng_state_is_skipped_but_a_missing_one_is_fine(self):
        self.assert_skipped_for_older(empty=("rng_state.pth",))
        root = tempfile.mkdtemp()
        expected = make_checkpoint(root, "checkpoint-30", omit=("rng_state.pth",))
        self.assertEqual(checkpoints.latest_checkpoint(root), expected)

    def test_empty_per_process_rng_state_is_skipped(self):
        expected = make_checkpoint(self.root, "checkpoint-10")
        broken = make_checkpoint(self.root, "checkpoint-20", omit=("rng_state.pth",))
        write_file(os.path.join(broken, "rng_state_0.pth"), b"rng")
        write_file(os.path.join(broken, "rng_state_1.pth"), b"")
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)

    def test_pytorch_bin_weights_count(self):
        expected = make_checkpoint(self.root, "checkpoint-40", weights="pytorch_model.bin")
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)

    def test_complete_sharded_weights_count_for_both_formats(self):
        for index in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
            with self.subTest(index=index):
                root = tempfile.mkdtemp()
                expected = make_sharded_checkpoint(root, "checkpoint-50", index=index)
                self.assertEqual(checkpoints.latest_checkpoint(root), expected)

    def test_sharded_set_with_missing_or_empty_shard_or_bad_index_is_skipped(self):
        for broken in ({"missing_shard": True}, {"empty_shard": True}, {"index_text": '{"weight_map": {'},
                       {"index_text": '{"weight_map": {}}'}):
            with self.subTest(**broken):
                root = tempfile.mkdtemp()
                expected = make_checkpoint(root, "checkpoint-10")
                make_sharded_checkpoint(root, "checkpoint-20", **broken)
                self.assertEqual(checkpoints.latest_checkpoint(root), expected)

    def test_incomplete_checkpoints_say_what_is_missing(self):
        make_checkpoint(self.root, "checkpoint-10")
        broken = make_checkpoint(self.root, "checkpoint-20", omit=("model.safetensors", "optimizer.pt"),
                                 empty=("scheduler.pt",))
        [(path, problems)] = checkpoints.incomplete_checkpoints(self.root)
        self.assertEqual(path, broken)
        text = "; ".join(problems)
        for part in ("weights", "optimizer.pt missing or empty", "scheduler.pt missing or empty"):
            self.assertIn(part, text)
        self.assertNotIn("trainer_state.json", text)


class PreviousCheckpointTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()

    def test_next_older_complete_checkpoint_skipping_incomplete_ones(self):
        expected = make_checkpoint(self.root, "checkpoint-100")
        make_checkpoint(self.root, "checkpoint-150", omit=("optimizer.pt",))
        failed = make_checkpoint(self.root, "checkpoint-200")
        make_checkpoint(self.root, "checkpoint-300", omit=("model.safetensors",))
        self.assertEqual(checkpoints.previous_checkpoint(self.root, failed), expected)

    def test_none_when_nothing_older_is_complete(self):
        failed = make_checkpoint(self.root, "checkpoint-200")
        make_checkpoint(self.root, "checkpoint-100", omit=("scheduler.pt",))
        self.assertIsNone(checkpoints.previous_checkpoint(self.root, failed))


def lora_checkpoint(root, step, omit=(), empty=(), adapter="adapter_model.safetensors"):
    path = os.path.join(root, f"checkpoint-{step}")
    os.makedirs(path)
    files = {adapter: b"lora", "adapter_config.json": b'{"r": 16}', "optimizer.pt": b"adam", "scheduler.pt": b"cos",
             "rng_state.pth": b"rng", "trainer_state.json": json.dumps({"global_step": step}).encode(),
             "training_args.bin": b"args", "tokenizer.json": b"{}", "README.md": b"peft card"}
    for name, content in files.items():
        if name not in omit:
            with open(os.path.join(path, name), "wb") as handle:
                handle.write(b"" if name in empty else content)
    return path


class LoraCheckpointTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()

    def test_adapter_only_checkpoint_is_complete_in_both_formats(self):
        for step, adapter in ((10, "adapter_model.safetensors"), (20, "adapter_model.bin")):
            with self.subTest(adapter=adapter):
                path = lora_checkpoint(self.root, step, adapter=adapter)
                self.assertEqual(checkpoints.missing_parts(path), [])
        self.assertEqual(checkpoints.latest_checkpoint(self.root), os.path.join(self.root, "checkpoint-20"))

    def test_adapter_weights_without_adapter_config_are_incomplete(self):
        # PeftModel.load_adapter reads adapter_config.json first: without it the resume attempt is doomed
        lora_checkpoint(self.root, 10)
        newest = lora_checkpoint(self.root, 20, omit=("adapter_config.json",))
        self.assertIn("adapter_config.json missing or empty (adapter weights need it)", checkpoints.missing_parts(newest))
        self.assertEqual(checkpoints.latest_checkpoint(self.root), os.path.join(self.root, "checkpoint-10"))
        empty = lora_checkpoint(self.root, 30, empty=("adapter_config.json",))
        self.assertFalse(checkpoints.is_complete(empty))

    def test_half_synced_adapter_checkpoints_are_skipped_for_the_older_complete_one(self):
        expected = lora_checkpoint(self.root, 200)
        lora_checkpoint(self.root, 400, omit=("adapter_model.safetensors",))
        lora_checkpoint(self.root, 600, empty=("adapter_model.safetensors",))
        lora_checkpoint(self.root, 800, omit=("optimizer.pt",))
        lora_checkpoint(self.root, 1000, omit=("trainer_state.json",))
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)
        reasons = dict(checkpoints.incomplete_checkpoints(self.root))
        self.assertIn("no non-empty weights", "; ".join(reasons[os.path.join(self.root, "checkpoint-400")]))
        self.assertIn("optimizer.pt missing or empty", reasons[os.path.join(self.root, "checkpoint-800")])

    def test_empty_grad_scaler_state_is_skipped_but_a_missing_one_is_fine(self):
        # float16 training (a GPU without native bfloat16) adds scaler.pt, which Trainer._load_scaler torch.loads
        # when it exists and skips when it does not
        expected = lora_checkpoint(self.root, 200)
        broken = lora_checkpoint(self.root, 400, omit=("scaler.pt",))
        with open(os.path.join(broken, "scaler.pt"), "wb"):
            pass
        self.assertEqual(checkpoints.latest_checkpoint(self.root), expected)
        self.assertIn("scaler.pt empty", dict(checkpoints.incomplete_checkpoints(self.root))[broken])
        with open(os.path.join(expected, "scaler.pt"), "wb") as handle:
            handle.write(b"scale")
        self.assertEqual(checkpoints.missing_parts(expected), [])

    def test_fallback_after_a_load_failure_is_the_next_older_complete_adapter_checkpoint(self):
        older = lora_checkpoint(self.root, 200)
        lora_checkpoint(self.root, 300, omit=("scheduler.pt",))
        failed = lora_checkpoint(self.root, 400)
        self.assertEqual(checkpoints.previous_checkpoint(self.root, failed), older)


if __name__ == "__main__":
    unittest.main()
