"""Reading a Dataverse Web API export: mailbox records with their email server profile.

Each element of the export's ``value`` array is one row (row = index + 1). Pages
of an export concatenated into one input (``cat page-*.json``) are read in turn,
their rows numbered on from page to page. The
settings the model asks about are derived from documented fields and option values
(:mod:`.dataverse_derive`, with the tables of :mod:`.dataverse_options`;
docs/dataverse-mapping.md lists them). A value that can't be derived is never
guessed: the row is an error that says what to supply with ``--set``, and a
``--set`` value fills exactly that gap. Settings an export doesn't hold at all
(deployment, version, FIPS, MFA, ...) come from ``--set``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from syncscope.model import ConfigurationError, Model, Value, parse_value

from .cells import describe_type
from .dataverse_derive import Gap, derive, gap_texts
from .dataverse_options import DERIVED, EXTRA_FIELDS, REQUIRED
from .errors import UnreadableInput
from .jsonstream import Item, array_items
from .record import ERROR, NOT_APPLICABLE, OK, Record
from .source import Input

__all__ = ["DataverseRecords"]


class DataverseRecords:
    """The mailboxes of a Dataverse Web API export as :class:`Record` values."""

    format = "dataverse"
    extra_columns: tuple[str, ...] | None = EXTRA_FIELDS

    def __init__(self, source: Input, model: Model, defaults: Mapping[str, Value]) -> None:
        lacking = [name for name in REQUIRED if name not in model.names]
        if lacking:
            raise UnreadableInput(
                f"{source.label}: reading a Dataverse export needs the variables"
                f" {', '.join(lacking)}, which the model doesn't have"
            )
        self._model = model
        self._defaults = dict(defaults)
        self.others: list[str] = []
        """The document's other top-level members (e.g. ``@odata.nextLink``)."""
        self._items = array_items(source.chunks(), source.label, "value", self.others)
        first = next(self._items, None)  # reads up to the array: fails early if it can't
        self._first = first
        org = [n for n in model.names if n not in DERIVED and n not in self._defaults]
        self._missing = (
            f"no value for {', '.join(org)}: a Dataverse export doesn't hold"
            f" {'it' if len(org) == 1 else 'them'}; supply with --set VAR=VALUE"
            if org
            else None
        )
        self._values: dict[tuple[str, Value], Value | Gap] = {}
        self._pages = 1

    def notes(self) -> tuple[str, ...]:
        """Remarks about the export: pages read, more pages to fetch (``@odata.nextLink``)."""
        notes: list[str] = []
        if self._pages > 1:
            notes.append(
                f"the input holds {self._pages} export pages one after the other:"
                " their rows are numbered on from page to page"
            )
        if "@odata.nextLink" in self.others:
            last = "its last page" if self._pages > 1 else "the export"
            notes.append(
                f"{last} holds one page of several (@odata.nextLink is set):"
                " the mailboxes of the other pages are not in this input"
            )
        return tuple(notes)

    def __iter__(self) -> Iterator[Record]:
        return self._rows()

    def _rows(self) -> Iterator[Record]:
        empty: Mapping[str, str] = MappingProxyType({})
        items = self._items
        pending = self._first
        self._first = None
        row = 0
        while pending is not None:
            item: Item = pending
            row += 1
            self._pages = item.page
            page = "" if item.page == 1 else f"page {item.page}, "
            where = f"row {row} ({page}value[{item.index}])"
            if item.error is not None:
                yield Record(row, empty, None, ERROR, f"{where}: {item.error}")
            elif not isinstance(item.value, Mapping):
                yield Record(
                    row,
                    empty,
                    None,
                    ERROR,
                    f"{where}: expected a mailbox record (a JSON object),"
                    f" got {describe_type(item.value)}",
                )
            else:
                yield self._record(row, where, item.value)
            pending = next(items, None)

    def _record(self, row: int, where: str, mailbox: Mapping[str, object]) -> Record:
        extra = MappingProxyType({name: _text(mailbox, name) for name in EXTRA_FIELDS})
        found = derive(mailbox, self._defaults)
        if found.not_applicable is not None:
            return Record(row, extra, None, NOT_APPLICABLE, f"{where}: {found.not_applicable}")
        problems = list(found.problems)
        if found.problems:
            return Record(row, extra, None, ERROR, f"{where}: " + "; ".join(problems))
        if self._missing:
            problems.append(self._missing)
        config: dict[str, Value] = {}
        gaps = {k: v for k, v in found.gaps.items() if k in self._model.names}
        for name, raw in found.values.items():
            if name not in self._model.names:
                continue  # the edition leaves the variable out (ports after 9.0)
            value = self._canonical(name, raw)
            if isinstance(value, Gap):
                gaps[name] = value.why
            else:
                config[name] = value
        for name in [n for n in gaps if n in self._defaults]:
            config[name] = self._defaults[name]
            del gaps[name]
        problems.extend(gap_texts(gaps))
        if problems:
            return Record(row, extra, None, ERROR, f"{where}: " + "; ".join(problems))
        for name in self._model.names:
            if name not in config:
                config[name] = self._defaults[name]
        merged = {name: config[name] for name in self._model.names}
        return Record(row, extra, MappingProxyType(merged), OK, None)

    def _canonical(self, name: str, value: Value) -> Value | Gap:
        key = (name, value)
        hit = self._values.get(key)
        if hit is None:
            try:
                hit = parse_value(self._model.variable(name), value)
            except ConfigurationError as exc:
                hit = Gap(f"derived {value!r}, which the model doesn't accept: {exc}")
            self._values[key] = hit
        return hit


def _text(mailbox: Mapping[str, object], dotted: str) -> str:
    obj: object = mailbox
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return ""
        obj = obj.get(part)
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, bool):
        return "true" if obj else "false"
    return str(obj)
