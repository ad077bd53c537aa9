"""A lower bound on the steps of a monotone plan: the fewest blocks its changes split into.

A monotone plan changes each variable at most once, straight from its start
value to its end value, so its steps split the variables that differ into
disjoint *blocks*, one per step, and each block is the set of variables some
minimal move changes. Which sets those can be is read once per question from
the move diagram: the accepted paths whose unchanged values are start or end
values, and whose changes go from start to end value. The fewest blocks that
cover what is still to change, group by group (a block never spans two groups
of variables that never change together), is then a lower bound on the steps
left. It is at least the number of groups the remaining changes fall in (the
bound of :class:`~syncscope.solver.plan.search.Goal` without blocks) and drops
by at most one along any move, so a best-first search guided by it still finds
a plan with the fewest steps first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .moves import MoveDiagram, Node

__all__ = ["EXACT_GROUP", "MASK_LIMIT", "Blocks", "monotone_blocks"]

MASK_LIMIT = 4_096
"""The most distinct sets of changes one state of the move diagram may lead to; past it
the question keeps the plain bound (no blocks)."""
EXACT_GROUP = 14
"""Groups of at most this many variables get the exact fewest blocks; larger ones get
the count of their changes over the largest block (a weaker bound, still admissible)."""


@dataclass(frozen=True, slots=True)
class Blocks:
    """The sets of variables one step of a monotone plan may change, grouped.

    Build one with :func:`monotone_blocks`.
    """

    end: Node
    """The configuration the plan ends at."""
    group_of: tuple[int, ...]
    """Per variable, the number of its group (-1: no block changes it)."""
    containing: tuple[tuple[int, ...], ...]
    """Per variable, the blocks (bit masks over variables) that change it."""
    exact: tuple[bool, ...]
    """Per group, whether its fewest blocks are computed exactly."""
    largest: tuple[int, ...]
    """Per group, the size of its largest block."""
    _memo: dict[int, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dead(self) -> int:
        """The bound of a configuration no monotone plan completes: more than any other."""
        return len(self.end) + 1

    def steps(self, node: Node) -> int:
        """A lower bound on the steps from ``node`` to :attr:`end` (:attr:`dead` if none)."""
        end, group_of = self.end, self.group_of
        left: dict[int, int] = {}
        for v, value in enumerate(node):
            if value != end[v]:
                g = group_of[v]
                if g < 0:
                    return self.dead
                left[g] = left.get(g, 0) | (1 << v)
        total = 0
        for g, mask in left.items():
            need = self._need(g, mask)
            if need >= self.dead:
                return self.dead
            total += need
        return total

    def _need(self, group: int, mask: int) -> int:
        """A lower bound on the blocks of ``group`` that cover ``mask``."""
        if self.exact[group]:
            return self._fewest(mask)
        return -(-mask.bit_count() // self.largest[group])

    def _fewest(self, mask: int) -> int:
        """The fewest blocks that split ``mask`` exactly (:attr:`dead` if none do)."""
        if mask == 0:
            return 0
        memo = self._memo
        hit = memo.get(mask)
        if hit is not None:
            return hit
        containing, dead = self.containing, self.dead
        # An explicit stack of [mask, its candidate blocks, next block, best so far]:
        # a block whose rest is not known yet is looked at again once it is.
        stack: list[list[int]] = [[mask, (mask & -mask).bit_length() - 1, 0, dead]]
        while stack:
            frame = stack[-1]
            top, low, at, best = frame
            blocks = containing[low]
            pending = False
            while at < len(blocks):
                block = blocks[at]
                if block & ~top == 0:
                    sub = top ^ block
                    rest = 0 if sub == 0 else memo.get(sub)
                    if rest is None:
                        frame[2], frame[3] = at, best
                        stack.append([sub, (sub & -sub).bit_length() - 1, 0, dead])
                        pending = True
                        break
                    if rest + 1 < best:
                        best = rest + 1
                at += 1
            if not pending:
                memo[top] = best
                stack.pop()
        return memo[mask]


def monotone_blocks(
    moves: MoveDiagram,
    start: Node,
    end: Node,
    allowed: Sequence[frozenset[int] | None],
    max_step: int | None,
) -> Blocks | None:
    """The blocks of a monotone plan from ``start`` to ``end``, or None when there are too many.

    Parameters
    ----------
    moves : MoveDiagram
        The model's minimal moves.
    start, end : Node
        The plan's ends (value indices per variable).
    allowed : sequence of frozenset or None
        Per variable, the values the plan may take (None: any).
    max_step : int or None
        The most variables one step may change.

    Examples
    --------
    >>> from syncscope.model.synthetic import random_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> from syncscope.solver.plan.moves import move_diagram
    >>> space = compiled(random_model(6, seed=1))
    >>> moves = move_diagram(space)
    >>> blocks = monotone_blocks(moves, (0,) * 6, (0,) * 6, [None] * 6, None)
    >>> blocks is not None and blocks.steps((0,) * 6)
    0
    """
    root = moves.root
    if root <= 0:
        return None
    transitions = moves.transitions

    def values(level: int) -> frozenset[int]:
        both = frozenset({start[level], end[level]})
        a = allowed[level]
        return both if a is None else both & a

    level_of = {root: 0}
    order = [root]
    for state in order:
        level = level_of[state]
        left = values(level)
        for x, options in enumerate(transitions[state]):
            if x not in left:
                continue
            for y, nxt in options:
                if _admits(x, y, level, start, end, left) and nxt and nxt not in level_of:
                    level_of[nxt] = level + 1
                    order.append(nxt)
    sets: dict[int, frozenset[int]] = {0: frozenset([0])}
    for state in sorted(order, key=level_of.__getitem__, reverse=True):
        level = level_of[state]
        left = values(level)
        bit = 1 << level
        found: set[int] = set()
        for x, options in enumerate(transitions[state]):
            if x not in left:
                continue
            for y, nxt in options:
                if not _admits(x, y, level, start, end, left):
                    continue
                below = sets[nxt]
                if x == y:
                    found.update(below)
                else:
                    found.update(m | bit for m in below)
        if max_step is not None:
            found = {m for m in found if m.bit_count() <= max_step}
        if len(found) > MASK_LIMIT:
            return None
        sets[state] = frozenset(found)
    return _grouped(end, sorted(m for m in sets[root] if m))


def _admits(x: int, y: int, level: int, start: Node, end: Node, left: frozenset[int]) -> bool:
    """Whether a monotone plan may read ``x`` and reach ``y`` at ``level`` (``x`` is in
    ``left``, the values it may take there)."""
    return x == y or (x == start[level] and y == end[level] and y in left)


def _grouped(end: Node, masks: list[int]) -> Blocks:
    """Group the variables the blocks link, and index the blocks by variable."""
    n = len(end)
    parent = list(range(n))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    containing: list[list[int]] = [[] for _ in range(n)]
    for mask in masks:
        members = [v for v in range(n) if mask >> v & 1]
        for v in members:
            containing[v].append(mask)
            parent[find(v)] = find(members[0])
    number: dict[int, int] = {}
    group_of = [-1] * n
    for v in range(n):
        if containing[v]:
            group_of[v] = number.setdefault(find(v), len(number))
    sizes = [0] * len(number)
    largest = [1] * len(number)
    for v in range(n):
        g = group_of[v]
        if g >= 0:
            sizes[g] += 1
            largest[g] = max(largest[g], max(m.bit_count() for m in containing[v]))
    return Blocks(
        end,
        tuple(group_of),
        tuple(tuple(c) for c in containing),
        tuple(size <= EXACT_GROUP for size in sizes),
        tuple(largest),
    )
