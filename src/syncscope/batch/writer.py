"""Writing batch rows as CSV or JSON Lines, and opening the output file safely.

CSV columns: ``row``, the carried-through columns (or one ``extra`` column of JSON
when they vary from row to row), ``verdict``, ``rules`` (ids joined by ``"; "``),
``messages`` (joined by ``" | "``) and, with fixes, ``fix`` (``var: from -> to``
joined by ``"; "``). JSON Lines: one object per row with sorted keys, as
:meth:`BatchRow.to_dict` gives it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from syncscope.model import Value, format_value
from syncscope.solver.results import Change

from .errors import UnwritableOutput
from .runner import BatchRow

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = [
    "OUTPUT_FORMATS",
    "CsvWriter",
    "JsonlWriter",
    "OutputTarget",
    "RowWriter",
    "open_output",
    "writer",
]

OUTPUT_FORMATS = ("csv", "jsonl")
"""The output formats, by name."""


class RowWriter(Protocol):
    """Writes rows to a text stream."""

    def write(self, row: BatchRow) -> None:
        """Write one row."""


def _change_text(change: Change) -> str:
    before = "(unset)" if change.before is None else format_value(change.before)
    return f"{change.variable}: {before} -> {format_value(change.after)}"


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_cell(text: str) -> str:
    """One CSV field as the csv module's minimal quoting writes it.

    Examples
    --------
    >>> csv_cell("plain"), csv_cell('say "hi", twice')
    ('plain', '"say ""hi"", twice"')
    """
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


class CsvWriter:
    """CSV rows with a fixed header (see the module docstring).

    The verdict, rules, messages and fix cells of a configuration are rendered once
    and reused for every row that shares them.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> w = CsvWriter(out, ("id",), fix=False)
    >>> w.write(BatchRow(1, {"id": "m1"}, "error", None, (), (), ("row 1: blank",), None))
    >>> print(out.getvalue(), end="")
    row,id,verdict,rules,messages
    1,m1,error,,row 1: blank
    """

    def __init__(self, stream: TextIO, extra_columns: Sequence[str] | None, *, fix: bool) -> None:
        self._stream = stream
        self._columns = None if extra_columns is None else tuple(extra_columns)
        self._fix = fix
        self._sep = "" if self._columns == () else ","
        # (verdict, id(messages), id(fix)) -> (messages, fix, text); holding the
        # objects keeps their ids from being reused while the entry lives.
        self._tails: dict[tuple[str, int, int], tuple[object, object, str]] = {}
        header = ["row", *(self._columns if self._columns is not None else ("extra",))]
        header += ["verdict", "rules", "messages"] + (["fix"] if fix else [])
        csv.writer(stream, lineterminator="\n").writerow(header)

    def _render_tail(self, row: BatchRow) -> str:
        cells = [row.verdict, "; ".join(row.rules), " | ".join(row.messages)]
        if self._fix:
            cells.append("" if row.fix is None else "; ".join(map(_change_text, row.fix)))
        return ",".join(map(csv_cell, cells))

    def _tail(self, row: BatchRow) -> str:
        if row.configuration is None:  # error and not-applicable rows are one of a kind
            return self._render_tail(row)
        key = (row.verdict, id(row.messages), id(row.fix))
        hit = self._tails.get(key)
        if hit is None:
            if len(self._tails) >= 1 << 16:
                self._tails.clear()
            hit = (row.messages, row.fix, self._render_tail(row))
            self._tails[key] = hit
        return hit[2]

    def write(self, row: BatchRow) -> None:
        """Write one row."""
        if self._columns is None:
            extra = csv_cell(json.dumps(dict(row.extra), ensure_ascii=False, sort_keys=True))
        else:
            get = row.extra.get
            extra = ",".join([csv_cell(get(c, "")) for c in self._columns])
        self._stream.write(f"{row.row},{extra}{self._sep}{self._tail(row)}\n")


class JsonlWriter:
    """One JSON object per row, keys sorted: ``json.dumps(row.to_dict(), sort_keys=True)``.

    The parts of a line that depend only on the configuration and its outcome are
    rendered once and reused.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> JsonlWriter(out).write(BatchRow(2, {}, "error", None, (), (), ("bad",), None))
    >>> print(out.getvalue(), end="")
    {"configuration": null, "extra": {}, "messages": ["bad"], "row": 2, "rules": [], \
"verdict": "error"}
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
        # Keyed by object ids; each entry holds its objects so the ids stay theirs.
        self._heads: dict[int, tuple[object, str]] = {}
        self._tails: dict[tuple[str, int, int], tuple[object, object, str, str]] = {}

    def _head(self, config: Mapping[str, Value]) -> str:
        hit = self._heads.get(id(config))
        if hit is None:
            if len(self._heads) >= 1 << 16:
                self._heads.clear()
            hit = (config, '{"configuration": ' + self._dumps(dict(config)) + ', "extra": ')
            self._heads[id(config)] = hit
        return hit[1]

    def _tail(self, row: BatchRow) -> tuple[str, str]:
        key = (row.verdict, id(row.messages), id(row.fix))
        hit = self._tails.get(key)
        if hit is None:
            dumps = self._dumps
            fix = ""
            if row.with_fix:
                changes = None if row.fix is None else [c.to_dict() for c in row.fix]
                fix = ', "fix": ' + dumps(changes)
            before_row = fix + ', "messages": ' + dumps(list(row.messages)) + ', "row": '
            after_row = (
                ', "rules": ' + dumps(list(row.rules)) + ', "verdict": ' + dumps(row.verdict)
            )
            if len(self._tails) >= 1 << 16:
                self._tails.clear()
            hit = (row.messages, row.fix, before_row, after_row + "}\n")
            self._tails[key] = hit
        return hit[2], hit[3]

    def write(self, row: BatchRow) -> None:
        """Write one row."""
        if row.configuration is None:
            self._stream.write(self._dumps(row.to_dict()) + "\n")
            return
        before, after = self._tail(row)
        extra = self._dumps(dict(row.extra))
        self._stream.write(f"{self._head(row.configuration)}{extra}{before}{row.row}{after}")


