"""scripts/update-dlc-catalog.py: the SDK tables -> compact training, inference and LLM catalogs, and the committed catalogs."""

import importlib.util
import json
import os
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "update-dlc-catalog.py")
CATALOG_DIR = os.path.join(ROOT, "constructs", "Training", "Catalog")
CATALOG = os.path.join(CATALOG_DIR, "huggingface-training-images.json")
INFERENCE_CATALOG = os.path.join(CATALOG_DIR, "huggingface-inference-images.json")
LLM_CATALOG = os.path.join(CATALOG_DIR, "huggingface-llm-images.json")


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
    "inference": {
        "processors": ["gpu", "cpu"],
        "version_aliases": {"4.37": "4.37.0", "4.6": "4.6.1"},
        "versions": {
            "4.6.1": {
                "version_aliases": {"pytorch1.7": "pytorch1.7.1", "tensorflow2.4": "tensorflow2.4.1"},
                "pytorch1.8.1": {"py_versions": ["py36"], "registries": {"us-east-1": "763104351884"},
                                 "repository": "huggingface-pytorch-inference",
                                 "container_version": {"gpu": "cu111-ubuntu18.04", "cpu": "ubuntu18.04"}},
                "pytorch1.7.1": {"py_versions": ["py36"], "registries": {"us-east-1": "763104351884", "cn-north-1": "727897471807"},
                                 "repository": "huggingface-pytorch-inference",
                                 "container_version": {"gpu": "cu110-ubuntu18.04", "cpu": "ubuntu18.04"}},
                "tensorflow2.4.1": {"py_versions": ["py37"], "registries": {"us-east-1": "763104351884"},
                                    "repository": "huggingface-tensorflow-inference",
                                    "container_version": {"gpu": "cu110-ubuntu18.04", "cpu": "ubuntu18.04"}},
            },
            "4.37.0": {
                "version_aliases": {"pytorch2.1": "pytorch2.1.0"},
                "pytorch2.1.0": {"py_versions": ["py310"], "registries": {"us-east-1": "763104351884"},
                                 "repository": "huggingface-pytorch-inference",
                                 "container_version": {"gpu": "cu118-ubuntu20.04", "cpu": "ubuntu22.04"}},
            },
        },
    },
}

