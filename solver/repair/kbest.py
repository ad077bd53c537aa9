"""The ``k`` cheapest distinct fixes of a configuration, across costs, exactly.

A fix is a choice of values for the variables the user gave (its changes are
the given values it moves away from); completions of the variables left open
are the same fix. Each fix is worth one whole number: its cost, then the
ranking of :mod:`.ranking` (best verdict, scopes, number of changes, labels),
then the given variables' values in value order, each a digit, most
significant first. That number is a sum of one term per given depth plus a
term for the terminal, and a depth left open adds nothing, so the best fix
below every node is one bottom-up pass (:func:`heuristic`). The fixes come
out of a best-first search whose states are (depth, the nodes reached by a
prefix of given values): a prefix's state is the set of nodes its completions
can be at, so completions collapse into one state and never take a slot of
their own, and since the bound below every state is exact, only prefixes of
the answers are ever taken off the heap.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import add

from syncscope.model import Level

from ..diagram.space import Space, per_space
from .ranking import ranking
from .ranking import terms as value_terms
from .weights import Weights

__all__ = ["Best", "best_fixes", "heuristic", "layers"]


@dataclass(frozen=True, slots=True)
class Best:
    """One fix found by :func:`best_fixes`."""

    key: tuple[int, ...]
    """The given variables' values, in model order."""
    units: int
    """Its cost in whole units (:attr:`.weights.Weights.units`)."""
    verdict: int
    """The best terminal a completion of it reaches."""
    path: tuple[int, ...]
    """Its least completion in value order that reaches ``verdict``."""


Terms = tuple[tuple[int, ...] | None, ...]
"""Per depth: each value's term (None for a depth left open)."""


@dataclass(frozen=True, slots=True)
class _Table:
    """Per space and weights: every depth's terms for every given value."""

    terms: tuple[tuple[tuple[int, ...], ...], ...]
    """Per depth and given value: each value's term (its cost, its rank, its value digits)."""
    final: tuple[int, ...]
    """By terminal id: its term (``none`` for an invalid one)."""
    place: int
    """The cost's place: every rank sum stays below it."""
    none: int
    """Above every finite sum: no way through."""


_TABLES: dict[tuple[int, int], tuple[Space, Weights, _Table]] = {}
_KEPT = 8
"""How many (space, weights) tables are kept for weights other than the rule set's own
(whose table stays with its space, see :func:`_default_table`)."""


def _table(space: Space, weights: Weights) -> _Table:
    """The terms of every depth and given value, made once per (space, weights)."""
    if weights is Weights.of(space):
        return _default_table(space)
    at = (id(space), id(weights))
    kept = _TABLES.get(at)
    if kept is not None and kept[0] is space and kept[1] is weights:
        return kept[2]
    table = _build_table(space, weights)
    if len(_TABLES) >= _KEPT:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[at] = (space, weights, table)
    return table


@per_space
def _default_table(space: Space) -> _Table:
    """The table of the rule set's own weights, kept in the space's memo."""
    return _build_table(space, Weights.of(space))


def _build_table(space: Space, weights: Weights) -> _Table:
    """The terms of every depth and given value under ``weights``."""
    order = ranking(space)
    valid = [int(level) for level in Level.valid_levels()]
    place = max(order.terminal[t] for t in valid) + 1
    place += sum(max(*order.moved[d], *order.kept[d]) for d in range(len(order.moved)))
    units = weights.units
    most = sum(max(max(row) for row in matrix) for matrix in units)
    none = 1 << (place * (most + 1)).bit_length()
    table = tuple(
        tuple(
            tuple(u * place + rank for u, rank in zip(row, ranks, strict=True))
            for row, ranks in zip(
                matrix,
                value_terms([(d, g) for g in range(len(matrix))], order.moved, order.kept),
                strict=True,
            )
        )
        for d, matrix in enumerate(units)
    )
    final = [none] * len(order.terminal)
    for t in valid:
        final[t] = order.terminal[t]
    return _Table(table, tuple(final), place, none)


Layer = tuple[tuple[tuple[int, ...], int], ...]
"""Per node of one depth, in id order: (its child per value, its one child or -1 when the
values lead to different children)."""


