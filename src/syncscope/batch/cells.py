"""Turning one row's cells into a canonical configuration, with ``--set`` defaults.

Parsing a spelling is memoised per variable, and a whole row per tuple of cells, so
an inventory with many identical rows parses each distinct row once. The memo is
bounded, so memory stays flat however long the input is.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from syncscope.model import ConfigurationError, Model, Value, Variable, parse_value

__all__ = ["Cells", "describe_type"]

_MEMO_LIMIT = 1 << 16

Built = tuple[Mapping[str, Value] | None, str | None]
"""A configuration, or None and the problems (without the row prefix)."""


def describe_type(raw: object) -> str:
    """Name a JSON value's type the way a user would.

    Examples
    --------
    >>> describe_type(8.1), describe_type([1]), describe_type(None), describe_type("2")
    ('a number 8.1', 'a JSON array', 'null', "text '2'")
    """
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return f"a yes/no value {'true' if raw else 'false'}"
    if isinstance(raw, (int, float)):
        return f"a number {raw!r}"
    if isinstance(raw, list):
        return "a JSON array"
    if isinstance(raw, dict):
        return "a JSON object"
    if isinstance(raw, str):
        return f"text {raw!r}"
    return type(raw).__name__


class Cells:
    """Parse the cells of rows that share one layout of variable columns.

    Parameters
    ----------
    model : Model
        The vocabulary.
    columns : sequence of (str, Variable)
        The column (or key) as spelled in the input, and the variable it holds,
        in the order cells are given.
    defaults : mapping
        Canonical ``--set`` values; a row's own non-empty value wins.
    others : sequence of str
        The input's other columns, offered as did-you-mean for missing variables.
    noun : str
        ``"column"`` (CSV) or ``"key"`` (JSON Lines), for messages.
    typed : bool
        Whether cells may be JSON values other than text (then ``1``, ``1.0`` and
        ``true`` are told apart in the memo).

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> org = {"deployment": "online", "version": "8.2"}
    >>> cells = Cells(model, [("Email", model.variable("email_system"))], org, ["Deploy"])
    >>> cells.missing[:2]
    ('incoming_protocol', 'outgoing_protocol')
    >>> cells.build(("gmial",))[1].startswith("no value for incoming_protocol")
    True
    """

    def __init__(
        self,
        model: Model,
        columns: Sequence[tuple[str, Variable]],
        defaults: Mapping[str, Value],
        others: Sequence[str] = (),
        noun: str = "column",
        *,
        typed: bool = False,
    ) -> None:
        self._names = model.names
        self._typed = typed
        self._columns = tuple(columns)
        self._defaults = dict(defaults)
        self._noun = noun
        self._values: dict[tuple[object, ...], Value | _Problem] = {}
        self._rows: dict[tuple[object, ...], Built] = {}
        given = {var.name for _, var in self._columns}
        missing = [n for n in self._names if n not in given and n not in self._defaults]
        self.missing: tuple[str, ...] = tuple(missing)
        """Variables no column and no default gives: every row is an error."""
        self._missing_text = _missing_text(missing, others, noun) if missing else None

    def build(self, cells: tuple[object, ...]) -> Built:
        """Return the canonical configuration of one row's cells, or the problems.

        Cells are text (CSV) or JSON values; ``None`` and blank text mean "not given".
        """
        key: tuple[object, ...] = cells
        if self._typed:
            key = (*cells, *map(type, cells))  # keep 1, 1.0 and true apart
        try:
            hit = self._rows.get(key)
        except TypeError:  # an unhashable JSON value: parse without the memo
            return self._build(cells)
        if hit is None:
            hit = self._build(cells)
            if len(self._rows) >= _MEMO_LIMIT:
                self._rows.clear()
            self._rows[key] = hit
        return hit

    def _build(self, cells: tuple[object, ...]) -> Built:
        found: dict[str, Value] = {}
        problems: list[str] = []
        for (label, var), raw in zip(self._columns, cells, strict=True):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if var.name not in self._defaults:
                    what = "null" if raw is None else "empty"
                    problems.append(
                        f"{self._noun} {label!r} is {what} and no --set gives {var.name}"
                    )
                continue
            value = self._parse(var, raw)
            if isinstance(value, _Problem):
                problems.append(f"{self._noun} {label!r}: {value.text}")
            else:
                found[var.name] = value
        if self._missing_text:
            problems.insert(0, self._missing_text)
        if problems:
            return None, "; ".join(problems)
        merged = {n: found[n] if n in found else self._defaults[n] for n in self._names}
        return MappingProxyType(merged), None

    def _parse(self, var: Variable, raw: object) -> Value | _Problem:
        """A canonical value, or what is wrong with ``raw``."""
        key: tuple[object, ...] = (var.name, raw, type(raw))
        try:
            hit = self._values.get(key)
        except TypeError:  # an unhashable JSON value
            hit, key = None, ()
        if hit is not None:
            return hit
        value: Value | _Problem
        try:  # the same policy, and the same words, as ``syncscope check``
            value = parse_value(var, raw)
        except ConfigurationError as exc:
            value = _Problem(str(exc))
        if key and len(self._values) < _MEMO_LIMIT:
            self._values[key] = value
        return value


class _Problem:
    """Why a cell has no canonical value."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _missing_text(missing: Sequence[str], others: Sequence[str], noun: str) -> str:
    names = ", ".join(missing)
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [o.strip().lower() for o in others], 1, 0.6)
        if close:
            original = next(o for o in others if o.strip().lower() == close[0])
            hints.append(f"{noun} {original!r} for {name}")
    text = (
        f"no value for {names}: the input has no such {noun}"
        f" and no --set gives {'it' if len(missing) == 1 else 'them'}"
    )
    if hints:
        text += " (did you mean " + ", ".join(hints) + "?)"
    return text
