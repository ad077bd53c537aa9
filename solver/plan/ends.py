"""The cheapest valid configurations near a plan's ends: repairs of a start, stand-ins for a target.

Both are :func:`~syncscope.solver.repair.nearest.nearest` questions with the
plan's limits as ``allowed`` values: a repair is a distinct cheapest fix of the
full start; a stand-in for a target that no valid configuration matches is a
distinct cheapest fix of the target's settings, the open variables free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from syncscope.model import Value

from ..diagram.space import Space
from ..repair.nearest import Candidate, nearest
from ..repair.weights import Weights
from .moves import Node

__all__ = ["cheapest_repairs", "nearest_targets"]


def cheapest_repairs(
    space: Space,
    start: Node,
    allowed: Sequence[frozenset[int] | None],
    weights: Weights,
    *,
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
    weights : Weights
        The change costs.
    top : int
        The most repairs to return.

    Returns
    -------
    cost : int or None
        The minimum cost in ``weights.units``; None when no valid configuration is allowed.
    repairs : tuple of Node
        Repaired configurations at that cost, in ``nearest``'s order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> tables = space.tables
    >>> bad = dict(zip(tables.names, (d[0] for d in tables.domains)))
    >>> bad["mass_email_campaigns"] = True
    >>> node = tuple(tables.encode(bad).values())
    >>> cost, repairs = cheapest_repairs(space, node, [None] * len(node),
    ...                                  Weights.uniform(space.model), top=3)
    >>> cost >= 1
    True
    """
    tables = space.tables
    found = nearest(space, tables.decode(start), weights=weights, top=top, allowed=allowed)
    if found.cost is None:
        return None, ()
    nodes = tuple(_encode(space, c.configuration) for c in found.cheapest)
    return weights.cost(start, nodes[0]), nodes


def nearest_targets(
    space: Space,
    given: Mapping[int, int],
    allowed: Sequence[frozenset[int] | None],
    weights: Weights,
    *,
    top: int,
) -> tuple[Candidate, ...]:
    """The cheapest valid configurations within ``allowed`` near some given settings.

    Changing a given setting costs what the weights say; the others are free.
    Each configuration returned changes a different set of the given settings
    (completions that differ only in settings nobody asked for are one), so
    equally cheap alternatives are not hidden.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> tables = space.tables
    >>> wanted = tables.encode({"deployment": "online", "email_system": "exchange-2010"})
    >>> n = len(tables.names)
    >>> found = nearest_targets(space, wanted, [None] * n, Weights.of(space), top=5)
    >>> [str(c) for c in found[0].changes]
    ['email_system: exchange-2010 -> exchange-2013-sp1']
    """
    tables = space.tables
    config = {tables.names[v]: tables.domains[v][i] for v, i in sorted(given.items())}
    return nearest(space, config, weights=weights, top=top, allowed=allowed).cheapest


def _encode(space: Space, config: Mapping[str, Value]) -> Node:
    tables = space.tables
    return tuple(tables.value_index[i][config[n]] for i, n in enumerate(tables.names))
