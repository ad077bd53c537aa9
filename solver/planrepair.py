"""The first step of a plan from an invalid start: the cheapest repair, as ``nearest`` finds it.

Without avoided values, the repairs are exactly ``nearest``'s candidates with
the kept variables locked. Avoided values are something ``nearest`` does not
know, so then the same exact search runs here on the verdict diagram with
those values taken out: one bottom-up pass for the cheapest cost below every
node, then the cheapest paths in value order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

from syncscope.model import Level, Value

from .moves import Node
from .nearest import nearest
from .space import Space

__all__ = ["cheapest_repairs"]


def cheapest_repairs(
    space: Space,
    start: Node,
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[float],
    *,
    keep: Sequence[str],
    avoiding: bool,
    top: int,
) -> tuple[float | None, tuple[Node, ...]]:
    """The minimum cost of making ``start`` valid within ``allowed``, and up to ``top`` repairs.

    Parameters
    ----------
    space : Space
        The compiled model.
    start : Node
        The invalid start, as value indices.
    allowed : sequence
        Per variable, the allowed value indices (None: any); kept variables
        allow only their start value.
    weights : sequence of float
        Per variable, the cost of changing it.
    keep : sequence of str
        The kept variables (for ``nearest``).
    avoiding : bool
        Whether ``allowed`` also takes out avoided values (then ``nearest`` can't be used).
    top : int
        The most repairs to return.

    Returns
    -------
    cost : float or None
        The minimum cost; None when no valid configuration is allowed.
    repairs : tuple of Node
        Repaired configurations at that cost, ``nearest``'s order without
        avoided values, else value order.

    Examples
    --------
    >>> from syncscope.solver.space import compiled
    >>> space = compiled()
    >>> tables = space.tables
    >>> bad = dict(zip(tables.names, (d[0] for d in tables.domains)))
    >>> bad["mass_email_campaigns"] = True
    >>> node = tuple(tables.encode(bad).values())
    >>> weights = [1.0] * len(node)
    >>> cost, repairs = cheapest_repairs(space, node, [None] * len(node), weights,
    ...                                  keep=(), avoiding=False, top=3)
    >>> cost >= 1
    True
    """
    tables = space.tables
    if not avoiding:
        config = tables.decode(start)
        named = dict(zip(tables.names, weights, strict=True))
        found = nearest(space, config, keep=keep, weights=named, top=top)
        if found.cost is None:
            return None, ()
        nodes = tuple(
            _encode(tables.value_index, tables.names, c.configuration) for c in found.candidates
        )
        return found.cost, nodes
    costs = _costs(space, start, allowed, weights)
    root = space.diagram.root
    if costs[root] == math.inf:
        return None, ()
    paths = []
    for path in _tight_paths(space, start, allowed, weights, costs):
        paths.append(path)
        if len(paths) == top:
            break
    return costs[root], tuple(paths)


def _encode(
    value_index: Sequence[Mapping[Value, int]], names: Sequence[str], config: Mapping[str, Value]
) -> Node:
    return tuple(value_index[i][config[n]] for i, n in enumerate(names))


def _costs(
    space: Space, start: Node, allowed: Sequence[frozenset[int] | None], weights: Sequence[float]
) -> list[float]:
    diagram = space.diagram
    children = diagram.children
    cost = [math.inf] * len(children)
    cost[Level.SUPPORTED] = cost[Level.DISCOURAGED] = 0.0
    for level in range(len(diagram.levels) - 1, -1, -1):
        here, w, values = start[level], weights[level], allowed[level]
        for node in diagram.levels[level]:
            kids = children[node]
            best = math.inf
            for v in range(len(kids)) if values is None else sorted(values):
                c = cost[kids[v]] + (0.0 if v == here else w)
                if c < best:
                    best = c
            cost[node] = best
    return cost


def _tight_paths(
    space: Space,
    start: Node,
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[float],
    cost: Sequence[float],
) -> Iterator[Node]:
    """The cheapest paths, in value order; every branch followed ends at a valid terminal."""
    diagram = space.diagram
    children = diagram.children
    depth = len(diagram.levels)
    choice: list[int] = []

    def walk(node: int, level: int) -> Iterator[Node]:
        if level == depth:
            yield tuple(choice)
            return
        kids = children[node]
        values = allowed[level]
        for v in range(len(kids)) if values is None else sorted(values):
            step = 0.0 if v == start[level] else weights[level]
            if cost[kids[v]] + step == cost[node]:
                choice.append(v)
                yield from walk(kids[v], level + 1)
                choice.pop()

    yield from walk(diagram.root, 0)
