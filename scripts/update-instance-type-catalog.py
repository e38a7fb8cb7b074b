#!/usr/bin/env python3
"""Regenerate the SageMaker instance-type catalog embedded in the constructs assembly.

Inputs, all committed (standard library only):

- the vendored botocore SageMaker model (``tests/models/sagemaker-2017-07-24.*.json.gz``): every instance type name and
  which API enum lists it (``TrainingInstanceType``, ``ProductionVariantInstanceType``, ``TransformInstanceType``);
- the SageMaker Python SDK's ``image_uri_config/instance_gpu_info.json`` at v2.257.6
  (``scripts/catalog-sources/sagemaker-python-sdk/``): GPU count and total GPU memory per type;
- ``scripts/catalog-sources/aws-instance-facts.json``: hardware facts transcribed from AWS documentation (local instance
  storage, GPUs, GPU memory, EFA, the GPU model), each family with its source, the compute capability of each GPU
  model from NVIDIA's CUDA GPUs page, plus the SDK's SMDDP type list.

Each GPU training type gets ``computeCapability`` and ``nativeBf16`` (compute capability 8.0 or newer: tensor-core
bfloat16, what a ``bf16=true`` run needs).

Output: ``constructs/Training/Catalog/instance-types.json``, one line per instance type, sorted by family and size, so a
refresh that changes nothing produces no diff. Every fact the SDK also states is cross-checked; a disagreement that the
facts file does not list under ``sdkDisagreements`` stops the script. So does a transcribed family size that the API
model does not list, or a training size of a GPU training family that has no transcribed facts.

Usage: python3 scripts/update-instance-type-catalog.py [--output PATH]
"""

import argparse
import glob
import gzip
import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEFAULT_OUTPUT = "constructs/Training/Catalog/instance-types.json"
MODEL_GLOB = "tests/models/sagemaker-2017-07-24.botocore-*.json.gz"
SDK_GPU_INFO = "scripts/catalog-sources/sagemaker-python-sdk/instance_gpu_info.json"
FACTS = "scripts/catalog-sources/aws-instance-facts.json"

# The API enums, by the short name the catalog uses.
APIS = {
    "realtime": "ProductionVariantInstanceType",
    "training": "TrainingInstanceType",
    "transform": "TransformInstanceType",
}
SIZES = ["nano", "micro", "small", "medium", "large", "xlarge"]
NATIVE_BF16_FROM = (8, 0)  # compute capability of the first GPUs with bfloat16 tensor cores (Ampere)


def size_key(size):
    """Sort key of an instance size: medium < large < xlarge < 2xlarge < ... < 48xlarge."""
    match = re.fullmatch(r"(\d+)xlarge", size)
    if match:
        return (len(SIZES) + int(match.group(1)), size)
    return (SIZES.index(size), size) if size in SIZES else (10_000, size)


