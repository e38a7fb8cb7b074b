"""scripts/update-instance-type-catalog.py: the committed catalog is what the committed sources produce, and the
generator stops on every disagreement between AWS's facts and the SageMaker Python SDK that is not listed."""

import copy
import json
import os
import unittest

import repo_scripts

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOG = os.path.join(ROOT, "constructs", "Training", "Catalog", "instance-types.json")


def load_script():
    return repo_scripts.load_script("update-instance-type-catalog.py")


class CommittedCatalogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.script = load_script()
        cls.inputs = cls.script.load_inputs()
        with open(CATALOG, encoding="utf-8") as handle:
            cls.text = handle.read()
        cls.types = {e["name"]: e for e in json.loads(cls.text)["instanceTypes"]}

    def test_committed_catalog_is_what_the_committed_sources_generate(self):
        # Fails when the botocore model, the SDK file or the transcription changed without a regeneration.
        self.assertEqual(self.script.render(self.script.convert(*self.inputs)), self.text,
                         "run: python3 scripts/update-instance-type-catalog.py")

    def test_every_name_of_the_three_api_enums_is_listed_with_its_enums(self):
        model = self.inputs[0]
        for short, shape in (("training", "TrainingInstanceType"), ("realtime", "ProductionVariantInstanceType"),
                             ("transform", "TransformInstanceType")):
            names = model["shapes"][shape]["enum"]
            self.assertGreater(len(names), 50)
            for name in names:
                self.assertIn(short, self.types[name]["apis"], name)

    def test_gpu_training_types_are_training_types_with_every_gpu_fact(self):
        training = [e for e in self.types.values() if e.get("gpuTraining")]
        self.assertEqual(41, len(training))
        for entry in training:
            self.assertIn("training", entry["apis"], entry["name"])
            for key in ("localStorage", "gpus", "gpuMemoryGiB", "efa"):
                self.assertIn(key, entry, entry["name"])

    def test_gpu_counts_agree_with_the_sdk_wherever_it_lists_the_type(self):
        sdk = self.script.sdk_gpu_info(self.inputs[1])
        checked = 0
        for name, info in sdk.items():
            if name in self.types and self.types[name].get("gpuTraining"):
                self.assertEqual(info["Count"], self.types[name]["gpus"], name)
                checked += 1
        self.assertGreaterEqual(checked, 20)

    def test_local_storage_decides_the_volume_key_as_aws_documents_it(self):
        # botocore ResourceConfig.VolumeKmsKeyId: no volume key on types with local storage.
        self.assertFalse(self.types["ml.p3.2xlarge"]["localStorage"])
        self.assertTrue(self.types["ml.g5.xlarge"]["localStorage"])
        self.assertTrue(self.types["ml.p6-b200.48xlarge"]["localStorage"])
        self.assertIn("instance_supports_kms", self.types["ml.p6-b200.48xlarge"]["sdkDisagrees"])
        self.assertFalse(self.types["ml.m5.xlarge"]["localStorage"])
        self.assertTrue(self.types["ml.m5d.xlarge"]["localStorage"])
        self.assertNotIn("localStorage", self.types["ml.g7e.2xlarge"])  # not transcribed: no facts

    def test_native_bfloat16_only_from_ampere_on(self):
        # NVIDIA's compute capability table: T4 7.5 (g4dn) and V100 7.0 (p3, p3dn) have no bfloat16 tensor cores;
        # A10 8.6 (g5), L4 and L40S 8.9 (g6, g6e), A100 8.0 (p4d, p4de), H100 and H200 9.0 (p5, p5e, p5en), B200 10.0.
        training = {n: e for n, e in self.types.items() if e.get("gpuTraining")}
        without = sorted({e["family"] for e in training.values() if not e["nativeBf16"]})
        self.assertEqual(["g4dn", "p3", "p3dn"], without)
        self.assertEqual({e["family"] for e in training.values() if e["nativeBf16"]},
                         {"g5", "g6", "g6e", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"})
        self.assertEqual(("8.0", "10.0", "7.5"), (training["ml.p4d.24xlarge"]["computeCapability"],
                                                 training["ml.p6-b200.48xlarge"]["computeCapability"],
                                                 training["ml.g4dn.xlarge"]["computeCapability"]))
        self.assertNotIn("nativeBf16", self.types["ml.m5.xlarge"])

    def test_smddp_types_are_the_sdks(self):
        smddp = sorted(n for n, e in self.types.items() if e.get("smdDataParallel"))
        self.assertEqual(["ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge"], smddp)
        self.assertEqual(["ml.p5.48xlarge"], sorted(n for n, e in self.types.items() if e.get("smdistributedRefused")))


class ConvertTest(unittest.TestCase):
    def setUp(self):
        self.script = load_script()
        self.model, self.sdk, self.facts, self.sources = self.script.load_inputs()

    def convert(self):
        return self.script.convert(self.model, self.sdk, self.facts, self.sources)

    def test_an_unlisted_storage_disagreement_with_the_sdk_stops_the_generator(self):
        del self.facts["sdkDisagreements"]["ml.p6-b200.48xlarge"]
        with self.assertRaisesRegex(ValueError, r"ml\.p6-b200\.48xlarge: AWS lists local storage, but the SDK's instance_supports_kms says True"):
            self.convert()

    def test_a_wrong_transcription_stops_the_generator(self):
        self.facts["families"]["p3"]["localStorage"] = True
        self.facts["families"]["g5"]["types"]["ml.g5.12xlarge"]["gpus"] = 2
        with self.assertRaises(ValueError) as raised:
            self.convert()
        self.assertIn("ml.p3.2xlarge: AWS lists local storage", str(raised.exception))
        self.assertIn("ml.g5.12xlarge: AWS lists 2 GPUs, the SDK 4", str(raised.exception))

    def test_a_disagreement_that_no_longer_holds_must_be_removed(self):
        self.facts["sdkDisagreements"]["ml.p3.2xlarge"] = {"fact": "localStorage", "why": "x"}
        with self.assertRaisesRegex(ValueError, r"sdkDisagreements lists ml\.p3\.2xlarge"):
            self.convert()

    def test_a_training_size_without_facts_and_a_size_the_api_does_not_list_stop_the_generator(self):
        del self.facts["families"]["g6e"]["types"]["ml.g6e.48xlarge"]
        self.facts["families"]["g6e"]["types"]["ml.g6e.96xlarge"] = {"gpus": 16, "efa": True}
        with self.assertRaises(ValueError) as raised:
            self.convert()
        self.assertIn("ml.g6e.48xlarge: a training size of the GPU training family g6e without transcribed facts", str(raised.exception))
        self.assertIn("ml.g6e.96xlarge (family g6e) is not in any instance type enum", str(raised.exception))

    def test_a_gpu_family_without_a_known_gpu_model_stops_the_generator(self):
        self.facts["families"]["g6e"]["gpuModel"] = "NVIDIA L40S-X"
        del self.facts["gpuModels"]["NVIDIA B200"]
        with self.assertRaises(ValueError) as raised:
            self.convert()
        self.assertIn("the GPU training family g6e names GPU model 'NVIDIA L40S-X'", str(raised.exception))
        self.assertIn("the GPU training family p6-b200 names GPU model 'NVIDIA B200'", str(raised.exception))

    def test_the_bf16_threshold_is_compute_capability_8_0(self):
        self.facts["gpuModels"]["NVIDIA A100"]["computeCapability"] = "7.9"
        self.facts["gpuModels"]["NVIDIA T4"]["computeCapability"] = "8.0"
        types = {e["name"]: e for e in self.convert()["instanceTypes"]}
        self.assertEqual((types["ml.p4d.24xlarge"]["nativeBf16"], types["ml.g4dn.xlarge"]["nativeBf16"]), (False, True))

    def test_regions_of_the_sdk_file_must_agree(self):
        sdk = copy.deepcopy(self.sdk)
        sdk["us-east-1"]["ml.p3.2xlarge"] = {"Count": 2, "TotalGpuMemoryInMiB": 32768}
        with self.assertRaisesRegex(ValueError, "differs between regions"):
            self.script.convert(self.model, sdk, self.facts, self.sources)

    def test_sizes_sort_by_number(self):
        keys = sorted(["48xlarge", "xlarge", "12xlarge", "2xlarge", "large", "medium"], key=self.script.size_key)
        self.assertEqual(["medium", "large", "xlarge", "2xlarge", "12xlarge", "48xlarge"], keys)


if __name__ == "__main__":
    unittest.main()
