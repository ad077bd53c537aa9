"""Shortest plans over the minimal-move graph: fewest steps first, then the lowest cost.

The graph is never built whole. The search asks the move diagram for the
moves of each configuration it reaches, best first, guided by a lower bound
that never overestimates (see :class:`Goal`), so it walks little more than the
plan itself. :func:`region` then recovers, when asked, every configuration on
some plan with the fewest steps.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from syncscope.model import Level

from ..diagram.mdd import Diagram
from ..repair.weights import Weights
from .blocks import Blocks
from .moves import MoveDiagram, Node

__all__ = [
    "BUDGET",
    "Edge",
    "Goal",
    "Limits",
    "Region",
    "Route",
    "Walker",
    "any_valid",
    "region",
    "search",
]

Edge = tuple[Node, int, tuple[int, ...]]
"""A move as the search sees it: the configuration reached, its cost, the variables changed.

Costs are whole numbers (:attr:`Weights.units`), so equal costs compare exactly.
"""


@dataclass(frozen=True, slots=True)
class Limits:
    """What a plan may do: values allowed per variable, the largest step, change costs."""

    allowed: tuple[frozenset[int] | None, ...]
    """Per variable, the value indices a configuration may take (None: any)."""
    max_step: int | None
    """The most variables one step may change (None: no cap)."""
    weights: Weights
    """What each change costs."""
    once: Node | None = None
    """For a monotone plan: the start of the plan. A move may then change only variables
    still at their start value, and a variable the target sets only to that value."""
    wanted: tuple[int | None, ...] = ()
    """With ``once``: per variable, the value the target sets (None: open)."""

    def admits(self, node: Node) -> bool:
        """Whether every value of ``node`` is allowed."""
        return all(a is None or v in a for v, a in zip(node, self.allowed, strict=True))


_NOTHING: frozenset[int] = frozenset()


class Walker:
    """The moves of the graph a plan walks, under some :class:`Limits`, memoised per search."""

    __slots__ = ("_edges", "_to", "limits", "moves")

    def __init__(self, moves: MoveDiagram, limits: Limits) -> None:
        self.moves = moves
        self.limits = limits
        self._edges: dict[Node, tuple[Edge, ...]] = {}
        to = list(limits.allowed)
        if limits.once is not None:
            for v, want in enumerate(limits.wanted):
                if want is not None:
                    a = to[v]
                    to[v] = frozenset([want]) if a is None else frozenset([want]) & a
        self._to: tuple[frozenset[int] | None, ...] | None = (
            None if all(a is None for a in to) and limits.once is None else tuple(to)
        )
        """Per variable, the values a move may change it to (None: any); None: no limits."""

    def _moves(self, node: Node) -> tuple[tuple[Node, tuple[int, ...]], ...]:
        """The moves from ``node``, walking only changes the limits may allow."""
        to, once = self._to, self.limits.once
        if to is None:
            return self.moves.moves(node)
        if once is not None:
            to = tuple(t if x == o else _NOTHING for t, x, o in zip(to, node, once, strict=True))
        return self.moves.moves_within(node, to)

    def edges(self, node: Node) -> tuple[Edge, ...]:
        """The moves from ``node`` that the limits allow, with their costs."""
        hit = self._edges.get(node)
        if hit is not None:
            return hit
        limits = self.limits
        allowed = limits.allowed
        cap = limits.max_step
        units = limits.weights.units
        once, wanted = limits.once, limits.wanted
        out = []
        for reached, changed in self._moves(node):
            if cap is not None and len(changed) > cap:
                continue
            ok = True
            for v in changed:
                a = allowed[v]
                if a is not None and reached[v] not in a:
                    ok = False
                    break
                if once is not None and (
                    node[v] != once[v] or (wanted[v] is not None and reached[v] != wanted[v])
                ):
                    ok = False
                    break
            if ok:
                cost = sum(units[v][node[v]][reached[v]] for v in changed)
                out.append((reached, cost, changed))
        found = tuple(out)
        self._edges[node] = found
        return found


@dataclass(frozen=True, slots=True)
class Goal:
    """What the end of a plan must be, and a lower bound on the way there.

    The bound counts, for the variables still to change, the groups of
    :attr:`MoveDiagram.components` they fall in (one step changes variables
    of one group at most, so each group needs a step of its own), and the sum
    of the cheapest chains of changes to their target values (each changes at least
    once, see :attr:`Weights.least`). It never
    overestimates and drops by at most one step and the cost of a move along
    any move, so a best-first search guided by it finds an optimal plan first.
    A monotone plan's goal may carry :attr:`blocks`, which count the steps more
    tightly, with the same guarantees.
    """

    wanted: tuple[tuple[int, int], ...]
    """(variable, value index) pairs the end must have."""
    group_of: tuple[int, ...]
    """Per variable, the number of its group."""
    weights: Weights
    """What each change costs."""
    blocks: Blocks | None = None
    """For a monotone plan: the sets of changes one step may make (see
    :mod:`~syncscope.solver.plan.blocks`); the steps bound is then the fewest
    blocks that cover the changes left, a stronger bound than the groups."""

    def matches(self, node: Node) -> bool:
        """Whether ``node`` has every wanted value."""
        return all(node[v] == i for v, i in self.wanted)

    def estimate(self, node: Node) -> tuple[int, int]:
        """A lower bound on (steps, cost) from ``node`` to the goal."""
        groups = set()
        cost = 0
        least = self.weights.least
        for v, i in self.wanted:
            if node[v] != i:
                groups.add(self.group_of[v])
                cost += least[v][node[v]][i]
        if self.blocks is not None:
            return self.blocks.steps(node), cost
        return len(groups), cost


@dataclass(frozen=True, slots=True)
class Route:
    """A plan: its configurations, number of steps and cost, and whether it is proven best."""

    steps: int
    """The fewest steps (when ``proven``; else the steps of the best plan found)."""
    cost: int
    """The lowest cost among plans with the fewest steps (scaled weights)."""
    path: tuple[Node, ...]
    """The configurations, from the start to the end."""
    proven: bool = True
    """Whether no plan has fewer steps, or as many and a lower cost."""
    bound: int | None = None
    """When not ``proven``: a lower bound on the steps of any plan."""

    @property
    def gap(self) -> int:
        """Steps above the proven lower bound (0 when proven)."""
        return 0 if self.proven or self.bound is None else self.steps - self.bound


BUDGET = 1_000
"""Configurations an exact search expands before it settles for the best plan it can find."""
_GREEDY = 4
"""How much the bound weighs in the search for some plan, once the exact one ran out."""


def search(
    walker: Walker, starts: Sequence[Node], goal: Goal, *, budget: int | None = None
) -> Route | None:
    """The plan with the fewest steps, then the lowest cost, from any of ``starts`` to ``goal``.

    A best-first (A*) search over (steps, cost) compared in that order, guided
    by :meth:`Goal.estimate`. Among equally good candidates it goes deeper
    first, then takes the smaller configuration in value order, so the answer
    is deterministic.

    The search expands at most ``budget`` configurations, so time and memory stay
    bounded. When that is not enough to prove a plan best, a weighted best-first
    search (the bound counted :data:`_GREEDY` times, the same budget) looks for
    some plan; the answer is then marked not ``proven``, with the smallest bound
    left in the exact search's queue as a lower bound on the steps of any plan.

    Parameters
    ----------
    walker : Walker
        The moves allowed.
    starts : sequence of Node
        Valid configurations the limits admit; the plan may begin at any of
        them (all at no cost), ties going to the earlier one.
    goal : Goal
        What the end must be.
    budget : int or None
        The most configurations to expand; :data:`BUDGET` when None.

    Returns
    -------
    Route or None
        None when no plan within the limits reaches the goal (or, past the
        budget, none was found).
    """
    if budget is None:
        budget = BUDGET
    found = _best_first(walker, starts, goal, 1, budget)
    if isinstance(found, Route):
        return found
    if found is None:
        return None
    route = _best_first(walker, starts, goal, _GREEDY, budget)
    if not isinstance(route, Route):
        return None
    bound = min(found, route.steps)
    return Route(route.steps, route.cost, route.path, route.steps == bound, bound)


def _best_first(
    walker: Walker, starts: Sequence[Node], goal: Goal, weight: int, budget: int
) -> Route | int | None:
    """A best-first search with the bound counted ``weight`` times.

    Returns the route found, None when the goal is unreachable, or, when the
    budget ran out first, the smallest steps bound left in the queue.
    """
    best: dict[Node, tuple[int, int, Node | None]] = {}
    heap: list[tuple[int, int, int, int, Node]] = []
    for rank, start in enumerate(starts):
        if start not in best:
            best[start] = (0, 0, None)
            hs, hc = goal.estimate(start)
            heap.append((weight * hs, weight * hc, 0, rank, start))
    heapq.heapify(heap)
    closed: set[Node] = set()
    while heap:
        if len(closed) >= budget:
            if weight != 1:
                return -1
            bounds = [f for f, _, _, _, node in heap if node not in closed]
            if not bounds:
                return None
            return min(bounds)
        u = heapq.heappop(heap)[4]
        if u in closed:
            continue
        gs, gc, _ = best[u]
        if goal.matches(u):
            path = [u]
            parent = best[u][2]
            while parent is not None:
                path.append(parent)
                parent = best[parent][2]
            path.reverse()
            return Route(gs, gc, tuple(path))
        closed.add(u)
        for v, w, _ in walker.edges(u):
            if v in closed:
                continue
            steps, cost = gs + 1, gc + w
            old = best.get(v)
            if old is None or (steps, cost) < (old[0], old[1]):
                best[v] = (steps, cost, u)
                hs, hc = goal.estimate(v)
                heapq.heappush(heap, (steps + weight * hs, cost + weight * hc, -steps, 0, v))
    return None


Region = tuple[tuple[frozenset[Node], ...], tuple[tuple[Node, Node, Edge], ...]]
"""Layers of configurations (``i`` steps from the start) and the moves between them."""


def region(walker: Walker, start: Node, goal: Goal, steps: int) -> Region:
    """Every configuration and move on some plan with ``steps`` steps, the fewest there are.

    A breadth-first search from the start that drops configurations the
    goal's bound puts too far away, then a trace back from the goals reached
    in the last layer.

    Returns
    -------
    layers : tuple of frozenset
        ``layers[i]``: the configurations ``i`` steps from the start on some shortest plan.
    edges : tuple of (from, to, edge)
        The moves between consecutive layers, sorted.
    """
    layers: list[set[Node]] = [{start}]
    seen = {start}
    for i in range(1, steps + 1):
        nxt: set[Node] = set()
        for u in layers[-1]:
            for v, _, _ in walker.edges(u):
                if v not in seen and i + goal.estimate(v)[0] <= steps:
                    nxt.add(v)
        seen |= nxt
        layers.append(nxt)
    kept: list[set[Node]] = [set() for _ in range(steps + 1)]
    kept[steps] = {v for v in layers[steps] if goal.matches(v)}
    edges: set[tuple[Node, Node, Edge]] = set()
    for i in range(steps, 0, -1):
        above = kept[i]
        # Moves are followed forwards: a monotone walker's moves do not go both ways.
        for u in layers[i - 1]:
            for edge in walker.edges(u):
                if edge[0] in above:
                    kept[i - 1].add(u)
                    edges.add((u, edge[0], edge))
    return tuple(frozenset(x) for x in kept), tuple(sorted(edges))


def any_valid(diagram: Diagram, allowed: Sequence[frozenset[int] | None]) -> bool:
    """Whether some valid configuration takes only allowed values (levels in model order).

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> allowed = [None] * len(space.tables.names)
    >>> allowed[space.tables.index_of["mass_email_campaigns"]] = frozenset([0])  # true
    >>> any_valid(space.diagram, allowed)
    False
    """
    mask = diagram.lane_mask(Level.valid_levels())
    children = diagram.children
    alive = [bool(b & mask) for b in diagram.below]
    for level in range(len(diagram.levels) - 1, -1, -1):
        values = allowed[level]
        for node in diagram.levels[level]:
            kids = children[node]
            pick = range(len(kids)) if values is None else values
            alive[node] = any(alive[kids[v]] for v in pick if v < len(kids))
    return alive[diagram.root]
