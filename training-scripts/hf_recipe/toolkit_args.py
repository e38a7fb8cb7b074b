"""Hyperparameters parsed exactly as the SageMaker training toolkit passes them, checked against the recipe's contract.

The toolkit decodes each hyperparameter with ``json.loads`` (keeping the raw string when that fails), drops the
``sagemaker_*`` keys, sorts the rest and runs ``train.py --key value ...`` with ``str(value)``. So booleans arrive
as ``True``/``False`` (``argparse type=bool`` would turn ``False`` into True), a JSON ``null`` arrives as an empty
argument, numbers are re-printed by Python (``2e-05``, ``3``), and a tuning job adds ``_tuning_objective_metric``.

A recipe's hyperparameters are declared once, in ``hyperparameters.json`` beside its ``train.py`` (format:
``training-scripts/hyperparameters.schema.json``): kind, default, bounds, choices, pattern, nullable and a help line.
The pipeline reads the same file at synthesis, so PrepareRequest refuses what this parser would refuse.
:func:`load_contract` reads the table and :func:`load_rules` its cross-field rules (hyperparameter_rules.py);
:func:`parse_table` converts every value, checks the rules and collects every problem, each naming the hyperparameter,
the value received and what is allowed. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from hf_recipe import hyperparameter_rules
from hf_recipe.hyperparameter_rules import Rule

logger = logging.getLogger(__name__)

TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
TUNING_OBJECTIVE = "_tuning_objective_metric"
CONTRACT_FILE_NAME = "hyperparameters.json"
KINDS = ("string", "integer", "float", "boolean")
BF16_WORDS = ("auto", "true", "false")


def normalize_bf16(value: str) -> Optional[str]:
    """``auto``, ``true`` or ``false`` for what the toolkit passes for a bf16 setting (``True``/``False`` when the
    request held a JSON boolean; also 1/0, yes/no), or None when ``value`` is none of those."""
    word = str(value).strip().lower()
    if word == "auto":
        return "auto"
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    return None


def check_bf16(values, problems: List[str]) -> None:
    """Replace ``values['bf16']`` by its normalized word, or add a problem naming the value received (the contract's
    pattern admits only words this maps, so that problem means the pattern and this function disagree)."""
    bf16 = values.get("bf16")
    if isinstance(bf16, str):
        normalized = normalize_bf16(bf16)
        if normalized is None:
            problems.append(f"hyperparameter 'bf16' must be one of {', '.join(BF16_WORDS)}; received {bf16!r}")
        else:
            values["bf16"] = normalized


def str2bool(value: str, name: str = "value") -> bool:
    """``True``/``False`` (as the toolkit prints them), ``true``/``false``, ``1``/``0``, ``yes``/``no``, any case."""
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        f"hyperparameter '{name}' must be a boolean (True/False, true/false, 1/0, yes/no); received {value!r}"
    )


def _to_int(value: str, name: str) -> int:
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and number == int(number):
        return int(number)  # "3.0": a JSON number written with a decimal point
    raise ValueError(f"hyperparameter '{name}' must be an integer; received {value!r}")


def _to_float(value: str, name: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"hyperparameter '{name}' must be a finite number (e.g. 5e-05); received {value!r}")
    return number


_CONVERTERS: Dict[str, Callable[[str, str], object]] = {
    "string": lambda text, _name: text,
    "integer": _to_int,
    "float": _to_float,
    "boolean": lambda text, name: str2bool(text, name),
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(float(value))


@dataclass(frozen=True)
class HyperParameter:
    """One accepted hyperparameter: an entry of a recipe's ``hyperparameters.json`` (field names in snake case)."""

    name: str
    kind: str  # one of KINDS
    default: object
    help: str
    nullable: bool = False  # an empty value (JSON null) means None
    choices: Optional[Sequence[str]] = None
    minimum: Optional[float] = None
    exclusive_minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_maximum: Optional[float] = None
    excluded: Sequence[float] = ()
    pattern: Optional[str] = None  # ECMAScript-compatible, anchored by the pattern itself
    pattern_meaning: Optional[str] = None
    min_length: int = 0

    @classmethod
    def from_json(cls, name: str, spec: Mapping[str, object]) -> "HyperParameter":
        """The entry ``name`` of a contract file (already validated against the schema at synthesis and in tests)."""
        kind = str(spec["kind"])
        if kind not in KINDS:
            raise ValueError(f"hyperparameter '{name}': kind {kind!r} is not one of {', '.join(KINDS)}")
        default = spec.get("default")
        if kind == "float" and default is not None:
            default = float(default)  # 3 in the file: the pipeline sends "3", the script works with 3.0
        return cls(name=name, kind=kind, default=default, help=str(spec.get("help", "")),
                   nullable=bool(spec.get("nullable", False)), choices=spec.get("choices"),
                   minimum=spec.get("minimum"), exclusive_minimum=spec.get("exclusiveMinimum"),
                   maximum=spec.get("maximum"), exclusive_maximum=spec.get("exclusiveMaximum"),
                   excluded=tuple(spec.get("excluded", ())), pattern=spec.get("pattern"),
                   pattern_meaning=spec.get("patternMeaning"), min_length=int(spec.get("minLength", 0)))

    def allowed(self) -> str:
        """What is allowed, in words (the same words as the pipeline's messages)."""
        if self.kind == "integer":
            text = "an integer"
        elif self.kind == "float":
            text = "a number"
        elif self.kind == "boolean":
            text = "true or false"
        elif self.choices:
            text = "one of " + ", ".join(f'"{choice}"' for choice in self.choices)
        elif self.pattern is not None:
            text = self.pattern_meaning or f"a string matching {self.pattern}"
        elif self.min_length > 0:
            text = f"a string of at least {self.min_length} character(s)"
        else:
            text = "a string"
        bounds = []
        for bound, sign in ((self.minimum, ">="), (self.exclusive_minimum, ">"), (self.maximum, "<="),
                            (self.exclusive_maximum, "<")):
            if bound is not None:
                bounds.append(f"{sign} {_number(bound)}")
        if self.excluded:
            bounds.append("not " + " or ".join(_number(value) for value in self.excluded))
        if bounds:
            text += " " + " and ".join(bounds)
        return text + ", or null" if self.nullable else text

    def fits(self, value: object) -> bool:
        """Whether a converted value meets the choices, length, pattern and bounds."""
        if isinstance(value, str):
            return (len(value) >= self.min_length and (self.choices is None or value in self.choices)
                    and (self.pattern is None or re.match(self.pattern, value) is not None))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ((self.minimum is None or value >= self.minimum)
                    and (self.exclusive_minimum is None or value > self.exclusive_minimum)
                    and (self.maximum is None or value <= self.maximum)
                    and (self.exclusive_maximum is None or value < self.exclusive_maximum)
                    and value not in self.excluded)
        return True

    def convert(self, raw: Optional[str]):
        """The typed value of ``raw`` (None: not given, so the default). Raises ValueError naming the hyperparameter,
        the value received and what is allowed."""
        if raw is None:
            return self.default
        if raw == "" and self.nullable:
            return None
        if raw == "" and self.kind != "string":
            raise ValueError(
                f"hyperparameter '{self.name}' received an empty value (how the toolkit passes null) but needs "
                f"{self.allowed()}; leave it out to use the default {self.default!r}"
            )
        value = _CONVERTERS[self.kind](raw, self.name)
        if not self.fits(value):
            raise ValueError(f"hyperparameter '{self.name}' must be {self.allowed()}; received {raw!r}")
        return value


