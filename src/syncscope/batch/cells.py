"""Turning one row's cells into a canonical configuration, with ``--set`` defaults.

Each column has a map from a text spelling to its value's index in the
variable's domain, filled in advance with the ids, labels and aliases and then
with every other spelling met, as :func:`~syncscope.model.parse_value` reads it.
A row whose cells are all in the maps costs one look-up per cell and one sum, and
its :class:`~syncscope.batch.record.Configuration` is its index in the full space
with its value indices (one object per distinct row while it is among the
:data:`CONFIG_LIMIT` most recent), its values worked out only when asked for. Anything else
(a blank cell, a JSON number, a bad value) takes the exact path cell by cell. The
maps and memos are bounded, so memory stays flat however long the input is.
"""

from __future__ import annotations

import difflib
import operator
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from syncscope.model import ConfigurationError, Model, Value, Variable, format_value, parse_value

from .record import Configuration, Layout

__all__ = ["CONFIG_LIMIT", "Cells", "Lane", "describe_type"]

_MEMO_LIMIT = 1 << 16
_SPELLINGS_LIMIT = 1 << 12
"""The most spellings one column's map learns (beyond, the exact path parses them)."""
CONFIG_LIMIT = 1 << 14
"""The most distinct configurations kept as objects at once (least recently used go first)."""

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
    partial : bool
        Whether a row may leave variables unknown (a blank cell, a missing column):
        its configuration is then a plain dict of the values given, in model order,
        checked as ``syncscope check`` checks a partial one. Otherwise such a row is
        a problem.

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
        partial: bool = False,
    ) -> None:
        self._names = model.names
        self._typed = typed
        self._partial = partial
        self._columns = tuple(columns)
        self._defaults = dict(defaults)
        self._noun = noun
        self._values: dict[tuple[object, ...], Value | _Problem] = {}
        given = {var.name for _, var in self._columns}
        missing = [n for n in self._names if n not in given and n not in self._defaults]
        self.missing: tuple[str, ...] = tuple(missing)
        """Variables no column and no default gives: every row is an error."""
        self._missing_text = _missing_text(missing, others, noun) if missing else None
        self._incomplete = bool(missing) and partial
        """Whether every row leaves some variable unknown (no column, no default)."""
        if partial:
            self._missing_text = None
        self._layout = Layout(model.names, tuple(v.domain for v in model.variables))
        self._domains = self._layout.domains
        self._strides = self._layout.strides
        self._position = {n: i for i, n in enumerate(self._names)}
        index = [{value: k for k, value in enumerate(d)} for d in self._domains]
        self._index = index
        # The value indices of a row in model order: the columns' indices, then the
        # defaults' of the variables no column gives, put in place by ``_place``.
        rest = [i for i, n in enumerate(self._names) if n not in given and n in self._defaults]
        self._rest = tuple(index[i][self._defaults[self._names[i]]] for i in rest)
        where = {self._position[var.name]: j for j, (_, var) in enumerate(self._columns)}
        where |= {i: len(self._columns) + r for r, i in enumerate(rest)}
        order = [where.get(i, 0) for i in range(len(self._names))]
        self._place: Callable[[tuple[int, ...]], tuple[int, ...]] | None = (
            None
            if order == list(range(len(order))) or len(order) < 2
            else operator.itemgetter(*order)
        )
        self._configs: OrderedDict[int, Configuration] = OrderedDict()
        self._maps: tuple[dict[object, int], ...] = tuple(
            self._spellings(var) for _, var in self._columns
        )

    def _spellings(self, var: Variable) -> dict[object, int]:
        """Text -> value index, for the spellings ``parse_value`` reads the same."""
        share = {value: k for k, value in enumerate(self._domains[self._position[var.name]])}
        out: dict[object, int] = {}
        if var.name in self._defaults:
            out[""] = share[self._defaults[var.name]]
        for spec in var.values:
            words = [format_value(spec.id), spec.label, *spec.aliases]
            if var.is_bool:
                words += ["yes", "no", "true", "false", "Yes", "No", "True", "False"]
            for word in words:
                for text in (word, word.lower(), word.upper()):
                    if text in out or not text.strip():
                        continue
                    try:
                        value = parse_value(var, text)
                    except ConfigurationError:
                        continue
                    if value in share:
                        out[text] = share[value]
        return out

    def build(self, cells: tuple[object, ...]) -> Built:
        """Return the canonical configuration of one row's cells, or the problems.

        Cells are text (CSV) or JSON values; ``None`` and blank text mean "not given".
        The configuration is a :class:`~syncscope.batch.record.Configuration`.
        """
        if self._missing_text is None and not self._incomplete:
            try:
                digits = tuple(map(operator.getitem, self._maps, cells)) + self._rest
            except (KeyError, TypeError):  # a spelling not met yet, blank, or not text
                pass
            else:
                if self._place is not None:
                    digits = self._place(digits)
                return self._configuration(
                    sum(map(operator.mul, digits, self._strides)), digits
                ), None
        return self._learn(cells)

    def lane(self) -> Lane | None:
        """What a row's value indices in model order are made of, for rows whose cells
        are all known spellings, as :meth:`build` works them out: None when no row is
        complete without the exact path (a variable no column or default gives)."""
        if self._missing_text is not None or self._incomplete:
            return None
        return Lane(self._maps, self._rest, self._place, self._strides, self._layout)

    def build_exact(self, cells: tuple[object, ...]) -> Built:
        """:meth:`build` without the maps and memos: the reference it is tested against."""
        config, problem = self._build(cells)
        if config is None or len(config) < len(self._names):
            return config, problem
        key = sum(self._index[i][config[n]] * self._strides[i] for i, n in enumerate(self._names))
        return self._configuration(key), None

    def _configuration(self, key: int, digits: tuple[int, ...] | None = None) -> Configuration:
        """The configuration at ``key``: one object per distinct row while it is recent."""
        configs = self._configs
        hit = configs.get(key)
        if hit is not None:
            configs.move_to_end(key)
            return hit
        hit = configs[key] = Configuration(key, self._layout, digits)
        if len(configs) > CONFIG_LIMIT:
            configs.popitem(last=False)  # the least recently used
        return hit

    def _learn(self, cells: tuple[object, ...]) -> Built:
        """The exact path; text spellings it reads are added to the maps."""
        config, problem = self._build(cells)
        if config is None:
            return None, problem
        if len(config) < len(self._names):  # partial: checked as it is, not by index
            return config, None
        for (_, var), raw, known in zip(self._columns, cells, self._maps, strict=True):
            if isinstance(raw, str) and raw not in known and len(known) < _SPELLINGS_LIMIT:
                known[raw] = self._index[self._position[var.name]][config[var.name]]
        key = sum(self._index[i][config[n]] * self._strides[i] for i, n in enumerate(self._names))
        return self._configuration(key), None

    def _build(self, cells: tuple[object, ...]) -> tuple[dict[str, Value] | None, str | None]:
        found: dict[str, Value] = {}
        problems: list[str] = []
        for (label, var), raw in zip(self._columns, cells, strict=True):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if var.name not in self._defaults and not self._partial:
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
        known = (n for n in self._names if n in found or n in self._defaults)
        return {n: found[n] if n in found else self._defaults[n] for n in known}, None

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


class Lane(NamedTuple):
    """The parts of :meth:`Cells.build`'s fast path: ``digits = place(tuple(map(getitem,
    maps, cells)) + rest)`` (``place`` None: as they are), ``key = sum(digits * strides)``.
    The maps are live: spellings the exact path learns join them."""

    maps: tuple[dict[object, int], ...]
    rest: tuple[int, ...]
    place: Callable[[tuple[int, ...]], tuple[int, ...]] | None
    strides: tuple[int, ...]
    layout: Layout


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
