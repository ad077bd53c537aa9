"""Reading CSV inventories: records split at line level, so one bad line stays one bad row.

What a row is
-------------
The first record is the header. Every record after it is one row, numbered from 1.
A record is one physical line, or several when a quoted field holds line ends. A
field is quoted when it *starts* with ``"``; inside it, ``""`` is a quote and a
lone ``"`` closes it. A quote anywhere else is a stray quote (a malformed row). A
quoted field still open at the end of the input makes one malformed row of every
line from where it opened. Blank lines (empty or only spaces) are rows too: errors.
Each line is decoded as UTF-8 on its own, so undecodable bytes spoil one row only.

The delimiter is a comma, a semicolon (Excel's in many locales) or a tab: the one
the header holds most often outside quotes (a comma on a tie or when it holds none),
unless one is given.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import ConfigurationError, Model, Value, Variable, resolve_variable

from .cells import Cells
from .errors import UnreadableInput
from .record import ERROR, OK, Record
from .source import Input, strip_end
from .words import counted

__all__ = ["DELIMITERS", "CsvRecords", "RawRecord", "gather", "parse_record", "sniff_delimiter"]

DELIMITERS = {",": ",", ";": ";", "\t": "\t", "comma": ",", "semicolon": ";", "tab": "\t"}
"""The delimiters a CSV may use, by character and by name."""
_QUOTE = 0x22
_MAX_RECORD = 1 << 20
"""A record longer than this (an unclosed quote, most likely) is not kept in memory."""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One CSV record as bytes, before decoding."""

    first: int
    """Its first physical line number (1-based)."""
    last: int
    """Its last physical line number."""
    parts: tuple[bytes, ...] | None
    """Its physical lines with their line ends; None when it grew too long to keep."""
    unclosed: bool
    """Whether a quoted field was still open at the end of the input."""

    @property
    def where(self) -> str:
        """``line N`` or ``lines N–M``."""
        if self.first == self.last:
            return f"line {self.first}"
        return f"lines {self.first}–{self.last}"


def sniff_delimiter(header: bytes) -> str:
    """The delimiter a header line uses: the most frequent of comma, semicolon and tab
    outside quotes, a comma on a tie or when there is none.

    Examples
    --------
    >>> sniff_delimiter(b"id;email_system;deployment"), sniff_delimiter(b"id\\temail_system")
    (';', '\\t')
    >>> sniff_delimiter(b'"a;b",c'), sniff_delimiter(b"email_system")
    (',', ',')
    """
    outside = b"".join(header.split(b'"')[::2])  # the text between quoted parts
    counts = {sep: outside.count(sep.encode()) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])  # the first on a tie: the comma
    return best if counts[best] else ","


def _open_at_end(line: bytes, in_quotes: bool, sep: bytes = b",") -> bool:
    """Whether a quoted field is open at the end of ``line``, given the state at its start.

    Examples
    --------
    >>> _open_at_end(b'a,"b', False), _open_at_end(b'c",d', True), _open_at_end(b'x"y', False)
    (True, False, False)
    >>> _open_at_end(b'a;"b;c', False, b";")
    True
    """
    i, n = 0, len(line)
    while i < n:
        if in_quotes:
            j = line.find(b'"', i)
            if j < 0:
                return True
            if j + 1 < n and line[j + 1] == _QUOTE:
                i = j + 2
                continue
            in_quotes = False
            k = line.find(sep, j + 1)
            if k < 0:
                return False
            i = k + 1
        elif line[i] == _QUOTE:
            in_quotes = True
            i += 1
        else:
            k = line.find(sep, i)
            if k < 0:
                return False
            i = k + 1
    return in_quotes


def gather(first: bytes, number: int, lines: Iterator[bytes], sep: str = ",") -> RawRecord:
    """The record that starts with line ``number`` (``first``), taking more lines from
    ``lines`` while a quoted field is open.

    Examples
    --------
    >>> rest = iter([b'y",2\\n', b"3,4\\n"])
    >>> raw = gather(b'1,"x\\r\\n', 7, rest)
    >>> raw.where, raw.parts, next(rest)
    ('lines 7–8', (b'1,"x\\r\\n', b'y",2\\n'), b'3,4\\n')
    """
    parts: list[bytes] | None = [first]
    size = len(first)
    last = number
    delimiter = sep.encode()
    open_ = _open_at_end(first, False, delimiter)
    while open_:
        nxt = next(lines, None)
        if nxt is None:
            break
        last += 1
        size += len(nxt) + 1
        if parts is not None:
            parts.append(nxt)
            if size > _MAX_RECORD:
                parts = None
        open_ = _open_at_end(nxt, True, delimiter)
    return RawRecord(number, last, None if parts is None else tuple(parts), open_)