@per_space
def layers(space: Space) -> tuple[Layer, ...]:
    """Per depth, the children of its nodes and whether all values lead to one child."""
    children = space.diagram.children
    return tuple(
        tuple(
            (kids, kids[0] if len(set(kids)) == 1 else -1)
            for kids in children[nodes[0] : nodes[-1] + 1]
        )
        for nodes in space.diagram.levels
    )


def heuristic(
    space: Space, terms: Terms, final: Sequence[int], choices: Sequence[Sequence[int]]
) -> list[int]:
    """By node id: the least worth of a path from it to a terminal, within ``choices``.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> n = len(space.tables.sizes)
    >>> h = heuristic(space, (None,) * n, (0, 1, 2, 9, 9),
    ...               [range(s) for s in space.tables.sizes])
    >>> h[space.diagram.root]  # nothing given: some path ends supported
    0
    """
    diagram = space.diagram
    children, levels, by_depth = diagram.children, diagram.levels, layers(space)
    h = [0] * len(children)
    h[: len(final)] = final  # terminals come first
    at = h.__getitem__
    for level in range(len(levels) - 1, -1, -1):
        values, row = choices[level], terms[level]
        nodes = levels[level]
        span = slice(nodes[0], nodes[-1] + 1)  # a depth's ids are consecutive
        layer = by_depth[level]
        if len(values) == len(layer[0][0]):  # every value allowed
            if row is None:
                h[span] = [at(one) if one >= 0 else min(map(at, kids)) for kids, one in layer]
            else:
                low = min(row)
                h[span] = [
                    at(one) + low if one >= 0 else min(map(add, map(at, kids), row))
                    for kids, one in layer
                ]
        elif row is None:
            h[span] = [min(h[k[v]] for v in values) for k in children[span]]
        else:
            h[span] = [min(h[k[v]] + row[v] for v in values) for k in children[span]]
    return h


def best_fixes(
    space: Space,
    weights: Weights,
    choices: Sequence[Sequence[int]],
    given: Mapping[int, int],
    limit: int,
) -> Iterator[Best]:
    """The best ``limit`` distinct fixes (fewer when fewer exist), best first, found one
    at a time as they are asked for.

    Moving a given variable costs what ``weights`` say; the others are open and
    free. ``choices`` holds the values each depth may take.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> import itertools
    >>> from syncscope.solver.repair.weights import Weights
    >>> space = compiled()
    >>> tables = space.tables
    >>> given = tables.encode({"deployment": "online", "email_system": "exchange-2010"})
    >>> fixes = best_fixes(space, Weights.of(space), [range(s) for s in tables.sizes], given, 3)
    >>> found = list(itertools.islice(fixes, 3))
    >>> [f.units for f in found] == sorted(f.units for f in found)
    True
    >>> len({f.key for f in found})
    3
    """
    table = _table(space, weights)
    every, place, none = table.terms, table.place, table.none
    terms = tuple(
        every[d][g] if (g := given.get(d)) is not None else None for d in range(len(every))
    )
    h = heuristic(space, terms, table.final, choices)
    if h[space.diagram.root] >= none:
        return iter(())
    if len(given) == len(terms):
        return _full(space, terms, h, choices, place, none, limit)
    return _partial(space, terms, h, choices, place, none, limit)


