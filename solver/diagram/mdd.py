"""A quasi-reduced multi-valued decision diagram of the whole space, with verdict terminals.

Every path from the root picks one value per variable and ends at the terminal
of its verdict (0 supported, 1 discouraged, 2 untested, 3 unsupported).
Equivalent nodes are merged, so queries cost time linear in the diagram, not in
the Cartesian product. Counts travel as one Python int per node with a lane of
bits per verdict, so a count over all four verdicts is a single addition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from syncscope.model import Level

from .indices import Depth, NodeId, ValueIndex, VarIndex
from .live import live_masks

__all__ = ["TERMINALS", "Diagram", "finish"]


TERMINALS = len(Level)
_DEAD = -1
_SHARED_PATHS = 2048
"""Nodes with at most this many selected paths below share their listed suffixes."""
_SHARED_DEPTH = 256
"""Suffixes are shared only this close to the bottom (they are built recursively)."""


@dataclass(frozen=True, slots=True)
class _Bits:
    """A diagram's edges as bit masks: bit ``i`` of a depth's mask is that depth's ``i``-th
    node (terminals form the depth below the last). Per depth, in node order:"""

    union: tuple[tuple[tuple[int, int], ...], ...]
    """(node bit, its children's bits together)."""
    kids: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    """(node bit, its child's bit per value)."""
    groups: tuple[tuple[tuple[int, tuple[tuple[int, int], ...]], ...], ...]
    """(node bit, ((child bit, bit mask of the values leading there), ...))."""
    values: tuple[range, ...]
    """The value indices of each depth."""


@dataclass(frozen=True, slots=True)
class Diagram:
    """A compiled solution space. Build one with :func:`compile_diagram`."""

    order: tuple[VarIndex, ...]
    """The variable index tested at each depth."""
    children: tuple[tuple[NodeId, ...], ...]
    """By node id: the child per value index. Ids below ``TERMINALS`` are terminals."""
    levels: tuple[range, ...]
    """Node ids by depth (a layer of the diagram); ``levels[0]`` holds only the root."""
    lane_bits: int
    """Width of one verdict's lane in a packed count."""
    below: tuple[int, ...]
    """By node id: packed counts of paths to each terminal."""
    above: tuple[int, ...]
    """By node id: the number of paths from the root."""
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False)
    """Derived tables kept for reuse (e.g. live edges per verdict set); never persisted."""

    @property
    def root(self) -> NodeId:
        """The root node's id."""
        return self.levels[0].start

    @property
    def size(self) -> int:
        """The number of internal nodes."""
        return len(self.children) - TERMINALS

    @property
    def edges(self) -> int:
        """The number of internal edges."""
        return sum(len(c) for c in self.children)

    # -- packed counts -----------------------------------------------------
    def unpack(self, packed: int) -> tuple[int, ...]:
        """Split a packed count into one count per verdict, in ``Level`` order."""
        mask = (1 << self.lane_bits) - 1
        return tuple((packed >> (self.lane_bits * t)) & mask for t in range(TERMINALS))

    def lane_mask(self, verdicts: Sequence[Level]) -> int:
        """A mask selecting the lanes of ``verdicts`` in a packed count."""
        lane = (1 << self.lane_bits) - 1
        out = 0
        for v in verdicts:
            out |= lane << (self.lane_bits * int(v))
        return out

    def restricted_below(self, fixed: Mapping[Depth, ValueIndex]) -> list[int] | tuple[int, ...]:
        """Packed counts to each terminal from every node, with ``fixed`` depths pinned.

        ``fixed`` maps depths (not variables) to value indices. Only nodes at or
        above the deepest fixed depth change, so deep queries stay cheap.
        """
        if not fixed:
            return self.below
        table = list(self.below)
        children = self.children
        get = table.__getitem__
        for depth in range(max(fixed), -1, -1):
            value = fixed.get(depth)
            if value is None:
                for node in self.levels[depth]:
                    table[node] = sum(map(get, children[node]))
            else:
                for node in self.levels[depth]:
                    table[node] = table[children[node][value]]
        return table

    def restricted_above(self, fixed: Mapping[Depth, ValueIndex]) -> list[int]:
        """The number of paths from the root to every node that agree with ``fixed``."""
        above = [0] * len(self.children)
        above[self.root] = 1
        children = self.children
        for depth, ids in enumerate(self.levels):
            value = fixed.get(depth)
            for node in ids:
                count = above[node]
                if not count:
                    continue
                kids = children[node]
                if value is None:
                    for child in kids:
                        above[child] += count
                else:
                    above[kids[value]] += count
        return above

    def count(self, fixed: Mapping[Depth, ValueIndex]) -> tuple[int, ...]:
        """Completions of ``fixed`` per verdict, in ``Level`` order.

        Examples
        --------
        >>> from syncscope.solver.diagram.space import compiled
        >>> space = compiled()
        >>> counts = space.diagram.count({})
        >>> counts[Level.SUPPORTED], sum(counts) == space.model.size
        (19440, True)
        """
        return self.unpack(self.count_packed(fixed))

    def count_packed(self, fixed: Mapping[Depth, ValueIndex]) -> int:
        """Completions of ``fixed`` as one packed count (see :meth:`unpack`, :meth:`lane_mask`)."""
        if not fixed:
            return self.below[self.root]
        below = self.restricted_below(fixed)
        top = min(fixed)
        if top == 0:
            return below[self.root]
        total = 0
        above = self.above
        for node in self.levels[top]:
            if above[node]:
                total += above[node] * below[node]
        return total

    def value_counts(self, fixed: Mapping[Depth, ValueIndex]) -> list[list[int]]:
        """For each depth and value index, packed completions of ``fixed`` through it.

        The result is complete and exact: a value has a valid completion if and
        only if the valid lanes of its entry are non-zero.
        """
        below = self.restricted_below(fixed)
        above = self.restricted_above(fixed)
        children = self.children
        out: list[list[int]] = []
        for depth, ids in enumerate(self.levels):
            width = len(children[ids.start])
            sums = [0] * width
            pinned = fixed.get(depth)
            for node in ids:
                count = above[node]
                if not count:
                    continue
                kids = children[node]
                if pinned is None:
                    for value in range(width):
                        sums[value] += count * below[kids[value]]
                else:
                    sums[pinned] += count * below[kids[pinned]]
            out.append(sums)
        return out

    def live_values(
        self, fixed: Mapping[Depth, ValueIndex], verdicts: Sequence[Level]
    ) -> list[list[int]]:
        """For each depth, the value indices that some completion of ``fixed`` ending in
        ``verdicts`` takes, in value order. Empty lists when there is no such completion.

        Examples
        --------
        >>> from syncscope.solver.diagram.space import compiled
        >>> space = compiled()
        >>> gmail = space.encode({"email_system": "gmail"})
        >>> valid = [Level.SUPPORTED, Level.DISCOURAGED]
        >>> space.diagram.live_values(gmail, valid)[3]  # incoming_protocol: pop3 only
        [1]
        """
        masks = self.live_masks(fixed, verdicts)
        return [
            [v for v in values if masks[k] >> v & 1] for k, values in enumerate(self._bits().values)
        ]

    def live_masks(self, fixed: Mapping[Depth, ValueIndex], verdicts: Sequence[Level]) -> list[int]:
        """:meth:`live_values` as one bit mask of value indices per depth (bit ``v`` = value ``v``).

        Only reachability matters here, so both passes carry sets of nodes as
        bit masks over a depth (:class:`_Bits`): one pass up from the deepest
        fixed depth marks the nodes with a path below that agrees with
        ``fixed`` and ends in ``verdicts``, one pass down from the root follows
        the edges into those nodes. Each step is a table look-up where the
        depths are narrow (:mod:`syncscope.solver.diagram.live`).

        Examples
        --------
        >>> from syncscope.solver.diagram.space import compiled
        >>> space = compiled()
        >>> gmail = space.encode({"email_system": "gmail"})
        >>> bin(space.diagram.live_masks(gmail, [Level.SUPPORTED])[3])  # pop3 only
        '0b10'
        """
        return live_masks(self, fixed, self.lane_mask(verdicts))

    def _bits(self) -> _Bits:
        """The diagram's edges as bit masks over each depth's nodes (built once)."""
        hit = self.memo.get("bits")
        if isinstance(hit, _Bits):
            return hit
        union = []
        kids = []
        groups = []
        values = []
        for depth, ids in enumerate(self.levels):
            start = self.levels[depth + 1].start if depth + 1 < len(self.levels) else 0
            union_row = []
            kids_row = []
            groups_row = []
            for node in ids:
                bit = 1 << (node - ids.start)
                masks = tuple(1 << (child - start) for child in self.children[node])
                by_kid: dict[int, int] = {}
                for value, kid in enumerate(masks):
                    by_kid[kid] = by_kid.get(kid, 0) | 1 << value
                union_row.append((bit, sum(by_kid)))
                kids_row.append((bit, masks))
                groups_row.append((bit, tuple(by_kid.items())))
            union.append(tuple(union_row))
            kids.append(tuple(kids_row))
            groups.append(tuple(groups_row))
            values.append(range(len(self.children[ids.start])))
        found = _Bits(tuple(union), tuple(kids), tuple(groups), tuple(values))
        self.memo["bits"] = found
        return found

    def _live_masks(self, mask: int) -> tuple[int, ...]:
        """Per depth, then the terminals: the nodes with some path below ending in the lanes
        of ``mask``, as a bit mask over the depth (nothing fixed; built once per mask)."""
        key = ("live-masks", mask)
        hit = self.memo.get(key)
        if isinstance(hit, tuple):
            return hit
        out = []
        for ids in (*self.levels, range(TERMINALS)):
            found = 0
            for node in ids:
                if self.below[node] & mask:
                    found |= 1 << (node - ids.start)
            out.append(found)
        self.memo[key] = tuple(out)
        return tuple(out)

    def paths(
        self, fixed: Mapping[Depth, ValueIndex], verdicts: Sequence[Level]
    ) -> Iterator[tuple[tuple[ValueIndex, ...], Level]]:
        """Yield every path (value index per depth) ending in one of ``verdicts``.

        Paths come in lexicographic order of value indices, depth by depth.
        """
        below = self.restricted_below(fixed)
        mask = self.lane_mask(verdicts)
        children = self.children
        height = len(self.levels)
        verdict = tuple(Level)
        lane_mask = (1 << self.lane_bits) - 1

        def options(node: NodeId, depth: Depth) -> list[tuple[ValueIndex, NodeId]]:
            kids = children[node]
            pinned = fixed.get(depth)
            values = range(len(kids)) if pinned is None else (pinned,)
            return [(v, kids[v]) for v in values if below[kids[v]] & mask]

        def selected(node: NodeId) -> int:
            packed = below[node] & mask
            total = 0
            while packed:
                total += packed & lane_mask
                packed >>= self.lane_bits
            return total

        # Below a node with few paths, its suffixes are listed once and shared.
        memo: dict[NodeId, list[tuple[tuple[ValueIndex, ...], Level]]] = {}

        def suffixes(node: NodeId, depth: Depth) -> list[tuple[tuple[ValueIndex, ...], Level]]:
            hit = memo.get(node)
            if hit is None:
                if depth + 1 == height:
                    hit = [((v,), verdict[c]) for v, c in options(node, depth)]
                else:
                    hit = [
                        ((v, *rest), end)
                        for v, c in options(node, depth)
                        for rest, end in suffixes(c, depth + 1)
                    ]
                memo[node] = hit
            return hit

        def shared(node: NodeId, depth: Depth) -> bool:
            return height - depth <= _SHARED_DEPTH and selected(node) <= _SHARED_PATHS

        if not below[self.root] & mask:
            return
        if shared(self.root, 0):
            yield from suffixes(self.root, 0)
            return
        choice = [0] * height
        # An explicit stack keeps deep models clear of the recursion limit.
        stack = [iter(options(self.root, 0))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                continue
            depth = len(stack) - 1
            value, child = step
            choice[depth] = value
            if depth + 1 == height:
                yield tuple(choice), verdict[child]
            elif shared(child, depth + 1):
                head = tuple(choice[: depth + 1])
                for rest, end in suffixes(child, depth + 1):
                    yield head + rest, end
            else:
                stack.append(iter(options(child, depth + 1)))

    def best(self, fixed: Mapping[Depth, ValueIndex]) -> Level:
        """The best verdict any completion of ``fixed`` reaches."""
        counts = self.count(fixed)
        return next(Level(t) for t, n in enumerate(counts) if n)


def finish(
    order: tuple[VarIndex, ...],
    children: tuple[tuple[NodeId, ...], ...],
    levels: tuple[range, ...],
    lane_bits: int,
) -> Diagram:
    """Build a diagram from its nodes, precomputing counts from below and from above."""
    below = [0] * len(children)
    for t in range(TERMINALS):
        below[t] = 1 << (lane_bits * t)
    get = below.__getitem__
    for ids in reversed(levels):
        for node in ids:
            below[node] = sum(map(get, children[node]))
    above = [0] * len(children)
    above[levels[0].start] = 1
    for ids in levels:
        for node in ids:
            for child in children[node]:
                above[child] += above[node]
    return Diagram(order, children, levels, lane_bits, tuple(below), tuple(above))
