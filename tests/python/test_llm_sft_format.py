"""llm-sft chat_format: chat template, response-only loss mask, truncation, packing and padding.

The tokenizer is a hand-written stand-in: special tokens whole, otherwise the GPT-2 / Llama-3 pre-tokenizer shape
(a word with at most one leading space, other white space on its own), ids handed out as tokens are first seen, and
each token's character offsets, like a fast tokenizer's ``return_offsets_mapping``. Expected trained texts are
written by hand from the templates, not computed by the code under test.
"""
import re
import unittest

from llm_sft_support import sft

chat_format = sft.chat_format
IGNORE = -100


class StandInTokenizer:
    SPECIALS = ("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<s>", "</s>",
                "[INST]", "[/INST]")

    def __init__(self):
        self.pattern = re.compile("|".join(re.escape(token) for token in self.SPECIALS)
                                  + r"| ?[^\s<\[]+| ?[<\[]|\s+(?!\S)|\s+")
        self.vocab = {}
        self.tokens = []

    def _id(self, token):
        if token not in self.vocab:
            self.vocab[token] = len(self.tokens)
            self.tokens.append(token)
        return self.vocab[token]

    def encode(self, text):
        matches = list(self.pattern.finditer(text))
        assert "".join(m.group(0) for m in matches) == text, "the stand-in must cover the text"
        return [self._id(m.group(0)) for m in matches], [m.span() for m in matches]

    def encode_plain(self, text):
        return self.encode(text)[0]

    def decode(self, ids):
        return "".join(self.tokens[i] for i in ids)


def llama3_render(messages, add_generation_prompt):
    text = "<|begin_of_text|>"
    for message in messages:
        text += f"<|start_header_id|>{message['role']}<|end_header_id|>\n\n{message['content']}<|eot_id|>"
    if add_generation_prompt:
        text += "<|start_header_id|>assistant<|end_header_id|>\n\n"
    return text


def mistral_render(messages, add_generation_prompt):  # no generation prompt of its own: the [/INST] ends the prompt
    text = "<s>"
    for message in messages:
        if message["role"] == "user":
            text += f"[INST] {message['content']} [/INST]"
        else:
            text += f" {message['content']}</s>"
    return text


def rewriting_render(messages, add_generation_prompt):
    """Like templates that drop the reasoning of earlier answers: only the last message keeps its assistant text."""
    text = ""
    for index, message in enumerate(messages):
        content = message["content"]
        if message["role"] == "assistant" and index != len(messages) - 1:
            content = "(earlier answer)"
        text += f"<|start_header_id|>{message['role']}<|end_header_id|>{content}<|eot_id|>"
    if add_generation_prompt:
        text += "<|start_header_id|>assistant<|end_header_id|>"
    return text


def conversation(*turns, system=None):
    messages = [{"role": "system", "content": system}] if system else []
    for index, content in enumerate(turns):
        messages.append({"role": "user" if index % 2 == 0 else "assistant", "content": content})
    return messages


def trained_texts(tokenizer, example):
    """The runs of trained tokens, decoded."""
    runs, current = [], []
    for token, label in zip(example.input_ids, example.labels):
        if label == IGNORE:
            if current:
                runs.append(current)
                current = []
        else:
            assert label == token, "a trained token's label is its own id"
            current.append(token)
    if current:
        runs.append(current)
    return [tokenizer.decode(run) for run in runs]


