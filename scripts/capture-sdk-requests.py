#!/usr/bin/env python3
"""Capture what the SageMaker Python SDK v2.257.6 sends for this project's recipes, without AWS.

Runs the real SDK code: ``HuggingFace(...).fit()`` (CreateTrainingJob), ``HyperparameterTuner(...).fit()``
(CreateHyperParameterTuningJob), ``estimator.register(...)`` and ``HuggingFaceModel.register(...)``
(CreateModelPackage), for settings equal to the recipes (``training-scripts/<recipe>/``, the guardrails of the test
fixtures in ``tests/HfSageMaker.Tests/Orchestration/PipelineFixture.cs`` and the literal resources of
``RecipePipelineFixture.LiteralRequests``), plus the image URIs ``image_uris.retrieve`` and
``get_huggingface_llm_image_uri`` give. Every botocore call is intercepted: the parameters the SDK passes are recorded
after botocore's own parameter validation accepted them (so each captured request is valid for the botocore model
the SDK runs with), and a canned response is returned instead of a network call. Calls the script has no answer for
fail the run. The dummy credentials are never used (nothing is signed or sent).

It is not part of the test suite: its output, ``tests/fixtures/sdk-captured/*.json``, is committed and read by
``tests/HfSageMaker.Tests/Training/SdkCapturedRequestTests.cs`` and the image resolver tests.

Usage, with the released package (Python 3.9-3.12)::

    python3 -m venv .venv-sdk && .venv-sdk/bin/pip install sagemaker==2.257.6
    .venv-sdk/bin/python scripts/capture-sdk-requests.py [--output-dir tests/fixtures/sdk-captured]

or with a source checkout of aws/sagemaker-python-sdk at tag v2.257.6::

    .venv-sdk/bin/pip install -e <checkout>      # its dependencies and the package metadata the SDK reads
    .venv-sdk/bin/python scripts/capture-sdk-requests.py

(``PYTHONPATH=<checkout>/src`` also works where the dependencies are installed and a ``sagemaker`` distribution's
metadata names the version: tests/fixtures/sdk-captured/README.md says how the committed files were made offline.)

The script refuses another SDK version unless ``--any-version`` is given (the fixtures name the version they hold).
The output is stable: the only values that differ between runs (timestamps in names the SDK generates itself) are
replaced by ``<timestamp>`` and listed under ``normalised`` in each file.
"""

import argparse
import copy
import datetime
import json
import os
import re
import sys

SDK_VERSION = "2.257.6"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEFAULT_OUTPUT = os.path.join(ROOT, "tests", "fixtures", "sdk-captured")

# The literal resources of tests/HfSageMaker.Tests/Orchestration/RecipePipelineFixture.cs (LiteralRequests).
ACCOUNT = "111122223333"
REGION = "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/HfSageMaker-dev-SageMakerExecutionRole"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DATASETS = f"hf-datasets-{ACCOUNT}-{REGION}"
CODE_S3_URI = f"s3://cdk-hnb659fds-assets-{ACCOUNT}-{REGION}/0123456789abcdef.tar.gz"
DEFAULT_BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
SECURITY_GROUPS = ["sg-0123456789abcdef0"]