def writer(
    fmt: str, stream: TextIO, extra_columns: Sequence[str] | None, *, fix: bool
) -> RowWriter:
    """The writer for ``fmt`` (``csv`` or ``jsonl``)."""
    if fmt == "csv":
        return CsvWriter(stream, extra_columns, fix=fix)
    if fmt == "jsonl":
        return JsonlWriter(stream)
    raise ValueError(f"unknown output format {fmt!r} (one of {', '.join(OUTPUT_FORMATS)})")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _OutputFile(io.FileIO):
    """A file whose failed writes say which output they were for."""

    label = ""

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise UnwritableOutput(f"{self.label}: cannot write: {_reason(exc)}") from None


def _text(fd: int, label: str) -> TextIO:
    raw = _OutputFile(fd, "w")
    raw.label = label
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", newline="")


@dataclass(frozen=True)
class OutputTarget:
    """Where output for a path goes, and how.

    Attributes
    ----------
    label : str
        The path as given, for messages.
    path : str
        Where to write: the path as given for something that isn't a regular file
        (a FIFO, a device), else the real path with symbolic links resolved.
    in_place : bool
        True to write straight into ``path`` (not a regular file); False to write a
        temporary file beside ``path`` and rename it over ``path`` on success.
    mode : int
        The permission bits the output file gets (kept from an existing file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> target = OutputTarget.of(folder / "out.csv")
    >>> target.in_place, target.path == str(folder.resolve() / "out.csv")
    (False, True)
    >>> OutputTarget.of(folder / "none" / "out.csv")
    Traceback (most recent call last):
    ...
    syncscope.batch.errors.UnwritableOutput: .../none/out.csv: cannot write: the folder \
'.../none' does not exist
    """

    label: str
    path: str
    in_place: bool
    mode: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> OutputTarget:
        """The target for ``path``; raises :class:`UnwritableOutput` when it can't be one."""
        label = os.fspath(path)

        def refuse(reason: str) -> UnwritableOutput:
            return UnwritableOutput(f"{label}: cannot write: {reason}")

        try:
            info: os.stat_result | None = os.stat(label)
        except (FileNotFoundError, NotADirectoryError):
            info = None
        except OSError as exc:
            raise refuse(_reason(exc)) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise refuse("it is a folder")
        if info is not None and not stat.S_ISREG(info.st_mode):
            return cls(label, label, True, 0)
        real = os.path.realpath(label)
        folder = os.path.dirname(real)
        if not os.path.isdir(folder):
            given = os.path.dirname(label) or "."
            shown = given if os.path.realpath(given) == folder else folder
            what = "is not a folder" if os.path.exists(folder) else "does not exist"
            raise refuse(f"the folder {shown!r} {what}")
        mode = 0o666 & ~_umask() if info is None else stat.S_IMODE(info.st_mode)
        return cls(label, real, False, mode)

    def to_dict(self) -> dict[str, object]:
        """The fields, by name."""
        return {
            "label": self.label,
            "path": self.path,
            "in_place": self.in_place,
            "mode": self.mode,
        }


@contextlib.contextmanager
def open_output(target: OutputTarget) -> Iterator[TextIO]:
    """A UTF-8 text stream for ``target``, committed when the block ends without error.

    A regular file (or a new one, or the file a symbolic link points at) is written
    to a temporary file beside it and renamed over it on success; on any exception
    (including KeyboardInterrupt and SystemExit from a signal handler) the temporary
    file is removed and the existing file stays as it was. Anything else (a FIFO, a
    device) is written in place: it is never replaced. Any failure to write raises
    :class:`UnwritableOutput`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "real.csv").write_text("old")
    3
    >>> (folder / "link.csv").symlink_to(folder / "real.csv")
    >>> with open_output(OutputTarget.of(folder / "link.csv")) as out:
    ...     _ = out.write("row\\n")
    >>> (folder / "link.csv").is_symlink(), (folder / "real.csv").read_text()
    (True, 'row\\n')
    >>> sorted(p.name for p in folder.iterdir())
    ['link.csv', 'real.csv']
    """
    fail = f"{target.label}: cannot write"
    if target.in_place:
        try:
            fd = os.open(target.path, os.O_WRONLY)
        except OSError as exc:
            raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
        try:
            with _text(fd, target.label) as stream:
                yield stream
        except OSError as exc:  # closing flushes the rest
            raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
        return
    final = Path(target.path)
    try:
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    except OSError as exc:
        raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
    try:
        with _text(fd, target.label) as stream:
            yield stream
            stream.flush()
            try:
                os.fsync(stream.fileno())
            except OSError as exc:
                raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
        try:
            os.chmod(temp, target.mode)
            os.replace(temp, final)
        except OSError as exc:
            raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
