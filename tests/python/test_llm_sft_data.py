"""llm-sft chat_data: instruction rows in JSON Lines, chat or instruction layout, with errors naming file and line."""
import json
import os
import tempfile
import unittest

from llm_sft_support import SAMPLE_DATA_DIR, sft

chat_data = sft.chat_data


def write_lines(directory, name, lines):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


class LayoutTests(unittest.TestCase):
    def test_instruction_row_becomes_user_and_assistant(self):
        self.assertEqual(chat_data.parse_record({"instruction": "Translate.", "input": "Hi", "response": "Hallo"}, "x"),
                         [{"role": "user", "content": "Translate.\n\nHi"}, {"role": "assistant", "content": "Hallo"}])

    def test_output_is_an_alias_of_response_and_empty_or_null_input_is_left_out(self):
        for extra in ({}, {"input": ""}, {"input": None}, {"input": "  "}):
            with self.subTest(**extra):
                self.assertEqual(chat_data.parse_record({"instruction": "Q?", "output": "A.", **extra}, "x"),
                                 [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}])

    def test_chat_row_is_kept_as_it_is(self):
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"},
                    {"role": "assistant", "content": "Goodbye"}]
        self.assertEqual(chat_data.parse_record({"messages": messages, "id": 7}, "x"), messages)


class RejectionTests(unittest.TestCase):
    def assert_rejected(self, record, *fragments):
        with self.assertRaises(ValueError) as caught:
            chat_data.parse_record(record, "train.jsonl line 3")
        message = str(caught.exception)
        self.assertTrue(message.startswith("train.jsonl line 3: "), message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_rows_of_neither_layout(self):
        self.assert_rejected({"prompt": "Q", "completion": "A"}, "expected", "'completion', 'prompt'")
        self.assert_rejected(["Q", "A"], "expected a JSON object")
        self.assert_rejected({"messages": [], "instruction": "Q", "response": "A"}, "either 'messages' or")

    def test_bad_instruction_rows(self):
        self.assert_rejected({"instruction": "", "response": "A"}, "'instruction' must be a non-empty string")
        self.assert_rejected({"instruction": "Q"}, "exactly one of 'response' or 'output'", "neither")
        self.assert_rejected({"instruction": "Q", "response": "A", "output": "B"}, "exactly one of")
        self.assert_rejected({"instruction": "Q", "response": "  "}, "'response' must be a non-empty string")
        self.assert_rejected({"instruction": "Q", "input": 3, "response": "A"}, "'input' must be a string")

    def test_bad_chat_rows(self):
        user = {"role": "user", "content": "Q"}
        self.assert_rejected({"messages": "Q"}, "'messages' must be a non-empty list")
        self.assert_rejected({"messages": [user]}, "no assistant message")
        self.assert_rejected({"messages": [user, {"role": "bot", "content": "A"}]},
                             "messages[1]", "'role' must be one of system, user, assistant; received 'bot'")
        self.assert_rejected({"messages": [user, {"role": "assistant", "content": None}]}, "'content' must be a string")
        self.assert_rejected({"messages": [user, {"role": "assistant", "content": " "}]}, "must not be empty")
        self.assert_rejected({"messages": [user, {"role": "system", "content": "S"},
                                           {"role": "assistant", "content": "A"}]}, "may only come first")
        self.assert_rejected({"messages": [{"role": "assistant", "content": "A"}, user]},
                             "first assistant message must follow a user message")


class ChannelTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_files_in_name_order_blank_lines_skipped_and_limit(self):
        write_lines(self.dir, "b.jsonl", [{"instruction": "B", "response": "b"}])
        write_lines(self.dir, "a.jsonl", [{"instruction": "A", "response": "a"}, "", "   ",
                                          {"messages": [{"role": "user", "content": "C"},
                                                        {"role": "assistant", "content": "c"}]}])
        write_lines(self.dir, "notes.txt", ["not data"])
        firsts = [rows[0]["content"] for rows in chat_data.load_channel(self.dir)]
        self.assertEqual(firsts, ["A", "C", "B"])
        self.assertEqual(len(chat_data.load_channel(self.dir, max_samples=2)), 2)

    def test_error_names_file_and_line(self):
        path = write_lines(self.dir, "train.jsonl", [{"instruction": "A", "response": "a"}, "{broken"])
        with self.assertRaisesRegex(ValueError, f"{path} line 2: not valid JSON"):
            chat_data.load_channel(self.dir)

    def test_empty_or_missing_channel(self):
        with self.assertRaisesRegex(ValueError, "holds no .jsonl or .json file"):
            chat_data.load_channel(self.dir)
        write_lines(self.dir, "train.jsonl", [""])
        with self.assertRaisesRegex(ValueError, "holds no conversation"):
            chat_data.load_channel(self.dir)
        with self.assertRaisesRegex(ValueError, "does not exist"):
            chat_data.load_channel(os.path.join(self.dir, "absent"))

    def test_limit_below_one_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "max_samples must be at least 1"):
            chat_data.load_channel(self.dir, max_samples=0)


class SampleDataTests(unittest.TestCase):
    """examples/data/llm-sft: the data the GPU end-to-end run trains on."""

    def test_both_files_load_and_hold_both_layouts(self):
        for name, at_least in (("train.jsonl", 24), ("validation.jsonl", 6)):
            with self.subTest(file=name):
                path = os.path.join(SAMPLE_DATA_DIR, name)
                conversations = chat_data.read_conversations(path)
                self.assertGreaterEqual(len(conversations), at_least)
                with open(path, encoding="utf-8") as handle:
                    records = [json.loads(line) for line in handle if line.strip()]
                layouts = {"messages" if "messages" in record else "instruction" for record in records}
                self.assertEqual(layouts, {"messages", "instruction"})
                self.assertTrue(any("output" in record for record in records), "the 'output' alias is exercised")
        train = chat_data.read_conversations(os.path.join(SAMPLE_DATA_DIR, "train.jsonl"))
        self.assertTrue(any(sum(m["role"] == "assistant" for m in c) > 1 for c in train), "a multi-turn row")
        self.assertTrue(any(c[0]["role"] == "system" for c in train), "a row with a system message")


if __name__ == "__main__":
    unittest.main()
