"""The SageMaker training contract, read in one place.

SageMaker (through the sagemaker-training toolkit in the Hugging Face DLC) describes the job to the entry point with
environment variables: ``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR``, ``SM_CHANNELS`` (a JSON list of channel names) with
one ``SM_CHANNEL_<NAME>`` directory each, ``SM_HPS`` (the hyperparameters as a JSON object, ``sagemaker_*`` keys
removed), ``SM_NUM_GPUS``, ``SM_HOSTS`` (a JSON list), ``SM_CURRENT_HOST`` and ``SM_TRAINING_ENV`` (everything as one
JSON object). Checkpoints have no variable: the service syncs ``CheckpointConfig.LocalPath`` (default
``/opt/ml/checkpoints``) with S3 and restores it when a spot job restarts.

Every value has a local default (the paths the container would use), so the script also runs outside SageMaker when
the caller sets the variables it needs. Standard library only: importable without torch.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional

DEFAULT_BASE_DIR = "/opt/ml"
DEFAULT_MODEL_DIR = "/opt/ml/model"
DEFAULT_OUTPUT_DATA_DIR = "/opt/ml/output/data"
DEFAULT_INPUT_DATA_DIR = "/opt/ml/input/data"
DEFAULT_CHECKPOINT_DIR = "/opt/ml/checkpoints"
# The training toolkit's base directory: $SAGEMAKER_BASE_DIR, else /opt/ml (aws/sagemaker-training-toolkit v5.1.0,
# src/sagemaker_training/environment.py lines 36-37 and 89); its output/failure file is what SageMaker returns, cut to
# the first 1024 characters, as DescribeTrainingJob's FailureReason (files.py lines 43-58, write_failure_file).
BASE_DIR_VARIABLE = "SAGEMAKER_BASE_DIR"


@dataclass(frozen=True)
class SageMakerContext:
    """What the training toolkit tells the entry point about the job."""

    model_dir: str
    output_data_dir: str
    checkpoint_dir: str
    channels: Dict[str, str]
    hyperparameters: Dict[str, object]
    num_gpus: int
    hosts: List[str]
    current_host: str
    training_env: Dict[str, object] = field(default_factory=dict)

    @property
    def is_sagemaker(self) -> bool:
        """True when the toolkit set the environment (``SM_TRAINING_ENV`` present)."""
        return bool(self.training_env)

    def channel(self, name: str) -> Optional[str]:
        """The directory of channel ``name``, or None when the job has no such channel."""
        return self.channels.get(name)


def _json_env(environ: Mapping[str, str], name: str, default, expected_type: type):
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"{name} is not valid JSON ({error}); received {raw[:200]!r}") from None
    if not isinstance(value, expected_type):
        raise ValueError(
            f"{name} must be a JSON {expected_type.__name__}; received {type(value).__name__} {raw[:200]!r}"
        )
    return value


def discover_channels(environ: Mapping[str, str]) -> Dict[str, str]:
    """Channel name -> directory.

    Names come from ``SM_CHANNELS`` (exact spelling); each directory from ``SM_CHANNEL_<NAME upper-cased>``, or the
    container path ``/opt/ml/input/data/<name>`` when that variable is missing. ``SM_CHANNEL_*`` variables with no entry
    in ``SM_CHANNELS`` (a local run that sets only those) are added under their lower-cased name.
    """
    names = _json_env(environ, "SM_CHANNELS", [], list)
    channels: Dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"SM_CHANNELS must list channel names as strings; received {names!r}")
        channels[name] = environ.get(f"SM_CHANNEL_{name.upper()}") or os.path.join(DEFAULT_INPUT_DATA_DIR, name)
    known = {f"SM_CHANNEL_{name.upper()}" for name in channels}
    for key, value in environ.items():
        if key.startswith("SM_CHANNEL_") and key not in known and value:
            channels[key[len("SM_CHANNEL_"):].lower()] = value
    return dict(sorted(channels.items()))


def read_context(environ: Optional[Mapping[str, str]] = None,
                 checkpoint_dir: Optional[str] = None) -> SageMakerContext:
    """Read the contract from ``environ`` (default ``os.environ``).

    ``checkpoint_dir`` overrides the checkpoint location (the job's ``CheckpointConfig.LocalPath`` when it is not the
    default). Raises ValueError naming the variable when a JSON variable is malformed.
    """
    environ = os.environ if environ is None else environ
    num_gpus_raw = environ.get("SM_NUM_GPUS", "")
    try:
        num_gpus = int(num_gpus_raw) if num_gpus_raw != "" else 0
    except ValueError:
        raise ValueError(f"SM_NUM_GPUS must be an integer; received {num_gpus_raw!r}") from None
    current_host = environ.get("SM_CURRENT_HOST") or "algo-1"
    hosts = _json_env(environ, "SM_HOSTS", [current_host], list)
    return SageMakerContext(
        model_dir=environ.get("SM_MODEL_DIR") or DEFAULT_MODEL_DIR,
        output_data_dir=environ.get("SM_OUTPUT_DATA_DIR") or DEFAULT_OUTPUT_DATA_DIR,
        checkpoint_dir=checkpoint_dir or DEFAULT_CHECKPOINT_DIR,
        channels=discover_channels(environ),
        hyperparameters=_json_env(environ, "SM_HPS", {}, dict),
        num_gpus=num_gpus,
        hosts=[str(host) for host in hosts],
        current_host=current_host,
        training_env=_json_env(environ, "SM_TRAINING_ENV", {}, dict),
    )


def find_channel_files(channel_dir: str, suffixes) -> List[str]:
    """Every file directly in ``channel_dir`` whose name ends with one of ``suffixes``, sorted by name.

    Raises ValueError when the directory is missing or holds no such file.
    """
    if not os.path.isdir(channel_dir):
        raise ValueError(f"channel directory {channel_dir!r} does not exist")
    files = sorted(
        os.path.join(channel_dir, name) for name in os.listdir(channel_dir)
        if name.endswith(tuple(suffixes)) and os.path.isfile(os.path.join(channel_dir, name))
    )
    if not files:
        raise ValueError(
            f"channel directory {channel_dir!r} holds no {' or '.join(suffixes)} file; "
            f"found {sorted(os.listdir(channel_dir))!r}"
        )
    return files


def read_json_lines(path: str):
    """Yield ``(where, record)`` for every non-blank line of the JSON Lines file ``path``, ``where`` being
    ``"<path> line <number>"`` for error messages. Raises ValueError naming the file and line of a line that is not
    valid JSON."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path} line {number}"
            try:
                record = json.loads(line)
            except ValueError as error:
                raise ValueError(f"{where}: not valid JSON ({error})") from None
            yield where, record


def failure_file(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``<base dir>/output/failure`` inside a SageMaker job, None elsewhere.

    Inside a job the toolkit sets ``SM_TRAINING_ENV`` for the entry point and the output directory exists. The
    toolkit writes this file itself when the entry point fails, but only when it does not exist yet
    (write_failure_file, files.py lines 54-58), so a message written here first is the job's FailureReason instead of
    the toolkit's "ExecuteUserScriptError" with a traceback.
    """
    environ = os.environ if environ is None else environ
    if "SM_TRAINING_ENV" not in environ:
        return None
    output_dir = os.path.join(environ.get(BASE_DIR_VARIABLE) or DEFAULT_BASE_DIR, "output")
    return os.path.join(output_dir, "failure") if os.path.isdir(output_dir) else None


def write_failure(message: str, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """Write ``message`` to :func:`failure_file` (unless a failure was already written); returns the path written or
    None. Never raises: the message is also on stderr, and a read-only output directory must not hide it."""
    path = failure_file(environ)
    if path is None or os.path.exists(path):
        return None
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(message)
    except OSError:
        return None
    return path
