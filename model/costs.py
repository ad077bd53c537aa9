"""The cost table: what changing a setting from one value to another costs, who owns it, advice.

Read from ``model/data/costs.toml``, shared by every edition of the page; each
rule set sees the entries whose variables and values it has (:func:`costs_for`).
"""

from __future__ import annotations

import functools
import math
import threading
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ModelError
from .schema import Model, Value
from .vocabulary import format_value

__all__ = [
    "DEFAULT_KEY",
    "PAIR_ARROW",
    "SCOPES",
    "ChangeCost",
    "CostTable",
    "VariableCost",
    "costs_for",
    "costs_path",
    "load_costs",
]

SCOPES = ("organisation", "profile", "mailbox")
"""Who owns a setting, widest first: the whole organisation, an email server profile, a mailbox."""
PAIR_ARROW = "->"
"""How a change is spelled in ``--weights``: ``"FROM -> TO"``."""
DEFAULT_KEY = "default"
"""The ``--weights`` key for every change of a variable that no pair names."""
_MAX = 10**9
_DECIMALS = 10**6
_KINDS = ("from", "along", "between")


@dataclass(frozen=True, slots=True)
class ChangeCost:
    """One ``[[variables.NAME.changes]]`` entry: a cost for some pairs of values."""

    kind: str
    """``from`` (listed changes), ``along`` (forward along a line) or ``between`` (any two)."""
    before: tuple[Value, ...]
    """For ``from``: the values left; for ``along``/``between``: the values, in order."""
    after: tuple[Value, ...]
    """For ``from``: the values reached; empty otherwise."""
    cost: Fraction
    reason: str

    def pairs(self) -> list[tuple[Value, Value]]:
        """The (before, after) changes the entry prices."""
        if self.kind == "from":
            return [(a, b) for a in self.before for b in self.after if a != b]
        values = self.before
        if self.kind == "along":
            return [(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
        return [(a, b) for a in values for b in values if a != b]

    def describe(self) -> str:
        """The changes in words, for the generated documentation."""
        shown = [format_value(v) for v in self.before]
        if self.kind == "from":
            return f"{', '.join(shown)} → {', '.join(format_value(v) for v in self.after)}"
        if self.kind == "along":
            return "upgrades along " + " → ".join(shown)
        return "between any two of " + ", ".join(shown)


@dataclass(frozen=True, slots=True)
class VariableCost:
    """What changing one variable costs, and who owns it."""

    name: str
    scope: str
    """One of :data:`SCOPES`."""
    cost: Fraction | None
    """Any change no entry of ``changes`` prices (None: the rule set's ``change_weight``)."""
    reason: str
    changes: tuple[ChangeCost, ...] = ()
    advice: Mapping[Value, str] = field(default_factory=lambda: MappingProxyType({}))
    """Value reached -> what to do, in words."""
    _pairs: Mapping[tuple[Value, Value], Fraction] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def pair_cost(self, before: Value, after: Value, fallback: Fraction) -> Fraction:
        """The cost of ``before`` -> ``after``: a priced pair, else ``cost``, else ``fallback``."""
        hit = self._pairs.get((before, after))
        if hit is not None:
            return hit
        return fallback if self.cost is None else self.cost


@dataclass(frozen=True, slots=True)
class CostTable:
    """The cost table as one rule set sees it."""

    file: str
    variables: Mapping[str, VariableCost]

    def get(self, name: str) -> VariableCost | None:
        """The entry of a variable, if the table has one."""
        return self.variables.get(name)

    def scope(self, name: str) -> str:
        """Who owns ``name`` (``mailbox`` for a variable the table does not list)."""
        entry = self.variables.get(name)
        return "mailbox" if entry is None else entry.scope

    def advice(self, name: str, value: Value) -> str | None:
        """What to do, in words, to move ``name`` to ``value`` (None: no advice)."""
        entry = self.variables.get(name)
        return None if entry is None else entry.advice.get(value)


@functools.cache
def costs_path() -> Path:
    """The built-in cost table (resolved once: the package does not move)."""
    return Path(__file__).resolve().parent / "data" / "costs.toml"


_lock = threading.Lock()
_by_digest: dict[tuple[str, str], CostTable] = {}


def costs_for(model: Model, path: str | Path | None = None) -> CostTable:
    """The cost table for ``model``: entries whose variables and values the model has.

    Raises
    ------
    ModelError
        For a malformed table, naming the file and the entry.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> table = costs_for(load_model())
    >>> table.scope("deployment"), table.scope("email_system"), table.scope("ports")
    ('organisation', 'mailbox', 'profile')
    >>> table.advice("mfa", False)
    'connect with a service account that has no multi-factor authentication'
    """
    file = Path(path) if path is not None else costs_path()
    key = (str(file), model.digest)
    with _lock:
        hit = _by_digest.get(key)
    if hit is not None:
        return hit
    full = load_costs(file)
    domains = {v.name: set(v.domain) for v in model.variables}
    kept: dict[str, VariableCost] = {}
    for name, entry in full.items():
        if name not in domains:
            continue
        domain = domains[name]
        changes = []
        for change in entry.changes:
            before = tuple(v for v in change.before if v in domain)
            after = tuple(v for v in change.after if v in domain)
            changes.append(ChangeCost(change.kind, before, after, change.cost, change.reason))
        kept[name] = VariableCost(
            name,
            entry.scope,
            entry.cost,
            entry.reason,
            tuple(changes),
            MappingProxyType({v: t for v, t in entry.advice.items() if v in domain}),
            MappingProxyType(
                {p: c for p, c in entry._pairs.items() if p[0] in domain and p[1] in domain}
            ),
        )
    table = CostTable(str(file), MappingProxyType(kept))
    with _lock:
        _by_digest.setdefault(key, table)
    return table


def load_costs(path: str | Path | None = None) -> dict[str, VariableCost]:
    """Read and validate a cost table, collecting every problem before raising.

    Variables and values must be those of the shared vocabulary (``vocabulary.toml``
    beside the table) or, without one, of the built-in rule set.

    Raises
    ------
    ModelError
        Naming the file and each entry at fault.
    """
    file = Path(path) if path is not None else costs_path()
    where = str(file)
    if file.exists() and not file.is_file():
        raise ModelError(where, ["not a regular file"])
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(where, ["no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(where, [f"cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(where, [f"not valid TOML: {exc}"]) from None
    known = _vocabulary(file.parent / "vocabulary.toml")
    problems: list[str] = []
    out: dict[str, VariableCost] = {}
    extra = sorted(set(data) - {"variables"})
    if extra:
        problems.append(f"unexpected top-level key {extra[0]!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ModelError(where, ["'variables' must be a table"])
    for name, raw in variables.items():
        if name not in known:
            problems.append(f"variables.{name}: unknown variable {name!r}")
            continue
        if not isinstance(raw, dict):
            problems.append(f"variables.{name}: expected a table")
            continue
        entry = _entry(name, raw, known[name], problems)
        if entry is not None:
            out[name] = entry
    if problems:
        raise ModelError(where, problems)
    return out


def _vocabulary(path: Path) -> dict[str, dict[str, Value]]:
    """Variable -> (value text -> value) of the shared vocabulary, else of the seed."""
    known: dict[str, dict[str, Value]] = {}
    if path.is_file():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for name, var in data.get("variables", {}).items():
            values = var.get("values") if isinstance(var, dict) else None
            if isinstance(values, list):
                ids = [v["id"] for v in values if isinstance(v, dict) and "id" in v]
            else:
                ids = [True, False]  # a yes/no variable declares no values
            known[name] = {format_value(v): v for v in ids}
    if not known:
        from .loader import load_model

        for var in load_model().variables:
            known[var.name] = {
                format_value(v): v for v in (*var.domain, *(b.id for b in var.beyond))
            }
    return known


def _entry(
    name: str, raw: Mapping[str, Any], values: Mapping[str, Value], problems: list[str]
) -> VariableCost | None:
    at = f"variables.{name}"
    before = len(problems)
    extra = sorted(set(raw) - {"scope", "cost", "reason", "changes", "advice"})
    if extra:
        problems.append(f"{at}: unexpected key {extra[0]!r}")
    scope = raw.get("scope")
    if scope not in SCOPES:
        problems.append(f"{at}: scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{at}: needs a reason (a sentence)")
    cost = _number(raw["cost"], f"{at}.cost", problems) if "cost" in raw else None
    changes: list[ChangeCost] = []
    raw_changes = raw.get("changes", [])
    if not isinstance(raw_changes, list):
        problems.append(f"{at}.changes: expected an array of tables")
        raw_changes = []
    for i, item in enumerate(raw_changes):
        change = _change(f"{at}.changes[{i}]", item, values, problems)
        if change is not None:
            changes.append(change)
    pairs: dict[tuple[Value, Value], Fraction] = {}
    for specific in (False, True):  # group entries first; from/to entries win over them
        owner: dict[tuple[Value, Value], int] = {}
        for i, change in enumerate(changes):
            if (change.kind == "from") != specific:
                continue
            for pair in change.pairs():
                if pair in owner:
                    problems.append(
                        f"{at}.changes[{i}]: {format_value(pair[0])} {PAIR_ARROW}"
                        f" {format_value(pair[1])} is priced by changes[{owner[pair]}] too"
                    )
                owner[pair] = i
                pairs[pair] = change.cost
    advice: dict[Value, str] = {}
    raw_advice = raw.get("advice", {})
    if not isinstance(raw_advice, dict):
        problems.append(f"{at}.advice: expected a table of value = text")
        raw_advice = {}
    for key, text in raw_advice.items():
        if key not in values:
            problems.append(f"{at}.advice: unknown value {key!r} of {name}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{at}.advice.{key}: expected a non-empty text")
        else:
            advice[values[key]] = text
    if len(problems) > before:
        return None
    assert isinstance(scope, str) and isinstance(reason, str)
    return VariableCost(
        name,
        scope,
        cost,
        reason,
        tuple(changes),
        MappingProxyType(advice),
        MappingProxyType(pairs),
    )


def _change(
    at: str, item: object, values: Mapping[str, Value], problems: list[str]
) -> ChangeCost | None:
    if not isinstance(item, dict):
        problems.append(f"{at}: expected a table")
        return None
    kinds = [k for k in _KINDS if k in item]
    allowed = {"cost", "reason", *kinds, *(("to",) if "from" in item else ())}
    extra = sorted(set(item) - allowed)
    if extra:
        problems.append(f"{at}: unexpected key {extra[0]!r}")
    if len(kinds) != 1:
        problems.append(f"{at}: give exactly one of from/to, along, between")
        return None
    kind = kinds[0]
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{at}: needs a reason (a sentence)")
    if "cost" not in item:
        problems.append(f"{at}: needs a cost")
        return None
    cost = _number(item["cost"], f"{at}.cost", problems)
    first = _values(at, kind, item[kind], values, problems)
    second = _values(at, "to", item.get("to"), values, problems) if kind == "from" else ()
    if first is None or second is None or cost is None or not isinstance(reason, str):
        return None
    if kind != "from" and len(first) < 2:
        problems.append(f"{at}: {kind} needs at least two values")
        return None
    return ChangeCost(kind, first, second, cost, reason)


def _values(
    at: str, key: str, raw: object, values: Mapping[str, Value], problems: list[str]
) -> tuple[Value, ...] | None:
    items: Sequence[object] = (
        [raw] if isinstance(raw, (str, bool)) else raw if isinstance(raw, list) else []
    )
    if not items:
        problems.append(f"{at}.{key}: expected a value or a non-empty array of values")
        return None
    out: list[Value] = []
    for item in items:
        text = format_value(item) if isinstance(item, bool) else item
        if not isinstance(text, str) or text not in values:
            problems.append(f"{at}.{key}: unknown value {item!r}")
            return None
        out.append(values[text])
    return tuple(out)


def _number(raw: object, at: str, problems: list[str]) -> Fraction | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        problems.append(f"{at}: expected a number, got {raw!r}")
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        problems.append(f"{at}: expected a finite number, got {raw!r}")
        return None
    exact = Fraction(str(raw)) if isinstance(raw, float) else Fraction(raw)
    if not 0 <= exact <= _MAX or _DECIMALS % exact.denominator:
        problems.append(f"{at}: expected a number from 0 to {_MAX:,} with at most 6 decimals")
        return None
    return exact
