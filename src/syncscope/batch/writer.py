"""Writing batch rows as CSV or JSON Lines, and opening the output file safely.

CSV columns: ``row``, the carried-through columns (or one ``extra`` column of JSON
when they vary from row to row), ``verdict``, ``rules`` (ids joined by ``"; "``),
``messages`` (joined by ``" | "``) and, with fixes, ``fix`` (``var: from -> to``
joined by ``"; "``). JSON Lines: one object per row with sorted keys, as
:meth:`BatchRow.to_dict` gives it.

The output is always valid UTF-8. A lone surrogate carried through from the input
(``"\\ud800"`` in JSON) is written as its JSON escape ``\\ud800`` in JSON text (JSON
Lines, and the ``extra`` column of CSV) and as U+FFFD in any other CSV cell.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import operator
import os
import re
import signal
import stat
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from syncscope.model import Value, format_value
from syncscope.model.safejson import escape_surrogates, replace_surrogates
from syncscope.solver.results import Change

from .errors import UnwritableOutput
from .record import Configuration, Layout
from .runner import BatchRow

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = [
    "OUTPUT_FORMATS",
    "AtomicOutput",
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
_PLAIN = re.compile(r'[^\x00-\x1f"\\\ud800-\udfff]*').fullmatch
"""Whether text is its own JSON string body (nothing to escape, no lone surrogate)."""
_CSV_PLAIN = re.compile(r'["\r\n\ud800-\udfff]').search
_HEADS_LIMIT = 1 << 14
_RUN_LIMIT = 1 << 14


def _all_text(values: list[str]) -> bool:
    return all(type(v) is str for v in values)


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
        stream.write(replace_surrogates(",".join(map(csv_cell, header))) + "\n")

    @property
    def columns(self) -> tuple[str, ...] | None:
        """The carried-through columns, or None for one ``extra`` column of JSON."""
        return self._columns

    def _render_tail(
        self,
        verdict: str,
        rules: Sequence[str],
        messages: Sequence[str],
        fix: Sequence[Change] | None,
    ) -> str:
        cells = [verdict, "; ".join(rules), " | ".join(messages)]
        if self._fix:
            cells.append("" if fix is None else "; ".join(map(_change_text, fix)))
        return ",".join(map(csv_cell, cells))

    def _tail(self, row: BatchRow) -> str:
        if row.configuration is None:  # error and not-applicable rows are one of a kind
            return replace_surrogates(
                self._render_tail(row.verdict, row.rules, row.messages, row.fix)
            )
        return self.tail(row.verdict, row.rules, row.messages, row.fix)

    def tail(
        self,
        verdict: str,
        rules: Sequence[str],
        messages: Sequence[str],
        fix: Sequence[Change] | None,
    ) -> str:
        """The cells after the carried-through ones (without the line end) of a row of a
        configuration with this outcome."""
        key = (verdict, id(messages), id(fix))
        hit = self._tails.get(key)
        if hit is None:
            if len(self._tails) >= 1 << 16:
                self._tails.clear()
            hit = (messages, fix, self._render_tail(verdict, rules, messages, fix))
            self._tails[key] = hit
        return hit[2]

    def extra_renderer(self) -> Callable[[Sequence[str]], str]:
        """``values -> `` the carried-through cells and the separator after them, as
        :meth:`write` renders a row whose ``extra`` holds ``values`` for :attr:`columns`
        (in that order; they must be given)."""
        if self._columns is None:
            raise ValueError("the carried-through columns vary: one extra column of JSON")
        width, sep = len(self._columns) - 1, self._sep

        def render(values: Sequence[str]) -> str:
            extra = ",".join(values)
            if extra.count(",") != width or _CSV_PLAIN(extra) is not None:
                extra = replace_surrogates(",".join(map(csv_cell, values)))
            return extra + sep

        return render

    def write(self, row: BatchRow) -> None:
        """Write one row."""
        if self._columns is None:
            text = json.dumps(dict(row.extra), ensure_ascii=False, sort_keys=True)
            extra = csv_cell(escape_surrogates(text))  # JSON text: escaped, not replaced
        else:
            get = row.extra.get
            extra = ",".join([get(c, "") for c in self._columns])
            if extra.count(",") != len(self._columns) - 1 or _CSV_PLAIN(extra) is not None:
                cells = [csv_cell(get(c, "")) for c in self._columns]
                extra = replace_surrogates(",".join(cells))
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
        self._keyed: OrderedDict[int, str] = OrderedDict()
        self._layout: Layout | None = None
        self._keyed_head: Callable[[Sequence[int]], str] = str
        self._frags: dict[tuple[str, Value], str] = {}
        self._extra_order: list[str] = []  # the last row's extra keys, sorted
        self._extra_frags: list[str] = []
        self._extra_plain = False
        self._tails: dict[tuple[str, int, int], tuple[object, object, str, str]] = {}

    def _head(self, config: Mapping[str, Value]) -> str:
        if isinstance(config, Configuration):
            heads = self._keyed
            text = heads.get(config.key)
            if text is not None:
                heads.move_to_end(config.key)
                return text
            text = heads[config.key] = self._render_keyed(config)
            if len(heads) > _HEADS_LIMIT:
                heads.popitem(last=False)  # the least recently used
            return text
        hit = self._heads.get(id(config))
        if hit is None:
            if len(self._heads) >= 1 << 16:
                self._heads.clear()
            hit = (config, self._render_head(config))
            self._heads[id(config)] = hit
        return hit[1]

    def _render_keyed(self, config: Configuration) -> str:
        """:meth:`_render_head` from the value indices and one fragment per value."""
        layout = config.layout
        if layout is not self._layout:
            self._keyed_head = self.head_renderer(layout)
            self._layout = layout
        return self._keyed_head(config.digits)

    def head_renderer(self, layout: Layout) -> Callable[[Sequence[int]], str]:
        """``digits -> {"configuration": ..., "extra": `` for configurations of ``layout``,
        from one fragment per value."""
        dumps = self._dumps
        order = sorted(range(len(layout.names)), key=layout.names.__getitem__)
        frags = [
            [dumps(layout.names[i]) + ": " + dumps(v) for v in layout.domains[i]] for i in order
        ]
        if len(order) < 2:
            pick: Callable[[Sequence[int]], Sequence[int]] = lambda d: [d[i] for i in order]  # noqa: E731
        else:
            pick = operator.itemgetter(*order)
        get = operator.getitem

        def render(digits: Sequence[int]) -> str:
            return '{"configuration": {' + ", ".join(map(get, frags, pick(digits))) + '}, "extra": '

        return render

    def head_packing(self, layout: Layout) -> tuple[tuple[int, ...], int, Callable[[int], str]]:
        """Weights ``w`` (one per variable of ``layout``), a width ``bits`` and ``render``
        such that ``render(sum(digits * w))`` is what :meth:`head_renderer` renders for
        ``digits``: the variables in key order cut into runs of at most
        :data:`_RUN_LIMIT` value combinations, each run's index packed in bits of its
        own, each run's text rendered once per combination met."""
        dumps, sizes = self._dumps, layout.sizes
        order = sorted(range(len(layout.names)), key=layout.names.__getitem__)
        runs: list[list[int]] = [[]]
        for i in order:
            if runs[-1] and math.prod(sizes[v] for v in runs[-1]) * sizes[i] > _RUN_LIMIT:
                runs.append([])
            runs[-1].append(i)
        weights = [0] * len(sizes)
        fields: list[tuple[int, int, dict[int, str], list[tuple[int, list[str]]]]] = []
        shift = 0
        for run in runs:
            local, spec = 1, []
            for v in reversed(run):
                weights[v] += local << shift
                frags = [dumps(layout.names[v]) + ": " + dumps(x) for x in layout.domains[v]]
                spec.append((local, frags))
                local *= sizes[v]
            spec.reverse()
            width = max(1, (local - 1).bit_length())
            fields.append((shift, (1 << width) - 1, {}, spec))
            shift += width

        def render(packed: int) -> str:
            parts = []
            for at, field, texts, spec in fields:
                index = packed >> at & field
                text = texts.get(index)
                if text is None:
                    text = texts[index] = ", ".join(
                        frags[index // local % len(frags)] for local, frags in spec
                    )
                parts.append(text)
            return '{"configuration": {' + ", ".join(parts) + '}, "extra": '

        return tuple(weights), shift, render

    def extra_renderer(self, names: Sequence[str]) -> Callable[[Sequence[str]], str]:
        """``values -> `` the ``extra`` object's JSON for the text values of ``names`` (in
        that order), as :meth:`write` renders ``dict(zip(names, values))``."""
        if not names:
            return lambda values: "{}"
        order = sorted(range(len(names)), key=names.__getitem__)
        pick = operator.itemgetter(*order) if len(order) >= 2 else lambda v: (v[order[0]],)
        frags = [self._dumps(names[i]) + ': "' for i in order]
        plain = all(_PLAIN(n) for n in names)
        dumps, add = self._dumps, operator.add

        def render(values: Sequence[str]) -> str:
            if plain and _PLAIN("".join(values)):
                return "{" + '", '.join(map(add, frags, pick(values))) + '"}'
            return escape_surrogates(dumps(dict(zip(names, values, strict=True))))

        return render

    def _render_head(self, config: Mapping[str, Value]) -> str:
        """``{"configuration": ..., "extra": `` from one memoised fragment per value."""
        frags = self._frags
        parts = []
        for name in sorted(config):
            value = config[name]
            frag = frags.get((name, value))
            if frag is None:
                frag = self._dumps(name) + ": " + self._dumps(value)
                if len(frags) < 1 << 16:
                    frags[(name, value)] = frag
            parts.append(frag)
        return '{"configuration": {' + ", ".join(parts) + '}, "extra": '

    def _extra(self, extra: Mapping[str, str]) -> str:
        """The ``extra`` object's JSON; plain text values skip the encoder."""
        order = self._extra_order
        if len(extra) == len(order):
            try:
                values = [extra[k] for k in order]
            except KeyError:
                pass  # other columns than the last row's
            else:
                if self._extra_plain and _PLAIN("".join(values)) and _all_text(values):
                    if not values:
                        return "{}"
                    return "{" + '", '.join(map(operator.add, self._extra_frags, values)) + '"}'
                return escape_surrogates(self._dumps(dict(extra)))
        order = self._extra_order = sorted(extra)
        self._extra_frags = [self._dumps(k) + ': "' for k in order]
        self._extra_plain = all(isinstance(k, str) and _PLAIN(k) for k in order)
        return self._extra(extra)

    def _tail(self, row: BatchRow) -> tuple[str, str]:
        return self.tail(row.verdict, row.rules, row.messages, row.fix, row.with_fix)

    def tail(
        self,
        verdict: str,
        rules: Sequence[str],
        messages: Sequence[str],
        fix: Sequence[Change] | None,
        with_fix: bool,
    ) -> tuple[str, str]:
        """The text of a row's line after ``extra`` up to the row number, and after it
        (with the line end), for a row with this outcome."""
        key = (verdict, id(messages), id(fix))
        hit = self._tails.get(key)
        if hit is None:
            dumps = self._dumps
            fixed = ""
            if with_fix:
                changes = None if fix is None else [c.to_dict() for c in fix]
                fixed = ', "fix": ' + dumps(changes)
            before_row = fixed + ', "messages": ' + dumps(list(messages)) + ', "row": '
            after_row = ', "rules": ' + dumps(list(rules)) + ', "verdict": ' + dumps(verdict)
            if len(self._tails) >= 1 << 16:
                self._tails.clear()
            hit = (messages, fix, before_row, after_row + "}\n")
            self._tails[key] = hit
        return hit[2], hit[3]

    def write(self, row: BatchRow) -> None:
        """Write one row."""
        if row.configuration is None:
            self._stream.write(escape_surrogates(self._dumps(row.to_dict())) + "\n")
            return
        before, after = self._tail(row)
        extra = self._extra(row.extra)
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
    # The writers already escape or replace lone surrogates; this is the last guard.
    return io.TextIOWrapper(
        io.BufferedWriter(raw), encoding="utf-8", errors="backslashreplace", newline=""
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@dataclass(frozen=True)
class OutputTarget:
    """Where output for a path goes: a regular file, replaced atomically.

    Attributes
    ----------
    label : str
        The path as given, for messages.
    path : str
        The real path, with symbolic links resolved.
    mode : int
        The permission bits the output file gets (kept from an existing file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> target = OutputTarget.of(folder / "out.csv")
    >>> target.path == str(folder.resolve() / "out.csv")
    True
    >>> def refused(path):
    ...     try:
    ...         OutputTarget.of(path)
    ...     except UnwritableOutput as exc:
    ...         print(exc)
    >>> refused(folder / "none" / "out.csv")
    /.../none/out.csv: cannot write: the folder '/.../none' does not exist
    >>> refused("/dev/null")
    /dev/null: cannot write: not a regular file (it is a device); leave out --out to write to stdout
    """

    label: str
    path: str
    mode: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> OutputTarget:
        """The target for ``path``; raises :class:`UnwritableOutput` when it can't be one:
        an empty name, a folder, a FIFO or a device, a missing folder."""
        label = os.fspath(path)

        def refuse(reason: str) -> UnwritableOutput:
            return UnwritableOutput(f"{label or repr(label)}: cannot write: {reason}")

        if not label:
            raise refuse("the file name is empty")
        try:
            info: os.stat_result | None = os.stat(label)
        except (FileNotFoundError, NotADirectoryError):
            info = None
        except OSError as exc:
            raise refuse(_reason(exc)) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise refuse("it is a folder")
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise refuse(
                f"not a regular file (it is {_kind(info.st_mode)}); leave out --out to write"
                " to stdout"
            )
        real = os.path.realpath(label)
        folder = os.path.dirname(real)
        if not os.path.isdir(folder):
            given = os.path.dirname(label) or "."
            shown = given if os.path.realpath(given) == folder else folder
            what = "is not a folder" if os.path.exists(folder) else "does not exist"
            raise refuse(f"the folder {shown!r} {what}")
        mode = 0o666 & ~_umask() if info is None else stat.S_IMODE(info.st_mode)
        return cls(label, real, mode)

    def refuse_input(self, source: object) -> None:
        """Raise :class:`UnwritableOutput` when this target is the file ``source`` reads
        (a path, or ``-`` for stdin: same device and inode), before anything is read.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "inv.csv").write_text("id\\n")
        3
        >>> try:
        ...     OutputTarget.of(folder / "inv.csv").refuse_input(str(folder / "inv.csv"))
        ... except UnwritableOutput as exc:
        ...     print(exc)
        /.../inv.csv is the input; the input is never overwritten
        >>> OutputTarget.of(folder / "out.csv").refuse_input(str(folder / "inv.csv"))
        """
        try:
            mine = os.stat(self.path)
        except OSError:
            return  # nothing there yet: it can't be the input
        if isinstance(source, (str, os.PathLike)) and os.fspath(source) == "-":
            try:
                theirs = os.fstat(sys.stdin.fileno())
            except (OSError, ValueError, AttributeError):
                return  # stdin is no file descriptor (replaced, closed): nothing to compare
            what = " (stdin reads it)"
        elif isinstance(source, (str, os.PathLike)):
            try:
                theirs = os.stat(source)
            except OSError:
                return
            what = ""
        else:
            try:
                theirs = os.fstat(source.fileno())  # type: ignore[attr-defined]
            except (OSError, ValueError, AttributeError):
                return
            what = ""
        if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
            raise UnwritableOutput(
                f"{self.label} is the input{what}; the input is never overwritten"
            )

    def to_dict(self) -> dict[str, object]:
        """The fields, by name."""
        return {"label": self.label, "path": self.path, "mode": self.mode}


def _blocked() -> contextlib.AbstractContextManager[object]:
    """Signals held back for a moment (where the platform can), so that a rename and
    the record that it happened, or a clean-up, are not cut in two."""
    if not hasattr(signal, "pthread_sigmask"):
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def block() -> Iterator[None]:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    return block()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _stale_temporaries(final: Path) -> None:
    """Remove the temporary files a killed run left beside ``final`` (their pid is dead)."""
    pattern = re.compile(rf"\.{re.escape(final.name)}\.([0-9]+)\.[A-Za-z0-9_]+\.tmp")
    with contextlib.suppress(OSError), os.scandir(final.parent) as entries:
        for entry in entries:
            found = pattern.fullmatch(entry.name)
            if found is None:
                continue
            pid = int(found.group(1))
            if pid != os.getpid() and not _alive(pid) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


class AtomicOutput:
    """A UTF-8 text file written beside ``target`` and renamed over it on success.

    The temporary file is named ``.<name>.<pid>.<random>.tmp`` in the target's
    folder. On any exception (including KeyboardInterrupt and the exception a
    signal handler raises) it is removed and an existing file stays as it was;
    signals are held back while it is removed and while the final rename happens,
    so :attr:`committed` always tells whether the file is in place. A run that was
    killed outright (SIGKILL) leaves its temporary file; the next run that writes
    the same target removes those whose process is gone.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = AtomicOutput(OutputTarget.of(folder / "rows.csv"))
    >>> with out as stream:
    ...     _ = stream.write("row\\n")
    >>> out.committed, sorted(p.name for p in folder.iterdir())
    (True, ['rows.csv'])
    """

    def __init__(self, target: OutputTarget) -> None:
        self.target = target
        self.committed = False
        """Whether the complete file has been renamed into place."""
        self._temp: str | None = None
        self._stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        target = self.target
        final = Path(target.path)
        _stale_temporaries(final)
        with _blocked():  # a file made is a file known, so that it is removed
            try:
                fd, self._temp = tempfile.mkstemp(
                    dir=final.parent, prefix=f".{final.name}.{os.getpid()}.", suffix=".tmp"
                )
            except OSError as exc:
                raise UnwritableOutput(f"{target.label}: cannot write: {_reason(exc)}") from None
            self._stream = _text(fd, target.label)
        return self._stream

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._commit()
                return
            except BaseException:
                self._discard()
                raise
        self._discard()

    def _commit(self) -> None:
        assert self._stream is not None and self._temp is not None
        fail = f"{self.target.label}: cannot write"
        stream = self._stream
        try:
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
            os.chmod(self._temp, self.target.mode)
        except OSError as exc:
            raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
        with _blocked():
            try:
                os.replace(self._temp, self.target.path)
            except OSError as exc:
                raise UnwritableOutput(f"{fail}: {_reason(exc)}") from None
            self.committed = True

    def _discard(self) -> None:
        with _blocked():
            if self._stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    self._stream.close()
            if self._temp is not None and not self.committed:
                with contextlib.suppress(OSError):
                    os.unlink(self._temp)


@contextlib.contextmanager
def open_output(target: OutputTarget) -> Iterator[TextIO]:
    """A UTF-8 text stream for ``target``, committed when the block ends without error.

    The file (or the file a symbolic link points at) is written to a temporary file
    beside it and renamed over it on success; on any exception the temporary file is
    removed and the existing file stays as it was (see :class:`AtomicOutput`). Any
    failure to write raises :class:`UnwritableOutput`.

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
    with AtomicOutput(target) as stream:
        yield stream