def _full(
    space: Space,
    terms: Terms,
    h: Sequence[int],
    choices: Sequence[Sequence[int]],
    place: int,
    none: int,
    limit: int,
) -> Iterator[Best]:
    """:func:`best_fixes` when every variable is given: a state is one node.

    A state taken off the heap follows its best child down to a terminal (that
    child's bound is the state's own, so it would come off the heap next), pushing
    the other children on the way. Every state taken off gives one fix, so a child
    is pushed only while it is among the ``limit`` best bounds still to come.
    """
    diagram = space.diagram
    children, depths = diagram.children, len(diagram.levels)
    count = 0
    heap: list[tuple[int, int, int, int, int, tuple[int, ...]]] = [
        (h[diagram.root], 0, diagram.root, 0, 0, ())
    ]
    waiting: list[int] = []  # the smallest bounds on the heap, at most ``left`` of them
    push, pop = heapq.heappush, heapq.heappop
    left = limit
    while heap and left > 0:
        worth, _, node, depth, so_far, prefix = pop(heap)
        if waiting:
            del waiting[0]  # the heap's least is the waiting least
        left -= 1  # states still to take off after this one
        key = list(prefix)
        while depth < depths:
            row, kids = terms[depth], children[node]
            assert row is not None  # every variable is given
            # Below ``cap`` a child is among the best bounds still to come.
            cap = -1 if not left else none if len(waiting) < left else waiting[-1]
            follow = -1
            for v in choices[depth]:
                bound = so_far + row[v] + h[kids[v]]
                if bound == worth and follow < 0:
                    follow = v
                elif bound < cap:
                    insort(waiting, bound)
                    if len(waiting) > left:
                        waiting.pop()
                    if len(waiting) == left:
                        cap = waiting[-1]
                    count += 1
                    push(heap, (bound, count, kids[v], depth + 1, so_far + row[v], (*key, v)))
            node = kids[follow]
            so_far += row[follow]
            key.append(follow)
            depth += 1
        path = tuple(key)
        yield Best(path, worth // place, node, path)


def _partial(
    space: Space,
    terms: Terms,
    h: Sequence[int],
    choices: Sequence[Sequence[int]],
    place: int,
    none: int,
    limit: int,
) -> Iterator[Best]:
    """:func:`best_fixes` when some variables are open: a state is a set of nodes.

    As in :func:`_full`, a state taken off the heap follows its best child down.
    """
    diagram = space.diagram
    children, depths = diagram.children, len(diagram.levels)
    count = 0
    heap: list[tuple[int, int, tuple[int, ...], int, int, tuple[int, ...]]] = [
        (h[diagram.root], 0, (diagram.root,), 0, 0, ())
    ]
    push, pop = heapq.heappush, heapq.heappop
    for _ in range(limit):
        if not heap:
            return
        worth, _, nodes, depth, so_far, key = pop(heap)
        while depth < depths:
            row, values = terms[depth], choices[depth]
            if row is None:  # an open depth: its completions are one state
                nodes = tuple(
                    {
                        kid: None
                        for node in nodes
                        for v in values
                        if h[kid := children[node][v]] < none
                    }
                )
                depth += 1
                continue
            follow: tuple[int, ...] = ()
            for v in values:
                reached = tuple({kid: None for node in nodes if h[kid := children[node][v]] < none})
                if not reached:
                    continue
                step = so_far + row[v]
                bound = step + min(map(h.__getitem__, reached))
                if bound == worth and not follow:
                    follow, chosen, taken = reached, v, step
                else:
                    count += 1
                    push(heap, (bound, count, reached, depth + 1, step, (*key, v)))
            nodes, so_far, key = follow, taken, (*key, chosen)
            depth += 1
        verdict = min(nodes)  # terminals: lower is better
        path = _completion(space, terms, h, choices, key, worth, verdict)
        yield Best(key, worth // place, verdict, path)


def _completion(
    space: Space,
    terms: Terms,
    h: Sequence[int],
    choices: Sequence[Sequence[int]],
    key: Sequence[int],
    worth: int,
    verdict: int,
) -> tuple[int, ...]:
    """The least path in value order with the given variables at ``key`` ending at ``verdict``.

    Every such path is worth exactly ``worth`` and no other fix is, so a child whose
    bound goes past it is no way there; and below a node the key is the same, so one
    visit decides it.
    """
    diagram = space.diagram
    children, depths = diagram.children, len(diagram.levels)
    given = iter(key)
    want = [None if row is None else next(given) for row in terms]
    dead: set[int] = set()
    stack: list[tuple[int, int, int, tuple[int, ...]]] = [(diagram.root, 0, 0, ())]
    while stack:
        node, depth, so_far, path = stack.pop()
        if depth == depths:
            if node == verdict:
                return path
            continue
        if node in dead:
            continue
        dead.add(node)
        row, pick, kids = terms[depth], want[depth], children[node]
        if row is None or pick is None:
            for v in reversed(choices[depth]):
                if so_far + h[kids[v]] <= worth:
                    stack.append((kids[v], depth + 1, so_far, (*path, v)))
        elif (step := so_far + row[pick]) + h[kids[pick]] <= worth:
            stack.append((kids[pick], depth + 1, step, (*path, pick)))
    raise AssertionError("every fix found has a completion")  # pragma: no cover
