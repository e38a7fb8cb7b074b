"""What every recipe's entry point does around its training loop: logging, the offline switch, resuming from the
latest complete checkpoint (chosen once for every torchrun rank) with one fallback, the TrainingArguments fields of
the installed transformers, the GPU's native bfloat16, the final evaluation the Trainer already ran, and the Trainer
callbacks that print METRIC lines and mark the first training step.

Importing it needs only the standard library: transformers is imported inside the callback factories.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from typing import Callable, Collection, Dict, Mapping, Optional, Sequence, Tuple, TypeVar

from hf_recipe import checkpoints
from hf_recipe import metrics_log
from hf_recipe import model_source
from hf_recipe import sm_contract

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
logger = logging.getLogger("recipe")

OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
TRUE_VALUES = ("1", "ON", "YES", "TRUE")  # what huggingface_hub reads as true, compared upper-case
ISOLATED_CODE_DIR = "/opt/ml/input/data/code/"
T = TypeVar("T")


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stdout, which SageMaker sends to CloudWatch and where the MetricDefinitions look."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def run_entry_point(argv: Optional[Sequence[str]], parse_args: Callable[[Sequence[str]], argparse.Namespace],
                    train: Callable[[argparse.Namespace, sm_contract.SageMakerContext], object],
                    recipe_logger: logging.Logger) -> int:
    """What every recipe's ``main()`` does: log to stdout, parse the hyperparameters (``argv``, default
    ``sys.argv[1:]``; a bad value raises ValueError before anything heavy is imported), read the SageMaker contract
    (the ``checkpoint_dir`` hyperparameter overrides the checkpoint directory), go offline as
    :func:`apply_offline` decides, and train. Returns the process exit code.

    Bad input is a ValueError (the scripts validate with ValueError, naming the hyperparameter, variable, file or
    field): it ends the run with one line on stderr, ``<recipe>: error: <message>`` (the message lists every problem
    found), no traceback, and exit code :data:`BAD_INPUT_EXIT_CODE`; inside a SageMaker job the message also goes to
    the toolkit's failure file (:func:`hf_recipe.sm_contract.write_failure`), which DescribeTrainingJob returns as
    FailureReason. Any other exception keeps its traceback.
    """
    configure_logging()
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        context = sm_contract.read_context(checkpoint_dir=args.checkpoint_dir or None)
        recipe_logger.info("hyperparameters: %s", json.dumps(vars(args), sort_keys=True))
        args.offline = apply_offline(args.offline)
        train(args, context)
    except ValueError as error:
        return report_bad_input(recipe_logger.name, error)
    return 0


BAD_INPUT_EXIT_CODE = 2  # as argparse exits on a usage error


def report_bad_input(recipe: str, error: ValueError, environ=None) -> int:
    """Print ``<recipe>: error: <message>`` on stderr, write it to the job's failure file, return the exit code."""
    message = f"{recipe}: error: {error}"
    print(message, file=sys.stderr, flush=True)
    written = sm_contract.write_failure(message, environ)
    if written:
        print(f"{recipe}: the message is also in {written} (the training job's FailureReason)", file=sys.stderr,
              flush=True)
    return BAD_INPUT_EXIT_CODE


def network_isolation_reason(environ=None) -> Optional[str]:
    """Why this job must stay offline whatever the ``offline`` hyperparameter says, or None when it may go online.

    Two signs of a network-isolated job: ``HF_HUB_OFFLINE`` set true in the job's Environment (the C# request builder
    adds ``HF_HUB_OFFLINE=1`` to every isolated job and refuses any other value there; set by hand in a job with
    network access it means the same: this job stays offline), or the source code arriving through the ``code``
    channel (``SM_MODULE_DIR`` under ``/opt/ml/input/data/code/``, how the SDK and this platform ship code to an
    isolated job). Must be called before :func:`apply_offline` changes the variables.
    """
    environ = os.environ if environ is None else environ
    hub_offline = environ.get("HF_HUB_OFFLINE", "")
    if hub_offline.strip().upper() in TRUE_VALUES:
        return f"the job's Environment sets HF_HUB_OFFLINE={hub_offline} (set for every network-isolated job)"
    module_dir = environ.get("SM_MODULE_DIR", "")
    if module_dir.startswith(ISOLATED_CODE_DIR):
        return f"the code came through the 'code' channel (SM_MODULE_DIR={module_dir}): the job is network-isolated"
    return None


