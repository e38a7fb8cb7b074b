"""llm-sft: what train.py does around the Trainer, with stand-ins for torch, transformers and peft where it calls
them: seeding before LoRA initialisation (runs repeat from the seed), QLoRA's frozen weights back in the compute dtype
(no float32 upcast), the attention implementation and the packing-isolation probe (packed examples kept apart, the
flash-attention variable-length path where exact), and the token-weighted evaluation loss."""
import sys
import types
import unittest
from unittest import mock

from llm_sft_support import sft

chat_format, sft_config = sft.chat_format, sft.sft_config
IGNORE = -100


class Dtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


FLOAT32, BFLOAT16, FLOAT16 = Dtype("float32"), Dtype("bfloat16"), Dtype("float16")


class Tensor:
    def __init__(self, dtype):
        self.dtype = dtype

    def to(self, dtype):
        return Tensor(dtype)


class Parameter:
    def __init__(self, dtype, kind="Parameter"):
        self.data = Tensor(dtype)
        self.kind = kind

    @property
    def dtype(self):
        return self.data.dtype


class Params4bit(Parameter):
    pass


class FakeModel:
    def __init__(self):
        self.config = types.SimpleNamespace(use_cache=True)
        self.parameters_by_name = {
            "model.embed_tokens.weight": Parameter(BFLOAT16), "model.layers.0.input_layernorm.weight": Parameter(BFLOAT16),
            "model.layers.0.self_attn.q_proj.weight": Params4bit(Dtype("uint8")), "lm_head.weight": Parameter(BFLOAT16),
            "model.layers.0.mlp.router.weight": Parameter(FLOAT32),  # kept in float32 by the model itself
        }

    def named_parameters(self):
        return list(self.parameters_by_name.items())

    def get_nb_trainable_parameters(self):
        return 1, 10


class PeftModelTests(unittest.TestCase):
    def run_peft_model(self, *argv):
        events = []
        model = FakeModel()

        def prepare(model, **kwargs):
            events.append("prepare_model_for_kbit_training")
            for parameter in model.parameters_by_name.values():  # peft/utils/other.py (v0.17.1) lines 151-156
                if parameter.dtype in (BFLOAT16, FLOAT16) and type(parameter).__name__ != "Params4bit":
                    parameter.data = parameter.data.to(FLOAT32)
            return model

        def get_peft_model(model, config):
            events.append("get_peft_model")
            return model

        fake_peft = types.SimpleNamespace(prepare_model_for_kbit_training=prepare, get_peft_model=get_peft_model,
                                          LoraConfig=lambda **kwargs: kwargs)
        fake_transformers = types.SimpleNamespace(set_seed=lambda seed: events.append(f"set_seed({seed})"))
        fake_torch = types.SimpleNamespace(float32=FLOAT32, bfloat16=BFLOAT16, float16=FLOAT16)
        precision = sft_config.Precision(True, False, "bfloat16", "test")
        with mock.patch.dict(sys.modules, {"peft": fake_peft, "transformers": fake_transformers, "torch": fake_torch}):
            with self.assertLogs("llm-sft", "INFO"):
                result = sft.train._peft_model(model, sft.args.parse_args(list(argv)), precision)
        return events, result

    def test_lora_weights_are_initialised_after_seeding(self):
        events, _ = self.run_peft_model("--seed", "123")
        self.assertEqual(events, ["set_seed(123)", "get_peft_model"])

    def test_qlora_puts_the_upcast_weights_back_in_the_compute_dtype(self):
        events, model = self.run_peft_model("--load_in_4bit", "True", "--seed", "5")
        self.assertEqual(events, ["set_seed(5)", "prepare_model_for_kbit_training", "get_peft_model"])
        dtypes = {name: parameter.dtype for name, parameter in model.named_parameters()}
        self.assertIs(dtypes["model.embed_tokens.weight"], BFLOAT16)
        self.assertIs(dtypes["lm_head.weight"], BFLOAT16)
        self.assertIs(dtypes["model.layers.0.input_layernorm.weight"], BFLOAT16)
        self.assertIs(dtypes["model.layers.0.mlp.router.weight"], FLOAT32)  # not upcast by peft: left alone
        self.assertEqual(dtypes["model.layers.0.self_attn.q_proj.weight"].name, "uint8")


