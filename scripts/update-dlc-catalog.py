#!/usr/bin/env python3
"""Refresh the Hugging Face DLC catalogs embedded in the constructs assembly.

The SageMaker Python SDK keeps the authoritative tables of Hugging Face DLC images in
``image_uri_config/huggingface.json`` (training and inference scopes) and ``image_uri_config/huggingface-llm.json``
(the Hugging Face LLM / TGI inference images) (aws/sagemaker-python-sdk, Apache-2.0). This script reads downloaded
copies of both files and writes three compact catalogs under ``constructs/Training/Catalog/``:

- ``huggingface-training-images.json`` (``HuggingFaceImage``): the ``training`` scope, every transformers version and
  its aliases, every ``pytorch*`` entry (version, aliases, py_versions, container_version.gpu or the SDK's default
  suffix, repository) and every region -> registry account;
- ``huggingface-inference-images.json`` (``HuggingFaceInferenceImage``): the ``inference`` scope, PyTorch entries, with
  the GPU and the CPU container versions;
- ``huggingface-llm-images.json`` (``HuggingFaceLlmImage``): every TGI version with its tag prefix, Python version,
  container version and regions, the version aliases, and the version the SDK picks when none is given.

Usage (standard library only):

    python3 scripts/update-dlc-catalog.py path/to/huggingface.json path/to/huggingface-llm.json \
        --commit <sdk git commit>

TensorFlow entries are dropped: this library is PyTorch only. The output is sorted and stable, so a refresh that
changes nothing produces no diff.
"""

import argparse
import json
import re
import sys

DEFAULT_OUTPUT = "constructs/Training/Catalog/huggingface-training-images.json"
DEFAULT_INFERENCE_OUTPUT = "constructs/Training/Catalog/huggingface-inference-images.json"
DEFAULT_LLM_OUTPUT = "constructs/Training/Catalog/huggingface-llm-images.json"
DEFAULT_SDK_PATH = "src/sagemaker/image_uri_config/huggingface.json"
DEFAULT_LLM_SDK_PATH = "src/sagemaker/image_uri_config/huggingface-llm.json"
# image_uris.py get_training_image_uri (v2.257.6, lines 693-694): a GPU training image without a compiler config
# starts from container_version "cu110-ubuntu18.04"; retrieve() replaces it only when the catalog entry names one
# (line 230). Entries without container_version (transformers 4.4.2 / 4.5.0 with PyTorch 1.6.0) keep this suffix.
DEFAULT_GPU_CONTAINER_VERSION = "cu110-ubuntu18.04"
PYTORCH_PREFIX = "pytorch"


def version_key(version):
    """Sort key for dotted numeric versions ("4.10.2" after "4.6.1")."""
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.]", version))


def _pytorch_entries(scope, repository, registries, where):
    """Yields (transformers, pytorch, entry, pytorch aliases) for every ``pytorch*`` entry of a huggingface.json scope,
    checking its repository and merging its region accounts into ``registries``."""
    for transformers, version_config in scope["versions"].items():
        aliases = version_config.get("version_aliases", {})
        for key, entry in version_config.items():
            if not key.startswith(PYTORCH_PREFIX) or not isinstance(entry, dict):
                continue
            if entry["repository"] != repository:
                raise ValueError("unexpected repository %r for %s%s/%s" % (entry["repository"], where, transformers, key))
            _merge_registries(registries, entry["registries"], "%s%s/%s" % (where, transformers, key))
            pytorch_aliases = sorted(
                (alias[len(PYTORCH_PREFIX):] for alias, target in aliases.items()
                 if alias.startswith(PYTORCH_PREFIX) and target == key),
                key=version_key,
            )
            yield transformers, key[len(PYTORCH_PREFIX):], entry, pytorch_aliases


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
    for transformers, pytorch, entry, pytorch_aliases in _pytorch_entries(training, "huggingface-pytorch-training", registries, ""):
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


def _merge_registries(registries, entry_registries, where):
    for region, account in entry_registries.items():
        known = registries.setdefault(region, account)
        if known != account:
            raise ValueError(
                "region %s maps to two accounts (%s, %s) at %s: the compact format needs one" % (region, known, account, where)
            )


def convert_inference(sdk_table, source):
    """Return the compact inference catalog for the SDK's huggingface.json content ``sdk_table`` (PyTorch entries)."""
    if "inference" not in sdk_table:
        raise ValueError("the SDK table has no 'inference' scope")
    inference = sdk_table["inference"]
    processors = inference.get("processors", [])
    if sorted(processors) != ["cpu", "gpu"]:
        raise ValueError("expected inference processors ['gpu', 'cpu'], got %r" % (processors,))

    registries = {}
    images = []
    for transformers, pytorch, entry, pytorch_aliases in _pytorch_entries(inference, "huggingface-pytorch-inference", registries, "inference "):
        container_versions = entry.get("container_version", {})
        if sorted(container_versions) != ["cpu", "gpu"]:
            # image_uris.py retrieve (v2.257.6, lines 229-231) reads container_version[processor] for the
            # instance's processor; an entry without both would resolve differently per processor.
            raise ValueError("inference %s/pytorch%s has container versions for %r, expected gpu and cpu"
                             % (transformers, pytorch, sorted(container_versions)))
        images.append({
            "transformers": transformers,
            "pytorch": pytorch,
            "pytorchAliases": pytorch_aliases,
            "pythonVersions": sorted(entry["py_versions"], key=lambda py: int(py[2:])),
            "containerVersions": {"gpu": container_versions["gpu"], "cpu": container_versions["cpu"]},
            "regions": sorted(entry["registries"]),
        })

    images.sort(key=lambda image: (version_key(image["transformers"]), version_key(image["pytorch"])))
    return {
        "schemaVersion": 1,
        "source": source,
        "repository": "huggingface-pytorch-inference",
        "processors": ["gpu", "cpu"],
        "transformersAliases": dict(sorted(inference.get("version_aliases", {}).items(), key=lambda kv: version_key(kv[0]))),
        "registries": dict(sorted(registries.items())),
        "images": images,
    }


