"""scripts/update-dlc-catalog.py: the SDK table -> compact training catalog conversion, and the committed catalog."""

import importlib.util
import json
import os
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "update-dlc-catalog.py")
CATALOG = os.path.join(ROOT, "constructs", "Training", "Catalog", "huggingface-training-images.json")


def load_script():
    spec = importlib.util.spec_from_file_location("update_dlc_catalog", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Shaped like the SDK's image_uri_config/huggingface.json (two versions, one TensorFlow entry, an inference scope).
SDK_FIXTURE = {
    "training": {
        "processors": ["gpu"],
        "version_aliases": {"4.26": "4.26.0", "4.6": "4.6.1"},
        "versions": {
            "4.6.1": {
                "version_aliases": {"pytorch1.7": "pytorch1.7.1", "pytorch1.6": "pytorch1.6.0", "tensorflow2.4": "tensorflow2.4.1"},
                "pytorch1.7.1": {"py_versions": ["py36"], "registries": {"us-east-1": "763104351884", "cn-north-1": "727897471807"},
                                 "repository": "huggingface-pytorch-training", "container_version": {"gpu": "cu110-ubuntu18.04"}},
                "pytorch1.6.0": {"py_versions": ["py36"], "registries": {"us-east-1": "763104351884"},
                                 "repository": "huggingface-pytorch-training"},
                "tensorflow2.4.1": {"py_versions": ["py37"], "registries": {"us-east-1": "763104351884"},
                                    "repository": "huggingface-tensorflow-training", "container_version": {"gpu": "cu110-ubuntu18.04"}},
            },
            "4.26.0": {
                "version_aliases": {"pytorch1.13": "pytorch1.13.1"},
                "pytorch1.13.1": {"py_versions": ["py39"], "registries": {"us-east-1": "763104351884", "me-south-1": "217643126080"},
                                  "repository": "huggingface-pytorch-training", "container_version": {"gpu": "cu117-ubuntu20.04"}},
            },
        },
    },
    "inference": {"processors": ["gpu", "cpu"], "versions": {}},
}

SOURCE = {"repository": "aws/sagemaker-python-sdk", "path": "x/huggingface.json", "commit": "0" * 40, "license": "Apache-2.0"}


class ConvertTest(unittest.TestCase):
    def setUp(self):
        self.script = load_script()

    def test_keeps_pytorch_training_rows_sorted_and_drops_tensorflow(self):
        catalog = self.script.convert(SDK_FIXTURE, SOURCE)
        rows = [(i["transformers"], i["pytorch"]) for i in catalog["images"]]
        self.assertEqual([("4.6.1", "1.6.0"), ("4.6.1", "1.7.1"), ("4.26.0", "1.13.1")], rows)
        first = catalog["images"][1]
        self.assertEqual(["1.7"], first["pytorchAliases"])
        self.assertEqual(["py36"], first["pythonVersions"])
        self.assertEqual("cu110-ubuntu18.04", first["containerVersion"])
        self.assertEqual(["cn-north-1", "us-east-1"], first["regions"])
        # An entry without container_version keeps the SDK's default GPU suffix (image_uris.py v2.257.6, lines 693-694:
        # get_training_image_uri starts from "cu110-ubuntu18.04"; retrieve replaces it only when the entry names one).
        self.assertEqual("cu110-ubuntu18.04", catalog["images"][0]["containerVersion"])
        self.assertEqual({"cn-north-1": "727897471807", "me-south-1": "217643126080", "us-east-1": "763104351884"}, catalog["registries"])
        self.assertEqual({"4.6": "4.6.1", "4.26": "4.26.0"}, catalog["transformersAliases"])
        self.assertEqual(SOURCE, catalog["source"])

    def test_rejects_a_region_with_two_accounts(self):
        table = json.loads(json.dumps(SDK_FIXTURE))
        table["training"]["versions"]["4.26.0"]["pytorch1.13.1"]["registries"]["us-east-1"] = "111111111111"
        with self.assertRaisesRegex(ValueError, "us-east-1 maps to two accounts"):
            self.script.convert(table, SOURCE)

    def test_main_writes_stable_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            sdk = os.path.join(tmp, "huggingface.json")
            with open(sdk, "w", encoding="utf-8") as handle:
                json.dump(SDK_FIXTURE, handle)
            out1, out2 = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            for out in (out1, out2):
                self.assertEqual(0, self.script.main([sdk, "--commit", "0" * 40, "--output", out]))
            with open(out1, encoding="utf-8") as a, open(out2, encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read())


class CommittedCatalogTest(unittest.TestCase):
    def test_committed_catalog_is_in_the_scripts_rendering_and_names_its_source(self):
        script = load_script()
        with open(CATALOG, encoding="utf-8") as handle:
            text = handle.read()
        catalog = json.loads(text)
        self.assertEqual(script.render(catalog), text)
        self.assertEqual("aws/sagemaker-python-sdk", catalog["source"]["repository"])
        self.assertRegex(catalog["source"]["commit"], "^[0-9a-f]{40}$")
        for image in catalog["images"]:
            self.assertTrue(set(image["regions"]) <= set(catalog["registries"]), image)


if __name__ == "__main__":
    unittest.main()