def split_name(name):
    """('g5', 'xlarge') for 'ml.g5.xlarge'."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "ml":
        raise ValueError("%r is not an ml.<family>.<size> instance type" % name)
    return parts[1], parts[2]


def sdk_instance_supports_kms(name):
    """The SDK's rule, as a cross-check only: aws/sagemaker-python-sdk v2.257.6 src/sagemaker/utils.py lines 1603-1645
    (volume_size_supported / instance_supports_kms): no volume key for a family containing "d" or starting with g5, g6,
    p5 or trn1."""
    family = name.split(".")[1]
    return "d" not in family and not any(family.startswith(p) for p in ("g5", "g6", "p5", "trn1"))


def sdk_gpu_info(table):
    """Type -> {Count, TotalGpuMemoryInMiB}, the same for every region (checked)."""
    merged = {}
    for region, types in table.items():
        for name, info in types.items():
            known = merged.setdefault(name, info)
            if known != info:
                raise ValueError("instance_gpu_info.json: %s differs between regions (%s in %s)" % (name, info, region))
    return merged


def convert(model, sdk_table, facts, sources):
    """The catalog dict for the botocore ``model``, the SDK's ``sdk_table`` and the transcribed ``facts``."""
    shapes = model["shapes"]
    apis = {}
    for short, shape in APIS.items():
        for name in shapes[shape]["enum"]:
            apis.setdefault(name, []).append(short)

    families = facts["families"]
    gpu_models = facts.get("gpuModels", {})
    gpu_info = sdk_gpu_info(sdk_table)
    smddp = set(facts["sdk"]["smdDataParallel"])
    refused = facts["sdk"]["smdistributedRefusedWhenNameContains"]
    disagreements = facts.get("sdkDisagreements", {})
    problems = []
    used_disagreements = set()

    for family, entry in families.items():
        for name in entry.get("types", {}):
            if split_name(name)[0] != family:
                problems.append("%s is listed under family %s" % (name, family))
            if name not in apis:
                problems.append("%s (family %s) is not in any instance type enum of the API model" % (name, family))
        if entry.get("gpuTraining") and entry.get("gpuModel") not in gpu_models:
            problems.append("the GPU training family %s names GPU model %r, which gpuModels does not list with its compute "
                            "capability" % (family, entry.get("gpuModel")))
    for name in smddp:
        if name not in families.get(split_name(name)[0], {}).get("types", {}):
            problems.append("the SMDDP type %s has no transcribed GPU facts" % name)

    entries = []
    for name in sorted(apis, key=lambda n: (split_name(n)[0], size_key(split_name(n)[1]))):
        family, _ = split_name(name)
        entry = {"name": name, "family": family, "apis": sorted(apis[name])}
        fam = families.get(family)
        if fam is not None:
            entry["localStorage"] = fam["localStorage"]
            if fam["localStorage"] == sdk_instance_supports_kms(name):
                if disagreements.get(name, {}).get("fact") == "localStorage":
                    used_disagreements.add(name)
                    entry["sdkDisagrees"] = disagreements[name]["why"]
                else:
                    problems.append(
                        "%s: AWS lists %s, but the SDK's instance_supports_kms says %s; add it to sdkDisagreements with the reason"
                        % (name, "local storage" if fam["localStorage"] else "EBS storage only", sdk_instance_supports_kms(name)))
        if fam is not None and fam.get("gpuTraining"):
            typed = fam["types"].get(name)
            if typed is None:
                if "training" in apis[name]:
                    problems.append("%s: a training size of the GPU training family %s without transcribed facts" % (name, family))
            elif "training" in apis[name]:
                entry.update({"gpuTraining": True, "gpus": typed["gpus"], "gpuMemoryGiB": fam["gpuMemoryGiB"], "efa": typed["efa"]})
                capability = gpu_models.get(fam.get("gpuModel"), {}).get("computeCapability")
                if capability is not None:
                    entry["computeCapability"] = capability
                    entry["nativeBf16"] = tuple(int(p) for p in capability.split(".")) >= NATIVE_BF16_FROM
                if name in smddp:
                    entry["smdDataParallel"] = True
                if refused in name:
                    entry["smdistributedRefused"] = True
                sdk = gpu_info.get(name)
                if sdk is not None:
                    if sdk["Count"] != typed["gpus"]:
                        problems.append("%s: AWS lists %d GPUs, the SDK %d" % (name, typed["gpus"], sdk["Count"]))
                    if sdk["TotalGpuMemoryInMiB"] != typed["gpus"] * fam["gpuMemoryGiB"] * 1024:
                        if disagreements.get(name, {}).get("fact") == "gpuMemory":
                            used_disagreements.add(name)
                            entry["sdkDisagrees"] = disagreements[name]["why"]
                        else:
                            problems.append("%s: AWS lists %d x %d GiB of GPU memory, the SDK %d MiB in total; add it to sdkDisagreements with the reason"
                                            % (name, typed["gpus"], fam["gpuMemoryGiB"], sdk["TotalGpuMemoryInMiB"]))
        entries.append(entry)

    for name in sorted(set(disagreements) - used_disagreements):
        problems.append("sdkDisagreements lists %s, but the SDK and AWS agree on it (or it is not in the catalog): remove it" % name)
    if problems:
        raise ValueError("instance-type catalog: %d problem(s):\n - %s" % (len(problems), "\n - ".join(problems)))

    return {
        "schemaVersion": 1,
        "about": "SageMaker instance types: the API enums that list each name, and the hardware facts transcribed from AWS "
                 "documentation (see sources). Generated by scripts/update-instance-type-catalog.py; do not edit.",
        "sources": sources,
        "apis": APIS,
        "instanceTypes": entries,
    }


def render(catalog):
    """Stable JSON text: two-space indent, one line per instance type, trailing newline."""
    head = {k: v for k, v in catalog.items() if k != "instanceTypes"}
    text = json.dumps(head, indent=2, ensure_ascii=True)
    lines = ",\n".join("    " + json.dumps(e, ensure_ascii=True) for e in catalog["instanceTypes"])
    return text[:-2] + ',\n  "instanceTypes": [\n' + lines + "\n  ]\n}\n"


def load_inputs(root=ROOT):
    """The three committed inputs and the catalog's source list."""
    models = sorted(glob.glob(os.path.join(root, MODEL_GLOB)))
    if len(models) != 1:
        raise ValueError("expected one vendored SageMaker model matching %s, found %d" % (MODEL_GLOB, len(models)))
    with gzip.open(models[0], "rt", encoding="utf-8") as handle:
        model = json.load(handle)
    with open(os.path.join(root, SDK_GPU_INFO), encoding="utf-8") as handle:
        sdk_table = json.load(handle)
    with open(os.path.join(root, FACTS), encoding="utf-8") as handle:
        facts = json.load(handle)
    model_path = os.path.relpath(models[0], root).replace(os.sep, "/")
    botocore_version = re.search(r"botocore-([0-9.]+)\.json\.gz$", model_path).group(1)
    sdk = facts["sources"]["sagemaker-python-sdk"]
    sources = {
        "names": {"repository": "boto/botocore", "version": botocore_version, "vendored": model_path,
                  "shapes": list(APIS.values())},
        "gpus": {"repository": sdk["repository"], "tag": sdk["tag"], "commit": sdk["commit"],
                 "path": "src/sagemaker/image_uri_config/instance_gpu_info.json", "vendored": SDK_GPU_INFO},
        "hardware": {"transcription": FACTS, "documents": sorted(k for k in facts["sources"] if k != "sagemaker-python-sdk")},
        "computeCapability": {"documents": facts["sources"]["nvidia-cuda-gpus"]["urls"],
                              "nativeBf16": "compute capability %d.%d or newer" % NATIVE_BF16_FROM},
        "sdkRules": sdk["read"],
    }
    return model, sdk_table, facts, sources


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the catalog (relative to the repository)")
    args = parser.parse_args(argv)
    catalog = convert(*load_inputs())
    output = args.output if os.path.isabs(args.output) else os.path.join(ROOT, args.output)
    with open(output, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render(catalog))
    training = sum(1 for e in catalog["instanceTypes"] if e.get("gpuTraining"))
    print("wrote %s: %d instance types, %d GPU training types" % (args.output, len(catalog["instanceTypes"]), training))
    return 0


if __name__ == "__main__":
    sys.exit(main())
