"""A recipe's cross-field rules: the ``rules`` of its ``hyperparameters.json``, checked on the parsed values.

A rule names hyperparameters and a test of each (format: ``training-scripts/hyperparameters.schema.json``,
``$defs/rule``): ``when`` every test holds, every test of ``require`` must hold too; a rule without ``require``
refuses the ``when`` combination itself. ``effect`` ``refuse`` (the default) makes it a problem of the parser's one
ValueError; ``note`` only reports it (logged here; PrepareRequest puts it in its ``summary.notes``, the execution
output's ``settings.notes``): a value the job does not use.

The pipeline's PrepareRequest evaluates the same rules on the final request before any job starts
(``constructs/Orchestration/runtime/rules.mjs``), with the same meaning: a value is what the script receives (the
request's, else the hyperparameter's default; the toolkit passes an empty string and null alike, as null), and
``given`` says whether the request carries the hyperparameter at all. Standard library only.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Collection, List, Mapping, Optional, Sequence, Tuple

EFFECTS = ("refuse", "note")
TESTS = ("given", "null", "in", "notIn", "matches")


def same(a: object, b: object) -> bool:
    """Equality of JSON values as JavaScript's ``===`` sees them: a boolean equals only a boolean (Python's
    ``True == 1`` does not count), a number equals the same number (``3 == 3.0``), null only null."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return isinstance(a, str) and isinstance(b, str) and a == b


def show(value: object) -> str:
    """A value as the messages show it: JSON."""
    return json.dumps(value)


@dataclass(frozen=True)
class Condition:
    """A test of one hyperparameter's value; every test it has must hold."""

    given: Optional[bool] = None
    is_null: Optional[bool] = None  # "null"
    one_of: Optional[Tuple[object, ...]] = None  # "in"
    none_of: Optional[Tuple[object, ...]] = None  # "notIn"
    matches: Optional[str] = None

    @classmethod
    def from_json(cls, where: str, spec: Mapping[str, object]) -> "Condition":
        unknown = sorted(set(spec) - set(TESTS))
        if unknown or not spec:
            raise ValueError(f"{where}: tests {unknown or '(none)'} not allowed; allowed: one or more of {', '.join(TESTS)}")
        return cls(given=spec.get("given"), is_null=spec.get("null"),
                   one_of=tuple(spec["in"]) if "in" in spec else None,
                   none_of=tuple(spec["notIn"]) if "notIn" in spec else None,
                   matches=spec.get("matches"))

    def holds(self, value: object, given: bool) -> bool:
        """Whether the value (``given``: the script received the argument) passes every test."""
        return ((self.given is None or self.given == given)
                and (self.is_null is None or self.is_null == (value is None))
                and (self.one_of is None or any(same(value, v) for v in self.one_of))
                and (self.none_of is None or not any(same(value, v) for v in self.none_of))
                and (self.matches is None or (isinstance(value, str) and re.match(self.matches, value) is not None)))


@dataclass(frozen=True)
class Rule:
    """One entry of ``rules``."""

    when: Mapping[str, Condition]
    require: Mapping[str, Condition]
    effect: str
    message: str

    @classmethod
    def from_json(cls, where: str, spec: Mapping[str, object], declared: Collection[str]) -> "Rule":
        effect = spec.get("effect", "refuse")
        if effect not in EFFECTS:
            raise ValueError(f"{where}.effect: {effect!r} not allowed; allowed: {', '.join(EFFECTS)}")
        parts = {}
        for part in ("when", "require"):
            conditions = spec.get(part) or {}
            for name in conditions:
                if name not in declared:
                    raise ValueError(f"{where}.{part}.{name}: not a hyperparameter of this recipe; allowed: "
                                     f"{', '.join(declared)}")
            parts[part] = {name: Condition.from_json(f"{where}.{part}.{name}", test) for name, test in conditions.items()}
        if not parts["when"]:
            raise ValueError(f"{where}.when: missing; allowed: hyperparameter name -> test")
        return cls(when=parts["when"], require=parts["require"], effect=effect, message=str(spec["message"]))

    def names(self) -> List[str]:
        """The hyperparameters the rule reads, ``when`` first."""
        return list(self.when) + [name for name in self.require if name not in self.when]

    def broken(self, values: Mapping[str, object], given: Mapping[str, bool]) -> bool:
        """Whether ``values`` (name -> parsed value) break the rule."""
        def all_hold(conditions):
            return all(test.holds(values.get(name), given.get(name, False)) for name, test in conditions.items())
        return all_hold(self.when) and (not self.require or not all_hold(self.require))

    def describe(self, values: Mapping[str, object], given: Mapping[str, bool]) -> str:
        """``hyperparameters a = 1, b = "x" (not set: the script's default): <message>``."""
        shown = ", ".join(f"{name} = {show(values.get(name))}{'' if given.get(name) else ' (not set: the default)'}"
                          for name in self.names())
        return f"hyperparameters {shown}: {self.message}"


def load_rules(document: Mapping[str, object], declared: Collection[str], path: str) -> List[Rule]:
    """The ``rules`` of a parsed ``hyperparameters.json`` (``path`` for messages); ``declared``: its names."""
    return [Rule.from_json(f"{path}: rules[{index}]", spec, list(declared))
            for index, spec in enumerate(document.get("rules", []))]


def check(rules: Sequence[Rule], values: Mapping[str, object], given: Mapping[str, bool],
          skip: Collection[str] = ()) -> Tuple[List[str], List[str]]:
    """(problems, notes): the description of every broken rule, by effect. A rule reading a name in ``skip`` (a
    value already refused on its own) is not checked, so a refused value does not also break a rule as its default."""
    problems: List[str] = []
    notes: List[str] = []
    for rule in rules:
        if any(name in skip for name in rule.names()) or not rule.broken(values, given):
            continue
        (problems if rule.effect == "refuse" else notes).append(rule.describe(values, given))
    return problems, notes
