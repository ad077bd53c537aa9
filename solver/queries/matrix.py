"""The compact table of a set of configurations: rows of value sets, "any" where nothing matters.

:func:`cube_cover` turns the configurations of chosen verdicts into a few
disjoint *cubes* (one set of values per variable; every combination of a
cube's values is in the set, and every configuration of the set is in exactly
one cube). It works on the diagram, never on the configurations themselves:

1. Reduce the diagram to the chosen set alone (its terminals become "in" or
   "out", fixed variables keep only their value) and merge equal nodes again.
2. Walk it, grouping at each node the values that lead to the same child:
   each path of groups is a cube.
3. Merge cubes that agree on every variable but one (their union is again a
   cube), until no two do.
4. Order the rows by the first variable, then by the variables whose cells
   differ most between rows, so related rows sit together.

:func:`group_by` answers a coarser question for chosen key variables: for
each key with at least one configuration in the set, the values every other
variable can take — the shape of the seed page's own table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Value

from ..diagram.space import Space

__all__ = ["ANY", "Cube", "Grouped", "Matrix", "cube_cover", "group_by"]

ANY = "any"
"""How a variable free to take every value of its domain is shown."""

_Cells = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Cube:
    """One row of the compact table: a set of values per variable."""

    cells: Mapping[str, tuple[Value, ...]]
    """Variable -> the values it takes in this row, in declared order."""
    free: frozenset[str]
    """Variables whose cell is their whole domain ("any")."""
    size: int
    """How many configurations the row stands for."""

    def shown(self, name: str) -> tuple[Value, ...] | str:
        """The cell as displayed: ``"any"`` or the values."""
        return ANY if name in self.free else self.cells[name]

    def to_dict(self) -> dict[str, object]:
        """``{VAR: [values] | "any", ..., "configurations": n}``."""
        out: dict[str, object] = {
            name: ANY if name in self.free else list(values) for name, values in self.cells.items()
        }
        out["configurations"] = self.size
        return out


@dataclass(frozen=True, slots=True)
class Matrix:
    """A compact, exact table of the configurations of some verdicts."""

    names: tuple[str, ...]
    """Column order: the model's variables."""
    fixed: Mapping[str, Value]
    verdicts: tuple[Level, ...]
    rows: tuple[Cube, ...]
    count: int
    """The number of configurations the table stands for (the rows' sizes summed)."""

    def constant(self) -> dict[str, Value]:
        """Variables with one and the same value in every row (and not fixed)."""
        out: dict[str, Value] = {}
        if not self.rows:
            return out
        for name in self.names:
            if name in self.fixed:
                continue
            cells = {row.cells[name] for row in self.rows}
            if len(cells) == 1:
                (only,) = cells
                if len(only) == 1 and name not in self.rows[0].free:
                    out[name] = only[0]
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: fixed values, verdicts, count and rows."""
        return {
            "fixed": dict(self.fixed),
            "verdicts": [v.id for v in self.verdicts],
            "count": self.count,
            "rows": [row.to_dict() for row in self.rows],
        }


def _reduce(
    space: Space, fixed: Mapping[int, int], verdicts: Sequence[Level]
) -> tuple[list[dict[int, tuple[int, ...]]], int]:
    """The diagram of the chosen set alone, re-merged: per level, node -> children."""
    diagram = space.diagram
    chosen = {int(v) for v in verdicts}
    # Canonical ids: 0 = empty set, 1 = the accepting end; inner nodes from 2.
    canon: dict[int, int] = {t: (1 if t in chosen else 0) for t in range(len(Level))}
    layers: list[dict[int, tuple[int, ...]]] = [{} for _ in diagram.levels]
    unique: dict[tuple[int, tuple[int, ...]], int] = {}
    for level in range(len(diagram.levels) - 1, -1, -1):
        pinned = fixed.get(level)
        for node in diagram.levels[level]:
            kids = tuple(
                canon[c] if pinned is None or v == pinned else 0
                for v, c in enumerate(diagram.children[node])
            )
            if not any(kids):
                canon[node] = 0
                continue
            key = (level, kids)
            found = unique.get(key)
            if found is None:
                found = unique[key] = len(unique) + 2
                layers[level][found] = kids
            canon[node] = found
    return layers, canon[diagram.root]


def _cubes(layers: list[dict[int, tuple[int, ...]]], root: int) -> list[_Cells]:
    """Paths of value groups through the reduced diagram, values grouped by equal child."""
    depth = len(layers)
    out: list[_Cells] = []
    groups: dict[int, list[tuple[tuple[int, ...], int]]] = {}

    def grouped(node: int, level: int) -> list[tuple[tuple[int, ...], int]]:
        found = groups.get(node)
        if found is None:
            by_child: dict[int, list[int]] = {}
            for value, child in enumerate(layers[level][node]):
                if child:
                    by_child.setdefault(child, []).append(value)
            found = groups[node] = [(tuple(vs), child) for child, vs in by_child.items()]
        return found

    stack: list[tuple[int, int, _Cells]] = [(root, 0, ())]
    while stack:
        node, level, cells = stack.pop()
        options = grouped(node, level)
        for values, child in reversed(options):
            if level + 1 == depth:
                out.append((*cells, values))
            else:
                stack.append((child, level + 1, (*cells, values)))
    return out


def _merge(cubes: Iterable[_Cells], width: int) -> list[_Cells]:
    """Merge cubes that differ in one column only, until none do."""
    current = sorted(set(cubes))
    changed = True
    while changed:
        changed = False
        for column in range(width):
            buckets: dict[_Cells, list[tuple[int, ...]]] = {}
            for cube in current:
                rest = cube[:column] + cube[column + 1 :]
                buckets.setdefault(rest, []).append(cube[column])
            if len(buckets) == len(current):
                continue
            changed = True
            merged = []
            for rest, cells in buckets.items():
                union = tuple(sorted(v for cell in cells for v in cell))
                merged.append((*rest[:column], union, *rest[column:]))
            current = sorted(merged)
    return current


def _order(cubes: list[_Cells]) -> list[_Cells]:
    """Order rows by the first variable, then by the variables that tell rows apart the most."""
    if not cubes:
        return cubes
    width = len(cubes[0])
    distinct = [len({cube[i] for cube in cubes}) for i in range(width)]
    rest = sorted(range(1, width), key=lambda i: (-distinct[i], i))
    keys = [0, *rest]
    return sorted(cubes, key=lambda cube: [cube[i] for i in keys])


def cube_cover(
    space: Space,
    fixed: Mapping[int, int],
    verdicts: Sequence[Level] = Level.valid_levels(),
) -> Matrix:
    """An exact, compact table of the configurations of ``verdicts`` matching ``fixed``.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> table = cube_cover(space, space.encode({"deployment": "online", "email_system": "gmail"}))
    >>> table.count, len(table.rows), table.rows[0].shown("incoming_protocol")
    (768, 1, ('pop3',))
    >>> table.rows[0].shown("version")
    'any'
    """
    tables = space.tables
    layers, root = _reduce(space, fixed, verdicts)
    cubes = _order(_merge(_cubes(layers, root), len(tables.names))) if root else []
    rows = []
    for cube in cubes:
        cells: dict[str, tuple[Value, ...]] = {}
        free = set()
        size = 1
        for var, values in enumerate(cube):
            name = tables.names[var]
            cells[name] = tuple(tables.domains[var][i] for i in values)
            size *= len(values)
            if len(values) == tables.sizes[var] and var not in fixed:
                free.add(name)
        rows.append(Cube(MappingProxyType(cells), frozenset(free), size))
    return Matrix(
        names=tables.names,
        fixed=MappingProxyType(tables.decode(fixed)),
        verdicts=tuple(sorted(set(verdicts))),
        rows=tuple(rows),
        count=sum(r.size for r in rows),
    )


@dataclass(frozen=True, slots=True)
class Grouped:
    """One key of :func:`group_by`: the values each other variable can take with it."""

    key: Mapping[str, Value]
    values: Mapping[str, tuple[Value, ...]]
    """Every other variable -> its values in some configuration of the set with this key."""
    count: int
    """Configurations of the set with this key."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "key": dict(self.key),
            "values": {k: list(v) for k, v in self.values.items()},
            "count": self.count,
        }


