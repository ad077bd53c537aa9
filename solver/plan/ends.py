"""The cheapest valid configurations near a plan's ends: repairs of a start, stand-ins for a target.

Costs here are whole numbers: the planner scales its change weights to
integers (see :func:`syncscope.solver.plan.planner.scaled_weights`), so equal costs
compare equal exactly, whatever decimals the weights have.

Without avoided values, the repairs of a start are exactly ``nearest``'s
candidates with the kept variables locked. Avoided values are something
``nearest`` does not know, so then the same exact search runs here on the
verdict diagram with those values taken out: one bottom-up pass for the
cheapest cost below every node, then the cheapest paths in value order. The
same search, with the variables a target leaves open free of charge, finds
the valid configurations nearest to a target that has none, one per distinct
set of changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from syncscope.model import Level, Value

from ..diagram.space import Space
from ..repair.nearest import nearest
from .moves import Node

__all__ = ["cheapest_repairs", "nearest_targets"]

_EXACT = 2**53
"""Below this, whole-number costs survive the float arithmetic of ``nearest`` exactly."""


def cheapest_repairs(
    space: Space,
    start: Node,
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[int],
    *,
    keep: Sequence[str],
    avoiding: bool,
    top: int,
) -> tuple[int | None, tuple[Node, ...]]:
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
    weights : sequence of int
        Per variable, the cost of changing it, scaled to whole numbers.
    keep : sequence of str
        The kept variables (for ``nearest``).
    avoiding : bool
        Whether ``allowed`` also takes out avoided values (then ``nearest`` can't be used).
    top : int
        The most repairs to return.

    Returns
    -------
    cost : int or None
        The minimum cost; None when no valid configuration is allowed.
    repairs : tuple of Node
        Repaired configurations at that cost, ``nearest``'s order without
        avoided values, else value order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> tables = space.tables
    >>> bad = dict(zip(tables.names, (d[0] for d in tables.domains)))
    >>> bad["mass_email_campaigns"] = True
    >>> node = tuple(tables.encode(bad).values())
    >>> weights = [1] * len(node)
    >>> cost, repairs = cheapest_repairs(space, node, [None] * len(node), weights,
    ...                                  keep=(), avoiding=False, top=3)
    >>> cost >= 1
    True
    """
    tables = space.tables
    if not avoiding and sum(weights) < _EXACT:
        config = tables.decode(start)
        named = {n: float(w) for n, w in zip(tables.names, weights, strict=True)}
        found = nearest(space, config, keep=keep, weights=named, top=top)
        if found.cost is None:
            return None, ()
        nodes = tuple(
            _encode(tables.value_index, tables.names, c.configuration) for c in found.candidates
        )
        return round(found.cost), nodes
    costs = _costs(space, start, allowed, weights)
    root = space.diagram.root
    if costs[root] is None:
        return None, ()
    paths = []
    for path in _tight_paths(space, start, allowed, weights, costs):
        paths.append(path)
        if len(paths) == top:
            break
    return costs[root], tuple(paths)


