"""llm-sft model channel: under torchrun every process resolves the model, and an archive is extracted only once.

model_source.py and job_runtime.py are the same files as translation's (test_recipe_shared_modules.py); translation's
tests cover the channel layouts, these the concurrency torchrun brings (one process per GPU, all starting at once).
"""
import os
import tempfile
import threading
import time
import unittest
from unittest import mock

from llm_sft_support import sft
from test_translation_model_source import make_archive

model_source = sft.model_source


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
        context = sft.sm_contract.read_context({"SM_CHANNEL_MODEL": self.channel})
        paths = set()
        with mock.patch.object(sft.job_runtime.tempfile, "gettempdir", lambda: self.root):
            for rank in ("0", "1"):
                with mock.patch.dict(os.environ, {"LOCAL_RANK": rank}):
                    paths.add(sft.job_runtime.resolve_job_model(None, context, "llm-sft", offline=True))
        self.assertEqual(paths, {os.path.join(self.root, "llm-sft-model")})


if __name__ == "__main__":
    unittest.main()
