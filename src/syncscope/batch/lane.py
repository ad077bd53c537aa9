"""The fast lane of a whole run: a CSV inventory written as JSON Lines, in chunks.

A row whose record is one unquoted line of known spellings goes from its bytes to
its output line without the objects of the row-by-row path (no
:class:`~syncscope.batch.record.Record`, no :class:`~syncscope.batch.runner.BatchRow`):
its value indices come from the reader's spelling maps, its outcome from the
evaluator's rule tables (with fixes, memoised on the configuration's index), and
its line from text
memoised per configuration (the configuration and the outcome) plus the row
number and the carried-through columns. Every other row (quoted, malformed,
blank, a spelling not met yet, a partial row) takes the row-by-row path: the
reader's record, the row checker, the writer. The lines are the same bytes as
the row-by-row path writes, and the summary the same counts.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import TextIO

from .csvio import CsvRecords
from .runner import Evaluator, Outcome, RowChecker
from .summary import Tally
from .writer import JsonlWriter

__all__ = ["CHUNK", "LINES_LIMIT", "csv_to_jsonl"]

CHUNK = 2048
"""Rows written to the stream at once."""
LINES_LIMIT = 1 << 13
"""The most configurations whose line text is kept at once (then they all go)."""


def csv_to_jsonl(
    records: CsvRecords, evaluator: Evaluator, tally: Tally, out: JsonlWriter, stream: TextIO
) -> Iterator[int] | None:
    """Write every row of ``records`` to ``stream`` as ``out`` writes it; the rows written
    so far after each chunk. None (nothing read) when no row can take the lane: the
    caller then writes row by row.

    ``tally`` counts the rows as :meth:`~syncscope.batch.summary.Tally.add` does.
    """
    lane = records.cells.lane()
    if lane is None:
        return None
    return _run(records, evaluator, tally, out, stream)


def _run(
    records: CsvRecords, evaluator: Evaluator, tally: Tally, out: JsonlWriter, stream: TextIO
) -> Iterator[int]:
    lane = records.cells.lane()
    assert lane is not None
    maps, rest, place, strides, layout = lane
    getitem, mul = operator.getitem, operator.mul
    pick_vars, pick_extra = records.pickers()
    width, sep = records.width, records.delimiter
    extra_text = out.extra_renderer(records.extra_columns or ())
    head_text = out.head_renderer(layout)
    tail_text = out.tail
    outcome, shared = evaluator.outcome, evaluator.shared
    fix = evaluator.fix
    checker = RowChecker(evaluator)
    lines = records.lines
    memo: dict[int, tuple[str, str, str, tuple[str, tuple[str, ...]]]] = {}
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    buf: list[str] = []
    write = stream.write

    def flush() -> None:
        if buf:
            write("".join(buf))
            buf.clear()
        for (verdict, rules), n in counts.items():
            tally.rows += n
            tally._verdicts[verdict] += n
            if rules:
                tally._rules[rules] += n
        counts.clear()

    number = 1  # the header's line
    row = 0
    for line in lines:
        number += 1
        row += 1
        if b'"' not in line:
            text = line[:-2] if line[-2:] == b"\r\n" else line[:-1] if line[-1:] == b"\n" else line
            try:
                fields = text.decode("utf-8").split(sep)
                if len(fields) != width or not text.strip():
                    raise ValueError
                digits = tuple(map(getitem, maps, pick_vars(fields))) + rest
            except (UnicodeDecodeError, ValueError, KeyError, TypeError):
                pass
            else:
                if place is not None:
                    digits = place(digits)
                key = sum(map(mul, digits, strides))
                hit = memo.get(key)
                if hit is None:
                    o = outcome(key, digits) if fix else shared(key, digits)
                    changes = o.fix if isinstance(o, Outcome) else None
                    before, after = tail_text(o.verdict_id, o.rules, o.messages, changes, fix)
                    if len(memo) >= LINES_LIMIT:
                        memo.clear()
                    hit = memo[key] = (head_text(digits), before, after, (o.verdict_id, o.rules))
                buf.append(f"{hit[0]}{extra_text(pick_extra(fields))}{hit[1]}{row}{hit[2]}")
                counted = hit[3]
                counts[counted] = counts.get(counted, 0) + 1
                if len(buf) >= CHUNK:
                    flush()
                    yield row
                continue
        rec, number = records.record_at(row, number, line)
        batch_row = checker.row(rec)
        flush()
        tally.add(batch_row)
        out.write(batch_row)
    flush()
    yield row