def parse_record(text: str, sep: str = ",") -> tuple[list[str], str | None]:
    """Split one record's text into fields at ``sep``; the second item says what is malformed.

    Examples
    --------
    >>> parse_record('a,"b,""c"" d",e')
    (['a', 'b,"c" d', 'e'], None)
    >>> parse_record('a,b"c')[1]
    'a stray quote in field 2 (quote the whole field and double the quotes inside it)'
    >>> parse_record('a;"b;c";d', ";")
    (['a', 'b;c', 'd'], None)
    """
    if '"' not in text:
        return text.split(sep), None
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            buf: list[str] = []
            i += 1
            while True:
                j = text.find('"', i)
                if j < 0:
                    return fields, f"field {len(fields) + 1} opens a quote that never closes"
                buf.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            fields.append("".join(buf))
            if i < n and text[i] != sep:
                return fields, (
                    f"text after the closing quote of field {len(fields)}"
                    " (quote the whole field and double the quotes inside it)"
                )
        else:
            k = text.find(sep, i)
            end = n if k < 0 else k
            if '"' in text[i:end]:
                return fields, (
                    f"a stray quote in field {len(fields) + 1}"
                    " (quote the whole field and double the quotes inside it)"
                )
            fields.append(text[i:end])
            i = end
        if i >= n:
            return fields, None
        i += 1  # past the delimiter
        if i == n:
            fields.append("")
            return fields, None


def _decode(raw: RawRecord) -> tuple[str | None, str | None]:
    """The record's text, or what is wrong with its bytes."""
    if raw.parts is None:
        return None, (
            f"a quoted field runs over {counted(raw.last - raw.first + 1, 'line')}"
            f" (more than {_MAX_RECORD // 1024} KiB) and was not read"
        )
    try:
        return strip_end(b"".join(raw.parts)).decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for offset, part in enumerate(raw.parts):
        try:
            part.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = part[exc.start]
            which = "" if len(raw.parts) == 1 else f"line {raw.first + offset} is "
            return None, (
                f"{which}not UTF-8 text"
                f" (byte 0x{byte:02x} at column {exc.start + 1}); save the file as UTF-8"
            )
    raise AssertionError("unreachable: the joined text failed but no part did")


def _header(raw: RawRecord | None, label: str, sep: str = ",") -> list[str]:
    if raw is None:
        raise UnreadableInput(f"{label}: empty input; a CSV starts with a header of column names")
    text, problem = _decode(raw)
    if text is None:
        raise UnreadableInput(f"{label}: the header can't be read: {problem}")
    if not text.strip():
        raise UnreadableInput(f"{label}: {raw.where} is blank; a CSV starts with a header")
    if "\r" in text and "\n" not in text:
        raise UnreadableInput(
            f"{label}: the header holds a carriage return: lines must end with LF or CR LF,"
            " not CR alone"
        )
    if raw.unclosed:
        raise UnreadableInput(f"{label}: the header opens a quote that never closes")
    names, problem = parse_record(text, sep)
    if problem:
        raise UnreadableInput(f"{label}: malformed header: {problem}")
    return [name.strip() or f"column {i + 1}" for i, name in enumerate(names)]