def group_by(
    space: Space,
    fixed: Mapping[int, int],
    keys: Sequence[int],
    verdicts: Sequence[Level] = Level.valid_levels(),
) -> list[Grouped]:
    """For each combination of the ``keys`` variables, the values the others can take.

    Keys without any configuration in the set are left out; keys come in
    lexicographic order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> index = space.tables.index_of
    >>> rows = group_by(space, {}, [index["deployment"], index["email_system"]])
    >>> [r.key["email_system"] for r in rows if r.key["deployment"] == "online"]
    ['exchange-online', 'exchange-2013-sp1', 'exchange-2016', 'gmail', 'yahoo-mail']
    """
    tables = space.tables
    diagram = space.diagram
    mask = diagram.lane_mask(verdicts)
    keys = sorted(set(keys))
    out: list[Grouped] = []

    def combos(i: int, partial: dict[int, int]) -> Iterable[dict[int, int]]:
        if i == len(keys):
            yield dict(partial)
            return
        var = keys[i]
        choices = (fixed[var],) if var in fixed else range(tables.sizes[var])
        for value in choices:
            partial[var] = value
            if diagram.count_packed({**fixed, **partial}) & mask:
                yield from combos(i + 1, partial)
            del partial[var]

    for key in combos(0, {}):
        question = {**fixed, **key}
        sums = diagram.value_counts(question)
        values = {
            tables.names[var]: tuple(
                tables.domains[var][i] for i, packed in enumerate(sums[var]) if packed & mask
            )
            for var in range(len(tables.names))
            if var not in key
        }
        total = sum(diagram.unpack(diagram.count_packed(question) & mask))
        out.append(Grouped(MappingProxyType(tables.decode(key)), MappingProxyType(values), total))
    return out
