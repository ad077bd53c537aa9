"""How much one request may send: body sizes and batch rows."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIB", "Limits"]

MIB = 1 << 20
"""One mebibyte."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The size limits the server enforces; a request over one gets a 413.

    Examples
    --------
    >>> Limits().max_body_bytes
    1048576
    >>> Limits(max_batch_rows=0)
    Traceback (most recent call last):
    ...
    ValueError: max_batch_rows must be a positive whole number, got 0
    """

    max_body_bytes: int = MIB
    """The largest body of a JSON endpoint."""
    max_batch_bytes: int = 64 * MIB
    """The largest inventory ``/v1/batch`` accepts."""
    max_batch_rows: int = 100_000
    """The most inventory rows ``/v1/batch`` checks in one request."""

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch_bytes", "max_batch_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
