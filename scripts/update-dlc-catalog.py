#!/usr/bin/env python3
"""Refresh the Hugging Face PyTorch training DLC catalog embedded in the constructs assembly.

The SageMaker Python SDK keeps the authoritative table of Hugging Face DLC images in
``image_uri_config/huggingface.json`` (aws/sagemaker-python-sdk, Apache-2.0). This script reads a
downloaded copy of that file and writes the compact, training-only, PyTorch-only catalog that
``HfSageMaker.Constructs.Training.HuggingFaceImage`` resolves image URIs from.

Usage (standard library only):

    python3 scripts/update-dlc-catalog.py path/to/huggingface.json \
        --commit <sdk git commit> [--sdk-path src/sagemaker/image_uri_config/huggingface.json] \
        [--output constructs/Training/Catalog/huggingface-training-images.json]

What is kept: the ``training`` scope, every transformers version and its aliases, every ``pytorch*``
entry (version, aliases, py_versions, container_version.gpu or the SDK's default suffix, repository) and every region -> registry
account. TensorFlow entries and the inference scope are dropped: this library is PyTorch training only.
The output is sorted and stable, so a refresh that changes nothing produces no diff.
"""

import argparse
import json
import re
import sys

DEFAULT_OUTPUT = "constructs/Training/Catalog/huggingface-training-images.json"
DEFAULT_SDK_PATH = "src/sagemaker/image_uri_config/huggingface.json"
# image_uris.py get_training_image_uri (v2.257.6, lines 693-694): a GPU training image without a compiler config
# starts from container_version "cu110-ubuntu18.04"; retrieve() replaces it only when the catalog entry names one
# (line 230). Entries without container_version (transformers 4.4.2 / 4.5.0 with PyTorch 1.6.0) keep this suffix.
DEFAULT_GPU_CONTAINER_VERSION = "cu110-ubuntu18.04"
PYTORCH_PREFIX = "pytorch"


def version_key(version):
    """Sort key for dotted numeric versions ("4.10.2" after "4.6.1")."""
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.]", version))


def convert(sdk_table, source):
    """Return the compact catalog dict for the SDK's huggingface.json content ``sdk_table``."""
    if "training" not in sdk_table:
        raise ValueError("the SDK table has no 'training' scope")
    training = sdk_table["training"]
    processors = training.get("processors", [])
    if processors != ["gpu"]:
        raise ValueError("expected training processors ['gpu'], got %r" % (processors,))

    registries = {}
    images = []
    for transformers, version_config in training["versions"].items():
        aliases = version_config.get("version_aliases", {})
        for key, entry in version_config.items():
            if not key.startswith(PYTORCH_PREFIX) or not isinstance(entry, dict):
                continue
            pytorch = key[len(PYTORCH_PREFIX):]
            repository = entry["repository"]
            if repository != "huggingface-pytorch-training":
                raise ValueError("unexpected repository %r for %s/%s" % (repository, transformers, key))
            for region, account in entry["registries"].items():
                known = registries.setdefault(region, account)
                if known != account:
                    raise ValueError(
                        "region %s maps to two accounts (%s, %s): the compact format needs one" % (region, known, account)
                    )
            pytorch_aliases = sorted(
                (alias[len(PYTORCH_PREFIX):] for alias, target in aliases.items()
                 if alias.startswith(PYTORCH_PREFIX) and target == key),
                key=version_key,
            )
            images.append({
                "transformers": transformers,
                "pytorch": pytorch,
                "pytorchAliases": pytorch_aliases,
                "pythonVersions": sorted(entry["py_versions"], key=lambda py: int(py[2:])),
                "containerVersion": entry.get("container_version", {}).get("gpu") or DEFAULT_GPU_CONTAINER_VERSION,
                "regions": sorted(entry["registries"]),
            })

    images.sort(key=lambda image: (version_key(image["transformers"]), version_key(image["pytorch"])))
    transformers_aliases = {
        alias: target for alias, target in sorted(training.get("version_aliases", {}).items(), key=lambda kv: version_key(kv[0]))
    }
    return {
        "schemaVersion": 1,
        "source": source,
        "repository": "huggingface-pytorch-training",
        "processor": "gpu",
        "transformersAliases": transformers_aliases,
        "registries": dict(sorted(registries.items())),
        "images": images,
    }


def render(catalog):
    """Stable JSON text (two-space indent, trailing newline)."""
    return json.dumps(catalog, indent=2, ensure_ascii=True) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sdk_json", help="a downloaded copy of the SDK's image_uri_config/huggingface.json")
    parser.add_argument("--commit", required=True, help="the aws/sagemaker-python-sdk commit the file came from")
    parser.add_argument("--sdk-path", default=DEFAULT_SDK_PATH, help="the file's path inside the SDK repository")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the compact catalog")
    args = parser.parse_args(argv)

    with open(args.sdk_json, encoding="utf-8") as handle:
        sdk_table = json.load(handle)
    source = {"repository": "aws/sagemaker-python-sdk", "path": args.sdk_path, "commit": args.commit, "license": "Apache-2.0"}
    catalog = convert(sdk_table, source)
    with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render(catalog))
    print("wrote %s: %d images, %d regions" % (args.output, len(catalog["images"]), len(catalog["registries"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
