"""A quasi-reduced multi-valued decision diagram of the whole space, with verdict terminals.

Every path from the root picks one value per variable and ends at the terminal
of its verdict (0 supported, 1 discouraged, 2 untested, 3 unsupported).
Equivalent nodes are merged, so queries cost time linear in the diagram, not in
the Cartesian product. Counts travel as one Python int per node with a lane of
bits per verdict, so a count over all four verdicts is a single addition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Level

from .tables import Tables

__all__ = ["Diagram", "compile_diagram"]

TERMINALS = len(Level)
_DEAD = -1


@dataclass(frozen=True, slots=True)
class Diagram:
    """A compiled solution space. Build one with :func:`compile_diagram`."""

    order: tuple[int, ...]
    """The variable index tested at each level."""
    children: tuple[tuple[int, ...], ...]
    """By node id: the child per value index. Ids below ``TERMINALS`` are terminals."""
    levels: tuple[range, ...]
    """Node ids of each level; ``levels[0]`` holds only the root."""
    lane_bits: int
    """Width of one verdict's lane in a packed count."""
    below: tuple[int, ...]
    """By node id: packed counts of paths to each terminal."""
    above: tuple[int, ...]
    """By node id: the number of paths from the root."""

    @property
    def root(self) -> int:
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

    def restricted_below(self, fixed: Mapping[int, int]) -> list[int] | tuple[int, ...]:
        """Packed counts to each terminal from every node, with ``fixed`` levels pinned.

        ``fixed`` maps levels (not variables) to value indices. Only nodes at or
        above the deepest fixed level change, so deep queries stay cheap.
        """
        if not fixed:
            return self.below
        below = list(self.below)
        children = self.children
        get = below.__getitem__
        for level in range(max(fixed), -1, -1):
            value = fixed.get(level)
            if value is None:
                for node in self.levels[level]:
                    below[node] = sum(map(get, children[node]))
            else:
                for node in self.levels[level]:
                    below[node] = below[children[node][value]]
        return below

    def restricted_above(self, fixed: Mapping[int, int]) -> list[int]:
        """The number of paths from the root to every node that agree with ``fixed``."""
        above = [0] * len(self.children)
        above[self.root] = 1
        children = self.children
        for level, ids in enumerate(self.levels):
            value = fixed.get(level)
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

    def count(self, fixed: Mapping[int, int]) -> tuple[int, ...]:
        """Completions of ``fixed`` per verdict, in ``Level`` order.

        Examples
        --------
        >>> from syncscope.solver.space import compiled
        >>> space = compiled()
        >>> sum(space.diagram.count({}))
        15335424
        """
        if not fixed:
            return self.unpack(self.below[self.root])
        below = self.restricted_below(fixed)
        top = min(fixed)
        if top == 0:
            return self.unpack(below[self.root])
        total = 0
        above = self.above
        for node in self.levels[top]:
            if above[node]:
                total += above[node] * below[node]
        return self.unpack(total)

    def value_counts(self, fixed: Mapping[int, int]) -> list[list[int]]:
        """For each level and value index, packed completions of ``fixed`` through it.

        The result is complete and exact: a value has a valid completion if and
        only if the valid lanes of its entry are non-zero.
        """
        below = self.restricted_below(fixed)
        above = self.restricted_above(fixed)
        children = self.children
        out: list[list[int]] = []
        for level, ids in enumerate(self.levels):
            width = len(children[ids.start])
            sums = [0] * width
            pinned = fixed.get(level)
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

    def paths(
        self, fixed: Mapping[int, int], verdicts: Sequence[Level]
    ) -> Iterator[tuple[tuple[int, ...], Level]]:
        """Yield every path (value index per level) ending in one of ``verdicts``.

        Paths come in lexicographic order of value indices, level by level.
        """
        below = self.restricted_below(fixed)
        mask = self.lane_mask(verdicts)
        children = self.children
        depth = len(self.levels)

        def options(node: int, level: int) -> Iterator[tuple[int, int]]:
            kids = children[node]
            pinned = fixed.get(level)
            values = range(len(kids)) if pinned is None else (pinned,)
            return iter([(v, kids[v]) for v in values if below[kids[v]] & mask])

        choice = [0] * depth
        # An explicit stack keeps deep models clear of the recursion limit.
        stack = [options(self.root, 0)]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                continue
            level = len(stack) - 1
            value, child = step
            choice[level] = value
            if level + 1 == depth:
                yield tuple(choice), Level(child)
            else:
                stack.append(options(child, level + 1))

    def best(self, fixed: Mapping[int, int]) -> Level:
        """The best verdict any completion of ``fixed`` reaches."""
        counts = self.count(fixed)
        return next(Level(t) for t, n in enumerate(counts) if n)

    # -- persistence -------------------------------------------------------
    def to_data(self) -> dict[str, object]:
        """Plain data for the on-disk cache."""
        return {
            "order": list(self.order),
            "children": [list(c) for c in self.children[TERMINALS:]],
            "levels": [[r.start, r.stop] for r in self.levels],
            "lane_bits": self.lane_bits,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Diagram:
        """Rebuild a diagram from :meth:`to_data`, checking its shape."""
        order = tuple(int(x) for x in _seq(data["order"]))
        inner = tuple(tuple(int(c) for c in _seq(kids)) for kids in _seq(data["children"]))
        levels = tuple(range(int(a), int(b)) for a, b in (_seq(x) for x in _seq(data["levels"])))
        lane_bits = int(data["lane_bits"])  # type: ignore[call-overload]
        children = ((),) * TERMINALS + inner
        _check_shape(order, children, levels)
        return _finish(order, children, levels, lane_bits)


def _seq(x: object) -> Sequence[object]:
    if not isinstance(x, list):
        raise ValueError("malformed diagram data")
    return x


def _check_shape(
    order: Sequence[int], children: Sequence[Sequence[int]], levels: Sequence[range]
) -> None:
    if len(levels) != len(order) or not levels or levels[0].start != TERMINALS:
        raise ValueError("malformed diagram levels")
    for level, ids in enumerate(levels):
        if ids.stop > len(children) or (level + 1 < len(levels) and levels[level + 1].start != ids.stop):
            raise ValueError("malformed diagram levels")
        nxt = levels[level + 1] if level + 1 < len(levels) else range(0, TERMINALS)
        width = len(children[ids.start]) if ids else 0
        for node in ids:
            kids = children[node]
            if len(kids) != width or any(c not in nxt for c in kids):
                raise ValueError("malformed diagram edges")


def _finish(
    order: tuple[int, ...],
    children: tuple[tuple[int, ...], ...],
    levels: tuple[range, ...],
    lane_bits: int,
) -> Diagram:
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


def compile_diagram(tables: Tables, order: Sequence[int] | None = None) -> Diagram:
    """Compile the rule tables into a reduced diagram.

    The construction goes top-down, level by level. A node's state is the
    values of the earlier variables that rules still need (the frontier) and
    the worst verdict so far; once a path is unsupported nothing can improve
    it, so it joins one shared chain. Equal nodes are then merged bottom-up.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.tables import build_tables
    >>> diagram = compile_diagram(build_tables(load_model()))
    >>> diagram.unpack(diagram.below[diagram.root])
    (19440, 5072, 768, 15310144)
    """
    n = len(tables.sizes)
    order = tuple(order) if order is not None else tuple(range(n))
    if sorted(order) != list(range(n)):
        raise ValueError("order must be a permutation of the variables")
    level_of = {var: lvl for lvl, var in enumerate(order)}
    sizes = [tables.sizes[var] for var in order]
    # Each rule is due at the level of its deepest variable.
    due: list[list[tuple[tuple[int, ...], frozenset[tuple[int, ...]], int]]] = [[] for _ in order]
    last_use = [-1] * n
    for table in tables.rules:
        lv = tuple(level_of[v] for v in table.scope)
        # Tables list scope tuples in variable order; map them to level order.
        perm = sorted(range(len(lv)), key=lambda k: lv[k])
        levels_sorted = tuple(lv[k] for k in perm)
        broken = frozenset(tuple(t[k] for k in perm) for t in table.broken)
        deepest = levels_sorted[-1]
        due[deepest].append((levels_sorted, broken, int(table.level)))
        for lvl in levels_sorted:
            last_use[lvl] = max(last_use[lvl], deepest)
    frontier = [tuple(j for j in range(i) if last_use[j] >= i) for i in range(n + 1)]

    unsupported = int(Level.UNSUPPORTED)
    dead = ((), unsupported)
    # layers[level][state id] = the child state ids (or terminals at the last level)
    layers: list[list[list[int]]] = []
    states: dict[tuple[tuple[int, ...], int], int] = {((), int(Level.SUPPORTED)): 0}
    for level in range(n):
        front = frontier[level]
        nxt_front = frontier[level + 1]
        last = level == n - 1
        nxt: dict[tuple[tuple[int, ...], int], int] = {}
        rows: list[list[int]] = []
        for vals, worst in states:  # dicts keep insertion order = state id order
            assign = dict(zip(front, vals, strict=False))
            row = []
            for value in range(sizes[level]):
                assign[level] = value
                w = worst
                if w != unsupported:
                    for lvls, broken, rank in due[level]:
                        if rank > w and tuple(assign[x] for x in lvls) in broken:
                            w = rank
                if last:
                    row.append(w)
                    continue
                key = dead if w == unsupported else (tuple(assign[x] for x in nxt_front), w)
                row.append(nxt.setdefault(key, len(nxt)))
            rows.append(row)
        layers.append(rows)
        states = nxt
    return _reduce(order, layers, tables)


def _reduce(order: tuple[int, ...], layers: list[list[list[int]]], tables: Tables) -> Diagram:
    """Merge equal nodes bottom-up and number them level by level from the root."""
    canon_rows: list[list[tuple[int, ...]]] = []
    remap: list[int] = list(range(TERMINALS))  # state id at the level below -> canonical id
    for rows in reversed(layers):
        unique: dict[tuple[int, ...], int] = {}
        mapping = []
        for row in rows:
            key = tuple(remap[c] for c in row)
            mapping.append(unique.setdefault(key, len(unique)))
        canon_rows.append(list(unique))
        remap = mapping
    canon_rows.reverse()
    starts = []
    next_id = TERMINALS
    for rows_ in canon_rows:
        starts.append(next_id)
        next_id += len(rows_)
    children: list[tuple[int, ...]] = [()] * TERMINALS
    for level, rows_ in enumerate(canon_rows):
        offset = starts[level + 1] if level + 1 < len(canon_rows) else 0
        children.extend(tuple(c + offset for c in row) for row in rows_)
    levels = tuple(range(starts[i], starts[i] + len(r)) for i, r in enumerate(canon_rows))
    total = 1
    for size in tables.sizes:
        total *= size
    return _finish(order, tuple(children), levels, max(total.bit_length() + 1, 8))
