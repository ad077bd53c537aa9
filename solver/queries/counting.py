"""Counting configurations per verdict under a partial assignment, from the compiled space.

Counts come from the diagram, in time linear in the nodes between the fixed
variables. When the configurations that are not unsupported are few (the
seed has 25,280 of them), the space also gets a bitmap index, built once from
the diagram in about a millisecond: per variable value, one bit per such
configuration. A count is then a few big-integer ``&`` and ``bit_count``
operations whatever the fixed values, and the unsupported count is what is left
of the Cartesian product. The index holds the space, not answers: no query is
remembered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syncscope.model import Level, Value

from ..diagram.indices import NodeId, ValueIndex, VarIndex
from ..diagram.mdd import TERMINALS
from ..diagram.space import Space, per_space

__all__ = ["Counts", "Index", "count", "count_encoded", "index"]

INDEX_BITS = 1 << 24
"""The largest index built: (indexed values) x (configurations kept) bits, 2 MiB."""


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


@dataclass(frozen=True, slots=True)
class Index:
    """The configurations of every verdict but unsupported, as bit sets (see the module notes).

    The configurations are numbered verdict by verdict, the rarer verdicts in
    the low bits, so that counting them reads only the short end of a set.
    """

    every: int
    """All the kept configurations."""
    values: tuple[tuple[int, ...], ...]
    """Per variable and value index: the kept configurations that take it."""
    lanes: tuple[tuple[int, int], ...]
    """(verdict, the bits of its configurations) for each kept verdict but the most common."""
    common: int
    """The most common kept verdict, counted as what the others leave."""
    sizes: tuple[int, ...]
    """Domain sizes per variable."""
    total: int
    """The size of the Cartesian product."""

    def packed(self, fixed: Mapping[VarIndex, ValueIndex]) -> tuple[int, ...]:
        """Completions of ``fixed`` (variable index -> value index) per verdict, in ``Level`` order.

        Examples
        --------
        >>> from syncscope.solver.diagram.space import compiled
        >>> space = compiled()
        >>> found = index(space)
        >>> found is not None and found.packed({}) == space.diagram.count({})
        True
        """
        chosen = self.every
        total = self.total
        values, sizes = self.values, self.sizes
        for var, value in fixed.items():
            chosen &= values[var][value]
            total //= sizes[var]
        counts = [0] * TERMINALS
        left = chosen.bit_count()
        total -= left
        for level, lane in self.lanes:
            found = (chosen & lane).bit_count()
            counts[level] = found
            left -= found
        counts[self.common] = left
        counts[-1] = total
        return tuple(counts)


@per_space
def index(space: Space) -> Index | None:
    """The bitmap index of ``space``, or None when it would exceed :data:`INDEX_BITS`.

    Built bottom-up over the diagram's depths, once per kept verdict: a node's
    bit sets are its children's, in value order, each shifted past the
    configurations before it.
    """
    diagram = space.diagram
    sizes = space.tables.sizes
    kept = [level for level in Level if level is not Level.UNSUPPORTED]
    paths = sum(diagram.unpack(diagram.below[diagram.root])[:-1])
    if paths * (sum(sizes) + len(kept)) > INDEX_BITS:
        return None
    parts = sorted((_paths(space, level) for level in kept), key=lambda part: part[1])
    values = [[0] * n for n in sizes]
    lanes = []
    offset = 0
    for level, size, bits in parts:
        for (var, value), found in bits.items():
            values[var][value] |= found << offset
        lanes.append((int(level), ((1 << size) - 1) << offset))
        offset += size
    total = 1
    for n in sizes:
        total *= n
    return Index(
        every=(1 << offset) - 1,
        values=tuple(tuple(row) for row in values),
        lanes=tuple(lane for lane in lanes[:-1] if lane[1]),
        common=lanes[-1][0],
        sizes=sizes,
        total=total,
    )


def _paths(space: Space, level: Level) -> tuple[Level, int, dict[tuple[VarIndex, ValueIndex], int]]:
    """The paths to ``level``'s terminal: how many, and per (variable, value) their bit set."""
    diagram = space.diagram
    made: dict[NodeId, tuple[int, dict[tuple[VarIndex, ValueIndex], int]]] = {
        t: (int(t == level), {}) for t in range(TERMINALS)
    }
    for depth in range(len(diagram.levels) - 1, -1, -1):
        var = diagram.order[depth]
        for node in diagram.levels[depth]:
            offset = 0
            bits: dict[tuple[VarIndex, ValueIndex], int] = {}
            for value, child in enumerate(diagram.children[node]):
                size, below = made[child]
                if not size:
                    continue
                for key, found in below.items():
                    bits[key] = bits.get(key, 0) | found << offset
                bits[var, value] = bits.get((var, value), 0) | ((1 << size) - 1) << offset
                offset += size
            made[node] = (offset, bits)
        if depth + 1 < len(diagram.levels):
            for node in diagram.levels[depth + 1]:
                del made[node]  # nothing above this depth reads it again
    size, bits = made[diagram.root]
    return level, size, bits


def count_encoded(space: Space, fixed: Mapping[VarIndex, ValueIndex]) -> Counts:
    """:func:`count` for an encoded configuration (variable index -> value index).

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> count_encoded(space, space.encode({"deployment": "online"})).valid
    6464
    """
    found = index(space)
    if found is None:
        supported, limited, discouraged, untested, unsupported = space.diagram.count(fixed)
    else:
        supported, limited, discouraged, untested, unsupported = found.packed(fixed)
    return Counts(supported, discouraged, untested, unsupported, limited)


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
    return count_encoded(space, space.encode(fixed))