def nearest_targets(
    space: Space,
    given: Mapping[int, int],
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[int],
    *,
    top: int,
) -> tuple[int | None, tuple[Node, ...]]:
    """The cheapest valid configurations within ``allowed`` near some given settings.

    Changing a given setting costs its weight; the others are free. Each
    configuration returned changes a different set of the given settings
    (the first completion in value order stands for the rest), so equally
    cheap alternatives are not hidden behind completions that differ only in
    settings nobody asked for.

    Parameters
    ----------
    space : Space
        The compiled model.
    given : mapping
        Variable index -> value index of the settings asked for.
    allowed : sequence
        Per variable, the allowed value indices (None: any).
    weights : sequence of int
        Per variable, the cost of changing it, scaled to whole numbers.
    top : int
        The most configurations to return.

    Returns
    -------
    cost : int or None
        The minimum cost; None when no valid configuration is allowed.
    found : tuple of Node
        Up to ``top`` configurations at that cost, distinct in the given
        settings, in value order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> tables = space.tables
    >>> wanted = tables.encode({"deployment": "online", "email_system": "exchange-2010"})
    >>> n = len(tables.names)
    >>> cost, found = nearest_targets(space, wanted, [None] * n, [1] * n, top=5)
    >>> cost, sorted({tables.domains[2][node[2]] for node in found})[:2]
    (1, ['exchange-2013-sp1', 'exchange-2016'])
    """
    n = len(space.tables.names)
    wanted: list[int | None] = [given.get(v) for v in range(n)]
    costs = _costs(space, wanted, allowed, weights)
    root = space.diagram.root
    best = costs[root]
    if best is None:
        return None, ()
    # A supported completion stands for its changes when there is one: search those first.
    supported = _costs(space, wanted, allowed, weights, (Level.SUPPORTED,))
    passes = [supported, costs] if supported[root] == best else [costs]
    found: list[Node] = []
    seen: set[tuple[int, ...]] = set()
    for bound in passes:
        for path in _tight_paths(space, wanted, allowed, weights, bound, distinct=seen):
            found.append(path)
            if len(found) == top:
                return best, tuple(found)
    return best, tuple(found)


def _encode(
    value_index: Sequence[Mapping[Value, int]], names: Sequence[str], config: Mapping[str, Value]
) -> Node:
    return tuple(value_index[i][config[n]] for i, n in enumerate(names))


def _step(value: int, wanted: int | None, weight: int) -> int:
    return 0 if wanted is None or value == wanted else weight


def _costs(
    space: Space,
    start: Sequence[int | None],
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[int],
    ends: Sequence[Level] = (Level.SUPPORTED, Level.DISCOURAGED),
) -> list[int | None]:
    """The cheapest cost below every node (None: none of ``ends`` within ``allowed``)."""
    diagram = space.diagram
    children = diagram.children
    cost: list[int | None] = [None] * len(children)
    for end in ends:
        cost[end] = 0
    for level in range(len(diagram.levels) - 1, -1, -1):
        here, w, values = start[level], weights[level], allowed[level]
        for node in diagram.levels[level]:
            kids = children[node]
            best: int | None = None
            for v in range(len(kids)) if values is None else sorted(values):
                below = cost[kids[v]]
                if below is None:
                    continue
                c = below + _step(v, here, w)
                if best is None or c < best:
                    best = c
            cost[node] = best
    return cost


def _tight_paths(
    space: Space,
    start: Sequence[int | None],
    allowed: Sequence[frozenset[int] | None],
    weights: Sequence[int],
    cost: Sequence[int | None],
    *,
    distinct: set[tuple[int, ...]] | None = None,
) -> Iterator[Node]:
    """The cheapest paths, in value order; every branch followed ends at a terminal ``cost`` allows.

    With ``distinct`` (the choices of values at the variables ``start`` sets
    that were already given, updated here), only the first path for each new
    such choice: a node reached again with the same such values so far has
    nothing new below it.
    """
    diagram = space.diagram
    children = diagram.children
    depth = len(diagram.levels)
    choice: list[int] = []
    visited: set[tuple[int, tuple[int, ...]]] = set()

    def walk(node: int, level: int, key: tuple[int, ...]) -> Iterator[Node]:
        if distinct is not None:
            if (node, key) in visited:
                return
            visited.add((node, key))
        if level == depth:
            if distinct is not None:
                if key in distinct:
                    return
                distinct.add(key)
            yield tuple(choice)
            return
        kids = children[node]
        values = allowed[level]
        here = start[level]
        for v in range(len(kids)) if values is None else sorted(values):
            below = cost[kids[v]]
            if below is not None and below + _step(v, here, weights[level]) == cost[node]:
                choice.append(v)
                yield from walk(kids[v], level + 1, key if here is None else (*key, v))
                choice.pop()

    yield from walk(diagram.root, 0, ())
