"""hf_recipe.model_source: the pretrained model from the 'model' channel (a directory or a model.tar.gz) or a name;
under torchrun every process resolves the model and an archive is extracted only once."""
import io
import json
import os
import tarfile
import tempfile
import threading
import time
import unittest
from unittest import mock

from hf_recipe_support import SCRIPTS_DIR, recipe_names
from hf_recipe import job_runtime, model_source, sm_contract


def write(path, text="{}"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def make_archive(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class ResolveModelPathTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.channel = os.path.join(self.root, "model")
        self.extract = os.path.join(self.root, "extracted")
        os.makedirs(self.channel)

    def test_without_channel_the_name_is_used(self):
        self.assertEqual(model_source.resolve_model_path("t5-small", None, self.extract), "t5-small")

    def test_the_channel_each_contract_names_in_ignored_with_channel_wins_over_that_hyperparameter(self):
        # hyperparameters.json's ignoredWithChannel is what PrepareRequest refuses a run's value for: the script must
        # really ignore the hyperparameter when the job has that channel.
        write(os.path.join(self.channel, "config.json"))
        found = 0
        for recipe in recipe_names():
            with open(os.path.join(SCRIPTS_DIR, recipe, "hyperparameters.json"), encoding="utf-8") as handle:
                entries = json.load(handle)["hyperparameters"]
            for name, entry in entries.items():
                if "ignoredWithChannel" in entry:
                    found += 1
                    self.assertEqual((name, entry["ignoredWithChannel"]), ("model_name_or_path", model_source.MODEL_CHANNEL))
                    self.assertEqual(model_source.resolve_model_path("some/other-model", self.channel, self.extract),
                                     self.channel)
        self.assertEqual(found, len(recipe_names()))

    def test_without_channel_or_name_the_error_says_what_to_set(self):
        with self.assertRaisesRegex(ValueError, "model_name_or_path.*'model' channel"):
            model_source.resolve_model_path("", None, self.extract)

    def test_channel_holding_a_saved_model_is_used_directly_over_the_name(self):
        write(os.path.join(self.channel, "config.json"))
        self.assertEqual(model_source.resolve_model_path("t5-small", self.channel, self.extract), self.channel)
        self.assertFalse(os.path.exists(self.extract))

    def test_archive_in_the_channel_is_extracted(self):
        make_archive(os.path.join(self.channel, "model.tar.gz"),
                     {"config.json": '{"model_type": "t5"}', "model.safetensors": "w"})
        path = model_source.resolve_model_path("t5-small", self.channel, self.extract)
        self.assertEqual(path, self.extract)
        with open(os.path.join(path, "config.json"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), '{"model_type": "t5"}')

    def test_archive_with_a_top_folder_resolves_to_that_folder(self):
        make_archive(os.path.join(self.channel, "model.tar.gz"), {"opus-mt/config.json": "{}"})
        path = model_source.resolve_model_path(None, self.channel, self.extract)
        self.assertEqual(path, os.path.join(self.extract, "opus-mt"))

    def test_second_call_reuses_the_extraction(self):
        archive = os.path.join(self.channel, "model.tar.gz")
        make_archive(archive, {"config.json": "{}"})
        model_source.resolve_model_path(None, self.channel, self.extract)
        os.remove(archive)
        make_archive(archive, {"other.txt": "x"})  # would fail if extracted again
        self.assertEqual(model_source.resolve_model_path(None, self.channel, self.extract), self.extract)

    def test_archive_without_config_is_rejected(self):
        make_archive(os.path.join(self.channel, "model.tar.gz"), {"weights.bin": "w"})
        with self.assertRaisesRegex(ValueError, "model.tar.gz.*config.json"):
            model_source.resolve_model_path(None, self.channel, self.extract)

    def test_archive_escaping_the_destination_is_rejected(self):
        make_archive(os.path.join(self.channel, "model.tar.gz"), {"../evil.txt": "x", "config.json": "{}"})
        with self.assertRaisesRegex(ValueError, "outside"):
            model_source.resolve_model_path(None, self.channel, self.extract)
        self.assertFalse(os.path.exists(os.path.join(self.root, "evil.txt")))

    def test_empty_channel_is_rejected_with_its_contents(self):
        write(os.path.join(self.channel, "notes.txt"))
        with self.assertRaisesRegex(ValueError, "exactly one.*notes.txt"):
            model_source.resolve_model_path("t5-small", self.channel, self.extract)


class ConcurrentExtractionTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.channel = os.path.join(self.root, "model")
        os.makedirs(self.channel)
        make_archive(os.path.join(self.channel, "model.tar.gz"), {"config.json": "{}", "model.safetensors": "w"})
        self.extract = os.path.join(self.root, "llm-sft-model")

    def test_eight_processes_at_once_extract_the_archive_once_and_all_get_the_model(self):
        extractions = []
        real_extract = model_source._safe_extract

        def slow_extract(archive, destination):
            extractions.append(destination)
            time.sleep(0.2)  # the others arrive while this one is still extracting
            real_extract(archive, destination)

        results, errors = [], []

        def resolve():
            try:
                results.append(model_source.resolve_model_path(None, self.channel, self.extract))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        with mock.patch.object(model_source, "_safe_extract", slow_extract):
            threads = [threading.Thread(target=resolve) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(extractions, [self.extract])
        self.assertEqual(results, [self.extract] * 8)
        self.assertTrue(os.path.isfile(os.path.join(self.extract, "model.safetensors")))

    def test_job_model_is_extracted_into_one_directory_per_host_not_per_process(self):
        context = sm_contract.read_context({"SM_CHANNEL_MODEL": self.channel})
        paths = set()
        with mock.patch.object(job_runtime.tempfile, "gettempdir", lambda: self.root):
            for rank in ("0", "1"):
                with mock.patch.dict(os.environ, {"LOCAL_RANK": rank}):
                    paths.add(job_runtime.resolve_job_model(None, context, "llm-sft", offline=True))
        self.assertEqual(paths, {os.path.join(self.root, "llm-sft-model")})


if __name__ == "__main__":
    unittest.main()
