"""Where the pretrained model comes from.

In a network-isolated job the Hub is unreachable, so the model arrives through an input channel named ``model``:
either the files of a saved Hugging Face model (``config.json`` and weights) or a ``model.tar.gz`` such as a previous
training job's output, which is extracted first. Without that channel, ``model_name_or_path`` is used as given (a
local directory, or a Hub id resolved from the local cache when offline). Standard library only.
"""
from __future__ import annotations

import os
import tarfile
from typing import Optional

try:
    import fcntl
except ImportError:  # not on Windows; SageMaker containers are Linux
    fcntl = None

MODEL_CHANNEL = "model"
CONFIG_FILE = "config.json"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
EXTRACTED_MARKER = ".extracted"


def _model_root(directory: str) -> Optional[str]:
    """``directory`` if it holds config.json, else its only sub-directory that does (an archive with a top folder)."""
    if os.path.isfile(os.path.join(directory, CONFIG_FILE)):
        return directory
    subdirs = [os.path.join(directory, name) for name in sorted(os.listdir(directory))
               if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
    with_config = [path for path in subdirs if os.path.isfile(os.path.join(path, CONFIG_FILE))]
    return with_config[0] if len(with_config) == 1 else None


def _safe_extract(archive: str, destination: str) -> None:
    destination_real = os.path.realpath(destination)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            target = os.path.realpath(os.path.join(destination, member.name))
            if os.path.commonpath([destination_real, target]) != destination_real:
                raise ValueError(f"{archive}: member {member.name!r} would be written outside {destination!r}")
            if member.issym() or member.islnk() or member.isdev():
                raise ValueError(f"{archive}: member {member.name!r} is a link or device; refusing to extract it")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, members=members, filter="data")
        else:  # Python < 3.11.4: members were checked above
            tar.extractall(destination, members=members)


def resolve_model_path(model_name_or_path: Optional[str], model_channel_dir: Optional[str],
                       extract_dir: str) -> str:
    """The path or Hub id to pass to ``from_pretrained``.

    ``model_channel_dir`` (the ``model`` channel, when the job has one) wins over ``model_name_or_path``. An archive
    in the channel is extracted into ``extract_dir`` once (a marker file makes later calls reuse it; an exclusive
    lock on ``<extract_dir>.lock`` makes concurrent callers, such as the processes torchrun starts, wait for the
    first one's extraction instead of extracting again). Raises
    ValueError when the channel holds neither a model directory nor exactly one archive, or when there is no model.
    """
    if model_channel_dir:
        if not os.path.isdir(model_channel_dir):
            raise ValueError(f"model channel directory {model_channel_dir!r} does not exist")
        root = _model_root(model_channel_dir)
        if root:
            return root
        archives = sorted(name for name in os.listdir(model_channel_dir) if name.endswith(ARCHIVE_SUFFIXES))
        if len(archives) != 1:
            raise ValueError(
                f"model channel {model_channel_dir!r} must hold a saved model (config.json) or exactly one "
                f"{'/'.join(ARCHIVE_SUFFIXES)} archive; found {sorted(os.listdir(model_channel_dir))!r}"
            )
        marker = os.path.join(extract_dir, EXTRACTED_MARKER)
        os.makedirs(extract_dir, exist_ok=True)
        with open(os.path.normpath(extract_dir) + ".lock", "w", encoding="utf-8") as lock:
            # torchrun starts one process per GPU: the first to get the lock extracts, the others wait and reuse it
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            if not os.path.isfile(marker):
                _safe_extract(os.path.join(model_channel_dir, archives[0]), extract_dir)
                with open(marker, "w", encoding="utf-8") as handle:
                    handle.write(archives[0])
        root = _model_root(extract_dir)
        if not root:
            raise ValueError(f"archive {archives[0]!r} in the model channel holds no {CONFIG_FILE} "
                             f"(at its root or in one top folder)")
        return root
    if not model_name_or_path:
        raise ValueError("no model: set the 'model_name_or_path' hyperparameter or add a 'model' channel")
    return model_name_or_path
