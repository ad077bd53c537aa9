"""The fast lane of a whole run: a CSV inventory written as JSON Lines or CSV, in chunks.

A row whose record is one unquoted line of known spellings goes from its bytes to
its output line without the objects of the row-by-row path (no
:class:`~syncscope.batch.record.Record`, no :class:`~syncscope.batch.runner.BatchRow`):
its value indices come from the reader's spelling maps; one sum of them gives
the configuration's index, the evaluator's rule-table indices and the writer's
text runs, so its outcome is a few table look-ups (with fixes, the evaluator's
memo on the index) and its line a few memoised pieces of text, the
carried-through columns and the row number. Nothing is kept per configuration
beyond the evaluator's bounded memo and its bitmap of those met, so memory stays
flat. Every other row (quoted, malformed,
blank, a spelling not met yet, a partial row) takes the row-by-row path: the
reader's record, the row checker, the writer. The lines are the same bytes as
the row-by-row path writes, and the summary the same counts.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator
from typing import TextIO

from .cells import Lane
from .csvio import CsvRecords
from .runner import Evaluator, RowChecker, Shared
from .summary import Tally
from .writer import CsvWriter, JsonlWriter

__all__ = ["CHUNK", "csv_lane"]

CHUNK = 2048
"""Rows written to the stream at once."""


def csv_lane(
    records: CsvRecords,
    evaluator: Evaluator,
    tally: Tally,
    out: JsonlWriter | CsvWriter,
    stream: TextIO,
) -> Iterator[int] | None:
    """Write every row of ``records`` to ``stream`` as ``out`` writes it; the rows written
    so far after each chunk. None (nothing read) when no row can take the lane: the
    caller then writes row by row.

    ``tally`` counts the rows as :meth:`~syncscope.batch.summary.Tally.add` does.
    """
    lane = records.cells.lane()
    if lane is None:
        return None
    if isinstance(out, CsvWriter) and out.columns != records.extra_columns:
        return None
    return _run(records, lane, evaluator, tally, out, stream)


def _run(
    records: CsvRecords,
    lane: Lane,
    evaluator: Evaluator,
    tally: Tally,
    out: JsonlWriter | CsvWriter,
    stream: TextIO,
) -> Iterator[int]:
    maps, rest, place, strides, layout = lane
    getitem, mul = operator.getitem, operator.mul
    pick_vars, pick_extra = records.pickers()
    width, sep = records.width, records.delimiter
    # One sum of the value indices gives the key, the rule tables' indices and (JSON
    # Lines) the head's runs, each in bits of its own.
    key_bits = max(1, (math.prod(layout.sizes) - 1).bit_length())
    group_weights, group_bits, lookup = evaluator.packing()
    head_at = key_bits + group_bits
    jsonl = isinstance(out, JsonlWriter)
    if isinstance(out, JsonlWriter):
        extra_text = out.extra_renderer(records.extra_columns or ())
        head_weights, _, head_text = out.head_packing(layout)
        json_tail = out.tail
    else:
        extra_text = out.extra_renderer()
        head_weights, head_text = (0,) * len(strides), str
        csv_tail = out.tail
    weights = tuple(
        s + (g << key_bits) + (h << head_at)
        for s, g, h in zip(strides, group_weights, head_weights, strict=True)
    )
    key_field, group_field = (1 << key_bits) - 1, (1 << group_bits) - 1
    outcome, meet = evaluator.outcome, evaluator.meet
    fix = evaluator.fix
    tails: dict[Shared, tuple[str, str, tuple[str, tuple[str, ...]]]] = {}
    checker = RowChecker(evaluator)
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    buf: list[str] = []
    write = stream.write

    def flush() -> None:
        if buf:
            write("".join(buf))
            buf.clear()
        for (verdict, rules), n in counts.items():
            tally.add_counts(verdict, rules, n)
        counts.clear()

    number = 1  # the header's line
    row = 0
    for line in records.lines:
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
                total = sum(map(mul, digits, weights))
                key = total & key_field
                if fix:
                    o = outcome(key, digits)
                    v, rules, messages, changes = o.verdict_id, o.rules, o.messages, o.fix
                    if jsonl:
                        before, after = json_tail(v, rules, messages, changes, True)
                    else:
                        before, after = csv_tail(v, rules, messages, changes) + "\n", ""
                    counted = (v, rules)
                else:
                    meet(key)
                    shared = lookup(total >> key_bits & group_field)
                    hit = tails.get(shared)
                    if hit is None:
                        v, rules, messages = shared.verdict_id, shared.rules, shared.messages
                        if jsonl:
                            before, after = json_tail(v, rules, messages, None, False)
                        else:
                            before, after = csv_tail(v, rules, messages, None) + "\n", ""
                        hit = tails[shared] = (before, after, (v, rules))
                    before, after, counted = hit
                if jsonl:
                    head = head_text(total >> head_at)
                    buf.append(f"{head}{extra_text(pick_extra(fields))}{before}{row}{after}")
                else:
                    buf.append(f"{row},{extra_text(pick_extra(fields))}{before}")
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
