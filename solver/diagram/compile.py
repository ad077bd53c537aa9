"""Compile rule tables into a reduced verdict diagram by combining one small diagram per rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from syncscope.model import Level

from .indices import Depth, NodeId, ValueIndex
from .mdd import TERMINALS, Diagram, finish
from .tables import RuleTable, Tables

__all__ = ["compile_diagram"]


_RuleFrame: TypeAlias = tuple[
    Depth, tuple[ValueIndex, ...], list[tuple[ValueIndex, ...]], list[NodeId]
]


class _Builder:
    """Hash-consed, quasi-reduced nodes (every path visits every depth).

    Both builds walk depth first with an explicit stack, creating children
    before their parent in value order, so deep models stay clear of the
    recursion limit.
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = sizes
        self.height: Depth = len(sizes)
        """The depth of the terminals."""
        self.children: list[tuple[NodeId, ...]] = [()] * TERMINALS
        self.unique: list[dict[tuple[NodeId, ...], NodeId]] = [{} for _ in sizes]
        # const[t][depth]: the node whose every path ends at terminal t.
        self.const: list[list[NodeId]] = []
        for t in range(TERMINALS):
            chain = [0] * (self.height + 1)
            chain[self.height] = t
            for depth in range(self.height - 1, -1, -1):
                chain[depth] = self.node(depth, (chain[depth + 1],) * sizes[depth])
            self.const.append(chain)
        self.memo: dict[tuple[NodeId, NodeId], NodeId] = {}

    def node(self, depth: Depth, kids: tuple[NodeId, ...]) -> NodeId:
        table = self.unique[depth]
        found = table.get(kids)
        if found is None:
            found = len(self.children)
            self.children.append(kids)
            table[kids] = found
        return found

    def rule(self, table: RuleTable) -> NodeId:
        """The diagram of one rule: its verdict where broken, supported elsewhere."""
        scope = table.scope
        last = scope[-1]
        broken = table.broken
        ok, bad = self.const[Level.SUPPORTED], self.const[int(table.level)]
        memo: dict[tuple[Depth, tuple[ValueIndex, ...]], NodeId] = {}

        def known(depth: Depth, seen: tuple[ValueIndex, ...]) -> NodeId | None:
            if depth > last:
                return bad[depth] if seen in broken else ok[depth]
            return memo.get((depth, seen))

        def below(depth: Depth, seen: tuple[ValueIndex, ...]) -> list[tuple[ValueIndex, ...]]:
            if depth in scope:
                return [(*seen, v) for v in range(self.sizes[depth])]
            return [seen]  # one child, repeated for every value

        root = known(0, ())
        if root is not None:
            return root
        # Frames: (depth, values seen in scope, the children's prefixes, the children built).
        stack: list[_RuleFrame] = [(0, (), below(0, ()), [])]
        done: NodeId | None = None
        while True:
            depth, seen, pending, kids = stack[-1]
            if done is not None:
                kids.append(done)
                done = None
            while len(kids) < len(pending):
                hit = known(depth + 1, pending[len(kids)])
                if hit is None:
                    break
                kids.append(hit)
            if len(kids) < len(pending):
                nxt = pending[len(kids)]
                stack.append((depth + 1, nxt, below(depth + 1, nxt), []))
                continue
            stack.pop()
            row = tuple(kids) if depth in scope else (kids[0],) * self.sizes[depth]
            done = memo[(depth, seen)] = self.node(depth, row)
            if not stack:
                return done

    def _shortcut(self, a: NodeId, b: NodeId, depth: Depth) -> NodeId | None:
        """The worse of ``a`` and ``b`` when known without looking below them."""
        if a == b:
            return a
        const = self.const
        if a == const[Level.UNSUPPORTED][depth] or b == const[Level.UNSUPPORTED][depth]:
            return const[Level.UNSUPPORTED][depth]
        if a == const[Level.SUPPORTED][depth]:
            return b
        if b == const[Level.SUPPORTED][depth]:
            return a
        if depth == self.height:
            return max(a, b)
        return self.memo.get((a, b) if a < b else (b, a))

    def worst(self, a: NodeId, b: NodeId, depth: Depth) -> NodeId:
        """The diagram of the worse verdict of ``a`` and ``b`` (both at ``depth``)."""
        hit = self._shortcut(a, b, depth)
        if hit is not None:
            return hit
        children = self.children
        # Frames: (a, b, depth, the children built so far).
        stack = [(a, b, depth, list[NodeId]())]
        done: NodeId | None = None
        while True:
            a, b, depth, kids = stack[-1]
            if done is not None:
                kids.append(done)
                done = None
            left, right = children[a], children[b]
            while len(kids) < len(left):
                hit = self._shortcut(left[len(kids)], right[len(kids)], depth + 1)
                if hit is None:
                    break
                kids.append(hit)
            if len(kids) < len(left):
                stack.append((left[len(kids)], right[len(kids)], depth + 1, []))
                continue
            stack.pop()
            done = self.memo[(a, b) if a < b else (b, a)] = self.node(depth, tuple(kids))
            if not stack:
                return done


def compile_diagram(tables: Tables) -> Diagram:
    """Compile the rule tables into a reduced diagram over the model's variable order.

    Each rule becomes a small diagram (its verdict where broken, supported
    elsewhere); they are folded together with "the worse verdict of the two",
    rules whose variables come first going first, which keeps intermediate
    diagrams narrow. Unsupported absorbs everything, so its paths share one
    chain. Hash-consing keeps every node unique, so the result is reduced.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> diagram = compile_diagram(build_tables(load_model()))
    >>> counts = diagram.unpack(diagram.below[diagram.root])
    >>> counts[Level.SUPPORTED], counts[Level.DISCOURAGED], counts[Level.UNTESTED]
    (19440, 5072, 768)
    """
    builder = _Builder(tables.sizes)
    root = builder.const[Level.SUPPORTED][0]
    for table in sorted(tables.rules, key=lambda t: (t.scope[-1], t.scope[0], t.index)):
        root = builder.worst(root, builder.rule(table), 0)
        builder.memo.clear()
    return _extract(builder, root)


def _extract(builder: _Builder, root: NodeId) -> Diagram:
    """Keep the nodes reachable from ``root`` and number them depth by depth."""
    layers: list[list[NodeId]] = [[root]]
    for _ in range(builder.height - 1):
        seen: dict[NodeId, None] = {}
        for node in layers[-1]:
            seen.update(dict.fromkeys(builder.children[node]))
        layers.append(sorted(seen))
    new_id: dict[NodeId, NodeId] = {t: t for t in range(TERMINALS)}
    next_id = TERMINALS
    starts = []
    for layer in layers:
        starts.append(next_id)
        for node in layer:
            new_id[node] = next_id
            next_id += 1
    children: list[tuple[NodeId, ...]] = [()] * TERMINALS
    for layer in layers:
        children.extend(tuple(new_id[c] for c in builder.children[node]) for node in layer)
    levels = tuple(range(s, s + len(layer)) for s, layer in zip(starts, layers, strict=True))
    total = 1
    for size in builder.sizes:
        total *= size
    order = tuple(range(builder.height))
    return finish(order, tuple(children), levels, max(total.bit_length() + 1, 8))
