"""The product of two projected diagrams over the same variables and values.

A forward pass counts the paths to every pair of verdicts (the transition
table); :func:`cover` reduces the product to the pairs chosen and hands it to
the cube-cover machinery of :mod:`syncscope.solver.queries.matrix`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from syncscope.model import Level, Value

from ..queries.matrix import Cube, Matrix, _cubes, _merge, _order
from .project import Projected

__all__ = ["cover", "transitions"]

Pair = tuple[int, int]


def _check_same(a: Projected, b: Projected) -> None:
    if a.names != b.names or a.domains != b.domains:
        raise ValueError("a product needs both diagrams over the same variables and values")


def _reachable(a: Projected, b: Projected) -> list[dict[Pair, int]]:
    """Per layer (and the terminal pairs last), the pairs reached and their path counts."""
    _check_same(a, b)
    layer: dict[Pair, int] = {(a.root, b.root): 1}
    out = [layer]
    for k in range(len(a.names)):
        below: dict[Pair, int] = {}
        for (x, y), paths in layer.items():
            for kx, ky in zip(a.layers[k][x], b.layers[k][y], strict=True):
                below[(kx, ky)] = below.get((kx, ky), 0) + paths
        out.append(below)
        layer = below
    return out


def transitions(a: Projected, b: Projected) -> dict[tuple[Level, Level], int]:
    """Configurations over the shared variables by (verdict under ``a``, under ``b``).

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> from syncscope.solver.compare.project import project
    >>> one = project(compiled(), [("email_system", ["gmail", "exchange-2019"])], {})
    >>> transitions(one, one)
    {(<Level.SUPPORTED: 0>, <Level.SUPPORTED: 0>): 1, (<Level.UNSUPPORTED: 4>, \
<Level.UNSUPPORTED: 4>): 1}
    """
    ends = _reachable(a, b)[-1]
    return {(Level(x), Level(y)): n for (x, y), n in sorted(ends.items())}


def cover(
    a: Projected,
    b: Projected,
    chosen: Callable[[Level, Level], bool],
    fixed: Mapping[str, Value],
    verdicts: Sequence[Level] = (),
) -> Matrix:
    """The compact table of the shared configurations whose verdict pair is ``chosen``.

    ``fixed`` names the variables narrowed to one value (never shown as "any");
    ``verdicts`` is what the table says its rows are (their verdicts under ``b``).
    """
    reach = _reachable(a, b)
    height = len(a.names)
    canon: dict[Pair, int] = {
        pair: 1 if chosen(Level(pair[0]), Level(pair[1])) else 0 for pair in reach[-1]
    }
    layers: list[dict[int, tuple[int, ...]]] = [{} for _ in range(height)]
    unique: dict[tuple[int, tuple[int, ...]], int] = {}
    for k in range(height - 1, -1, -1):
        above: dict[Pair, int] = {}
        for x, y in reach[k]:
            kids = tuple(canon[p] for p in zip(a.layers[k][x], b.layers[k][y], strict=True))
            if not any(kids):
                above[(x, y)] = 0
                continue
            found = unique.get((k, kids))
            if found is None:
                found = unique[(k, kids)] = len(unique) + 2
                layers[k][found] = kids
            above[(x, y)] = found
        canon = above
    root = canon[(a.root, b.root)]
    if height == 0:
        cubes: list[tuple[tuple[int, ...], ...]] = [()] if root else []
    else:
        cubes = _order(_merge(_cubes(layers, root), height)) if root else []
    rows = []
    for cube in cubes:
        cells: dict[str, tuple[Value, ...]] = {}
        free = set()
        size = 1
        for k, values in enumerate(cube):
            name = a.names[k]
            cells[name] = tuple(a.domains[k][i] for i in values)
            size *= len(values)
            if len(values) == len(a.domains[k]) and name not in fixed:
                free.add(name)
        rows.append(Cube(MappingProxyType(cells), frozenset(free), size))
    return Matrix(
        names=a.names,
        fixed=MappingProxyType(dict(fixed)),
        verdicts=tuple(verdicts),
        rows=tuple(rows),
        count=sum(r.size for r in rows),
    )
