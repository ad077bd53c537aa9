"""``syncscope batch``: check a whole mailbox inventory, one output row per input row."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

import click

from syncscope.api.batch import check_batch
from syncscope.batch.errors import UnreadableInput, UnwritableOutput
from syncscope.batch.job import BatchRun
from syncscope.batch.readers import FORMATS
from syncscope.batch.summary import render_summary
from syncscope.batch.writer import OUTPUT_FORMATS, OutputTarget, open_output, writer
from syncscope.model import merge_assignments

from .common import EXIT_BAD_INPUT, fail, handle_errors, model_from, set_option

__all__ = ["command"]

EXIT_SIGINT = 130
EXIT_SIGTERM = 143
_OUT_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class _Terminated(Exception):
    """SIGTERM arrived: unwind so that a partial output file is removed."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    except UnwritableOutput as exc:
        fail(f"--out {exc}")
    if source != "-" and Path(source).exists() and Path(out).exists():
        with contextlib.suppress(OSError):
            if os.path.samefile(source, out):
                fail(f"--out {out} is the input; the input is never overwritten")
    return target


def _stopped(word: str, target: OutputTarget | None) -> str:
    if target is None:
        return word
    if target.in_place:
        return f"{word}; the output {target.label} is incomplete"
    return f"{word}; no output file was written"


def _write_all(run: BatchRun, stream: TextIO, fmt: str) -> None:
    out = writer(fmt, stream, run.extra_columns, fix=run.fix)
    write = out.write
    if not sys.stderr.isatty():
        for row in run:
            write(row)
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("checking"), BarColumn(), TextColumn("{task.fields[rows]} rows"))
    with Progress(
        *columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("rows", total=run.size, rows=0)
        for n, row in enumerate(run, start=1):
            write(row)
            if n % 2048 == 0:
                bar.update(task, completed=run.position, rows=n)


@click.command("batch")
@click.argument("source", metavar="INPUT")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(OUTPUT_FORMATS),
    default=None,
    help="Output format (default: from --out's extension, else csv for CSV input, jsonl else).",
)
@click.option(
    "--out",
    "out_path",
    metavar="FILE",
    default=None,
    help="Write here (a regular file is replaced atomically).",
)
@set_option
@click.option("--fix", is_flag=True, help="Add the nearest valid changes to each invalid row.")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    default=None,
    help="Input format (default: from the extension, else from the content).",
)
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    source: str,
    out_format: str | None,
    out_path: str | None,
    sets: tuple[str, ...],
    fix: bool,
    input_format: str | None,
) -> None:
    """Check every mailbox of an inventory (CSV, JSON Lines, Dataverse export).

    INPUT is a file or '-' for stdin. Each input row gives exactly one output row,
    in input order: row number, carried-through columns, verdict, rule ids and
    messages; a bad row is an 'error' row and the run goes on. --set gives
    organisation-wide values; a row's own value wins. A summary goes to stderr.

    Exit codes: 0 every row valid or not-applicable; 1 some row untested,
    unsupported or an error; 2 the input can't be read at all; 130/143
    interrupted (no file is left under --out).
    """
    model = model_from(ctx)
    defaults = merge_assignments(model, sets)
    target = None if out_path is None else _check_out(out_path, source)
    try:
        with _sigterm_unwinds():
            run = check_batch(
                source, input_format=input_format, defaults=defaults, fix=fix, model=model
            )
            with run:
                fmt = _output_format(out_format, out_path, run.format)
                if target is None:
                    _write_all(run, sys.stdout, fmt)
                    sys.stdout.flush()
                else:
                    with open_output(target) as stream:
                        _write_all(run, stream, fmt)
    except UnreadableInput as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except UnwritableOutput as exc:
        fail(f"--out {exc}", EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        fail(_stopped("interrupted", target), EXIT_SIGINT)
    except _Terminated:
        fail(_stopped("terminated", target), EXIT_SIGTERM)
    summary = run.summary()
    click.echo(render_summary(summary), err=True)
    for note in run.notes:
        click.echo(f"note: {note}", err=True)
    sys.exit(summary.exit_code)