# The recipes as their folders define them (training-scripts/<recipe>/recipe.json and hyperparameters.json, what the
# app reads), in the guardrails of the test fixtures (PipelineFixture.Training, LlmSftPipelineFixture.Training): spot by
# default, isolated network, the instance type and run time below.
# "divergence_bridge" names settings given to the SDK explicitly so that the SDK sends what the platform sends by
# design (README "Training jobs and the request builder", table "Intentional divergences from the SDK"); everything
# else is the SDK's default.
BRIDGE = {
    "max_wait": "2 x max_run (the platform's spot default; the SDK sends MaxWaitTimeInSeconds only when given)",
    "environment": "HF_HUB_OFFLINE=1 (the platform sets it with network isolation)",
}
# What the test fixtures' guardrails decide per recipe; the rest comes from the recipe folder.
FIXTURES = {
    "translation": {
        "instance_type": "ml.g5.2xlarge",
        "instance_count": 1,
        "max_run": 8 * 3600,  # min(MaxRuntimeHours 8, 24) hours
        "divergence_bridge": BRIDGE,
        # Registration (recipe.json inference): the inference versions are the nearest to the training DLC that the SDK's
        # inference table has (HuggingFaceInferenceImage.Nearest: 4.36.0/2.1.0 -> 4.37.0/2.1.0, py310).
        "inference_versions": {"transformers_version": "4.37.0", "pytorch_version": "2.1.0", "py_version": "py310"},
    },
    "llm-sft": {
        "instance_type": "ml.g5.2xlarge",
        "instance_count": 1,
        "max_run": 24 * 3600,  # min(MaxRuntimeHours 24, 24) hours
        # distribution.whenMultiGpu torchrun applies: the guardrails allow ml.g5.12xlarge (4 GPUs).
        "multi_gpu": True,
        "divergence_bridge": dict(BRIDGE, encrypt_inter_container_traffic="True (the platform's default when a distribution is set)"),
        # Registration (recipe.json inference): the TGI image serves the merged weights, which a run saves only with
        # merge_adapter (recipe.json inference.servableWhen): the registered run sets it, as an execution input would.
        "register_hyperparameters": {"merge_adapter": True},
    },
}


def recipe_settings(name, fixture, network_isolated=True, max_tuning_jobs=20, max_parallel_tuning_jobs=2):
    """The SDK settings of recipe ``name``: its folder's data with the fixture's guardrails (infra/Recipes/TrainingRecipe.cs
    does the same: defaults not marked inDefaultRequest false, offline from the network isolation, the tuning caps
    lowered by the environment's limits, torchrun when the recipe asks for it and a run may use several GPUs)."""
    folder = os.path.join(ROOT, "training-scripts", name)
    with open(os.path.join(folder, "recipe.json"), encoding="utf-8") as handle:
        recipe = json.load(handle)
    with open(os.path.join(folder, "hyperparameters.json"), encoding="utf-8") as handle:
        contract = json.load(handle)["hyperparameters"]
    tuning = recipe["tuning"]
    ranges = []
    for range_name, spec in tuning["ranges"].items():
        if spec["type"] == "categorical":
            ranges.append(("categorical", range_name, spec["values"]))
        else:
            ranges.append((spec["type"], range_name, spec["min"], spec["max"], spec.get("scaling", "Auto")))
    torchrun = recipe.get("distribution", {}).get("whenMultiGpu") == "torchrun" and fixture.get("multi_gpu", False)
    settings = {
        "short_name": recipe["shortName"],
        "transformers_version": recipe["image"]["transformersVersion"],
        "pytorch_version": recipe["image"]["pytorchVersion"],
        "py_version": recipe["image"]["pythonVersion"],
        "instance_type": fixture["instance_type"],
        "instance_count": fixture["instance_count"],
        "max_run": fixture["max_run"],
        "distribution": {"torch_distributed": {"enabled": True}} if torchrun else None,
        "data_prefixes": dict(recipe["dataPrefixes"]),
        "hyperparameters": {
            key: network_isolated if spec.get("pipelineDefault") == "networkIsolation" else spec["default"]
            for key, spec in contract.items() if spec.get("inDefaultRequest", True)
        },
        "tuning": {
            "objective_metric_name": tuning["objective"]["metric"],
            "objective_type": tuning["objective"]["type"],
            "ranges": ranges,
            "strategy": tuning["strategy"],
            "max_jobs": min(max_tuning_jobs, tuning["maxJobs"]),
            "max_parallel_jobs": min(max_parallel_tuning_jobs, tuning["maxParallelJobs"]),
        },
        "divergence_bridge": fixture["divergence_bridge"],
        "register": register_settings(recipe["inference"], fixture),
    }
    return settings