def apply_offline(offline: bool, environ=None) -> bool:
    """Set or unset the variables that stop huggingface_hub, transformers and datasets from reaching the network.

    In a network-isolated job (:func:`network_isolation_reason`) offline stays on whatever ``offline`` says, with a
    warning when ``offline`` is False. Otherwise ``offline`` True sets every variable in ``OFFLINE_VARIABLES`` to
    ``1`` and False removes them (an image or Environment default could otherwise keep the job offline). Returns
    the offline mode in effect. Must run before transformers is imported: huggingface_hub reads them at import time.
    """
    environ = os.environ if environ is None else environ
    reason = network_isolation_reason(environ)
    if offline or reason:
        if not offline:
            logger.warning("hyperparameter offline=False ignored: %s, so the Hugging Face Hub is unreachable and "
                           "offline mode stays on", reason)
        for name in OFFLINE_VARIABLES:
            environ[name] = "1"
        return True
    removed = sorted(name for name in OFFLINE_VARIABLES if name in environ)
    for name in removed:
        del environ[name]
    if removed:
        logger.info("offline=False: removed %s from the environment", ", ".join(removed))
    return False


class ResumeProgress:
    """Whether training got past loading the checkpoint (set at the first training step)."""

    def __init__(self) -> None:
        self.training_started = False


class SingleProcess:
    """The process group of a job run as one process: nothing to agree with."""

    rank = 0
    world_size = 1

    @staticmethod
    def all_gather(value):
        return [value]


SINGLE_PROCESS = SingleProcess()


class TorchProcessGroup:
    """The torchrun job's process group (``torch.distributed``, set up by the Trainer's TrainingArguments)."""

    def __init__(self, distributed) -> None:
        self.distributed = distributed
        self.rank = distributed.get_rank()
        self.world_size = distributed.get_world_size()

    def all_gather(self, value):
        gathered = [None] * self.world_size
        self.distributed.all_gather_object(gathered, value)
        return gathered


