"""``syncscope list``: the valid configurations as a compact table, a stream, or counts."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator, Sequence

import click

import syncscope
from syncscope import ANY, VALID, Conflict, Counts, Cube, Matrix, parse_verdicts
from syncscope.model import Level, Model, Value, format_value

from .common import (
    EXIT_INVALID,
    EXIT_OK,
    InputError,
    emit_json,
    handle_errors,
    model_from,
    output_options,
    quiet_option,
    set_option,
    settings,
    terminal_width,
)
from .render import plural, verdict_mark

__all__ = ["command", "render_counts", "render_matrix"]

MAX_ROWS = 200
"""Rows the human table shows before pointing to ``--jsonl``/``--csv``."""
MIN_REST_WIDTH = 30
"""Narrowest column for a row's other limits; below it they go under the row."""
MAIN_COLUMNS = 6
"""Variables shown as columns of their own; the rest of a row's limits go in one column."""


@click.command("list")
@set_option
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    metavar="LEVEL",
    help="supported, discouraged, untested or unsupported (repeatable; default: the valid ones).",
)
@click.option("--count", "count_only", is_flag=True, help="Only count, per verdict.")
@output_options(
    "text",
    "json",
    "jsonl",
    "csv",
    help="text or json: the compact table; jsonl or csv: stream every configuration"
    " (default: text).",
)
@quiet_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    verdicts: tuple[str, ...],
    count_only: bool,
    fmt: str,
    quiet: bool,
) -> None:
    """List valid configurations: a compact table where "any" means the setting doesn't matter.

    --format jsonl and csv stream every configuration instead (canonical values,
    variables in model order, configurations in lexicographic order);
    --count counts them per verdict (only the --verdict ones, when given).
    --set VAR=VALUE filters.

    Exit codes: 0 something matched (always for --count); 1 nothing matched,
    with the conflict when the --set values rule out every valid
    configuration; 2 bad input. -q prints nothing but errors: the exit code
    says whether anything matched.
    """
    if count_only and fmt in ("jsonl", "csv"):
        raise InputError(f"choose one output: --count prints text or json, not --format {fmt}")
    as_json = fmt == "json"
    model = model_from(ctx)
    # By default the valid verdicts this rule set can give ("limited" only where a page has it).
    chosen = parse_verdicts(verdicts) if verdicts else tuple(v for v in VALID if v in model.levels)
    fixed = settings(ctx, model, sets)
    counts = syncscope.count(fixed, model=model)
    if quiet:
        matched = count_only or sum(counts.of(level) for level in chosen) > 0
        sys.exit(EXIT_OK if matched else EXIT_INVALID)
    if count_only:
        if as_json:
            emit_json(_count_data(counts, chosen) if verdicts else counts.to_dict())
        else:
            click.echo(render_counts(counts, fixed, chosen if verdicts else None, model.levels))
        sys.exit(EXIT_OK)
    if not sum(counts.of(level) for level in chosen):
        _nothing(model, fixed, chosen, counts, as_json)
    if fmt in ("jsonl", "csv"):
        lines = syncscope.export_lines(fixed, verdicts=chosen, format=fmt, model=model)
        _stream(lines)
    else:
        matrix = syncscope.table(fixed, verdicts=chosen, model=model)
        if as_json:
            emit_json(matrix.to_dict())
        else:
            click.echo(render_matrix(matrix, model, counts.total, terminal_width()))
    sys.exit(EXIT_OK)


def _count_data(counts: Counts, chosen: Sequence[Level]) -> dict[str, int]:
    """The counts of the chosen verdicts, their sum (``matching``) and the ``total``."""
    data = {level.id: counts.of(level) for level in chosen}
    data["matching"] = sum(data.values())
    data["total"] = counts.total
    return data


def _nothing(
    model: Model,
    fixed: dict[str, Value],
    chosen: Sequence[Level],
    counts: Counts,
    as_json: bool,
) -> None:
    """Report that nothing matches, with the conflict when no valid configuration does."""
    which = " or ".join(level.id for level in chosen)
    given = ", ".join(f"{k}={format_value(v)}" for k, v in fixed.items())
    found: Conflict | None = None
    causes: tuple[Conflict, ...] = ()
    cause_message = ""
    if not counts.valid:
        try:
            syncscope.domains(fixed, model=model)
        except syncscope.NoSolution as exc:
            found, causes, cause_message = exc.conflict, exc.causes, exc.message
    if found is not None:
        message = cause_message  # every cause, as domains names them
    else:
        message = f"no {which} configuration matches {given or 'the model'}"
    if as_json:
        # An answer (exit 1) in the shape domains and the HTTP API share, not an error object.
        data: dict[str, object] = {"error": message, "fixed": fixed, "counts": counts.to_dict()}
        if found is not None:
            data["conflict"] = found.to_dict()
            data["causes"] = [c.to_dict() for c in causes]
        emit_json(data)
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_INVALID)


def _stream(chunks: Iterator[str]) -> None:
    """Write chunks to stdout; a reader that stops early (``| head``) is not an error."""
    out = sys.stdout
    try:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        sys.exit(EXIT_OK)


