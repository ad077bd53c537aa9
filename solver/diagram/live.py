"""Live values by table look-ups: the two passes of :meth:`Diagram.live_masks`, a step per depth.

Both passes carry a set of nodes of one depth as a bit mask. Each step from a
depth to the next (down) or back (up) is a union over the mask's bits, so it
is looked up in tables made once per diagram from its edges alone: the mask
cut in two chunks of :data:`CHUNK` bits, each chunk's table giving the union
for every pattern of its bits. A step is then two look-ups per value whatever
the number of nodes. A depth wider than two chunks (or above one) is stepped
node by node, as :meth:`Diagram.live_masks` describes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncscope.model import Level

from .indices import Depth, ValueIndex

if TYPE_CHECKING:
    from .mdd import Diagram, _Bits

__all__ = ["CHUNK", "live_masks"]

CHUNK = 7
"""Bits of a node mask per table: two tables of 128 entries cover a depth of 14 nodes."""
_LOW = (1 << CHUNK) - 1

Split = tuple[tuple[int, ...], tuple[int, ...]]
"""The tables of a union: (the low chunk's, the high chunk's), indexed by the chunk's bits."""


@dataclass(frozen=True, slots=True)
class _Step:
    """The edges from one depth to the next as look-up tables (see the module notes)."""

    up_any: Split
    """Nodes of the next depth -> the nodes with a child among them."""
    up: tuple[Split, ...]
    """Per value: nodes of the next depth -> the nodes whose child for the value is among them."""
    down_any: Split
    """Nodes of this depth -> their children."""
    down: tuple[Split, ...]
    """Per value: nodes of this depth -> their children for the value."""
    every: int
    """The mask of all the values."""


def live_masks(diagram: Diagram, fixed: Mapping[Depth, ValueIndex], lanes: int) -> list[int]:
    """Per depth, the bit mask of the values some completion of ``fixed`` ending in ``lanes`` takes.

    ``lanes`` is a mask of verdict lanes (:meth:`Diagram.lane_mask`). All zero
    when no completion does.

    Examples
    --------
    >>> from syncscope.model import Level
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> diagram, gmail = space.diagram, space.encode({"email_system": "gmail"})
    >>> bin(live_masks(diagram, gmail, diagram.lane_mask([Level.SUPPORTED]))[3])  # pop3 only
    '0b10'
    """
    steps = _steps(diagram)
    live = list(diagram._live_masks(lanes))
    bits: _Bits | None = None
    cut, chunk = _LOW, CHUNK  # locals: read on every step
    for depth in range(max(fixed, default=-1), -1, -1):
        below = live[depth + 1]
        pinned = fixed.get(depth)
        step = steps[depth]
        if step is None:
            bits = bits or diagram._bits()
            live[depth] = _up_by_node(bits, depth, pinned, below)
            continue
        low, high = step.up_any if pinned is None else step.up[pinned]
        live[depth] = low[below & cut] | high[below >> chunk]
    if not live[0]:
        return [0] * len(diagram.levels)
    out: list[int] = []
    reach = 1  # the root, alone on its depth
    for depth, step in enumerate(steps):
        below = live[depth + 1]
        pinned = fixed.get(depth)
        if step is None:
            bits = bits or diagram._bits()
            taken, reach = _down_by_node(bits, depth, pinned, reach, below)
            out.append(taken)
            continue
        r0, r1 = reach & cut, reach >> chunk
        if pinned is not None:
            low, high = step.down[pinned]
            reach = (low[r0] | high[r1]) & below
            out.append(1 << pinned if reach else 0)
            continue
        low, high = step.down_any
        kids = low[r0] | high[r1]
        reach = kids & below
        if reach == kids:  # every child is live, so every value is taken
            out.append(step.every)
            continue
        taken = 0
        for value, (low, high) in enumerate(step.down):
            if (low[r0] | high[r1]) & below:
                taken |= 1 << value
        out.append(taken)
    return out


def _up_by_node(bits: _Bits, depth: int, pinned: int | None, below: int) -> int:
    found = 0
    if pinned is None:
        for bit, kids in bits.union[depth]:
            if kids & below:
                found |= bit
    else:
        for bit, per_value in bits.kids[depth]:
            if per_value[pinned] & below:
                found |= bit
    return found


def _down_by_node(
    bits: _Bits, depth: int, pinned: int | None, reach: int, below: int
) -> tuple[int, int]:
    ahead = 0
    if pinned is not None:
        for bit, per_value in bits.kids[depth]:
            if reach & bit and per_value[pinned] & below:
                ahead |= per_value[pinned]
        return (1 << pinned if ahead else 0), ahead
    taken = 0
    for bit, groups in bits.groups[depth]:
        if reach & bit:
            for kid, chosen in groups:
                if kid & below:
                    taken |= chosen
                    ahead |= kid
    return taken, ahead


def _steps(diagram: Diagram) -> tuple[_Step | None, ...]:
    """Per depth, its :class:`_Step`, or None when it or the next is wider than two chunks."""
    hit = diagram.memo.get("live-steps")
    if isinstance(hit, tuple):
        return hit
    out: list[_Step | None] = []
    levels = diagram.levels
    for depth, ids in enumerate(levels):
        last = depth + 1 == len(levels)
        start = 0 if last else levels[depth + 1].start
        width = len(Level) if last else len(levels[depth + 1])  # the terminals below the last
        if len(ids) > 2 * CHUNK or width > 2 * CHUNK:
            out.append(None)
            continue
        kids = [[1 << (child - start) for child in diagram.children[node]] for node in ids]
        values = range(len(kids[0]))
        up = []
        for value in values:
            parents = [0] * width
            for i, row in enumerate(kids):
                parents[row[value].bit_length() - 1] |= 1 << i
            up.append(_split(parents))
        parents = [0] * width
        for i, row in enumerate(kids):
            for kid in row:
                parents[kid.bit_length() - 1] |= 1 << i
        any_kid = [0] * len(kids)
        for i, row in enumerate(kids):
            for kid in row:
                any_kid[i] |= kid
        out.append(
            _Step(
                up_any=_split(parents),
                up=tuple(up),
                down_any=_split(any_kid),
                down=tuple(_split([row[value] for row in kids]) for value in values),
                every=(1 << len(values)) - 1,
            )
        )
    found = tuple(out)
    diagram.memo["live-steps"] = found
    return found


def _split(elements: Sequence[int]) -> Split:
    """The two chunk tables of the union over ``elements`` (mask bit ``i``: ``elements[i]``)."""
    tables = []
    for part in (elements[:CHUNK], elements[CHUNK : 2 * CHUNK]):
        table = [0]
        for element in part:  # the patterns with this bit set follow those without it
            table += [found | element for found in table]
        tables.append(tuple(table))
    return tables[0], tables[1]