class ResponseMaskTests(unittest.TestCase):
    def build(self, conversations, render=llama3_render, max_seq_length=512, offsets=True):
        tokenizer = StandInTokenizer()
        kwargs = {"encode": tokenizer.encode} if offsets else {"encode_plain": tokenizer.encode_plain}
        examples, stats = chat_format.build_examples(conversations, render, max_seq_length, **kwargs)
        return tokenizer, examples, stats

    def test_single_turn_trains_the_answer_and_the_end_of_turn_token_only(self):
        tokenizer, [example], stats = self.build([conversation("What is the capital of France?", "Paris.")])
        self.assertEqual(trained_texts(tokenizer, example), ["Paris.<|eot_id|>"])
        self.assertEqual(tokenizer.decode(example.input_ids), llama3_render(
            conversation("What is the capital of France?", "Paris."), False))
        self.assertEqual((stats.rows, stats.examples, stats.dropped, stats.untrained_turns), (1, 1, 0, 0))
        self.assertEqual(stats.trained_tokens, 2)

    def test_multi_turn_with_system_trains_every_answer_and_nothing_else(self):
        messages = conversation("Hi", "Hello there.", "Add 2 and 3.", "2 plus 3 is 5.", system="Be brief.")
        tokenizer, [example], _ = self.build([messages])
        self.assertEqual(trained_texts(tokenizer, example), ["Hello there.<|eot_id|>", "2 plus 3 is 5.<|eot_id|>"])
        prompt_text = tokenizer.decode([t for t, l in zip(example.input_ids, example.labels) if l == IGNORE])
        for text in ("Be brief.", "Hi", "Add 2 and 3.", "assistant<|end_header_id|>"):
            self.assertIn(text, prompt_text)

    def test_leading_space_token_of_an_answer_is_trained(self):
        # Mistral-style: the answer token " Paris." starts with the space right after [/INST]
        tokenizer, [example], _ = self.build([conversation("Capital?", "Paris.")], render=mistral_render)
        self.assertEqual(trained_texts(tokenizer, example), [" Paris.</s>"])

    def test_template_that_rewrites_earlier_turns_trains_them_in_an_example_of_their_own(self):
        messages = conversation("Q1", "first answer", "Q2", "second answer")
        tokenizer, [example, earlier], stats = self.build([messages], render=rewriting_render)
        self.assertEqual(trained_texts(tokenizer, example), ["second answer<|eot_id|>"])
        self.assertEqual(trained_texts(tokenizer, earlier), ["first answer<|eot_id|>"])
        self.assertEqual(tokenizer.decode(earlier.input_ids), rewriting_render(messages[:2], False))
        self.assertEqual((stats.untrained_turns, stats.separate_turns), (0, 1))

    def test_pieces_path_without_offsets_gives_the_same_labels_here(self):
        messages = [conversation("Hi", "Hello there.", "More?", "Yes, more.", system="Be brief.")]
        tokenizer_a, [with_offsets], _ = self.build(messages)
        tokenizer_b, [by_pieces], _ = self.build(messages, offsets=False)
        self.assertEqual(trained_texts(tokenizer_a, with_offsets), trained_texts(tokenizer_b, by_pieces))
        self.assertEqual(tokenizer_a.decode(with_offsets.input_ids), tokenizer_b.decode(by_pieces.input_ids))

    def test_truncation_keeps_the_start_of_the_answer(self):
        # by hand: 13 prompt tokens (BOS, header, user, header end, 2 newlines, Q, eot, header, assistant, header end,
        # 2 newlines), then "one", " two": 15 tokens
        tokenizer, [example], stats = self.build([conversation("Q", "one two three four")], max_seq_length=15)
        self.assertEqual(len(example.input_ids), 15)
        self.assertEqual(trained_texts(tokenizer, example), ["one two"])
        self.assertEqual(stats.truncated, 1)

    def test_row_whose_answer_is_cut_off_entirely_is_dropped(self):
        long_prompt = " ".join(["word"] * 40)
        tokenizer, examples, stats = self.build([conversation(long_prompt, "A."), conversation("Q", "A.")],
                                                max_seq_length=20)
        self.assertEqual(len(examples), 1)
        self.assertEqual((stats.dropped, stats.dropped_rows), (1, [0]))
        self.assertEqual(trained_texts(tokenizer, examples[0]), ["A.<|eot_id|>"])

    def test_every_row_dropped_is_an_error_naming_max_seq_length(self):
        with self.assertRaisesRegex(ValueError, "max_seq_length=16.*raise max_seq_length"):
            self.build([conversation(" ".join(["word"] * 40), "A.")], max_seq_length=16)

    def test_template_that_refuses_a_conversation_is_one_clear_error(self):
        def no_system(messages, add_generation_prompt):  # like templates that raise_exception() on a system role
            if any(message["role"] == "system" for message in messages):
                raise RuntimeError("System role not supported")
            return llama3_render(messages, add_generation_prompt)

        with self.assertRaisesRegex(ValueError, "row 2 of the data: the model's chat template refused the "
                                                "conversation \\(RuntimeError: System role not supported\\)"):
            self.build([conversation("Q", "A"), conversation("Q", "A", system="S")], render=no_system)

    def test_token_flags_by_first_character(self):
        flags = chat_format.response_token_flags([(0, 3), (3, 5), (5, 9), (9, 12), (12, 14)], [(3, 9), (12, 20)])
        self.assertEqual(flags, [False, True, True, False, True])
        self.assertEqual(chat_format.response_token_flags([(0, 1)], []), [False])