def register_settings(inference, fixture):
    """The SDK's register() settings of a recipe's inference section (recipe.json, what the app reads)."""
    llm = inference["servingImage"] == "huggingface-llm"
    settings = {
        "serving": inference["servingImage"],
        "content_types": inference["contentTypes"],
        "response_types": inference["responseTypes"],
        "inference_instances": inference["realtimeInstanceTypes"],
        "transform_instances": inference.get("transformInstanceTypes"),
        "hyperparameters": fixture.get("register_hyperparameters", {}),
    }
    if llm:
        # TGI's SageMaker entry point requires HF_MODEL_ID (the platform's HuggingFaceLlmImage.Environment): SageMaker
        # extracts model.tar.gz into /opt/ml/model, the weights are in its modelDirectory folder.
        folder = inference.get("modelDirectory")
        settings["env"] = {"HF_MODEL_ID": "/opt/ml/model" + (f"/{folder}" if folder else "")}
    else:
        settings["inference_versions"] = fixture["inference_versions"]
    return settings


RECIPES = {name: recipe_settings(name, fixture) for name, fixture in FIXTURES.items()}

# Image URIs the SDK resolves (oracles for HuggingFaceInferenceImage and HuggingFaceLlmImage): (versions, instance, region).
INFERENCE_URI_CASES = [
    ("4.37.0", "pytorch2.1.0", "py310", "ml.g5.xlarge", "eu-west-1"),
    ("4.37.0", "pytorch2.1.0", "py310", "ml.m5.xlarge", "eu-west-1"),
    ("4.26.0", "pytorch1.13.1", "py39", "ml.p3.2xlarge", "us-east-1"),
    ("4.26.0", "pytorch1.13.1", "py39", "ml.c5.xlarge", "cn-north-1"),
    ("4.48.0", "pytorch2.3.0", "py311", "ml.g6.xlarge", "me-central-1"),
    ("4.49.0", "pytorch2.6.0", "py312", "ml.g5.2xlarge", "us-gov-west-1"),
    ("4.51.3", "pytorch2.6.0", "py312", "ml.p4d.24xlarge", "ap-east-1"),
    ("4.51.3", "pytorch2.6.0", "py312", "ml.t2.medium", "us-iso-east-1"),
    ("4.6.1", "pytorch1.7.1", "py36", "ml.m5.large", "ap-northeast-3"),
    ("4.10.2", "pytorch1.8.1", "py36", "ml.g4dn.xlarge", "us-west-2"),
    ("4.28.1", "pytorch2.0.0", "py310", "ml.r5.xlarge", "us-isob-east-1"),
    ("4.17", "pytorch1.10", "py38", "ml.g4dn.xlarge", "eu-central-1"),
]
LLM_URI_CASES = [
    (None, "eu-west-1"),
    (None, "us-gov-east-1"),
    (None, "cn-northwest-1"),
    ("3.3", "us-east-1"),
    ("2.0", "ap-south-2"),
    ("1.4.2", "il-central-1"),
    ("0.6.0", "us-iso-east-1"),
    ("3.3.6", "us-isof-south-1"),
    ("3.2", "ap-southeast-7"),
    ("3.3.4", "mx-central-1"),
    ("3.1.1", "ap-east-2"),
]
# Calls expected to fail in the SDK (their messages are recorded).
INFERENCE_URI_ERRORS = [
    ("4.36.0", "pytorch2.1.0", "py310", "ml.g5.xlarge", "eu-west-1"),
    ("4.56.2", "pytorch2.8.0", "py312", "ml.g5.xlarge", "eu-west-1"),
    ("4.37.0", "pytorch2.1.0", "py310", "ml.g5.xlarge", "us-east-7"),
    ("4.37.0", "pytorch2.1.0", "py310", None, "eu-west-1"),
    ("4.37.0", "pytorch2.1.0", "py310", "ml.m6g.xlarge", "eu-west-1"),
]
LLM_URI_ERRORS = [("9.9.9", "eu-west-1"), (None, "us-east-7")]

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}")


