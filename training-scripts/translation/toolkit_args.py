"""Hyperparameters parsed exactly as the SageMaker training toolkit passes them: the part every recipe shares.

The toolkit decodes each hyperparameter with ``json.loads`` (keeping the raw string when that fails), drops the
``sagemaker_*`` keys, sorts the rest and runs ``train.py --key value ...`` with ``str(value)``. So booleans arrive
as ``True``/``False`` (``argparse type=bool`` would turn ``False`` into True), a JSON ``null`` arrives as an empty
argument, numbers are re-printed by Python (``2e-05``, ``3``), and a tuning job adds ``_tuning_objective_metric``.
A recipe's ``args.py`` declares its table of :class:`HyperParameter` and its cross-checks; :func:`parse_table`
converts every value and collects every problem, each naming the hyperparameter and the value received.

Shared file: every recipe directory under ``training-scripts/`` carries an identical copy (each recipe's
``sourcedir.tar.gz`` holds only its own directory); tests/python/test_recipe_shared_modules.py keeps them identical.
Standard library only.
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
TUNING_OBJECTIVE = "_tuning_objective_metric"


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
    """Replace ``values['bf16']`` by its normalized word, or add a problem naming the value received."""
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


@dataclass(frozen=True)
class HyperParameter:
    """One accepted hyperparameter: its name, kind, default and help text."""

    name: str
    kind: str  # "str", "int", "float", "bool"
    default: object
    help: str
    nullable: bool = False  # an empty value (JSON null) means None
    choices: Optional[Sequence[str]] = None

    def convert(self, raw: Optional[str]):
        """The typed value of ``raw`` (None: not given, so the default)."""
        if raw is None:
            return self.default
        if raw == "" and self.nullable:
            return None
        if raw == "" and self.kind != "str":
            raise ValueError(
                f"hyperparameter '{self.name}' received an empty value (how the toolkit passes null) but needs "
                f"a {self.kind}; leave it out to use the default {self.default!r}"
            )
        # An empty string stays "" and still meets the choices check below (an empty eval_strategy is no strategy).
        converters: Dict[str, Callable[[str, str], object]] = {
            "str": lambda text, _name: text,
            "int": _to_int,
            "float": _to_float,
            "bool": lambda text, name: str2bool(text, name),
        }
        value = converters[self.kind](raw, self.name)
        if self.choices is not None and value not in self.choices:
            raise ValueError(
                f"hyperparameter '{self.name}' must be one of {', '.join(self.choices)}; received {raw!r}"
            )
        return value


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
                at_least_one: Sequence[str] = ()) -> Tuple[Dict[str, object], List[str]]:
    """(typed values, problems) of ``argv`` (toolkit style: ``--key value``, values as ``str()`` printed them).

    Problems: unknown hyperparameters, bad booleans, numbers or choices, and every name in ``at_least_one`` whose
    integer value is below 1 (null passes: it means "not set"). The caller adds its cross-checks and raises one
    ValueError when the list is not empty.
    """
    namespace, unknown = build_parser(table, description).parse_known_args(list(argv))
    problems: List[str] = []
    if unknown:
        names = ", ".join(sorted(hp.name for hp in table))
        problems.append(f"unknown arguments {unknown!r}; accepted hyperparameters: {names}")
    values: Dict[str, object] = {}
    for hp in table:
        try:
            values[hp.name] = hp.convert(getattr(namespace, hp.name))
        except ValueError as error:
            problems.append(str(error))
    for name in at_least_one:
        value = values.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            problems.append(f"hyperparameter '{name}' must be at least 1; received {value}")
    return values, problems
