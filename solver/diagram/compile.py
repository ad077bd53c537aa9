"""Compile rule tables into a reduced verdict diagram by combining one small diagram per rule."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from syncscope.model import Level

from .mdd import TERMINALS, Diagram, finish
from .tables import RuleTable, Tables

__all__ = ["compile_diagram"]


class _Builder:
    """Hash-consed, quasi-reduced nodes (every path visits every level)."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = sizes
        self.depth = len(sizes)
        self.children: list[tuple[int, ...]] = [()] * TERMINALS
        self.unique: list[dict[tuple[int, ...], int]] = [{} for _ in sizes]
        # const[t][level]: the node whose every path ends at terminal t.
        self.const: list[list[int]] = []
        for t in range(TERMINALS):
            chain = [0] * (self.depth + 1)
            chain[self.depth] = t
            for level in range(self.depth - 1, -1, -1):
                chain[level] = self.node(level, (chain[level + 1],) * sizes[level])
            self.const.append(chain)
        self.memo: dict[tuple[int, int], int] = {}

    def node(self, level: int, kids: tuple[int, ...]) -> int:
        table = self.unique[level]
        found = table.get(kids)
        if found is None:
            found = len(self.children)
            self.children.append(kids)
            table[kids] = found
        return found

    def rule(self, table: RuleTable) -> int:
        """The diagram of one rule: its level where broken, supported elsewhere."""
        scope = table.scope
        last = scope[-1]
        broken = table.broken
        ok, bad = self.const[Level.SUPPORTED], self.const[int(table.level)]
        memo: dict[tuple[int, tuple[int, ...]], int] = {}

        def build(level: int, seen: tuple[int, ...]) -> int:
            if level > last:
                return bad[level] if seen in broken else ok[level]
            key = (level, seen)
            hit = memo.get(key)
            if hit is None:
                if level in scope:
                    kids = tuple(build(level + 1, (*seen, v)) for v in range(self.sizes[level]))
                else:
                    kids = (build(level + 1, seen),) * self.sizes[level]
                hit = memo[key] = self.node(level, kids)
            return hit

        return build(0, ())

    def worst(self, a: int, b: int, level: int) -> int:
        """The diagram of the worse verdict of ``a`` and ``b`` (both at ``level``)."""
        if a == b:
            return a
        const = self.const
        if a == const[Level.UNSUPPORTED][level] or b == const[Level.UNSUPPORTED][level]:
            return const[Level.UNSUPPORTED][level]
        if a == const[Level.SUPPORTED][level]:
            return b
        if b == const[Level.SUPPORTED][level]:
            return a
        if level == self.depth:
            return max(a, b)
        key = (a, b) if a < b else (b, a)
        hit = self.memo.get(key)
        if hit is None:
            kids = tuple(
                self.worst(x, y, level + 1)
                for x, y in zip(self.children[a], self.children[b], strict=True)
            )
            hit = self.memo[key] = self.node(level, kids)
        return hit


def compile_diagram(tables: Tables) -> Diagram:
    """Compile the rule tables into a reduced diagram over the model's variable order.

    Each rule becomes a small diagram (its level where broken, supported
    elsewhere); they are folded together with "the worse verdict of the two",
    rules whose variables come first going first, which keeps intermediate
    diagrams narrow. Unsupported absorbs everything, so its paths share one
    chain. Hash-consing keeps every node unique, so the result is reduced.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> diagram = compile_diagram(build_tables(load_model()))
    >>> diagram.unpack(diagram.below[diagram.root])
    (19440, 5072, 768, 15310144)
    """
    sizes = tables.sizes
    depth = len(sizes)
    limit = sys.getrecursionlimit()
    if depth + 50 > limit:
        sys.setrecursionlimit(depth + 100)
    try:
        builder = _Builder(sizes)
        root = builder.const[Level.SUPPORTED][0]
        for table in sorted(tables.rules, key=lambda t: (t.scope[-1], t.scope[0], t.index)):
            root = builder.worst(root, builder.rule(table), 0)
            builder.memo.clear()
    finally:
        sys.setrecursionlimit(max(limit, sys.getrecursionlimit()) if depth + 50 > limit else limit)
    return _extract(builder, root, depth)


def _extract(builder: _Builder, root: int, depth: int) -> Diagram:
    """Keep the nodes reachable from ``root`` and number them level by level."""
    layers: list[list[int]] = [[root]]
    for _ in range(depth - 1):
        seen: dict[int, None] = {}
        for node in layers[-1]:
            seen.update(dict.fromkeys(builder.children[node]))
        layers.append(sorted(seen))
    new_id: dict[int, int] = {t: t for t in range(TERMINALS)}
    next_id = TERMINALS
    starts = []
    for layer in layers:
        starts.append(next_id)
        for node in layer:
            new_id[node] = next_id
            next_id += 1
    children: list[tuple[int, ...]] = [()] * TERMINALS
    for layer in layers:
        children.extend(tuple(new_id[c] for c in builder.children[node]) for node in layer)
    levels = tuple(range(s, s + len(layer)) for s, layer in zip(starts, layers, strict=True))
    total = 1
    for size in builder.sizes:
        total *= size
    return finish(tuple(range(depth)), tuple(children), levels, max(total.bit_length() + 1, 8))
