"""A compiled diagram projected onto some of its variables, each other one at its best value.

Projection is existential over the verdict order: the projected verdict of a
partial configuration is the best verdict any value of the dropped variables
reaches (the same reading as ``check`` gives a partial configuration). It is
built layer by layer as a subset construction over the diagram's nodes, then
hash-consed bottom-up, so it costs time in the diagram's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Value

from ..diagram.indices import Depth, NodeId, ValueIndex
from ..diagram.space import Space

__all__ = ["Projected", "project"]


@dataclass(frozen=True, slots=True)
class Projected:
    """A reduced diagram over ``names`` whose terminals are verdict levels.

    Layer ``k`` tests ``names[k]``; ``layers[k][node]`` is the node's child per
    value of ``domains[k]``, an index into layer ``k + 1``, or a level (0 best)
    below the last layer. With no variable kept, ``root`` is itself a level.
    """

    names: tuple[str, ...]
    domains: tuple[tuple[Value, ...], ...]
    layers: tuple[tuple[tuple[int, ...], ...], ...]
    root: int


def project(
    space: Space,
    keep: Sequence[tuple[str, Sequence[Value]]],
    fixed: Mapping[Depth, ValueIndex],
) -> Projected:
    """Project ``space``'s diagram onto the variables of ``keep``, restricted to its values.

    ``keep`` pairs each kept variable (in model order) with the values to
    compare, each in its domain; ``fixed`` pins depths of dropped variables.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> gmail = project(space, [("email_system", ["gmail", "exchange-2019"])], {})
    >>> gmail.layers[0][gmail.root]  # gmail can be supported, exchange-2019 never (it came later)
    (0, 4)
    """
    tables = space.tables
    diagram = space.diagram
    children = diagram.children
    height = len(diagram.levels)
    wanted = {
        tables.index_of[name]: tuple(tables.value_index[tables.index_of[name]][v] for v in vs)
        for name, vs in keep
    }
    # Top down: the node sets reachable at each depth and their successors.
    states: list[dict[frozenset[NodeId], tuple[frozenset[NodeId], ...]]] = []
    layer: set[frozenset[NodeId]] = {frozenset((diagram.root,))}
    for depth in range(height):
        var = diagram.order[depth]
        row: dict[frozenset[NodeId], tuple[frozenset[NodeId], ...]] = {}
        pinned = fixed.get(depth)
        for nodes in layer:
            if var in wanted:
                row[nodes] = tuple(frozenset(children[n][v] for n in nodes) for v in wanted[var])
            elif pinned is not None:
                row[nodes] = (frozenset(children[n][pinned] for n in nodes),)
            else:
                row[nodes] = (frozenset(c for n in nodes for c in children[n]),)
        states.append(row)
        layer = {s for succ in row.values() for s in succ}
    # Bottom up: terminals take the best level of their set; kept depths get merged nodes.
    ids: dict[frozenset[NodeId], int] = {nodes: min(nodes) for nodes in layer}
    built: list[tuple[tuple[int, ...], ...]] = []
    for depth in range(height - 1, -1, -1):
        row = states[depth]
        if diagram.order[depth] in wanted:
            unique: dict[tuple[int, ...], int] = {}
            above = {}
            for nodes, succ in row.items():
                kids = tuple(ids[s] for s in succ)
                above[nodes] = unique.setdefault(kids, len(unique))
            built.append(tuple(unique))
            ids = above
        else:
            ids = {nodes: ids[succ[0]] for nodes, succ in row.items()}
    root = ids[frozenset((diagram.root,))]
    kept = [name for name, _ in keep]
    order = sorted(kept, key=tables.index_of.__getitem__)
    if order != kept:
        raise ValueError(f"kept variables must come in model order: {order}")
    return Projected(
        names=tuple(kept),
        domains=tuple(tuple(vs) for _, vs in keep),
        layers=tuple(reversed(built)),
        root=root,
    )
