"""``syncscope batch``: check a whole mailbox inventory, one output row per input row."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import click

from syncscope import check_batch
from syncscope.batch.errors import UnreadableInput, UnwritableOutput
from syncscope.batch.job import BatchRun
from syncscope.batch.readers import FORMATS
from syncscope.batch.summary import render_summary
from syncscope.batch.writer import AtomicOutput, OutputTarget, writer
from syncscope.model import Level

from .common import (
    EXIT_BAD_INPUT,
    fail,
    gate_options,
    handle_errors,
    model_from,
    output_options,
    set_option,
    settings,
    silenced,
    terminal_width,
)
from .inventory import delimiter_option, require_complete_option

__all__ = ["command"]

_OUT_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_STOPPING = tuple(
    getattr(signal, name)
    for name in (
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTERM",
        "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
    )
    if hasattr(signal, name)
)  # fmt: skip
"""The signals that stop a run by default and can be caught: each unwinds the run,
so that a partial output file is removed, and exits with 128 + its number."""


class _Stopped(Exception):
    """A signal arrived: unwind so that a partial output file is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    for other in _STOPPING:  # a second signal must not cut the clean-up short
        with contextlib.suppress(OSError, ValueError):
            signal.signal(other, signal.SIG_IGN)
    raise _Stopped(signum)


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    previous: dict[int, object] = {}
    try:
        for signum in _STOPPING:
            current = signal.getsignal(signum)
            if current is signal.SIG_IGN:
                continue  # ignored on purpose (nohup): keep it so
            previous[signum] = current
            signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _stop_word(signum: int) -> str:
    if signum == signal.SIGINT:
        return "interrupted"
    if signum == signal.SIGTERM:
        return "terminated"
    return f"stopped by {signal.Signals(signum).name}"


def _output_format(given: str | None, out: str | None, input_format: str) -> str:
    if given:
        return given
    if out:
        ext = Path(out).suffix.lower()
        if ext in _OUT_EXTENSIONS:
            return _OUT_EXTENSIONS[ext]
    return "csv" if input_format == "csv" else "jsonl"


def _check_out(out: str, source: str) -> OutputTarget:
    try:
        target = OutputTarget.of(out)
        target.refuse_input(source)
    except UnwritableOutput as exc:
        fail(exc.prefixed("--out "))
    return target


def _stopped(word: str, output: AtomicOutput | None) -> str:
    if output is None:
        return word
    if output.committed:
        return f"{word} after the output was complete: {output.target.label} is written in full"
    return f"{word}; no output file was written"


def _written(run: BatchRun, stream: TextIO, fmt: str) -> Iterator[int]:
    """Write every row; the rows written so far, every few thousand rows and at the end."""
    out = writer(fmt, stream, run.extra_columns, fix=run.fix)
    fast = run.write_fast(out, stream)
    if fast is not None:
        yield from fast
        return
    write = out.write
    n = 0
    for n, row in enumerate(run, start=1):
        write(row)
        if n % 2048 == 0:
            yield n
    yield n