def sdk_default_version(versions):
    """The version image_uris.retrieve picks when none is given, for a scope without a "latest" alias.

    image_uris.py (v2.257.6) _validate_version_and_set_if_needed (lines 503-514) calls _get_latest_version (lines
    477-491), whose _fetch_latest_version_from_config (lines 767-816) compares the *first* and the *last* version of
    the scope's table in file order and returns the greater (lines 799-814): not the greatest of all.
    """
    if len(versions) == 1:
        return versions[0]
    top, bottom = versions[0], versions[-1]
    return top if version_key(top) >= version_key(bottom) else bottom


def convert_llm(llm_table, source):
    """Return the compact catalog for the SDK's huggingface-llm.json content ``llm_table`` (TGI, GPU only)."""
    if list(llm_table) != ["inference"]:
        raise ValueError("expected huggingface-llm.json to hold only the 'inference' scope, got %r" % (list(llm_table),))
    inference = llm_table["inference"]
    if inference.get("processors") != ["gpu"]:
        raise ValueError("expected LLM processors ['gpu'], got %r" % (inference.get("processors"),))
    if "latest" in inference.get("version_aliases", {}):
        # _fetch_latest_version_from_config returns that alias first (image_uris.py lines 778-782).
        raise ValueError("the LLM table has a 'latest' alias: update sdk_default_version")

    registries = {}
    images = []
    for version, entry in inference["versions"].items():
        repository = entry["repository"]
        if repository != "huggingface-pytorch-tgi-inference":
            raise ValueError("unexpected repository %r for LLM version %s" % (repository, version))
        if len(entry["py_versions"]) != 1:
            # get_huggingface_llm_image_uri passes no py_version: retrieve takes the only one (image_uris.py 614-616).
            raise ValueError("LLM version %s has py_versions %r; the SDK needs exactly one" % (version, entry["py_versions"]))
        if list(entry.get("container_version", {})) != ["gpu"]:
            raise ValueError("LLM version %s has container versions %r, expected gpu only" % (version, entry.get("container_version")))
        _merge_registries(registries, entry["registries"], "LLM %s" % version)
        images.append({
            "version": version,
            "tagPrefix": entry["tag_prefix"],
            "pythonVersion": entry["py_versions"][0],
            "containerVersion": entry["container_version"]["gpu"],
            "regions": sorted(entry["registries"]),
        })
    default = sdk_default_version(list(inference["versions"]))
    images.sort(key=lambda image: version_key(image["version"]))
    return {
        "schemaVersion": 1,
        "source": source,
        "repository": "huggingface-pytorch-tgi-inference",
        "processor": "gpu",
        "defaultVersion": default,
        "versionAliases": dict(sorted(inference.get("version_aliases", {}).items(), key=lambda kv: version_key(kv[0]))),
        "registries": dict(sorted(registries.items())),
        "images": images,
    }


def render(catalog):
    """Stable JSON text (two-space indent, trailing newline)."""
    return json.dumps(catalog, indent=2, ensure_ascii=True) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sdk_json", help="a downloaded copy of the SDK's image_uri_config/huggingface.json")
    parser.add_argument("llm_json", help="a downloaded copy of the SDK's image_uri_config/huggingface-llm.json")
    parser.add_argument("--commit", required=True, help="the aws/sagemaker-python-sdk commit the files came from")
    parser.add_argument("--sdk-path", default=DEFAULT_SDK_PATH, help="huggingface.json's path inside the SDK repository")
    parser.add_argument("--llm-sdk-path", default=DEFAULT_LLM_SDK_PATH, help="huggingface-llm.json's path inside the SDK repository")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the training catalog")
    parser.add_argument("--inference-output", default=DEFAULT_INFERENCE_OUTPUT, help="where to write the inference catalog")
    parser.add_argument("--llm-output", default=DEFAULT_LLM_OUTPUT, help="where to write the LLM (TGI) catalog")
    args = parser.parse_args(argv)

    with open(args.sdk_json, encoding="utf-8") as handle:
        sdk_table = json.load(handle)
    with open(args.llm_json, encoding="utf-8") as handle:
        llm_table = json.load(handle)

    def source(path):
        return {"repository": "aws/sagemaker-python-sdk", "path": path, "commit": args.commit, "license": "Apache-2.0"}

    outputs = [
        (args.output, convert(sdk_table, source(args.sdk_path))),
        (args.inference_output, convert_inference(sdk_table, source(args.sdk_path))),
        (args.llm_output, convert_llm(llm_table, source(args.llm_sdk_path))),
    ]
    for path, catalog in outputs:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render(catalog))
        print("wrote %s: %d images, %d regions" % (path, len(catalog["images"]), len(catalog["registries"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
