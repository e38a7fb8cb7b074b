"""llm-sft checkpoints: what a restarted spot job resumes from when the Trainer saves a LoRA (PEFT) model.

For a PeftModel, transformers' Trainer._save checkpoint holds the adapter only (PeftModel.save_pretrained:
``adapter_config.json`` + ``adapter_model.safetensors``), never ``model.safetensors``, plus the optimizer, scheduler,
RNG and trainer state. checkpoints.py is the same file as translation's (test_recipe_shared_modules.py); these tests
cover the adapter layout and the llm-sft copy itself.
"""
import json
import os
import tempfile
import unittest

from llm_sft_support import sft

checkpoints = sft.checkpoints


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

    def test_adapter_weights_without_adapter_config_are_incomplete(self):
        # PeftModel.load_adapter reads adapter_config.json first: without it the resume attempt is doomed
        lora_checkpoint(self.root, 10)
        newest = lora_checkpoint(self.root, 20, omit=("adapter_config.json",))
        self.assertIn("adapter_config.json missing or empty (adapter weights need it)", checkpoints.missing_parts(newest))
        self.assertEqual(checkpoints.latest_checkpoint(self.root), os.path.join(self.root, "checkpoint-10"))
        empty = lora_checkpoint(self.root, 30, empty=("adapter_config.json",))
        self.assertFalse(checkpoints.is_complete(empty))

    def test_adapter_only_checkpoint_is_complete_in_both_formats(self):
        for step, adapter in ((10, "adapter_model.safetensors"), (20, "adapter_model.bin")):
            with self.subTest(adapter=adapter):
                path = lora_checkpoint(self.root, step, adapter=adapter)
                self.assertEqual(checkpoints.missing_parts(path), [])
        self.assertEqual(checkpoints.latest_checkpoint(self.root), os.path.join(self.root, "checkpoint-20"))

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