def render_counts(
    counts: Counts,
    fixed: dict[str, Value],
    verdicts: Sequence[Level] | None = None,
    levels: Sequence[Level] | None = None,
) -> str:
    """A small table: configurations per verdict, valid and total.

    With ``verdicts``, only those verdicts are listed, then their sum and the total.
    With ``levels`` (the verdicts the rule set can give), a verdict outside
    them is left out of the full table.
    """
    given = ", ".join(f"{k}={format_value(v)}" for k, v in fixed.items())
    data = counts.to_dict()
    if verdicts is not None:
        data = {level.id: counts.of(level) for level in verdicts}
        if len(verdicts) > 1:
            data[" or ".join(level.id for level in verdicts)] = sum(data.values())
        data["total"] = counts.total
    elif levels is not None:
        hidden = {level.id for level in Level if level not in levels and not counts.of(level)}
        data = {name: n for name, n in data.items() if name not in hidden}
    width = max(len(f"{n:,}") for n in data.values())
    label = max(12, *(len(name) for name in data))
    lines = [f"Configurations matching {given}:" if given else "All configurations:"]
    ids = {level.id: level for level in Level}
    for name, number in data.items():
        if name == "total" or (name == "valid" and verdicts is None) or " or " in name:
            lines.append(f"    {'-' * label} {'-' * width}")
        mark = verdict_mark(ids[name]) if name in ids else " "  # the one table of symbols
        lines.append(f"  {mark} {name:<{label}} {number:>{width},}")
    return "\n".join(lines)


def _cell(name: str, row: Cube, joiner: str = ", ") -> str:
    shown = row.shown(name)
    return shown if isinstance(shown, str) else joiner.join(format_value(v) for v in shown)


def _layout(matrix: Matrix) -> tuple[list[str], list[str], dict[str, Value]]:
    """Split variables into own columns, a shared column for the rest, and constants."""
    constant = matrix.constant()
    varying = [
        name
        for name in matrix.names
        if name not in matrix.fixed
        and name not in constant
        and any(row.shown(name) != ANY for row in matrix.rows)
    ]
    return varying[:MAIN_COLUMNS], varying[MAIN_COLUMNS:], constant


def render_matrix(matrix: Matrix, model: Model, total: int, width: int | None = None) -> str:
    """The compact table as plain text, fitted to ``width`` columns (the terminal's by default).

    Up to :data:`MAIN_COLUMNS` varying settings get a column each; the other
    limits of a row are listed in a last, wrapped column, or under the row
    when the width leaves no room for that column.
    """
    main, rest, constant = _layout(matrix)
    which = " or ".join(v.id for v in matrix.verdicts)
    given = ", ".join(f"{k}={format_value(v)}" for k, v in matrix.fixed.items())
    shown = matrix.rows[:MAX_ROWS]
    width = width or terminal_width()
    size_width = max([len("configs"), *(len(f"{row.size:,}") for row in shown)])
    # Own columns for as many leading settings as fit; the rest go with the row's limits.
    while True:
        headers = [name.replace("_", " ") for name in main]
        body = [[_cell(name, row).split(", ") for name in main] for row in shown]
        widths = [
            max([len(w) for w in header.split()] + [len(x) for cells in body for x in cells[i]])
            for i, header in enumerate(headers)
        ]
        used = sum(widths) + size_width + 2 * (len(widths) + 1)
        if used - 2 <= width or len(main) == 1:
            break
        rest = [main.pop(), *rest]
    limits = [
        [f"{name}: {_cell(name, row, ' | ')}" for name in rest if row.shown(name) != ANY]
        for row in shown
    ]
    sizes = [f"{row.size:,}" for row in shown]
    # The other limits get a column when it can be 30 wide, else lines under each row.
    beside = bool(rest) and width - used >= MIN_REST_WIDTH
    rest_width = width - used if beside else max(width - 4, MIN_REST_WIDTH)
    columns = [*widths, *([rest_width] if beside else []), size_width]
    head_cells = [textwrap.wrap(h, w) for h, w in zip(headers, widths, strict=True)]
    if beside:
        head_cells.append(["and"])
    head_cells.append(["configs"])
    title = (
        f"{which.capitalize()} configurations{' with ' + given if given else ''}:"
        f" {matrix.count:,} of {total:,} combinations, in {plural(len(matrix.rows), 'row')}."
    )
    out = [
        *textwrap.wrap(title, width),
        "",
        *_block(head_cells, columns),
        "  ".join("─" * w for w in columns),
    ]
    for i, cells in enumerate(body):
        wrapped: list[str] = []
        for item in limits[i]:
            wrapped.extend(
                textwrap.wrap(item, rest_width, subsequent_indent="  ", break_on_hyphens=False)
            )
        block = [*cells, *([wrapped] if beside else []), [sizes[i].rjust(size_width)]]
        if i:
            out.append("")
        out.extend(_block(block, columns))
        if not beside:
            out.extend(f"    {line}" for line in wrapped)
    if len(matrix.rows) > len(shown):
        more = plural(len(matrix.rows) - len(shown), "more row")
        out.append(f"… {more}; see --jsonl or --csv.")
    out.append("")
    notes = []
    if constant:
        notes.append(
            "Every row also has " + ", ".join(f"{k}={format_value(v)}" for k, v in constant.items())
        )
    notes.append('"any": every value of that setting is allowed in that row')
    notes.append("Every configuration: syncscope list --jsonl (or --csv)")
    out.extend(textwrap.wrap(". ".join(notes) + ".", width, break_on_hyphens=False))
    return "\n".join(out)


def _block(cells: Sequence[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """Lay out one table row whose cells span several lines."""
    height = max((len(c) for c in cells), default=0)
    lines = []
    for k in range(height):
        parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return lines