class CsvRecords:
    """The rows of a CSV inventory as :class:`Record` values (see the module docstring).

    The header is read when the object is made, so an unreadable input fails early.
    ``delimiter`` (``,``, ``;`` or a tab) is sniffed from the header when None. With
    ``partial``, a row may leave variables unknown (see :class:`~.cells.Cells`).
    """

    format = "csv"

    def __init__(
        self,
        source: Input,
        model: Model,
        defaults: Mapping[str, Value],
        delimiter: str | None = None,
        *,
        partial: bool = False,
    ) -> None:
        self._lines = source.lines(keep_ends=True)
        first = next(self._lines, None)
        if delimiter is not None and delimiter not in DELIMITERS:
            raise UnreadableInput(
                f"unknown delimiter {delimiter!r}: give a comma, a semicolon or a tab"
            )
        sep = DELIMITERS[delimiter] if delimiter is not None else sniff_delimiter(first or b"")
        self.delimiter = sep
        """The delimiter of the fields, given or sniffed."""
        raw = None if first is None else gather(first, 1, self._lines, sep)
        names = _header(raw, source.label, sep)
        seen: dict[str, int] = {}
        variables: dict[str, int] = {}
        columns: list[tuple[int, str, Variable]] = []
        extras: list[tuple[int, str]] = []
        for i, name in enumerate(names):
            if name in seen:
                raise UnreadableInput(
                    f"{source.label}: column {name!r} appears twice in the header"
                    f" (columns {seen[name] + 1} and {i + 1})"
                )
            seen[name] = i
            try:
                var = resolve_variable(model, name)
            except ConfigurationError:
                extras.append((i, name))
                continue
            if var.name in variables:
                other = names[variables[var.name]]
                raise UnreadableInput(
                    f"{source.label}: columns {other!r} and {name!r} both give {var.name}"
                )
            variables[var.name] = i
            columns.append((i, name, var))
        self.width = len(names)
        self.extra_columns: tuple[str, ...] | None = tuple(name for _, name in extras)
        """The carried-through columns, in header order."""
        self.cells = Cells(
            model,
            [(name, var) for _, name, var in columns],
            defaults,
            [name for _, name in extras],
            "column",
            partial=partial,
        )
        self._pick_vars = _picker([i for i, _, _ in columns])
        self._pick_extra = _picker([i for i, _ in extras])

    def __iter__(self) -> Iterator[Record]:
        return self._rows()

    def notes(self) -> tuple[str, ...]:
        """Nothing to remark about a CSV as a whole."""
        return ()

    @property
    def lines(self) -> Iterator[bytes]:
        """The physical lines after the header, with their line ends, as not yet read."""
        return self._lines

    def pickers(self) -> tuple[_Picker, _Picker]:
        """``fields -> `` the variable cells (in :attr:`cells` order) and the carried-through
        cells (in :attr:`extra_columns` order) of a record's fields."""
        return self._pick_vars, self._pick_extra

    def _rows(self) -> Iterator[Record]:
        number = 1  # the header's line
        record_at = self.record_at
        for row, line in enumerate(self._lines, start=1):
            rec, number = record_at(row, number + 1, line)
            yield rec

    def record_at(self, row: int, number: int, line: bytes) -> tuple[Record, int]:
        """Row ``row``, whose record starts with physical line ``number`` (``line``, with its
        line end; more lines are taken from :attr:`lines` while a quoted field is open), and
        the number of its last line."""
        if b'"' not in line:  # the common case: one line, no quoting
            if line[-1:] == b"\n":
                line = line[:-2] if line[-2:-1] == b"\r" else line[:-1]
            try:
                fields = line.decode("utf-8").split(self.delimiter)
            except UnicodeDecodeError:
                fields = None
            if fields is not None and len(fields) == self.width and line.strip():
                names = self.extra_columns or ()
                extra = MappingProxyType(dict(zip(names, self._pick_extra(fields), strict=True)))
                config, problem = self.cells.build(self._pick_vars(fields))
                if config is not None:
                    return Record(row, extra, config, OK, None), number
                where = f"row {row} (line {number})"
                return Record(row, extra, None, ERROR, f"{where}: {problem}"), number
            raw = RawRecord(number, number, (line,), False)
        else:
            raw = gather(line, number, self._lines, self.delimiter)
        return self._slow(row, raw), raw.last

    def _slow(self, row: int, raw: RawRecord) -> Record:
        """A record that is quoted, spans lines, or is malformed."""
        empty: Mapping[str, str] = MappingProxyType({})
        where = f"row {row} ({raw.where})"
        text, problem = _decode(raw)
        if text is None:
            return Record(row, empty, None, ERROR, f"{where}: {problem}")
        if not text.strip():
            return Record(row, empty, None, ERROR, f"{where}: blank line")
        fields, problem = parse_record(text, self.delimiter)
        if problem is None and raw.unclosed:
            problem = "a quoted field opens and never closes before the end of the input"
        if problem is None and len(fields) != self.width:
            problem = f"{counted(len(fields), 'field')} where the header has {self.width}"
        if problem is not None:
            return Record(row, empty, None, ERROR, f"{where}: malformed CSV: {problem}")
        names = self.extra_columns or ()
        extra = MappingProxyType(dict(zip(names, self._pick_extra(fields), strict=True)))
        config, problem = self.cells.build(self._pick_vars(fields))
        if config is None:
            return Record(row, extra, None, ERROR, f"{where}: {problem}")
        return Record(row, extra, config, OK, None)


_Picker = Callable[[Sequence[str]], tuple[str, ...]]


def _picker(indices: Sequence[int]) -> _Picker:
    """A fast ``fields -> tuple of fields at indices``."""
    if len(indices) >= 2:
        return operator.itemgetter(*indices)
    if len(indices) == 1:
        only = indices[0]
        return lambda fields: (fields[only],)
    return lambda fields: ()
