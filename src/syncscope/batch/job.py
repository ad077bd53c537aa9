"""A whole batch run: records in, rows out, with a running summary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from syncscope.solver.diagram.space import Space

from .csvio import CsvRecords
from .lane import csv_lane
from .readers import RecordStream
from .runner import BatchRow, Evaluator, run_rows
from .summary import BatchSummary, Tally
from .writer import CsvWriter, JsonlWriter, RowWriter

__all__ = ["BatchRun"]


class BatchRun(Iterator[BatchRow]):
    """The rows of one input, checked, in input order, exactly one per input row.

    Iterate it for :class:`BatchRow` values; :meth:`summary` gives the totals so
    far (final once the iteration ends). Close it, or use ``with``, to release the
    input early.

    Attributes
    ----------
    format : str
        The input format read (given or detected).
    extra_columns : tuple of str or None
        The carried-through columns when every row has the same ones; None for JSON
        Lines, whose rows may each carry different keys.
    """

    def __init__(self, records: RecordStream, space: Space, *, fix: bool = False) -> None:
        self._records = records
        self._evaluator = Evaluator(space, fix=fix)
        self._tally = Tally(space.model)
        self._rows = run_rows(records, self._evaluator)
        self.format = records.format
        self.extra_columns = records.extra_columns
        self.fix = fix

    def __next__(self) -> BatchRow:
        row = next(self._rows)
        self._tally.add(row)
        return row

    def write_fast(self, out: RowWriter, stream: TextIO) -> Iterator[int] | None:
        """Write every row to ``stream`` as ``out`` writes it, through the fast lane of
        :mod:`~syncscope.batch.lane` (a CSV input, JSON Lines or CSV output); the rows written
        so far, chunk by chunk. None, with nothing read, when the lane does not apply:
        then iterate the run and write row by row."""
        reader = self._records.reader
        if not isinstance(reader, CsvRecords) or type(out) not in (JsonlWriter, CsvWriter):
            return None
        assert isinstance(out, (JsonlWriter, CsvWriter))
        return csv_lane(reader, self._evaluator, self._tally, out, stream)

    def summary(self) -> BatchSummary:
        """Counts by verdict, rule frequencies and distinct configurations so far."""
        return self._tally.summary(self._evaluator.distinct)

    @property
    def evaluations(self) -> int:
        """How many configurations were actually checked (memo misses)."""
        return self._evaluator.evaluations

    @property
    def notes(self) -> tuple[str, ...]:
        """Remarks about the input as a whole (e.g. an export that is one page of several)."""
        return self._records.notes()

    @property
    def position(self) -> int:
        """Bytes of input read so far."""
        return self._records.position

    @property
    def size(self) -> int | None:
        """The input's size in bytes, when it is a regular file."""
        return self._records.size

    def close(self) -> None:
        """Release the input."""
        self._records.close()

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
