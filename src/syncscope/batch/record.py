"""One input row as the readers hand it over: its number, carried-through columns, config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syncscope.model import Value

__all__ = ["ERROR", "NOT_APPLICABLE", "OK", "Record"]

OK = "ok"
"""The row gave a complete canonical configuration."""
ERROR = "error"
"""The row can't be turned into a configuration; ``Record.error`` says why."""
NOT_APPLICABLE = "not-applicable"
"""The row describes a mailbox that doesn't use server-side synchronization."""


@dataclass(frozen=True, slots=True)
class Record:
    """One input row, read and turned into a canonical configuration when possible.

    Examples
    --------
    >>> r = Record(row=1, extra={"id": "m1"}, config=None, status=ERROR, error="row 1: blank line")
    >>> r.ok, r.error
    (False, 'row 1: blank line')
    """

    row: int
    """1-based row number: CSV, the record number after the header; JSON Lines, the
    line number; Dataverse, the index in ``value`` plus one."""
    extra: Mapping[str, str]
    """Carried-through columns that are not variables (e.g. a mailbox id), in input order."""
    config: Mapping[str, Value] | None
    """The complete canonical configuration (``--set`` defaults merged, the row's own
    values win), in model order; None unless ``status`` is ``"ok"``."""
    status: str
    """``"ok"``, ``"error"`` or ``"not-applicable"``."""
    error: str | None
    """For ``error`` and ``not-applicable`` rows: a precise message naming the row,
    the column, the value and close matches."""

    @property
    def ok(self) -> bool:
        """Whether the row gave a configuration."""
        return self.status == OK
