"""``read_records``: any supported inventory as a stream of :class:`Record` rows.

Formats: ``csv``, ``jsonl`` (JSON Lines) and ``dataverse`` (a Dataverse Web API
export of ``mailbox`` records with their ``emailserverprofile`` expanded). Without
``input_format``, the extension decides (``.csv``; ``.jsonl``/``.ndjson``;
``.json``), else the content: a first line that is a whole JSON object without a
``value`` array means JSON Lines; one that starts with ``{`` but holds a ``value``
array, or is only the start of a document, means Dataverse; anything else is CSV.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from syncscope.model import Model, Value
from syncscope.model.safejson import depth_beyond

from .errors import UnreadableInput
from .record import ERROR, NOT_APPLICABLE, OK, Record
from .source import Input, Source, open_input

__all__ = [
    "ERROR",
    "FORMATS",
    "NOT_APPLICABLE",
    "OK",
    "Record",
    "RecordStream",
    "detect_format",
    "read_records",
]

FORMATS = ("csv", "jsonl", "dataverse")
"""The input formats, by name."""

_SHAPE = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "dataverse"}


class _Rows(Protocol):
    format: str
    extra_columns: tuple[str, ...] | None

    def __iter__(self) -> Iterator[Record]: ...

    def notes(self) -> tuple[str, ...]: ...


class RecordStream(Iterator[Record]):
    """The rows of one input, in input order; close it (or use ``with``) when done.

    Attributes
    ----------
    format : str
        The input format that was read (given or detected).
    extra_columns : tuple of str or None
        The carried-through columns when every row has the same ones (CSV, Dataverse);
        None when they vary from row to row (JSON Lines).
    label : str
        The input's name for messages (the file name, ``<stdin>``).
    """

    def __init__(self, source: Input, rows: _Rows) -> None:
        self._source = source
        self._rows = rows
        self._iter = iter(rows)
        self.format = rows.format
        self.extra_columns = rows.extra_columns
        self.label = source.label

    def __next__(self) -> Record:
        return next(self._iter)

    @property
    def reader(self) -> object:
        """The format's reader (e.g. a :class:`~syncscope.batch.csvio.CsvRecords`)."""
        return self._rows

    def notes(self) -> tuple[str, ...]:
        """Remarks about the input as a whole, known so far (e.g. more pages to fetch)."""
        return self._rows.notes()

    @property
    def position(self) -> int:
        """Bytes of the input read so far."""
        return self._source.position

    @property
    def size(self) -> int | None:
        """The input's size in bytes when it is a regular file."""
        return self._source.size

    def close(self) -> None:
        """Release the input (a file this stream opened is closed)."""
        self._source.close()

    def __enter__(self) -> RecordStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def detect_format(name: str | None, head: bytes) -> str:
    """Pick the input format from a file name's extension, else from the first line.

    Examples
    --------
    >>> detect_format("inventory.CSV", b"")
    'csv'
    >>> detect_format(None, b'{"deployment": "online"}')
    'jsonl'
    >>> detect_format(None, b'{"@odata.context": "x", "value": [')
    'dataverse'
    >>> detect_format("-", b"deployment,email_system")
    'csv'
    >>> detect_format(None, b'{"id": ' + b"1" * 5000 + b'}')
    'jsonl'
    """
    if name:
        ext = Path(name).suffix.lower()
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    text = head.lstrip()
    if not text.startswith(b"{"):
        return "csv"
    if depth_beyond(text.decode("utf-8", "replace")) is not None:
        return "jsonl"  # too deep to be an export's first line: each line is a row
    try:
        # Numbers stay text: their size doesn't matter for telling formats apart.
        obj = _SHAPE.decode(text.decode("utf-8", "replace"))
    except ValueError:
        return "dataverse"  # a document that goes on over several lines
    if isinstance(obj, dict) and isinstance(obj.get("value"), list):
        return "dataverse"
    return "jsonl"


def read_records(
    path: Source,
    model: Model,
    *,
    input_format: str | None = None,
    defaults: Mapping[str, Value] | None = None,
    delimiter: str | None = None,
    require_complete: bool = True,
) -> RecordStream:
    """Read an inventory row by row, streaming (memory stays flat in the rows).

    Parameters
    ----------
    path : str, path-like or binary stream
        The input; ``-`` reads stdin.
    model : Model
        The vocabulary to read values with.
    input_format : {"csv", "jsonl", "dataverse"}, optional
        Detected from the extension or the content when None.
    defaults : mapping, optional
        Canonical organisation-wide values (``--set``); a row's own value wins.
    delimiter : {",", ";", "\\t", "comma", "semicolon", "tab"}, optional
        The CSV delimiter; sniffed from the header when None.
    require_complete : bool
        Whether a CSV or JSON Lines row must give every variable (through its cells
        or ``defaults``); when False, a row that leaves some unknown is read as a
        partial configuration (a plain dict), checked as ``syncscope check`` checks
        one. A Dataverse row is always complete or an error.

    Returns
    -------
    RecordStream
        An iterator of :class:`Record`, exactly one per input row, in input order.

    Raises
    ------
    UnreadableInput
        Only when the input can't be read at all (missing file, no header,
        unknown format, ...). A bad row is an ``error`` record instead.

    Examples
    --------
    >>> import io
    >>> from syncscope.model import load_model
    >>> data = io.BytesIO(b"id,email_system\\nm1,Gmail\\n\\nm2,gmial\\n")
    >>> defaults = {"deployment": "online"}
    >>> rows = list(read_records(data, load_model(), input_format="csv", defaults=defaults))
    >>> [(r.row, r.status, dict(r.extra)) for r in rows]
    [(1, 'error', {'id': 'm1'}), (2, 'error', {}), (3, 'error', {'id': 'm2'})]
    >>> rows[1].error
    'row 2 (line 3): blank line'
    """
    if input_format is not None and input_format not in FORMATS:
        raise UnreadableInput(
            f"unknown input format {input_format!r} (one of {', '.join(FORMATS)})"
        )
    source = open_input(path)
    try:
        name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
        fmt = input_format or detect_format(name, source.head)
        rows: _Rows
        if fmt == "csv":
            from .csvio import CsvRecords

            rows = CsvRecords(
                source, model, defaults or {}, delimiter, partial=not require_complete
            )
        elif fmt == "jsonl":
            from .jsonl import JsonlRecords

            rows = JsonlRecords(source, model, defaults or {}, partial=not require_complete)
        else:
            from .dataverse import DataverseRecords

            rows = DataverseRecords(source, model, defaults or {})
    except BaseException:
        source.close()
        raise
    return RecordStream(source, rows)