# What every recipe's parser accepts besides its contract: script arguments that are no hyperparameter of the
# pipeline (PrepareRequest refuses them: they are not in hyperparameters.json).
SCRIPT_ARGUMENTS = (
    HyperParameter("checkpoint_dir", "string", "",
                   "Local runs only: the checkpoint directory (empty: /opt/ml/checkpoints, CheckpointConfig.LocalPath's "
                   "default, which SageMaker syncs to S3 and restores after a spot interruption)."),
    HyperParameter(TUNING_OBJECTIVE, "string", "",
                   "Added by SageMaker to every training job of a tuning job; accepted and ignored."),
)


def _read_contract(recipe_dir: str) -> Tuple[Mapping[str, object], str]:
    path = os.path.join(recipe_dir, CONTRACT_FILE_NAME)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle), path


def load_contract(recipe_dir: str) -> List[HyperParameter]:
    """The hyperparameters of ``recipe_dir/hyperparameters.json`` in file order, then :data:`SCRIPT_ARGUMENTS`."""
    document, _ = _read_contract(recipe_dir)
    table = [HyperParameter.from_json(name, spec) for name, spec in document["hyperparameters"].items()]
    return table + list(SCRIPT_ARGUMENTS)


def load_rules(recipe_dir: str) -> List[Rule]:
    """The cross-field ``rules`` of ``recipe_dir/hyperparameters.json`` (ValueError naming the file for a rule that
    reads a name the file does not declare)."""
    document, path = _read_contract(recipe_dir)
    return hyperparameter_rules.load_rules(document, list(document["hyperparameters"]), path)


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print and exit(2); the caller wants one ValueError
        raise ValueError(f"invalid arguments: {message}")


def build_parser(table: Sequence[HyperParameter], description: str) -> argparse.ArgumentParser:
    """The argparse parser of ``table``: every value is kept as a string and converted by :func:`parse_table`."""
    parser = _RaisingParser(prog="train.py", allow_abbrev=False, description=description)
    for hp in table:
        parser.add_argument(f"--{hp.name}", dest=hp.name, type=str, default=None,
                            help=f"{hp.help} Default: {hp.default!r}.")
    return parser


def parse_table(argv: Sequence[str], table: Sequence[HyperParameter], description: str,
                rules: Sequence[Rule] = ()) -> Tuple[Dict[str, object], List[str]]:
    """(typed values, problems) of ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Problems: unknown hyperparameters, every value that is not of its kind or misses its choices, pattern or bounds,
    and every broken ``rules`` entry of effect ``refuse`` (those of effect ``note`` are logged as warnings). The caller
    raises one ValueError when the list is not empty.
    """
    namespace, unknown = build_parser(table, description).parse_known_args(list(argv))
    problems: List[str] = []
    if unknown:
        names = ", ".join(sorted(hp.name for hp in table))
        problems.append(f"unknown arguments {unknown!r}; accepted hyperparameters: {names}")
    values: Dict[str, object] = {}
    refused = set()
    for hp in table:
        try:
            values[hp.name] = hp.convert(getattr(namespace, hp.name))
        except ValueError as error:
            problems.append(str(error))
            refused.add(hp.name)
    given = {hp.name: getattr(namespace, hp.name) is not None for hp in table}
    broken, notes = hyperparameter_rules.check(rules, values, given, refused)
    problems += broken
    for note in notes:
        logger.warning("%s", note)
    return values, problems
