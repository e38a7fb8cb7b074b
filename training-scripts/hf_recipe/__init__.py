"""The code every recipe's training script shares, shipped once.

Each recipe's ``sourcedir.tar.gz`` holds its own directory plus this package at the archive root (the C#
``TrainingSourceCodeOptions.Dependencies``, as the SageMaker Python SDK's ``dependencies=[...]`` does), so a script
imports it by name: ``from hf_recipe import sm_contract``. Locally, put ``training-scripts/`` on the path:
``PYTHONPATH=training-scripts python3 training-scripts/<recipe>/train.py --key value``.

Modules: ``sm_contract`` (the SageMaker environment), ``toolkit_args`` (hyperparameters as the toolkit passes them,
checked against the recipe's ``hyperparameters.json``), ``job_runtime`` (logging, offline mode, resume, callbacks),
``checkpoints``, ``model_source``, ``metrics_log``. Standard library only at import time.
"""