class AttentionChoiceTests(unittest.TestCase):
    choose = staticmethod(sft_config.attention_implementation)
    bf16 = sft_config.Precision(True, False, "bfloat16", "test")
    cpu = sft_config.Precision(False, False, "float32", "test")

    def test_auto_prefers_flash_attention_varlen_for_packing_where_installed(self):
        self.assertEqual(self.choose("auto", True, True, self.bf16)[:2], ("flash_attention_2", True))
        self.assertEqual(self.choose("auto", True, False, self.bf16)[:2], ("sdpa", False))
        self.assertEqual(self.choose("auto", False, True, self.bf16)[:2], ("sdpa", False))
        self.assertEqual(self.choose("auto", True, True, self.cpu)[:2], ("sdpa", False))

    def test_explicit_choices(self):
        self.assertEqual(self.choose("eager", True, True, self.bf16)[:2], ("eager", False))
        self.assertEqual(self.choose("flash_attention_2", True, True, self.bf16)[:2], ("flash_attention_2", True))
        self.assertEqual(self.choose("flash_attention_2", False, True, self.bf16)[:2], ("flash_attention_2", False))
        with self.assertRaisesRegex(ValueError, "attn_implementation=flash_attention_2 needs the flash_attn package"):
            self.choose("flash_attention_2", True, False, self.bf16)
        with self.assertRaisesRegex(ValueError, "flash_attention_2 computes in bfloat16 or float16"):
            self.choose("flash_attention_2", True, True, self.cpu)


class PackingProbeTests(unittest.TestCase):
    def test_probe_rows_pack_two_examples_and_leave_a_padded_tail(self):
        rows = chat_format.isolation_probe_rows([5, 6, 7], [8, 9], [10, 11, 12, 13, 14, 15])
        batch = chat_format.pad_batch(rows, pad_token_id=0)
        self.assertEqual(batch["input_ids"], [[5, 6, 7, 8, 9, 0], [10, 11, 12, 13, 14, 15]])
        self.assertEqual(batch["position_ids"], [[0, 1, 2, 0, 1, 0], [0, 1, 2, 3, 4, 5]])
        self.assertNotIn("attention_mask", batch)

    def test_flattened_batch_is_one_row_with_restarting_positions(self):
        rows = chat_format.isolation_probe_rows([5, 6, 7], [8, 9], [10, 11])
        batch = chat_format.flatten_batch(rows, pad_token_id=0, pad_to_multiple_of=4)
        self.assertEqual(batch["input_ids"], [[5, 6, 7, 8, 9, 10, 11, 0]])
        self.assertEqual(batch["position_ids"], [[0, 1, 2, 0, 1, 0, 1, 0]])
        self.assertEqual(batch["labels"], [[IGNORE] * 8])
        self.assertNotIn("attention_mask", batch)

    def test_verdict(self):
        self.assertTrue(sft_config.isolation_holds(0.0, 12.0))
        self.assertTrue(sft_config.isolation_holds(1e-4, 12.0))
        self.assertFalse(sft_config.isolation_holds(0.5, 12.0))
        self.assertFalse(sft_config.isolation_holds(float("nan"), 12.0))


class TokenWeightedLossTests(unittest.TestCase):
    def test_loss_is_the_token_mean_not_the_mean_of_batch_means(self):
        # rows (loss sum, tokens): batch 1 = one row of 10 tokens at mean 1.0; batch 2 = two rows of 1 token at 4.0
        # batch-weighted (the Trainer's eval_loss): (1 * 1.0 + 2 * 4.0) / 3 = 3.0; token-weighted: 18 / 12 = 1.5
        metrics = sft_config.token_weighted_loss([[10.0, 10.0], [4.0, 1.0], [4.0, 1.0]])
        self.assertEqual(metrics, {"token_loss": 1.5, "loss_tokens": 12})

    def test_eval_loss_and_perplexity_become_token_weighted(self):
        logs = {"eval_loss": 3.0, "eval_token_loss": 1.5, "eval_loss_tokens": 12, "eval_runtime": 2.0, "epoch": 1.0}
        metrics = sft_config.use_token_weighted_loss(logs)
        self.assertEqual(metrics["eval_loss"], 1.5)
        self.assertAlmostEqual(metrics["eval_perplexity"], 4.4816890703380645)
        self.assertNotIn("eval_token_loss", metrics)
        self.assertEqual(metrics["eval_loss_tokens"], 12)
        line = sft.metrics_log.format_metric_line(sft_config.trainer_logs_to_metrics(logs))
        self.assertIn(" eval_loss=1.5 ", line)


if __name__ == "__main__":
    unittest.main()
