"""One input row as the readers hand it over: its number, carried-through columns, config."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from syncscope.model import Value

__all__ = ["ERROR", "NOT_APPLICABLE", "OK", "Configuration", "Layout", "Record"]

OK = "ok"
"""The row gave a complete canonical configuration."""
ERROR = "error"
"""The row can't be turned into a configuration; ``Record.error`` says why."""
NOT_APPLICABLE = "not-applicable"
"""The row describes a mailbox that doesn't use server-side synchronization."""


class Layout:
    """The variables of a model in order, with their domains and each one's stride.

    Examples
    --------
    >>> layout = Layout(("a", "b"), (("x", "y"), (True, False)))
    >>> layout.strides, layout.digits(3), layout.values(3)
    ((2, 1), (1, 1), {'a': 'y', 'b': False})
    """

    __slots__ = ("domains", "names", "sizes", "strides")

    def __init__(self, names: tuple[str, ...], domains: tuple[tuple[Value, ...], ...]) -> None:
        self.names = names
        self.domains = domains
        self.sizes = tuple(len(d) for d in domains)
        strides = [1] * len(domains)
        for i in range(len(domains) - 2, -1, -1):
            strides[i] = strides[i + 1] * self.sizes[i + 1]
        self.strides = tuple(strides)

    def digits(self, key: int) -> tuple[int, ...]:
        """The value indices of the configuration at ``key``, in model order."""
        return tuple([key // s % n for s, n in zip(self.strides, self.sizes, strict=True)])

    def values(self, key: int) -> dict[str, Value]:
        """The canonical configuration at ``key``."""
        return {n: d[k] for n, d, k in zip(self.names, self.domains, self.digits(key), strict=True)}


class Configuration(Mapping[str, Value]):
    """A read-only canonical configuration that knows its place in the full space.

    ``key`` is the configuration's mixed-radix index (the first variable most
    significant) and ``digits`` its value indices in model order (given when known,
    else worked out from ``key``), so checking and
    writing a row need no look-ups by name. The values by name are worked out
    only when asked for.

    Examples
    --------
    >>> c = Configuration(5, Layout(("a", "b"), (("x", "y", "z"), (True, False))))
    >>> c["a"], c.digits, dict(c) == {"a": "z", "b": False}, c == {"a": "z", "b": False}
    ('z', (2, 1), True, True)
    """

    __slots__ = ("_digits", "_values", "key", "layout")

    def __init__(self, key: int, layout: Layout, digits: tuple[int, ...] | None = None) -> None:
        self.key = key
        self.layout = layout
        self._digits: tuple[int, ...] | None = digits
        self._values: dict[str, Value] | None = None

    @property
    def digits(self) -> tuple[int, ...]:
        """The value indices, in model order."""
        if self._digits is None:
            self._digits = self.layout.digits(self.key)
        return self._digits

    def _mapping(self) -> dict[str, Value]:
        if self._values is None:
            self._values = self.layout.values(self.key)
        return self._values

    def __getitem__(self, name: str) -> Value:
        return self._mapping()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.layout.names)

    def __len__(self) -> int:
        return len(self.layout.names)

    def __contains__(self, name: object) -> bool:
        return name in self._mapping()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Configuration):
            return self._mapping() == other._mapping()
        if isinstance(other, Mapping):
            return self._mapping() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._mapping())


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