# Shaped like the SDK's image_uri_config/huggingface-llm.json: versions in file order, the last one not the greatest.
LLM_FIXTURE = {
    "inference": {
        "processors": ["gpu"],
        "version_aliases": {"3.3": "3.3.6", "0.6": "0.6.0"},
        "versions": {
            "0.6.0": {"py_versions": ["py39"], "registries": {"us-east-1": "763104351884"}, "tag_prefix": "2.0.0-tgi0.6.0",
                      "repository": "huggingface-pytorch-tgi-inference", "container_version": {"gpu": "cu118-ubuntu20.04"}},
            "3.3.6": {"py_versions": ["py311"], "registries": {"us-east-1": "763104351884", "us-isof-east-1": "303241398832"},
                      "tag_prefix": "2.7.0-tgi3.3.6", "repository": "huggingface-pytorch-tgi-inference",
                      "container_version": {"gpu": "cu124-ubuntu22.04"}},
            "3.3.4": {"py_versions": ["py311"], "registries": {"us-east-1": "763104351884"}, "tag_prefix": "2.7.0-tgi3.3.4",
                      "repository": "huggingface-pytorch-tgi-inference", "container_version": {"gpu": "cu124-ubuntu22.04"}},
        },
    },
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

    def test_inference_keeps_pytorch_rows_with_both_container_versions(self):
        catalog = self.script.convert_inference(SDK_FIXTURE, SOURCE)
        rows = [(i["transformers"], i["pytorch"]) for i in catalog["images"]]
        self.assertEqual([("4.6.1", "1.7.1"), ("4.6.1", "1.8.1"), ("4.37.0", "2.1.0")], rows)
        self.assertEqual("huggingface-pytorch-inference", catalog["repository"])
        self.assertEqual(["gpu", "cpu"], catalog["processors"])
        self.assertEqual(["1.7"], catalog["images"][0]["pytorchAliases"])
        self.assertEqual([], catalog["images"][1]["pytorchAliases"])
        # The CPU and GPU suffixes differ (4.37.0: Ubuntu 20.04 on GPU, 22.04 on CPU): both are kept.
        self.assertEqual({"gpu": "cu118-ubuntu20.04", "cpu": "ubuntu22.04"}, catalog["images"][2]["containerVersions"])
        self.assertEqual({"cn-north-1": "727897471807", "us-east-1": "763104351884"}, catalog["registries"])
        self.assertEqual({"4.6": "4.6.1", "4.37": "4.37.0"}, catalog["transformersAliases"])

    def test_inference_rejects_an_entry_without_a_cpu_container_version(self):
        table = json.loads(json.dumps(SDK_FIXTURE))
        del table["inference"]["versions"]["4.37.0"]["pytorch2.1.0"]["container_version"]["cpu"]
        with self.assertRaisesRegex(ValueError, "container versions for \\['gpu'\\], expected gpu and cpu"):
            self.script.convert_inference(table, SOURCE)

    def test_llm_default_is_the_greater_of_the_first_and_last_versions_in_file_order(self):
        # image_uris.py _fetch_latest_version_from_config (v2.257.6, lines 799-814): 3.3.4 is last, so 3.3.6 is not
        # picked although it is the greatest.
        catalog = self.script.convert_llm(LLM_FIXTURE, SOURCE)
        self.assertEqual("3.3.4", catalog["defaultVersion"])
        self.assertEqual(["0.6.0", "3.3.4", "3.3.6"], [i["version"] for i in catalog["images"]])
        self.assertEqual({"version": "3.3.6", "tagPrefix": "2.7.0-tgi3.3.6", "pythonVersion": "py311",
                          "containerVersion": "cu124-ubuntu22.04", "regions": ["us-east-1", "us-isof-east-1"]},
                         catalog["images"][2])
        self.assertEqual({"0.6": "0.6.0", "3.3": "3.3.6"}, catalog["versionAliases"])
        self.assertEqual("3.3.6", self.script.sdk_default_version(["0.6.0", "3.3.6"]))
        self.assertEqual("0.6.0", self.script.sdk_default_version(["0.6.0"]))

    def test_llm_rejects_a_version_with_two_python_versions(self):
        table = json.loads(json.dumps(LLM_FIXTURE))
        table["inference"]["versions"]["0.6.0"]["py_versions"] = ["py39", "py310"]
        with self.assertRaisesRegex(ValueError, "LLM version 0.6.0 has py_versions"):
            self.script.convert_llm(table, SOURCE)

    def test_main_writes_stable_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            sdk, llm = os.path.join(tmp, "huggingface.json"), os.path.join(tmp, "huggingface-llm.json")
            with open(sdk, "w", encoding="utf-8") as handle:
                json.dump(SDK_FIXTURE, handle)
            with open(llm, "w", encoding="utf-8") as handle:
                json.dump(LLM_FIXTURE, handle)
            runs = []
            for run in ("a", "b"):
                outs = [os.path.join(tmp, f"{run}-{kind}.json") for kind in ("training", "inference", "llm")]
                self.assertEqual(0, self.script.main([sdk, llm, "--commit", "0" * 40, "--output", outs[0],
                                                      "--inference-output", outs[1], "--llm-output", outs[2]]))
                texts = []
                for out in outs:
                    with open(out, encoding="utf-8") as handle:
                        texts.append(handle.read())
                runs.append(texts)
            self.assertEqual(runs[0], runs[1])
            self.assertEqual("src/sagemaker/image_uri_config/huggingface-llm.json", json.loads(runs[0][2])["source"]["path"])


class CommittedCatalogTest(unittest.TestCase):
    def read(self, path):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return text, json.loads(text)

    def test_committed_catalogs_are_in_the_scripts_rendering_and_name_their_source(self):
        script = load_script()
        commits = set()
        for path, sdk_file in ((CATALOG, "huggingface.json"), (INFERENCE_CATALOG, "huggingface.json"),
                               (LLM_CATALOG, "huggingface-llm.json")):
            with self.subTest(catalog=os.path.basename(path)):
                text, catalog = self.read(path)
                self.assertEqual(script.render(catalog), text)
                self.assertEqual("aws/sagemaker-python-sdk", catalog["source"]["repository"])
                self.assertEqual("src/sagemaker/image_uri_config/" + sdk_file, catalog["source"]["path"])
                self.assertRegex(catalog["source"]["commit"], "^[0-9a-f]{40}$")
                commits.add(catalog["source"]["commit"])
                for image in catalog["images"]:
                    self.assertTrue(set(image["regions"]) <= set(catalog["registries"]), image)
        # One refresh writes all three: they come from one SDK commit.
        self.assertEqual(1, len(commits), commits)

    def test_committed_llm_catalog_default_and_aliases_name_catalog_versions(self):
        script = load_script()
        _, catalog = self.read(LLM_CATALOG)
        versions = [i["version"] for i in catalog["images"]]
        self.assertIn(catalog["defaultVersion"], versions)
        self.assertTrue(set(catalog["versionAliases"].values()) <= set(versions))
        # The catalog keeps versions sorted, not in the SDK's file order, so the default cannot be recomputed from it;
        # it must at least be one the SDK rule can return (the first or last of some order of these versions).
        self.assertEqual(catalog["defaultVersion"], script.sdk_default_version([versions[0], catalog["defaultVersion"]]))

    def test_committed_inference_catalog_aliases_name_catalog_versions(self):
        _, catalog = self.read(INFERENCE_CATALOG)
        transformers = {i["transformers"] for i in catalog["images"]}
        self.assertTrue(set(catalog["transformersAliases"].values()) <= transformers)
        for image in catalog["images"]:
            self.assertEqual(["cpu", "gpu"], sorted(image["containerVersions"]), image)


if __name__ == "__main__":
    unittest.main()