class Interceptor:
    """Records each botocore call after parameter validation and answers it from a table instead of the network."""

    def __init__(self, botocore_session):
        self.calls = []
        self._pending = {}
        self.training_jobs = {}
        botocore_session.register("provide-client-params", self._record)
        botocore_session.register("before-call", self._answer)

    def _record(self, params, model, **_):
        self._pending[model.name] = copy.deepcopy(params)

    def _answer(self, model, **_):
        # Reached only after botocore's parameter validation accepted the request.
        import botocore.awsrequest

        params = self._pending.pop(model.name)
        service = model.service_model.service_name
        self.calls.append({"service": service, "operation": model.name, "request": params})
        handler = getattr(self, "_" + model.name, None)
        if handler is None:
            raise RuntimeError(f"the capture has no answer for {service}.{model.name}; add one to Interceptor")
        response = handler(params)
        response.setdefault("ResponseMetadata", {"HTTPStatusCode": 200, "RequestId": "captured"})
        return botocore.awsrequest.AWSResponse("https://captured.invalid/", 200, {}, None), response

    # Canned answers: what SageMaker would return for the request, with a completed job's results.
    def _CreateTrainingJob(self, params):
        self.training_jobs[params["TrainingJobName"]] = params
        return {"TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{params['TrainingJobName']}"}

    def _describe(self, name):
        created = self.training_jobs[name]
        job = copy.deepcopy(created)
        job.update({
            "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}",
            "TrainingJobStatus": "Completed",
            "SecondaryStatus": "Completed",
            "ModelArtifacts": {"S3ModelArtifacts": f"{created['OutputDataConfig']['S3OutputPath']}{name}/output/model.tar.gz"},
            "CreationTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
            "FinalMetricDataList": [
                {"MetricName": "eval_loss", "Value": 1.25, "Timestamp": datetime.datetime(2026, 1, 1, 1, tzinfo=datetime.timezone.utc)},
            ],
        })
        job.pop("Tags", None)
        return job

    def _DescribeTrainingJob(self, params):
        return self._describe(params["TrainingJobName"])

    def _Search(self, params):
        results = []
        if params["Resource"] == "ModelPackageGroup":
            # The platform's stack creates the group: the SDK finds it and does not create it (session.py 4687-4739).
            for flt in params["SearchExpression"]["Filters"]:
                if flt["Name"] == "ModelPackageGroupName":
                    results.append({"ModelPackageGroup": {
                        "ModelPackageGroupName": flt["Value"], "ModelPackageGroupStatus": "Completed",
                        "ModelPackageGroupArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{flt['Value']}"}})
            return {"Results": results}
        for name in self.training_jobs:
            job = self._describe(name)
            for flt in params.get("SearchExpression", {}).get("Filters", []):
                if flt.get("Name") == "ModelArtifacts.S3ModelArtifacts" and flt.get("Value") == job["ModelArtifacts"]["S3ModelArtifacts"]:
                    results.append({"TrainingJob": job})
        return {"Results": results}

    def _CreateHyperParameterTuningJob(self, params):
        return {"HyperParameterTuningJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{params['HyperParameterTuningJobName']}"}

    def _CreateModelPackage(self, params):
        group = params.get("ModelPackageGroupName", "unversioned")
        return {"ModelPackageArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/1"}

    def _ListBuckets(self, params):
        return {"Buckets": [{"Name": DEFAULT_BUCKET, "CreationDate": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)}]}

    def _GetCallerIdentity(self, params):
        return {"Account": ACCOUNT, "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/capture/capture", "UserId": "AROACAPTURE:capture"}

    def take(self, operation):
        """The one recorded call of ``operation`` since the last take (and forget every call)."""
        found = [c for c in self.calls if c["operation"] == operation]
        others = [{"service": c["service"], "operation": c["operation"], "request": c["request"]}
                  for c in self.calls if c["operation"] != operation]
        self.calls = []
        if len(found) != 1:
            raise RuntimeError(f"expected one {operation} call, recorded {len(found)} (other calls: {others})")
        return found[0]["request"], others


def normalise(value, found):
    """Replaces SDK-generated timestamps (name_from_base) by <timestamp>; records each path it changed."""
    def walk(node, path):
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
        if isinstance(node, str) and TIMESTAMP.search(node):
            found.append(path.lstrip("."))
            return TIMESTAMP.sub("<timestamp>", node)
        return node
    return walk(value, "")


def jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {value!r}")


