"""hf_recipe.sm_contract: reading SM_* variables, with local defaults."""
import json
import unittest

import hf_recipe_support  # noqa: F401 - puts training-scripts/ on sys.path
from hf_recipe import sm_contract


class ReadContextTests(unittest.TestCase):
    def test_no_variables_gives_container_paths_and_no_channels(self):
        context = sm_contract.read_context({})
        self.assertEqual(context.model_dir, "/opt/ml/model")
        self.assertEqual(context.output_data_dir, "/opt/ml/output/data")
        self.assertEqual(context.checkpoint_dir, "/opt/ml/checkpoints")
        self.assertEqual(context.channels, {})
        self.assertEqual(context.hyperparameters, {})
        self.assertEqual(context.num_gpus, 0)
        self.assertEqual(context.hosts, ["algo-1"])
        self.assertFalse(context.is_sagemaker)

    def test_variables_as_the_toolkit_writes_them_are_read(self):
        # to_env_vars: strings as they are, everything else json.dumps(sort_keys, compact separators)
        environ = {
            "SM_MODEL_DIR": "/tmp/m", "SM_OUTPUT_DATA_DIR": "/tmp/o",
            "SM_CHANNELS": '["model","train","validation"]',
            "SM_CHANNEL_TRAIN": "/opt/ml/input/data/train",
            "SM_CHANNEL_VALIDATION": "/opt/ml/input/data/validation",
            "SM_CHANNEL_MODEL": "/opt/ml/input/data/model",
            "SM_HPS": '{"fp16":true,"learning_rate":2e-05,"model_name_or_path":"t5-small","source_prefix":null}',
            "SM_HP_FP16": "true", "SM_NUM_GPUS": "4", "SM_HOSTS": '["algo-1","algo-2"]',
            "SM_CURRENT_HOST": "algo-2", "SM_TRAINING_ENV": json.dumps({"job_name": "j"}),
        }
        context = sm_contract.read_context(environ, checkpoint_dir="/ckpt")
        self.assertEqual(context.model_dir, "/tmp/m")
        self.assertEqual(context.output_data_dir, "/tmp/o")
        self.assertEqual(context.checkpoint_dir, "/ckpt")
        self.assertEqual(context.channels, {"model": "/opt/ml/input/data/model",
                                            "train": "/opt/ml/input/data/train",
                                            "validation": "/opt/ml/input/data/validation"})
        self.assertEqual(context.hyperparameters, {"fp16": True, "learning_rate": 2e-05,
                                                   "model_name_or_path": "t5-small", "source_prefix": None})
        self.assertEqual(context.num_gpus, 4)
        self.assertEqual(context.hosts, ["algo-1", "algo-2"])
        self.assertEqual(context.current_host, "algo-2")
        self.assertTrue(context.is_sagemaker)
        self.assertEqual(context.channel("train"), "/opt/ml/input/data/train")
        self.assertIsNone(context.channel("test"))

    def test_channel_listed_without_its_directory_variable_uses_the_container_path(self):
        context = sm_contract.read_context({"SM_CHANNELS": '["train"]'})
        self.assertEqual(context.channels, {"train": "/opt/ml/input/data/train"})

    def test_channel_variable_without_sm_channels_is_discovered(self):
        context = sm_contract.read_context({"SM_CHANNEL_TRAIN": "/data/t", "SM_CHANNEL_TEST": "/data/x"})
        self.assertEqual(context.channels, {"test": "/data/x", "train": "/data/t"})

    def test_malformed_sm_hps_names_the_variable(self):
        with self.assertRaisesRegex(ValueError, "SM_HPS"):
            sm_contract.read_context({"SM_HPS": "{not json"})

    def test_sm_hps_that_is_not_an_object_is_rejected(self):
        with self.assertRaisesRegex(ValueError, "SM_HPS must be a JSON dict"):
            sm_contract.read_context({"SM_HPS": "[1, 2]"})

    def test_non_integer_gpu_count_names_the_variable(self):
        with self.assertRaisesRegex(ValueError, "SM_NUM_GPUS.*'two'"):
            sm_contract.read_context({"SM_NUM_GPUS": "two"})


if __name__ == "__main__":
    unittest.main()
