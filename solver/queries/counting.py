"""Counting configurations per verdict under a partial assignment, straight from the diagram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syncscope.model import Level, Value

from ..diagram.space import Space

__all__ = ["Counts", "count"]


@dataclass(frozen=True, slots=True)
class Counts:
    """How many completions of a partial configuration reach each verdict."""

    supported: int
    discouraged: int
    untested: int
    unsupported: int

    @property
    def valid(self) -> int:
        """Supported plus discouraged."""
        return self.supported + self.discouraged

    @property
    def total(self) -> int:
        """Every combination that matches the fixed values."""
        return self.supported + self.discouraged + self.untested + self.unsupported

    def of(self, level: Level) -> int:
        """The count of one verdict."""
        return (self.supported, self.discouraged, self.untested, self.unsupported)[int(level)]

    def to_dict(self) -> dict[str, int]:
        """JSON-ready data: one count per verdict, ``valid`` and ``total``."""
        return {
            "supported": self.supported,
            "discouraged": self.discouraged,
            "untested": self.untested,
            "unsupported": self.unsupported,
            "valid": self.valid,
            "total": self.total,
        }


def count(space: Space, fixed: Mapping[str, Value]) -> Counts:
    """Count the completions of a canonical partial configuration, per verdict.

    The diagram answers in time linear in the nodes at or above the deepest
    fixed variable, whatever the size of the Cartesian product.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> counts = count(compiled(), {"deployment": "online"})
    >>> counts.valid, counts.total
    (6464, 7667712)
    """
    supported, discouraged, untested, unsupported = space.diagram.count(space.encode(fixed))
    return Counts(supported, discouraged, untested, unsupported)
