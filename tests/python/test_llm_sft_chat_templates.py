"""llm-sft loss mask on real chat templates (Phi-3, Qwen3, gpt-oss, DeepSeek-V3, Qwen2.5) rendered by jinja2 as
transformers renders them (chat_template_support.py names the sources).

Every assistant turn must be trained whatever the template renders for earlier turns, and a template whose generation
prompt is not the start of its rendered answer must stop the job with a message about the template. Expected trained
texts are written by hand from the templates.
"""
import unittest

from chat_template_support import renderer
from llm_sft_support import sft
from test_llm_sft_format import IGNORE, StandInTokenizer, conversation, trained_texts

chat_format = sft.chat_format


class TemplateTokenizer(StandInTokenizer):
    SPECIALS = StandInTokenizer.SPECIALS + (
        "<|end|>", "<|endoftext|>", "<|user|>", "<|assistant|>", "<|system|>", "<|im_start|>", "<|im_end|>",
        "<|start|>", "<|channel|>", "<|message|>", "<|return|>", "<|startoftext|>", "<think>", "</think>",
        "<｜User｜>", "<｜Assistant｜>", "<｜end▁of▁sentence｜>", "<｜begin▁of▁sentence｜>")


def build(name, conversations, max_seq_length=4096, render=None):
    tokenizer = TemplateTokenizer()
    examples, stats = chat_format.build_examples(conversations, render or renderer(name), max_seq_length,
                                                 encode=tokenizer.encode)
    return tokenizer, examples, stats


TWO_TURNS = conversation("Q1", "A1", "Q2", "A2")


class EveryAssistantTurnIsTrainedTests(unittest.TestCase):
    def test_qwen2_5_trains_both_turns_in_place(self):
        tokenizer, [example], stats = build("qwen2_5", [TWO_TURNS])
        self.assertEqual(trained_texts(tokenizer, example), ["A1<|im_end|>", "A2<|im_end|>"])
        self.assertEqual((stats.untrained_turns, stats.separate_turns), (0, 0))

    def test_phi3_earlier_turn_is_trained_up_to_its_end_marker(self):
        # Phi-3 appends eos_token to every rendering without a generation prompt, so the conversation rendered up to
        # the first answer ends in <|endoftext|>, which the whole conversation has only at its end
        tokenizer, [example], stats = build("phi3", [TWO_TURNS])
        self.assertEqual(trained_texts(tokenizer, example), ["A1<|end|>", "A2<|end|>\n<|endoftext|>"])
        self.assertEqual((stats.untrained_turns, stats.separate_turns), (0, 0))

    def test_gpt_oss_earlier_turn_is_trained_up_to_its_rewritten_end_marker(self):
        # gpt-oss ends the last answer with <|return|> (what the model writes) and rewrites earlier ones to end in
        # <|end|>: the earlier answer is trained without that marker
        tokenizer, [example], stats = build("gptoss", [TWO_TURNS])
        self.assertEqual(trained_texts(tokenizer, example), ["<|channel|>final<|message|>A1",
                                                              "<|channel|>final<|message|>A2<|return|>"])
        self.assertEqual(stats.untrained_turns, 0)

    def test_qwen3_earlier_turn_rendered_differently_becomes_an_example_of_its_own(self):
        # Qwen3's thinking template writes an (empty) <think> block only into answers after the last user message,
        # so the first answer reads differently in the whole conversation: it is trained in the conversation up to it
        tokenizer, examples, stats = build("qwen3", [TWO_TURNS])
        self.assertEqual(len(examples), 2)
        self.assertEqual(trained_texts(tokenizer, examples[0]), ["<think>\n\n</think>\n\nA2<|im_end|>"])
        self.assertEqual(trained_texts(tokenizer, examples[1]), ["<think>\n\n</think>\n\nA1<|im_end|>"])
        self.assertEqual(tokenizer.decode(examples[1].input_ids),
                         "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nA1<|im_end|>\n")
        self.assertEqual((stats.rows, stats.examples, stats.separate_turns, stats.untrained_turns), (1, 2, 1, 0))

    def test_three_turns_with_a_system_message(self):
        messages = conversation("Q1", "A1", "Q2", "A2", "Q3", "A3", system="Be brief.")
        tokenizer, [example], _ = build("phi3", [messages])
        self.assertEqual(trained_texts(tokenizer, example),
                         ["A1<|end|>", "A2<|end|>", "A3<|end|>\n<|endoftext|>"])
        prompt = tokenizer.decode([t for t, label in zip(example.input_ids, example.labels) if label == IGNORE])
        self.assertIn("<|system|>\nBe brief.<|end|>", prompt)


class TemplateProblemTests(unittest.TestCase):
    def test_generation_prompt_that_is_not_the_start_of_the_answer_names_the_template(self):
        # DeepSeek-V3/R1 style: the generation prompt ends in "<think>\n", a rendered answer does not
        with self.assertRaises(ValueError) as caught:
            build("deepseekv3", [TWO_TURNS, conversation("Q", "A")])
        message = str(caught.exception)
        self.assertIn("chat template", message)
        self.assertIn("generation prompt", message)
        self.assertIn("<think>", message)
        self.assertNotIn("raise max_seq_length", message)

    def test_rows_dropped_for_the_template_are_counted_apart_from_truncated_ones(self):
        deepseek, qwen = renderer("deepseekv3"), renderer("qwen2_5")

        def mixed(messages, add_generation_prompt):  # rows starting "odd" render with the broken template
            render = deepseek if messages[0]["content"].startswith("odd") else qwen
            return render(messages, add_generation_prompt)

        rows = [conversation("odd Q", "A"), conversation("Q", "A"), conversation(" ".join(["w"] * 80), "A")]
        _, examples, stats = build(None, rows, max_seq_length=40, render=mixed)
        self.assertEqual(len(examples), 1)
        self.assertEqual((stats.template_dropped, stats.dropped, stats.untrained_turns), (1, 1, 1))
        self.assertIn("1 without a trainable turn (chat template)", stats.describe())


class BoundaryTokenTests(unittest.TestCase):
    def test_tokens_straddling_an_answer_boundary_are_counted(self):
        def glued(messages, add_generation_prompt):  # "Answer:" directly followed by the answer: one stand-in token
            text = "".join(f"Q:{m['content']}\n" if m["role"] == "user" else f"Answer:{m['content']}\n"
                           for m in messages)
            return text + ("Answer:" if add_generation_prompt else "")

        tokenizer, [example], stats = build(None, [conversation("x", "Paris is big")], render=glued)
        self.assertEqual(trained_texts(tokenizer, example), [" is big"])  # "Answer:Paris" starts in the prompt
        self.assertEqual(stats.straddling_tokens, 1)


if __name__ == "__main__":
    unittest.main()
