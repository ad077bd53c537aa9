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
    limited: int = 0

    @property
    def valid(self) -> int:
        """Supported plus limited plus discouraged."""
        return self.supported + self.limited + self.discouraged

    @property
    def total(self) -> int:
        """Every combination that matches the fixed values."""
        return self.valid + self.untested + self.unsupported

    def of(self, level: Level) -> int:
        """The count of one verdict."""
        return int(getattr(self, level.id))

    def to_dict(self) -> dict[str, int]:
        """JSON-ready data: one count per verdict, ``valid`` and ``total``."""
        return {
            "supported": self.supported,
            "limited": self.limited,
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
    (6464, 22118400)
    """
    supported, limited, discouraged, untested, unsupported = space.diagram.count(
        space.encode(fixed)
    )
    return Counts(supported, discouraged, untested, unsupported, limited)