class FallbackTemplateTests(unittest.TestCase):
    """The template used when the tokenizer has none, rendered the way transformers renders chat templates:
    jinja2's ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, the tokenizer's special tokens as
    variables (transformers src/transformers/utils/chat_template_utils.py, _compile_jinja_template and
    render_jinja_template)."""

    def render(self, messages, add_generation_prompt, **tokens):
        from chat_template_support import renderer  # noqa: PLC0415 - needs jinja2 (installed by scripts/test.sh)
        tokens = tokens or {"bos_token": "<s>", "eos_token": "</s>"}
        return renderer(text=chat_format.FALLBACK_CHAT_TEMPLATE, **tokens)(messages, add_generation_prompt)

    def test_rendering(self):
        messages = conversation("Translate: Hi", "Hallo", system="You translate.")
        self.assertEqual(self.render(messages, False),
                         "<s>You translate.\n\n### Instruction:\nTranslate: Hi\n\n### Response:\nHallo</s>\n\n")
        self.assertEqual(self.render(messages[:2], True),
                         "<s>You translate.\n\n### Instruction:\nTranslate: Hi\n\n### Response:\n")
        self.assertEqual(self.render(conversation("Q", "A"), False, eos_token="<|endoftext|>"),
                         "### Instruction:\nQ\n\n### Response:\nA<|endoftext|>\n\n")

    def test_answer_and_eos_are_trained_not_the_blank_lines_after_them(self):
        messages = conversation("Q one", "A one", "Q two", "A two")
        text, spans, untrained = chat_format.response_spans(messages, self.render)
        self.assertEqual([text[start:end] for start, end in spans], ["A one</s>", "A two</s>"])
        self.assertEqual(untrained, 0)


class PackingTests(unittest.TestCase):
    def example(self, size, first_id):
        ids = list(range(first_id, first_id + size))
        return chat_format.Example(ids, [IGNORE] + ids[1:])  # all but the first token trained

    def test_best_fit_fills_rows_without_splitting_examples(self):
        sizes = [6, 5, 4, 3, 2]
        examples = [self.example(size, 100 * (index + 1)) for index, size in enumerate(sizes)]
        rows = chat_format.pack_examples(examples, max_seq_length=10)
        # by hand: longest first, each into the fullest row it fits -> [6, 4] and [5, 3, 2]
        self.assertEqual([len(row["input_ids"]) for row in rows], [10, 10])
        self.assertEqual(rows[0]["input_ids"], list(range(100, 106)) + list(range(300, 304)))
        self.assertEqual(rows[1]["position_ids"], [0, 1, 2, 3, 4, 0, 1, 2, 0, 1])
        packed = sorted(tuple(row["input_ids"][i:j]) for row in rows
                        for i, j in zip(*self.boundaries(row["position_ids"])))
        self.assertEqual(packed, sorted(tuple(e.input_ids) for e in examples))

    @staticmethod
    def boundaries(position_ids):
        starts = [i for i, p in enumerate(position_ids) if p == 0]
        return starts, starts[1:] + [len(position_ids)]

    def test_first_label_of_every_packed_example_is_ignored(self):
        a = chat_format.Example([1, 2, 3], [1, 2, 3])
        b = chat_format.Example([4, 5], [4, 5])
        [row] = chat_format.pack_examples([a, b], max_seq_length=8)
        self.assertEqual(row["labels"], [IGNORE, 2, 3, IGNORE, 5])

    def test_example_longer_than_a_row_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "longer than max_seq_length=4"):
            chat_format.pack_examples([self.example(5, 0)], max_seq_length=4)


class PaddingTests(unittest.TestCase):
    def test_padding_mode_masks_padding_but_keeps_a_real_eos_that_is_also_the_pad_token(self):
        eos = 2
        rows = chat_format.example_rows([chat_format.Example([1, 7, 8, eos], [IGNORE, 7, 8, eos]),
                                         chat_format.Example([1, 9, eos], [IGNORE, 9, eos])])
        batch = chat_format.pad_batch(rows, pad_token_id=eos, pad_to_multiple_of=8)
        self.assertEqual(batch["input_ids"], [[1, 7, 8, 2, 2, 2, 2, 2], [1, 9, 2, 2, 2, 2, 2, 2]])
        self.assertEqual(batch["labels"], [[IGNORE, 7, 8, 2] + [IGNORE] * 4, [IGNORE, 9, 2] + [IGNORE] * 5])
        self.assertEqual(batch["attention_mask"], [[1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]])
        self.assertNotIn("position_ids", batch)

    def test_packed_rows_get_position_ids_and_no_attention_mask(self):
        rows = [{"input_ids": [5, 6, 7], "labels": [IGNORE, 6, 7], "position_ids": [0, 1, 0]},
                {"input_ids": [8], "labels": [IGNORE], "position_ids": [0]}]
        batch = chat_format.pad_batch(rows, pad_token_id=0)
        self.assertEqual(batch["position_ids"], [[0, 1, 0], [0, 0, 1]])  # padding restarts: a sequence of its own
        self.assertEqual(batch["labels"], [[IGNORE, 6, 7], [IGNORE, IGNORE, IGNORE]])
        self.assertNotIn("attention_mask", batch)

    def test_empty_batch_is_an_error(self):
        with self.assertRaises(ValueError):
            chat_format.pad_batch([], pad_token_id=0)


if __name__ == "__main__":
    unittest.main()