def process_group():
    """:class:`TorchProcessGroup` when ``torch.distributed`` is initialised with several processes (torchrun; call
    after creating TrainingArguments and reading its ``device``, which initialises it), else :data:`SINGLE_PROCESS`."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return SINGLE_PROCESS
    import torch.distributed as distributed  # noqa: PLC0415 - heavy import kept out of module import
    if not (distributed.is_available() and distributed.is_initialized()):
        return SINGLE_PROCESS
    return TorchProcessGroup(distributed)


def shared_resume_checkpoint(checkpoint_dir: str, group=SINGLE_PROCESS) -> Optional[str]:
    """The checkpoint every process resumes from: the newest one complete on every rank (each node restores its
    own copy of the checkpoint directory), decided once from what all ranks report, so no rank resumes from a
    checkpoint another rank cannot load. None: train from the start."""
    for path, problems in checkpoints.incomplete_checkpoints(checkpoint_dir):
        logger.warning("skipping incomplete checkpoint %s: %s", path, "; ".join(problems))
    local = {step: path for step, path in checkpoints.list_checkpoints(checkpoint_dir)}
    reports = group.all_gather(sorted(local))
    common = set(reports[0]).intersection(*map(set, reports[1:])) if reports else set()
    if set(local) - common:
        logger.warning("checkpoint steps %s are not complete on every rank (ranks report %s): resuming from the "
                       "newest step all of them have", sorted(set(local) - common), reports)
    step = max(common) if common else None
    return local.get(step) if step is not None else None


def train_with_resume_fallback(attempt: Callable[[Optional[str], ResumeProgress], T],
                               checkpoint_dir: str, group=SINGLE_PROCESS) -> Tuple[T, Optional[str]]:
    """Run ``attempt(resume_from, progress)`` from the latest complete checkpoint; returns (its result, resume_from).

    The checkpoint is chosen once for all ranks (:func:`shared_resume_checkpoint`). In a single process, if the
    attempt raises before ``progress.training_started`` while resuming (a checkpoint that passed the completeness
    check but fails to load), the error is logged and ``attempt`` runs once more from the next older complete
    checkpoint, or from scratch when there is none; a second failure propagates. Under torchrun (``group`` with
    several ranks) the failure propagates at once: one rank falling back on its own while the others train would
    leave the collectives waiting until the NCCL timeout, whereas an exiting rank makes torchrun stop them all.
    Errors after the first training step, or without a checkpoint, propagate at once (SageMaker's RetryStrategy
    decides about those).
    """
    resume_from = shared_resume_checkpoint(checkpoint_dir, group)
    if resume_from:
        logger.info("resuming from checkpoint %s", resume_from)
    else:
        logger.info("no complete checkpoint in %s: training from the start", checkpoint_dir)
    progress = ResumeProgress()
    try:
        return attempt(resume_from, progress), resume_from
    except Exception:  # noqa: BLE001 - any failure to load the checkpoint; re-raised below when not one
        if resume_from is None or progress.training_started:
            raise
        if group.world_size > 1:
            logger.exception("rank %d of %d could not resume from checkpoint %s; under torchrun the ranks cannot "
                             "fall back one by one, so the job stops here (torchrun ends every rank) and a retry "
                             "starts them all from the same decision", group.rank, group.world_size, resume_from)
            raise
        logger.exception("resuming from checkpoint %s failed before the first training step; it is unusable",
                         resume_from)
    fallback = checkpoints.previous_checkpoint(checkpoint_dir, resume_from)
    logger.warning("retrying once %s", f"from checkpoint {fallback}" if fallback else "from the start (no older "
                   "complete checkpoint)")
    return attempt(fallback, ResumeProgress()), fallback


def final_evaluation(log_history, global_step: int, prefix: str = "eval") -> Optional[Dict[str, object]]:
    """The metrics (``<prefix>_*``) of the evaluation the Trainer logged at ``global_step``, or None when it did not
    evaluate at the last step (then the script evaluates once more; otherwise it would repeat the same pass)."""
    for entry in reversed(list(log_history or [])):
        if entry.get("step") == global_step and f"{prefix}_loss" in entry:
            return {key: value for key, value in entry.items() if key.startswith(f"{prefix}_")
                    and key not in (f"{prefix}_runtime", f"{prefix}_samples_per_second", f"{prefix}_steps_per_second")}
    return None


NATIVE_BF16_MAJOR = 8  # compute capability 8.0 (Ampere: A100, A10G) and newer (L4, L40S, H100, H200, B200)


def native_bf16(cuda) -> bool:
    """True when ``cuda`` (the ``torch.cuda`` module) sees a GPU that computes in bfloat16 natively.

    Not ``cuda.is_bf16_supported()``: since torch 2.4 its default ``including_emulation=True`` also answers True on
    Volta and Turing (V100 on ml.p3/ml.p3dn, T4 on ml.g4dn), where it only checks that a bfloat16 tensor can be
    created (torch/cuda/__init__.py, ``is_bf16_supported`` -> ``_check_bf16_tensor_supported``), and transformers'
    ``bf16=True`` accepts that, so "auto" would train in emulated bfloat16, far slower than float16. The test here
    is the one torch itself applies before it falls back to emulation: compute capability 8.0 or newer.
    """
    if not cuda.is_available():
        return False
    major, _minor = cuda.get_device_capability(0)
    return major >= NATIVE_BF16_MAJOR


def device_description(cuda) -> str:
    """``NAME (compute capability X.Y)`` of the first GPU ``cuda`` sees, or ``CPU``."""
    if not cuda.is_available():
        return "CPU"
    major, minor = cuda.get_device_capability(0)
    return f"{cuda.get_device_name(0)} (compute capability {major}.{minor})"


def list_dataset(items):
    """A ``torch.utils.data.Dataset`` over the list ``items`` (already tokenized rows)."""
    from torch.utils.data import Dataset  # noqa: PLC0415 - heavy import kept out of module import

    class ListDataset(Dataset):
        """Rows held in memory."""

        def __len__(self):
            return len(items)

        def __getitem__(self, index):
            return items[index]

    return ListDataset()


def resolve_job_model(model_name_or_path: Optional[str], context: sm_contract.SageMakerContext, recipe: str,
                      offline: bool) -> str:
    """model_source.resolve_model_path for this job: the ``model`` channel wins (logged: ``model_name_or_path`` is then
    not used), an archive in it is extracted once per host into ``<temp dir>/<recipe>-model`` (the processes torchrun starts share it), and a warning says when an
    offline job gets a Hub id rather than a local directory."""
    extract_dir = os.path.join(tempfile.gettempdir(), f"{recipe}-model")
    channel = context.channel(model_source.MODEL_CHANNEL)
    model_path = model_source.resolve_model_path(model_name_or_path, channel, extract_dir)
    if channel and model_name_or_path:
        logger.info("model from the '%s' channel; model_name_or_path %r is not used", model_source.MODEL_CHANNEL,
                    model_name_or_path)
    if offline and not os.path.isdir(model_path):
        logger.warning("offline: %r is not a local directory, so it must already be in the Hugging Face cache; "
                       "in an isolated job pass the model through a 'model' channel", model_path)
    return model_path


def fit_to_release(kwargs: Dict[str, object], available: Collection[str], optional: Collection[str],
                   supported: str) -> Dict[str, object]:
    """``kwargs`` without the ``optional`` names the installed ``TrainingArguments`` lacks (``available``: its field
    names). Raises ValueError naming the first other missing field and ``supported`` (the releases the script is
    written for). transformers 5.0 removed ``overwrite_output_dir`` and ``save_safetensors``: callers list such fields
    as optional."""
    fitted = dict(kwargs)
    for name in sorted(name for name in kwargs if name not in available):
        if name not in optional:
            raise ValueError(f"the installed transformers' TrainingArguments has no field {name!r}; this script is "
                             f"written for transformers {supported}")
        del fitted[name]
    return fitted


def pick_name(candidates, available: Collection[str], what: str) -> str:
    """The first of ``candidates`` that ``available`` has. Raises ValueError naming ``what`` when none is."""
    for name in candidates:
        if name in available:
            return name
    raise ValueError(f"the installed transformers accepts none of {list(candidates)!r} for {what}")


def metric_callback(metrics_logger: logging.Logger,
                    to_metrics: Callable[[Mapping[str, object]], Dict[str, object]]
                    = metrics_log.trainer_logs_to_metrics):
    """A ``TrainerCallback`` that prints every Trainer log, mapped by ``to_metrics``, as one METRIC line (rank 0)."""
    from transformers import TrainerCallback  # noqa: PLC0415 - heavy import kept out of module import

    class MetricLogCallback(TrainerCallback):
        """Prints every Trainer log (training loss, evaluation metrics, epoch) as a METRIC line."""

        def on_log(self, args, state, control, logs=None, **kwargs):  # noqa: D401 - Trainer hook
            if logs and state.is_world_process_zero:
                line = metrics_log.format_metric_line(to_metrics(logs))
                if line:
                    metrics_logger.info(line)

    return MetricLogCallback()


def progress_callback(progress: ResumeProgress):
    """A ``TrainerCallback`` that sets ``progress.training_started`` at the first training step."""
    from transformers import TrainerCallback  # noqa: PLC0415

    class ResumeProgressCallback(TrainerCallback):
        """Marks the first training step: by then the checkpoint's weights, optimizer, scheduler and RNG loaded."""

        def on_step_begin(self, args, state, control, **kwargs):  # noqa: D401 - Trainer hook
            progress.training_started = True

    return ResumeProgressCallback()
