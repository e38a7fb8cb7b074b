"""data: translation pairs from JSON Lines channel files."""
import json
import os
import tempfile
import unittest

from translation_support import SAMPLE_DATA_DIR
import data


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


class ReadPairsTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.path = os.path.join(self.root, "train.jsonl")

    def test_pairs_follow_the_language_hyperparameters(self):
        write_lines(self.path, [json.dumps({"translation": {"en": "Hello.", "de": "Hallo.", "fr": "Bonjour."}}),
                                "", json.dumps({"translation": {"en": "Yes.", "de": "Ja.", "fr": "Oui."}})])
        self.assertEqual(data.read_pairs(self.path, "en", "de"), [("Hello.", "Hallo."), ("Yes.", "Ja.")])
        self.assertEqual(data.read_pairs(self.path, "fr", "en"), [("Bonjour.", "Hello."), ("Oui.", "Yes.")])

    def test_missing_language_names_file_line_and_language(self):
        write_lines(self.path, [json.dumps({"translation": {"en": "a", "de": "b"}}),
                                json.dumps({"translation": {"en": "c", "fr": "d"}})])
        with self.assertRaises(ValueError) as caught:
            data.read_pairs(self.path, "en", "de")
        message = str(caught.exception)
        self.assertIn(f"{self.path} line 2", message)
        self.assertIn("'de'", message)

    def test_line_that_is_not_json_names_file_and_line(self):
        write_lines(self.path, ['{"translation": {"en": "a", "de": "b"}}', "{oops"])
        with self.assertRaisesRegex(ValueError, r"train\.jsonl line 2: not valid JSON"):
            data.read_pairs(self.path, "en", "de")

    def test_line_without_translation_object_is_rejected(self):
        write_lines(self.path, [json.dumps({"en": "a", "de": "b"})])
        with self.assertRaisesRegex(ValueError, "line 1: expected an object with a 'translation' object"):
            data.read_pairs(self.path, "en", "de")

    def test_non_string_text_is_rejected(self):
        write_lines(self.path, [json.dumps({"translation": {"en": "a", "de": 3}})])
        with self.assertRaisesRegex(ValueError, "line 1.*'de'"):
            data.read_pairs(self.path, "en", "de")


class LoadChannelTests(unittest.TestCase):
    def test_sample_data_files_load(self):
        train = data.read_pairs(os.path.join(SAMPLE_DATA_DIR, "train.jsonl"), "en", "de")
        validation = data.read_pairs(os.path.join(SAMPLE_DATA_DIR, "validation.jsonl"), "en", "de")
        self.assertEqual((len(train), len(validation)), (40, 10))
        self.assertEqual(train[0], ("The house is small.", "Das Haus ist klein."))

    def test_files_are_read_in_name_order_and_truncated(self):
        root = tempfile.mkdtemp()
        write_lines(os.path.join(root, "b.jsonl"), [json.dumps({"translation": {"en": "2", "de": "zwei"}})])
        write_lines(os.path.join(root, "a.json"), [json.dumps({"translation": {"en": "1", "de": "eins"}})])
        write_lines(os.path.join(root, "readme.txt"), ["not data"])
        self.assertEqual(data.load_channel(root, "en", "de"), [("1", "eins"), ("2", "zwei")])
        self.assertEqual(data.load_channel(root, "en", "de", max_samples=1), [("1", "eins")])

    def test_sample_limit_below_one_is_rejected_not_used_as_a_slice(self):
        root = tempfile.mkdtemp()
        write_lines(os.path.join(root, "a.jsonl"), [json.dumps({"translation": {"en": str(i), "de": str(i)}})
                                                    for i in range(3)])
        for limit in (0, -1):
            with self.subTest(limit=limit):
                with self.assertRaisesRegex(ValueError, f"max_samples must be at least 1.*received {limit}"):
                    data.load_channel(root, "en", "de", max_samples=limit)

    def test_channel_without_data_files_is_rejected(self):
        root = tempfile.mkdtemp()
        write_lines(os.path.join(root, "data.csv"), ["en,de"])
        with self.assertRaisesRegex(ValueError, "no .jsonl or .json file.*data.csv"):
            data.load_channel(root, "en", "de")

    def test_missing_channel_directory_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "does not exist"):
            data.load_channel(os.path.join(tempfile.mkdtemp(), "absent"), "en", "de")


if __name__ == "__main__":
    unittest.main()