def _write_all(run: BatchRun, stream: TextIO, fmt: str, quiet: bool = False) -> None:
    if quiet or not sys.stderr.isatty():
        for _ in _written(run, stream, fmt):
            pass
        return
    import time

    from rich.console import Console
    from rich.progress import Progress

    start = time.monotonic()
    with Progress(*progress_columns(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rows", total=run.size, rows="0", rate="")
        for n in _written(run, stream, fmt):
            elapsed = time.monotonic() - start
            bar.update(task, completed=run.position, rows=f"{n:,}", rate=rate_text(n, elapsed))


def progress_columns() -> tuple[Any, ...]:
    """The columns of the progress bar: the bar, the percentage of the input read, the rows
    checked, their rate and the time left (the input's size in bytes is known)."""
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn

    return (
        TextColumn("checking"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rows]} rows"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )


def rate_text(rows: int, seconds: float) -> str:
    """Rows per second for the progress bar.

    Examples
    --------
    >>> rate_text(50_000, 2.0), rate_text(10, 0.0)
    ('25,000 rows/s', '')
    """
    if seconds <= 0:
        return ""
    return f"{rows / seconds:,.0f} rows/s"


@click.command("batch")
@click.argument("source", metavar="INPUT")
@output_options(
    "csv",
    "jsonl",
    default=None,
    help="Output format, csv or jsonl (default: from --out's extension, else csv for CSV"
    " input, jsonl else).",
)
@click.option(
    "--out",
    "out_path",
    metavar="FILE",
    default=None,
    help="Write here (a regular file, replaced atomically; not the input, not a FIFO).",
)
@set_option
@click.option("--fix", is_flag=True, help="Add the nearest valid changes to each invalid row.")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    default=None,
    help="Input format (default: from the extension, else from the content).",
)
@require_complete_option(
    "it is checked as check checks a partial configuration: the best any completion"
    " reaches, with the values every valid completion has"
)
@delimiter_option
@gate_options
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    source: str,
    fmt: str | None,
    out_path: str | None,
    sets: tuple[str, ...],
    fix: bool,
    input_format: str | None,
    require_complete: bool,
    delimiter: str | None,
    fail_on: Level,
    quiet: bool,
) -> None:
    """Check every mailbox of an inventory (CSV, JSON Lines, Dataverse export).

    INPUT is a file or '-' for stdin. Each input row gives exactly one output row,
    in input order: row number, carried-through columns, verdict, rule ids and
    messages; a bad row is an 'error' row and the run goes on. --set and
    --defaults FILE give organisation-wide values; a row's own value wins (and
    --set over --defaults). A row that leaves settings unknown is checked as
    check checks a partial configuration (--require-complete: an error row).
    A summary goes to stderr.

    A CSV may use commas, semicolons or tabs (sniffed from the header, or
    --delimiter); UTF-16 and UTF-32 text is decoded. An Excel workbook is
    refused with the advice to save it as CSV UTF-8.

    \b
    Exit codes:
      0    every row valid or not-applicable (with --fail-on LEVEL: every row
           better than LEVEL, or not-applicable)
      1    some row untested, unsupported or an error (with --fail-on LEVEL:
           some row at LEVEL or worse, or an error)
      2    the input can't be read at all, or --out can't be written
      128+N  stopped by signal N, e.g. 130 SIGINT, 143 SIGTERM (no partial
           file is left under --out)

    -q prints no summary, notes or progress, and no rows on stdout (--out is
    still written): the exit code is the answer.
    """
    model = model_from(ctx)
    defaults = settings(ctx, model, sets)
    target = None if out_path is None else _check_out(out_path, source)
    output = None if target is None else AtomicOutput(target)
    try:
        with _signals_unwind():
            run = check_batch(
                source,
                input_format=input_format,
                defaults=defaults,
                fix=fix,
                model=model,
                delimiter=delimiter,
                require_complete=require_complete,
            )
            with run:
                out_format = _output_format(fmt, out_path, run.format)
                if output is None:
                    with silenced(quiet):
                        _write_all(run, sys.stdout, out_format, quiet)
                        sys.stdout.flush()
                else:
                    with output as stream:
                        _write_all(run, stream, out_format, quiet)
    except UnreadableInput as exc:
        fail(exc, EXIT_BAD_INPUT)
    except UnwritableOutput as exc:
        fail(exc.prefixed("--out "), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        fail(_stopped("interrupted", output), 128 + signal.SIGINT)
    except _Stopped as exc:
        fail(_stopped(_stop_word(exc.signum), output), 128 + exc.signum)
    summary = run.summary()
    if not quiet:
        from .render import verdict_mark

        def mark(level: str) -> str:
            return verdict_mark(Level.parse(level))

        click.echo(render_summary(summary, width=terminal_width(), mark=mark), err=True)
        for note in run.notes:
            click.echo(f"note: {note}", err=True)
    sys.exit(summary.exit_code_at(fail_on))
