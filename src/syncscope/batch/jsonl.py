"""Reading JSON Lines inventories: one JSON object per physical line.

What a row is
-------------
Every physical line is one row, numbered from 1, blank lines included (they are
error rows); the empty piece after the final line end is not a line. A line that
is not UTF-8, not JSON, or not a JSON object is an error row, and so is one nested
deeper than :data:`~syncscope.model.safejson.MAX_DEPTH` levels, one holding an
integer of more than :data:`~syncscope.model.safejson.MAX_DIGITS` digits, a number
out of range, ``NaN`` or ``Infinity``. Keys that name a
variable give its value; every other key is carried through (text as it is, any
other JSON value as its compact JSON text). ``null`` and empty text mean "not
given", so the ``--set`` default applies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from syncscope.model import ConfigurationError, Model, Value, Variable, resolve_variable
from syncscope.model.safejson import MAX_DEPTH, TooBig, depth_beyond, json_decoder

from .cells import Cells, describe_type
from .record import ERROR, OK, Record
from .source import Input

__all__ = ["JsonlRecords"]

_LAYOUTS_LIMIT = 1 << 10


class JsonlRecords:
    """The rows of a JSON Lines inventory as :class:`Record` values."""

    format = "jsonl"
    extra_columns: tuple[str, ...] | None = None
    """Carried-through keys vary from row to row, so there is no fixed list."""

    def __init__(
        self,
        source: Input,
        model: Model,
        defaults: Mapping[str, Value],
        *,
        partial: bool = False,
    ) -> None:
        self._lines = source.lines()
        self._partial = partial
        self._model = model
        self._defaults = dict(defaults)
        self._keys: dict[str, Variable | None] = {}
        self._layouts: dict[tuple[str, ...], tuple[Cells, tuple[bool, ...]]] = {}

    def __iter__(self) -> Iterator[Record]:
        return self._rows()

    def notes(self) -> tuple[str, ...]:
        """Nothing to remark about JSON Lines as a whole."""
        return ()

    def _variable(self, key: str) -> Variable | None:
        if key not in self._keys:
            try:
                var: Variable | None = resolve_variable(self._model, key)
            except ConfigurationError:
                var = None
            if len(self._keys) < _LAYOUTS_LIMIT * 16:
                self._keys[key] = var
            return var
        return self._keys[key]

    def _layout(self, keys: tuple[str, ...]) -> tuple[Cells, tuple[bool, ...]] | str:
        """The parser for rows with these keys, or why the keys clash."""
        hit = self._layouts.get(keys)
        if hit is not None:
            return hit
        columns: list[tuple[str, Variable]] = []
        is_var: list[bool] = []
        others: list[str] = []
        owner: dict[str, str] = {}
        for key in keys:
            var = self._variable(key)
            is_var.append(var is not None)
            if var is None:
                others.append(key)
                continue
            if var.name in owner:
                return f"keys {owner[var.name]!r} and {key!r} both give {var.name}"
            owner[var.name] = key
            columns.append((key, var))
        layout = (
            Cells(
                self._model,
                columns,
                self._defaults,
                others,
                "key",
                typed=True,
                partial=self._partial,
            ),
            tuple(is_var),
        )
        if len(self._layouts) >= _LAYOUTS_LIMIT:
            self._layouts.clear()
        self._layouts[keys] = layout
        return layout

    def _rows(self) -> Iterator[Record]:
        empty: Mapping[str, str] = MappingProxyType({})
        loads = json_decoder().decode
        for row, line in enumerate(self._lines, start=1):
            where = f"row {row}"
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Record(
                    row,
                    empty,
                    None,
                    ERROR,
                    f"{where}: not UTF-8 text (byte 0x{line[exc.start]:02x}"
                    f" at column {exc.start + 1}); save the file as UTF-8",
                )
                continue
            if not text.strip():
                yield Record(row, empty, None, ERROR, f"{where}: blank line")
                continue
            deep = depth_beyond(text)
            if deep is not None:
                yield Record(
                    row,
                    empty,
                    None,
                    ERROR,
                    f"{where}: nested deeper than {MAX_DEPTH} levels of arrays and objects"
                    f" at column {deep + 1}; not read",
                )
                continue
            try:
                obj = loads(text)
            except TooBig as exc:
                yield Record(row, empty, None, ERROR, f"{where}: {exc}; not read")
                continue
            except json.JSONDecodeError as exc:
                yield Record(
                    row, empty, None, ERROR, f"{where}: bad JSON at column {exc.colno}: {exc.msg}"
                )
                continue
            if not isinstance(obj, dict):
                yield Record(
                    row,
                    empty,
                    None,
                    ERROR,
                    f"{where}: expected a JSON object of variable: value, got {describe_type(obj)}",
                )
                continue
            keys = tuple(obj)
            layout = self._layout(keys)
            if isinstance(layout, str):
                yield Record(row, empty, None, ERROR, f"{where}: {layout}")
                continue
            cells, is_var = layout
            extra = MappingProxyType(
                {
                    k: v if type(v) is str else json.dumps(v, ensure_ascii=False)
                    for (k, v), var in zip(obj.items(), is_var, strict=True)
                    if not var
                }
            )
            values = tuple(v for v, var in zip(obj.values(), is_var, strict=True) if var)
            config, problem = cells.build(values)
            if config is None:
                yield Record(row, extra, None, ERROR, f"{where}: {problem}")
            else:
                yield Record(row, extra, config, OK, None)