def main(argv=None):
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Some SDK messages print Python sets (image_uris.py _validate_framework): fix their order.
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, getattr(sys, "orig_argv", [sys.executable] + sys.argv))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT, help="where to write the captured requests")
    parser.add_argument("--any-version", action="store_true", help="run with an SDK version other than " + SDK_VERSION)
    args = parser.parse_args(argv)

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    try:
        import boto3
        import botocore
        import sagemaker
        from sagemaker.huggingface import HuggingFace, HuggingFaceModel, get_huggingface_llm_image_uri
        from sagemaker.tuner import CategoricalParameter, ContinuousParameter, HyperparameterTuner, IntegerParameter
        from sagemaker import image_uris
    except ImportError as error:
        sys.exit(f"capture-sdk-requests: cannot import the SageMaker Python SDK ({error}); "
                 f"run it with `pip install sagemaker=={SDK_VERSION}` or PYTHONPATH=<sdk checkout>/src")
    if sagemaker.__version__ != SDK_VERSION and not args.any_version:
        sys.exit(f"capture-sdk-requests: sagemaker {sagemaker.__version__} is installed; the fixtures hold {SDK_VERSION} "
                 "(use --any-version to capture another version's requests)")

    boto_session = boto3.Session(aws_access_key_id="AKIDCAPTUREONLY", aws_secret_access_key="capture-only",
                                 region_name=REGION)
    interceptor = Interceptor(boto_session._session)  # pylint: disable=protected-access
    # An explicit SageMaker config: no local or S3 config file may change the defaults, and telemetry is off (the SDK
    # would otherwise send a request of its own per call, telemetry/telemetry_logging.py lines 101-106).
    sagemaker_config = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}
    # The default bucket is named, so that the SDK's bucket checks are one ListBuckets call: Model.register computes an
    # upload prefix in it (model.py _upload_code, line 782) even when no code is uploaded.
    session = sagemaker.session.Session(boto_session=boto_session, sagemaker_config=sagemaker_config,
                                        default_bucket=DEFAULT_BUCKET)

    header = {
        "sdk": {"package": "sagemaker", "version": sagemaker.__version__,
                "source": f"aws/sagemaker-python-sdk tag v{sagemaker.__version__}"},
        "botocore": botocore.__version__,
        "capturedBy": "scripts/capture-sdk-requests.py",
        "region": REGION,
    }
    os.makedirs(args.output_dir, exist_ok=True)

    def write(name, body):
        found = []
        body = normalise(json.loads(json.dumps(body, default=jsonable)), found)
        document = dict(header)
        document.update(body)
        if found:
            document["normalised"] = found
        path = os.path.join(args.output_dir, name)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
        print("wrote", os.path.relpath(path, ROOT))

    for recipe, s in RECIPES.items():
        with open(os.path.join(ROOT, "training-scripts", recipe, "metric_definitions.json"), encoding="utf-8") as handle:
            metrics = json.load(handle)
        prefix = "hf-" + s["short_name"]
        job_name = prefix + "-example"
        bucket = lambda kind: f"s3://hf-{kind}-{ACCOUNT}-{REGION}"  # noqa: E731
        estimator_args = dict(
            entry_point="train.py",
            source_dir=CODE_S3_URI,
            # Needed by estimator.register: it names the model from base_job_name (estimator.py line 1904,
            # name_from_base(None) raises TypeError when fit() was given job_name and no base_job_name was set).
            base_job_name=prefix,
            transformers_version=s["transformers_version"],
            pytorch_version=s["pytorch_version"],
            py_version=s["py_version"],
            role=ROLE,
            instance_type=s["instance_type"],
            instance_count=s["instance_count"],
            max_run=s["max_run"],
            use_spot_instances=True,
            max_wait=2 * s["max_run"],
            checkpoint_s3_uri=f"{bucket('checkpoints')}/{prefix}/{job_name}",
            max_retry_attempts=2,
            enable_network_isolation=True,
            environment={"HF_HUB_OFFLINE": "1"},
            output_path=f"{bucket('artifacts')}/{prefix}/",
            output_kms_key=KMS_KEY,
            subnets=SUBNETS,
            security_group_ids=SECURITY_GROUPS,
            model_uri=f"s3://{DATASETS}/{s['data_prefixes']['model']}",
            model_channel_name="model",
            metric_definitions=metrics,
            hyperparameters=s["hyperparameters"],
            tags=[{"Key": "recipe", "Value": recipe}],
            sagemaker_session=session,
        )
        if s["distribution"]:
            estimator_args["distribution"] = s["distribution"]
            estimator_args["encrypt_inter_container_traffic"] = True
        inputs = {ch: f"s3://{DATASETS}/{s['data_prefixes'][ch]}" for ch in ("train", "validation")}
        settings = {
            "estimator": {k: v for k, v in estimator_args.items() if k != "sagemaker_session"},
            "fit": {"inputs": inputs, "job_name": job_name, "wait": False, "logs": False},
            "divergenceBridge": s["divergence_bridge"],
        }

        # CreateTrainingJob
        estimator = HuggingFace(**estimator_args)
        estimator.fit(inputs, job_name=job_name, wait=False, logs=False)
        request, others = interceptor.take("CreateTrainingJob")
        write(f"{recipe}-train.json", {
            "recipe": recipe, "call": "HuggingFace(**settings.estimator).fit(**settings.fit)", "settings": settings,
            "operation": "CreateTrainingJob", "otherCalls": others, "request": request})

        # CreateHyperParameterTuningJob
        t = s["tuning"]
        ranges = {}
        for spec in t["ranges"]:
            if spec[0] == "continuous":
                ranges[spec[1]] = ContinuousParameter(spec[2], spec[3], scaling_type=spec[4])
            elif spec[0] == "integer":
                ranges[spec[1]] = IntegerParameter(spec[2], spec[3], scaling_type=spec[4])
            else:
                ranges[spec[1]] = CategoricalParameter(spec[2])
        tuner_args = dict(
            objective_metric_name=t["objective_metric_name"], objective_type=t["objective_type"],
            hyperparameter_ranges=ranges, metric_definitions=metrics, strategy=t["strategy"],
            max_jobs=t["max_jobs"], max_parallel_jobs=t["max_parallel_jobs"],
            tags=[{"Key": "recipe", "Value": recipe}],
        )
        tuning_estimator = HuggingFace(**estimator_args)
        tuner = HyperparameterTuner(tuning_estimator, **tuner_args)
        tuner.fit(inputs, job_name=job_name, wait=False)
        request, others = interceptor.take("CreateHyperParameterTuningJob")
        tuning_settings = dict(settings)
        tuning_settings["tuner"] = {k: (v if k != "hyperparameter_ranges" else {n: r.as_tuning_range(n) for n, r in v.items()})
                                    for k, v in tuner_args.items()}
        tuning_settings["fit"] = {"inputs": inputs, "job_name": job_name, "wait": False}
        write(f"{recipe}-tune.json", {
            "recipe": recipe, "call": "HyperparameterTuner(HuggingFace(**settings.estimator), **settings.tuner).fit(**settings.fit)",
            "settings": tuning_settings, "operation": "CreateHyperParameterTuningJob", "otherCalls": others, "request": request})

        # CreateModelPackage, for a run with the registration's hyperparameters (the recipe's own, unless it says which
        # make the artifact servable).
        r = s["register"]
        if r["hyperparameters"]:
            register_estimator_args = dict(estimator_args, hyperparameters=dict(estimator_args["hyperparameters"], **r["hyperparameters"]))
            estimator = HuggingFace(**register_estimator_args)
            estimator.fit(inputs, job_name=job_name, wait=False, logs=False)
            interceptor.take("CreateTrainingJob")
        else:
            register_estimator_args = estimator_args
        group = f"{prefix}-dev"
        register_args = dict(
            content_types=r["content_types"], response_types=r["response_types"],
            inference_instances=r["inference_instances"], transform_instances=r["transform_instances"],
            model_package_group_name=group, approval_status="PendingManualApproval",
        )
        model_env = {"env": r["env"]} if "env" in r else {}
        captures = []
        # 1. estimator.register as a user writes it (no image_uri): the SDK resolves the inference image for the
        #    estimator's own versions (huggingface/model.py register -> serving_image_uri -> image_uris.retrieve).
        try:
            estimator.register(**register_args)
            request, others = interceptor.take("CreateModelPackage")
            captures.append({"call": "estimator.register(**settings.register)", "operation": "CreateModelPackage",
                             "otherCalls": others, "request": request})
        except Exception as error:  # pylint: disable=broad-except
            interceptor.calls = []
            captures.append({"call": "estimator.register(**settings.register)", "error": f"{type(error).__name__}: {error}"})
        # 2. estimator.register with the serving image given (and TGI's HF_MODEL_ID, passed on to create_model):
        #    what the platform registers.
        if r["serving"] == "huggingface-llm":
            image = get_huggingface_llm_image_uri("huggingface", region=REGION)
            image_call = f"get_huggingface_llm_image_uri('huggingface', region='{REGION}')"
        else:
            v = r["inference_versions"]
            image = image_uris.retrieve("huggingface", REGION, version=v["transformers_version"], py_version=v["py_version"],
                                        instance_type=r["inference_instances"][0], image_scope="inference",
                                        base_framework_version="pytorch" + v["pytorch_version"])
            image_call = (f"image_uris.retrieve('huggingface', '{REGION}', version='{v['transformers_version']}', "
                          f"py_version='{v['py_version']}', instance_type='{r['inference_instances'][0]}', image_scope='inference', "
                          f"base_framework_version='pytorch{v['pytorch_version']}')")
        estimator.register(image_uri=image, **model_env, **register_args)
        request, others = interceptor.take("CreateModelPackage")
        captures.append({"call": f"estimator.register(image_uri=image, {'env=settings.model.env, ' if model_env else ''}**settings.register)",
                         "image": image_call, "operation": "CreateModelPackage", "otherCalls": others, "request": request})
        # 3. HuggingFaceModel.register over the trained artifact (no model card, no estimator).
        model_data = f"{bucket('artifacts')}/{prefix}/{job_name}/output/model.tar.gz"
        if r["serving"] == "huggingface-llm":
            model_args = dict(model_data=model_data, role=ROLE, image_uri=image, sagemaker_session=session, **model_env)
        else:
            model_args = dict(model_data=model_data, role=ROLE, sagemaker_session=session, **r["inference_versions"])
        HuggingFaceModel(**model_args).register(**register_args)
        request, others = interceptor.take("CreateModelPackage")
        captures.append({"call": "HuggingFaceModel(**settings.model).register(**settings.register)",
                         "operation": "CreateModelPackage", "otherCalls": others, "request": request})
        register_settings_used = {"estimator": {k: v for k, v in register_estimator_args.items() if k != "sagemaker_session"},
                                  "fit": settings["fit"], "register": register_args,
                                  "model": {k: v for k, v in model_args.items() if k != "sagemaker_session"},
                                  "stubbedResponses": "DescribeTrainingJob and Search answer with the created job, Completed, "
                                                      "ModelArtifacts <output_path><job>/output/model.tar.gz, FinalMetricDataList eval_loss 1.25"}
        if r["hyperparameters"]:
            register_settings_used["registeredRunHyperparameters"] = r["hyperparameters"]
        write(f"{recipe}-register.json", {"recipe": recipe, "settings": register_settings_used, "captures": captures})

    # Image URIs
    uris = {"huggingfaceInference": [], "huggingfaceLlm": []}
    for version, base, py, instance, region in INFERENCE_URI_CASES + INFERENCE_URI_ERRORS:
        case = {"version": version, "base_framework_version": base, "py_version": py, "instance_type": instance, "region": region}
        try:
            case["uri"] = image_uris.retrieve("huggingface", region, version=version, py_version=py, instance_type=instance,
                                              image_scope="inference", base_framework_version=base)
        except ValueError as error:
            case["error"] = str(error)
        uris["huggingfaceInference"].append(case)
    for version, region in LLM_URI_CASES + LLM_URI_ERRORS:
        case = {"version": version, "region": region}
        try:
            case["uri"] = get_huggingface_llm_image_uri("huggingface", region=region, version=version)
        except ValueError as error:
            case["error"] = str(error)
        uris["huggingfaceLlm"].append(case)
    write("image-uris.json", {
        "calls": {"huggingfaceInference": "image_uris.retrieve('huggingface', region, version=version, py_version=py_version, "
                                          "instance_type=instance_type, image_scope='inference', base_framework_version=base_framework_version)",
                  "huggingfaceLlm": "get_huggingface_llm_image_uri('huggingface', region=region, version=version)"},
        "cases": uris})
    if interceptor.calls:
        raise RuntimeError(f"unclaimed calls: {[c['operation'] for c in interceptor.calls]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
