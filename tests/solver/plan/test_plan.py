"""``plan`` against brute force: valid, minimal, chained steps; fewest steps, then lowest cost."""

from __future__ import annotations

import heapq
import itertools
import json
import math
import random
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syncscope.model import ConfigurationError, Level, Model, Value, load_model, normalize_config
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.ends import cheapest_repairs
from syncscope.solver.plan.moves import move_diagram
from syncscope.solver.plan.planner import Plan, plan, solve
from syncscope.solver.plan.search import Goal, region
from syncscope.solver.plan.ties import ties
from syncscope.solver.queries.brute import brute_verdict, brute_verdicts
from syncscope.solver.repair.nearest import nearest
from syncscope.solver.repair.weights import Weights

from .brute import is_minimal_move as _minimal

Node = tuple[int, ...]


# -- brute force, from the rules' plain semantics ---------------------------------
@dataclass(frozen=True)
class Brute:
    """A small model's valid set and minimal-move graph, from ``Rule.broken`` alone."""

    model: Model
    valid: frozenset[Node]
    moves: Mapping[Node, tuple[Node, ...]]

    def names(self) -> tuple[str, ...]:
        return self.model.names

    def config(self, node: Node) -> dict[str, Value]:
        return {v.name: v.domain[i] for v, i in zip(self.model.variables, node, strict=True)}

    def node(self, config: Mapping[str, Value]) -> Node:
        return tuple(v.domain.index(config[v.name]) for v in self.model.variables)



Spec = tuple[int, int, int, int, int]
"""(variables, seed, rules, largest domain, smallest rule scope) of a synthetic model."""


@cache
def brute(n_vars: int, seed: int, n_rules: int, top: int, narrow: int) -> Brute:
    model = random_model(n_vars, seed=seed, n_rules=n_rules, domain=(2, top), scope=(narrow, 3))
    index = [{v: i for i, v in enumerate(var.domain)} for var in model.variables]
    valid = frozenset(
        tuple(index[k][c[n]] for k, n in enumerate(model.names))
        for c, level in brute_verdicts(model)
        if level.valid
    )
    moves = {
        a: tuple(b for b in sorted(valid) if b != a and _minimal(valid, a, b))
        for a in sorted(valid)
    }
    return Brute(model, valid, moves)


def brute_best(
    b: Brute,
    sources: Iterable[Node],
    goal: Callable[[Node], bool],
    weights: Sequence[float] | Sequence[Fraction] | Weights,
    *,
    allowed: Callable[[Node], bool] = lambda n: True,
    cap: int | None = None,
    once: tuple[Node, Node] | None = None,
) -> tuple[int, float] | None:
    """Fewest steps, then lowest cost, by a plain lexicographic Dijkstra over brute moves.

    With ``once`` (origin, end): only monotone moves, changing variables still at their
    origin value, each straight to its end value.
    """
    best: dict[Node, tuple[int, float]] = {}
    heap: list[tuple[int, float, Node]] = []
    zero: Any = (
        Fraction(0) if isinstance(weights, Weights) else weights[0] * 0 if weights else 0.0
    )  # a Fraction zero keeps fractions exact
    for s in sources:
        best[s] = (0, zero)
        heap.append((0, zero, s))
    heapq.heapify(heap)
    while heap:
        k, c, u = heapq.heappop(heap)
        if (k, c) != best[u]:
            continue
        if goal(u):
            return k, c
        for v in b.moves[u]:
            changed = [i for i in range(len(u)) if u[i] != v[i]]
            if not allowed(v) or (cap is not None and len(changed) > cap):
                continue
            if once is not None and any(u[i] != once[0][i] or v[i] != once[1][i] for i in changed):
                continue
            cand = (k + 1, c + _cost(u, v, weights))
            if v not in best or cand < best[v]:
                best[v] = cand
                heapq.heappush(heap, (*cand, v))
    return None


@pytest.fixture(scope="module")
def every_node() -> Callable[[Spec], tuple[Node, ...]]:
    """Every configuration of a synthetic model, enumerated by brute force once per module."""
    memo: dict[Spec, tuple[Node, ...]] = {}

    def nodes(which: Spec) -> tuple[Node, ...]:
        if which not in memo:
            b = brute(*which)
            memo[which] = tuple(sorted(b.node(c) for c, _ in brute_verdicts(b.model)))
        return memo[which]

    return nodes


def brute_objective(
    b: Brute,
    start: Node,
    target: Node,
    weights: Sequence[float] | Sequence[Fraction] | Weights,
    *,
    allowed: Callable[[Node], bool] = lambda n: True,
    cap: int | None = None,
) -> tuple[bool, tuple[int, Any] | None]:
    """(monotone, (steps, cost)) of the best plan by the planner's objective, by brute force.

    Monotone first (each variable changes at most once, straight to the target value;
    an invalid start's repair included), then fewest steps, then lowest cost; the
    repair of an invalid start is one of the cheapest (monotone ones, for a monotone plan).
    """

    def sources(pick: Callable[[Node], bool]) -> tuple[list[Node], Any]:
        if start in b.valid:
            return [start], Fraction(0) if isinstance(weights, Weights) else weights[0] * 0
        repairs = [r for r in b.valid if allowed(r) and pick(r)]
        if not repairs:
            return [], 0
        least = min(_cost(start, r, weights) for r in repairs)
        at = [r for r in repairs if _cost(start, r, weights) == least]
        fit = [
            r
            for r in at
            if cap is None or sum(x != y for x, y in zip(start, r, strict=True)) <= cap
        ]
        return fit, least

    def direct(r: Node) -> bool:
        return all(r[i] in (start[i], target[i]) for i in range(len(r)))

    shift = int(start not in b.valid)
    found, repair = sources(direct)
    mono = brute_best(
        b, found, lambda n: n == target, weights, allowed=allowed, cap=cap, once=(start, target)
    )
    if mono is not None:
        return True, (mono[0] + shift, mono[1] + repair)
    found, repair = sources(lambda r: True)
    best = brute_best(b, found, lambda n: n == target, weights, allowed=allowed, cap=cap)
    return False, None if best is None else (best[0] + shift, best[1] + repair)


def check_monotone(result: Plan) -> None:
    """A plan marked monotone changes every variable at most once and borrows nothing."""
    changed = [c.variable for s in result.steps for c in s.changes]
    assert result.monotone == (
        len(changed) == len(set(changed)) and not any(s.borrowed for s in result.steps)
    )
    for step in result.steps:
        assert (step.detour is not None) == bool(step.borrowed)
        if step.borrowed:
            assert step.detour and step.detour.startswith("no direct route exists")


def weights_of(model: Model) -> list[float]:
    return [float(v.change_weight) for v in model.variables]


def check_plan_shape(b: Brute, start: Node, result: Plan, weights: Sequence[float]) -> Node:
    """Every step chains on, lands valid and is a minimal move (or the first, a repair)."""
    current = start
    for number, step in enumerate(result.steps):
        after = b.node(step.configuration)
        changed = [i for i in range(len(after)) if after[i] != current[i]]
        assert [c.variable for c in step.changes] == [b.names()[i] for i in changed]
        assert all(
            c.before == b.config(current)[c.variable] and c.after == step.configuration[c.variable]
            for c in step.changes
        )
        assert after in b.valid
        assert step.verdict == brute_verdict(b.model, b.config(after))
        assert math.isclose(step.cost, sum(weights[i] for i in changed))
        if step.repair:
            assert number == 0 and current not in b.valid
        else:
            assert current in b.valid and _minimal(b.valid, current, after)
        current = after
    assert math.isclose(result.cost or 0.0, sum(s.cost for s in result.steps))
    return current


# Default random models (settings mostly change alone) and denser ones, picked because their
# minimal moves often change two to five settings at once and need detours through other values.
MODELS: list[Spec] = [
    (5, 0, 5, 4, 1),
    (6, 7, 6, 4, 1),
    (7, 21, 7, 4, 1),
    (7, 6, 10, 3, 2),
    (7, 11, 10, 3, 2),
    (7, 12, 10, 3, 2),
    (6, 1, 9, 4, 2),
    (6, 7, 9, 4, 2),
    (6, 10, 9, 4, 2),
    (6, 13, 9, 4, 2),
    (8, 14, 12, 3, 2),
    (8, 16, 12, 3, 2),
]
small = st.sampled_from(MODELS)


# -- random pairs ----------------------------------------------------------------------
@settings(max_examples=120, deadline=None)
@given(small, st.data())
def test_random_pairs_are_optimal_valid_minimal_and_chained(
    which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    space = compiled(b.model, use_cache=False)
    weights = weights_of(b.model)
    result = plan(space, b.config(start), b.config(target))
    assert result.feasible
    assert check_plan_shape(b, start, result, weights) == target
    monotone, expected = brute_objective(b, start, target, weights)
    assert expected is not None
    assert result.monotone == monotone
    check_monotone(result)
    assert len(result.steps) == expected[0]
    assert math.isclose(result.cost or 0.0, expected[1])
    if result.steps:
        assert dict(result.steps[-1].configuration) == b.config(target)


@settings(max_examples=60, deadline=None)
@given(small, st.data())
def test_partial_targets_reach_the_best_matching_configuration(
    which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    other = data.draw(st.sampled_from(nodes))
    chosen = data.draw(st.sets(st.integers(0, len(start) - 1), min_size=1, max_size=len(start) - 1))
    wanted = {b.names()[i]: b.config(other)[b.names()[i]] for i in chosen}
    space = compiled(b.model, use_cache=False)
    weights = weights_of(b.model)
    result = plan(space, b.config(start), wanted)
    end = check_plan_shape(b, start, result, weights)
    assert all(b.config(end)[k] == v for k, v in wanted.items())
    check_monotone(result)
    if result.monotone:
        # The best monotone plan to the end it picked (a cheapest completion of the target).
        expected = brute_best(b, [start], lambda n: n == end, weights, once=(start, end))
    else:
        expected = brute_best(
            b, [start], lambda n: all(b.config(n)[k] == v for k, v in wanted.items()), weights
        )
    assert expected == (len(result.steps), pytest.approx(result.cost))


@settings(max_examples=60, deadline=None)
@given(small, st.data())
def test_invalid_starts_begin_with_the_cheapest_repair(
    every_node: Callable[[Spec], tuple[Node, ...]], which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    invalid = [n for n in every_node(which) if n not in b.valid]
    if not invalid:
        return
    start = data.draw(st.sampled_from(invalid))
    target = data.draw(st.sampled_from(sorted(b.valid)))
    space = compiled(b.model, use_cache=False)
    weights = weights_of(b.model)
    result = plan(space, b.config(start), b.config(target))
    assert result.feasible and result.steps[0].repair
    assert not any(s.repair for s in result.steps[1:])
    assert check_plan_shape(b, start, result, weights) == target
    monotone, expected = brute_objective(b, start, target, weights)
    assert expected is not None and result.monotone == monotone
    check_monotone(result)
    if not monotone:  # then the repair is one of the cheapest of all
        assert result.steps[0].cost == pytest.approx(nearest(space, b.config(start)).cost)
    assert len(result.steps) == expected[0]
    assert result.cost == pytest.approx(expected[1])
    broken = {
        r.id for r in b.model.rules if r.level >= Level.UNTESTED and r.broken(b.config(start))
    }
    assert {r.id for r in result.steps[0].tied_by} == broken


@settings(max_examples=80, deadline=None)
@given(small, st.data())
def test_repairs_respect_keep_avoid_and_cap(
    every_node: Callable[[Spec], tuple[Node, ...]], which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    invalid = [n for n in every_node(which) if n not in b.valid]
    if not invalid:
        return
    start = data.draw(st.sampled_from(invalid))
    target = data.draw(st.sampled_from(sorted(b.valid)))
    n = len(start)
    names = b.names()
    domains = [v.domain for v in b.model.variables]
    same = [i for i in range(n) if start[i] == target[i]]
    kept = data.draw(st.lists(st.sampled_from(same), unique=True, max_size=2)) if same else []
    pool = [
        (i, v) for i in range(n) for v in range(len(domains[i])) if v not in (start[i], target[i])
    ]
    avoided = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
    cap = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    space = compiled(b.model, use_cache=False)
    weights = weights_of(b.model)
    result = plan(
        space,
        b.config(start),
        b.config(target),
        keep=[names[i] for i in kept],
        avoid=[(names[i], domains[i][v]) for i, v in avoided],
        max_step=cap,
    )

    def allowed(node: Node) -> bool:
        return all(node[i] == start[i] for i in kept) and all(node[i] != v for i, v in avoided)

    repairs = [r for r in b.valid if allowed(r)]
    if not repairs:
        assert not result.feasible and "no valid configuration is left" in (result.reason or "")
        return
    monotone, expected = brute_objective(b, start, target, weights, allowed=allowed, cap=cap)
    if expected is None:
        assert not result.feasible
        assert result.reason and (
            "cheapest repair changes" in result.reason or f"at most {cap}" in result.reason
        )
        return
    assert result.feasible and result.steps[0].repair and result.monotone == monotone
    check_monotone(result)
    assert (len(result.steps), result.cost) == (expected[0], pytest.approx(expected[1]))
    assert check_plan_shape(b, start, result, weights) == target
    assert all(allowed(b.node(s.configuration)) for s in result.steps)
    assert all(cap is None or len(s.changes) <= cap for s in result.steps)


@settings(max_examples=40, deadline=None)
@given(small, st.data())
def test_decimal_weights_tie_exactly(
    every_node: Callable[[Spec], tuple[Node, ...]], which: Spec, data: st.DataObject
) -> None:
    """Weights of 0.1, 0.2 and 0.3: costs compare exactly, as brute force in fractions says."""
    b = brute(*which)
    start = data.draw(st.sampled_from(every_node(which)))
    target = data.draw(st.sampled_from(sorted(b.valid)))
    n = len(start)
    tenths = data.draw(st.lists(st.sampled_from([1, 2, 3]), min_size=n, max_size=n))
    exact = [Fraction(t, 10) for t in tenths]
    result = plan(
        compiled(b.model, use_cache=False),
        b.config(start),
        b.config(target),
        weights={n: float(w) for n, w in zip(b.names(), exact, strict=True)},
    )
    target_node = target
    monotone, rest = brute_objective(b, start, target_node, exact)
    assert rest is not None and result.feasible and result.monotone == monotone
    assert len(result.steps) == rest[0]
    assert result.cost == float(rest[1])
    check_plan_shape(b, start, result, [float(w) for w in exact])


def _cost(a: Node, b: Node, weights: Sequence[Fraction] | Sequence[float] | Weights) -> Any:
    if isinstance(weights, Weights):  # a cost per pair of values, exactly
        return sum(weights.exact[v][x][y] for v, (x, y) in enumerate(zip(a, b, strict=True)))
    return sum(w for x, y, w in zip(a, b, weights, strict=True) if x != y)


@settings(max_examples=60, deadline=None)
@given(small, st.data())
def test_pair_costs_match_brute_force(which: Spec, data: st.DataObject) -> None:
    """Costs that depend on both values: still monotone first, fewest steps, then cheapest."""
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    spec: dict[str, object] = {
        var.name: {
            f"{x} -> {y}": data.draw(st.sampled_from([0.5, 1, 2, 7]))
            for x in var.domain
            for y in var.domain
            if x != y
        }
        for var in b.model.variables
    }
    weights = Weights.of(b.model, spec)
    result = plan(
        compiled(b.model, use_cache=False), b.config(start), b.config(target), weights=spec
    )
    monotone, expected = brute_objective(b, start, target, weights)
    assert expected is not None and result.feasible and result.monotone == monotone
    check_monotone(result)
    assert len(result.steps) == expected[0]
    assert result.cost == float(expected[1])


# -- limits ------------------------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(small, st.data())
def test_keep_avoid_and_cap_match_brute_force(which: Spec, data: st.DataObject) -> None:
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    n = len(start)
    same = [i for i in range(n) if start[i] == target[i]]
    kept = data.draw(st.lists(st.sampled_from(same), unique=True, max_size=2)) if same else []
    avoid_pool = [
        (i, v)
        for i, var in enumerate(b.model.variables)
        for v in range(len(var.domain))
        if v not in (start[i], target[i])
    ]
    avoided = (
        data.draw(st.lists(st.sampled_from(avoid_pool), unique=True, max_size=3))
        if (avoid_pool)
        else []
    )
    cap = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    space = compiled(b.model, use_cache=False)
    weights = weights_of(b.model)
    names = b.names()
    domains = [v.domain for v in b.model.variables]
    result = plan(
        space,
        b.config(start),
        b.config(target),
        keep=[names[i] for i in kept],
        avoid=[(names[i], domains[i][v]) for i, v in avoided],
        max_step=cap,
    )

    def allowed(node: Node) -> bool:
        return all(node[i] == start[i] for i in kept) and all(node[i] != v for i, v in avoided)

    monotone, expected = brute_objective(b, start, target, weights, allowed=allowed, cap=cap)
    if expected is None:
        assert not result.feasible and cap is not None
        assert result.reason and f"at most {cap}" in result.reason
        assert result.blockers and all(len(s.changes) > cap for s in result.blockers)
        assert brute_best(b, [start], lambda x: x == target, weights, allowed=allowed) is not None
        return
    assert result.feasible and result.monotone == monotone
    check_monotone(result)
    assert (len(result.steps), result.cost) == (expected[0], pytest.approx(expected[1]))
    check_plan_shape(b, start, result, weights)
    for step in result.steps:
        node = b.node(step.configuration)
        assert allowed(node)
        assert cap is None or len(step.changes) <= cap


@settings(max_examples=60, deadline=None)
@given(small, st.data())
def test_keeps_and_avoids_alone_never_disconnect_valid_ends(
    which: Spec, data: st.DataObject
) -> None:
    """Splitting a move that isn't minimal only uses values of the two ends."""
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    names = b.names()
    avoid = [
        (names[i], var.domain[v])
        for i, var in enumerate(b.model.variables)
        for v in range(len(var.domain))
        if v not in (start[i], target[i])
    ]
    kept = [names[i] for i in range(len(start)) if start[i] == target[i]]
    result = plan(
        compiled(b.model, use_cache=False),
        b.config(start),
        b.config(target),
        keep=kept,
        avoid=avoid,
    )
    assert result.feasible
    for step in result.steps:
        assert all(
            step.configuration[n] in (b.config(start)[n], b.config(target)[n]) for n in names
        )


# -- the moves and their ties -------------------------------------------------------------
@pytest.mark.parametrize("which", MODELS)
def test_move_diagram_gives_exactly_the_minimal_moves(which: Spec) -> None:
    b = brute(*which)
    moves = move_diagram(compiled(b.model, use_cache=False))
    for node in sorted(b.valid):
        found = moves.moves(node)
        assert [m for m, _ in found] == sorted(m for m, _ in found)
        assert {m for m, _ in found} == set(b.moves[node])
        for reached, changed in found:
            assert changed == tuple(i for i in range(len(node)) if node[i] != reached[i])
    # The groups: closed under "some minimal move changes both".
    group_of = {v: g for g, members in enumerate(moves.components) for v in members}
    assert sorted(group_of) == list(range(len(b.names())))
    pairs = set()
    for a, targets in b.moves.items():
        for t in targets:
            changed = [i for i in range(len(a)) if a[i] != t[i]]
            pairs.update(itertools.combinations(changed, 2))
            assert len({group_of[i] for i in changed}) == 1
    for members in moves.components:
        if len(members) > 1:  # connected by co-changing pairs
            seen = {min(members)}
            frontier = [min(members)]
            while frontier:
                x = frontier.pop()
                for i, j in pairs:
                    for p, q in ((i, j), (j, i)):
                        if p == x and q not in seen:
                            seen.add(q)
                            frontier.append(q)
            assert seen == set(members)


def test_invalid_configurations_have_no_moves(space: Space) -> None:
    tables = space.tables
    bad = tuple([0] * len(tables.names))
    assert not tables.verdict(bad).valid
    assert move_diagram(space).moves(bad) == ()


@settings(max_examples=40, deadline=None)
@given(small, st.data())
def test_ties_are_the_rules_that_block_every_part_of_a_step(
    which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    multi = [
        (a, t)
        for a, ts in b.moves.items()
        for t in ts
        if sum(x != y for x, y in zip(a, t, strict=True)) > 1
    ]
    if not multi:
        return
    a, t = data.draw(st.sampled_from(sorted(multi)))
    space = compiled(b.model, use_cache=False)
    rules = ties(space.tables, a, t)
    ids = {r.id for r in rules}
    changed = [i for i in range(len(a)) if a[i] != t[i]]
    blamed = set()
    for k in range(1, len(changed)):
        for part in itertools.combinations(changed, k):
            point = list(a)
            for i in part:
                point[i] = t[i]
            broken = {
                r.id
                for r in b.model.rules
                if r.level >= Level.UNTESTED and r.broken(b.config(tuple(point)))
            }
            assert broken & ids  # every part alone is blocked by a listed rule
            blamed |= broken
    assert blamed == ids
    for rule in rules:  # each reads a variable of the step
        assert set(rule.variables) & {b.names()[i] for i in changed}


# -- the region of all shortest plans ------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(small, st.data())
def test_region_holds_every_configuration_on_a_shortest_plan(
    which: Spec, data: st.DataObject
) -> None:
    b = brute(*which)
    nodes = sorted(b.valid)
    start = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    solution = solve(compiled(b.model, use_cache=False), b.config(start), b.config(target))
    assert solution.walker is not None and solution.goal is not None and solution.route is not None
    k = solution.route.steps
    layers, edges = region(solution.walker, start, solution.goal, k)

    def ok(u: Node, v: Node) -> bool:  # a monotone plan's moves, else any minimal move
        if not solution.plan.monotone:
            return True
        return all(u[i] == start[i] and v[i] == target[i] for i in range(len(u)) if u[i] != v[i])

    ds, dt = _bfs(b, start, ok), _bfs(b, target, lambda u, v: ok(v, u))
    for i, layer in enumerate(layers):
        assert layer == {n for n in b.valid if ds.get(n) == i and dt.get(n) == k - i}
    assert {(u, v) for u, v, _ in edges} == {
        (u, v)
        for i in range(k)
        for u in layers[i]
        for v in b.moves[u]
        if v in layers[i + 1] and ok(u, v)
    }


def _bfs(
    b: Brute, s: Node, ok: Callable[[Node, Node], bool] = lambda u, v: True
) -> dict[Node, int]:
    dist = {s: 0}
    queue = deque([s])
    while queue:
        u = queue.popleft()
        for v in b.moves[u]:
            if v not in dist and ok(u, v):
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


# -- the seed model ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_valid(space: Space) -> list[Node]:
    return [p for p, _ in space.diagram.paths({}, [Level.SUPPORTED, Level.DISCOURAGED])]


def _seed_minimal(space: Space, a: Node, b: Node) -> bool:
    tables = space.tables
    changed = [i for i in range(len(a)) if a[i] != b[i]]
    for k in range(1, len(changed)):
        for part in itertools.combinations(changed, k):
            point = list(a)
            for i in part:
                point[i] = b[i]
            if tables.verdict(point).valid:
                return False
    return True


@pytest.fixture(scope="module")
def seed_moves(space: Space) -> Callable[[Node], tuple[Node, ...]]:
    """The seed's minimal moves, asked of the move diagram once per configuration per module."""
    moves = move_diagram(space)
    memo: dict[Node, tuple[Node, ...]] = {}

    def of(node: Node) -> tuple[Node, ...]:
        if node not in memo:
            memo[node] = tuple(v for v, _ in moves.moves(node))
        return memo[node]

    return of


def _layered_bfs(
    moves: Callable[[Node], tuple[Node, ...]],
    start: Node,
    target: Node,
    back: Callable[[Node], tuple[Node, ...]] | None = None,
) -> int:
    """Plain breadth-first distance (no bound, no best-first order), from both ends at once.

    Minimal moves go both ways, so a level of the smaller side is expanded in
    turn until the two sides meet; the first level that meets gives the distance.
    """
    sides: tuple[dict[Node, int], dict[Node, int]] = ({start: 0}, {target: 0})
    fronts = [[start], [target]]
    if start == target:
        return 0
    while fronts[0] and fronts[1]:
        k = 0 if len(fronts[0]) <= len(fronts[1]) else 1
        mine, other = sides[k], sides[1 - k]
        step = moves if k == 0 or back is None else back
        nxt: list[Node] = []
        met: list[int] = []
        for u in fronts[k]:
            for v in step(u):
                if v in other:
                    met.append(mine[u] + 1 + other[v])
                if v not in mine:
                    mine[v] = mine[u] + 1
                    nxt.append(v)
        if met:
            return min(met)
        fronts[k] = nxt
    raise AssertionError("unreachable")


def test_seed_pairs_are_valid_minimal_and_shortest(
    space: Space, seed_valid: list[Node], seed_moves: Callable[[Node], tuple[Node, ...]]
) -> None:
    rng = random.Random(20240611)
    tables = space.tables
    for _ in range(12):
        a, t = rng.sample(seed_valid, 2)
        result = plan(space, tables.decode(a), tables.decode(t))
        current = a
        for step in result.steps:
            after = tuple(
                tables.value_index[i][step.configuration[n]] for i, n in enumerate(tables.names)
            )
            assert tables.verdict(after).valid and _seed_minimal(space, current, after)
            current = after
        assert current == t

        def once(u: Node, v: Node, a: Node = a, t: Node = t) -> bool:
            return all(u[i] == a[i] and v[i] == t[i] for i in range(len(u)) if u[i] != v[i])

        def forward(u: Node, once: Callable[[Node, Node], bool] = once) -> tuple[Node, ...]:
            return tuple(v for v in seed_moves(u) if once(u, v))

        def backward(u: Node, once: Callable[[Node, Node], bool] = once) -> tuple[Node, ...]:
            return tuple(v for v in seed_moves(u) if once(v, u))

        try:
            fewest_monotone: int | None = _layered_bfs(forward, a, t, backward)
        except AssertionError:
            fewest_monotone = None
        # Monotone whenever a monotone plan exists, and never longer than the fewest such moves.
        assert result.monotone == (fewest_monotone is not None)
        expected = (
            fewest_monotone if fewest_monotone is not None else _layered_bfs(seed_moves, a, t)
        )
        assert len(result.steps) == expected


def test_seed_minimal_moves_are_sound(space: Space, seed_valid: list[Node]) -> None:
    rng = random.Random(7)
    moves = move_diagram(space)
    for node in rng.sample(seed_valid, 40):
        for reached, _ in moves.moves(node):
            assert space.tables.verdict(reached).valid
            assert _seed_minimal(space, node, reached)


def test_seed_groups_are_the_six_tied_settings(space: Space) -> None:
    groups = move_diagram(space).components
    names = space.tables.names
    tied = [sorted(names[v] for v in g) for g in groups if len(g) > 1]
    assert tied == [
        sorted(
            [
                "deployment",
                "email_system",
                "incoming_protocol",
                "outgoing_protocol",
                "authentication",
                "profile_type",
            ]
        )
    ]


EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
GMAIL_ONLINE = normalize_config(
    load_model(), json.loads((EXAMPLES / "gmail-online.json").read_text(encoding="utf-8"))
)
EXO_ONLINE = dict(
    GMAIL_ONLINE,
    email_system="exchange-online",
    incoming_protocol="ews",
    outgoing_protocol="ews",
    authentication="server-to-server",
    profile_type="exchange-online",
)


def test_gmail_to_exchange_online_is_one_tied_step(space: Space) -> None:
    result = plan(space, GMAIL_ONLINE, EXO_ONLINE)
    assert result.feasible and len(result.steps) == 1
    step = result.steps[0]
    assert [c.variable for c in step.changes] == [
        "email_system",
        "incoming_protocol",
        "outgoing_protocol",
        "authentication",
        "profile_type",
    ]
    ids = [r.id for r in step.tied_by]
    assert "table.exchange-ews" in ids and "facts.server-to-server-profile" in ids
    assert dict(step.configuration) == EXO_ONLINE
    assert result.cost == 60 + 5 + 5 + 3 + 3


def test_exchange_2010_start_is_repaired_first(space: Space) -> None:
    start = dict(
        EXO_ONLINE,
        deployment="on-premises",
        email_system="exchange-2010",
        authentication="impersonation",
        profile_type="exchange-server",
        same_tenant=False,
    )
    assert not space.tables.verdict(tuple(space.tables.encode(start).values())).valid
    result = plan(space, start, {"deployment": "online", "email_system": "exchange-online"})
    assert result.feasible and result.monotone
    first = result.steps[0]
    # No upgrade to Exchange Server 2013 that a later step throws away: the repair goes
    # straight to the target's email system.
    assert first.repair and first.changes[0].variable == "email_system"
    assert first.changes[0].after == "exchange-online"
    assert [r.id for r in first.tied_by] == ["table.email-system"]
    changed = [c.variable for s in result.steps for c in s.changes]
    assert len(changed) == len(set(changed))
    assert result.end["deployment"] == "online" and result.end["email_system"] == "exchange-online"
    assert not any(s.repair for s in result.steps[1:])


def test_a_monotone_plan_beats_a_shorter_detour(space: Space) -> None:
    """Yahoo! Mail (online) to Outlook.com (on-premises): the direct 8 steps, not 7 via EXO."""
    start = dict(
        GMAIL_ONLINE, version="8.0", email_system="yahoo-mail", mfa=True, outlook_on_the_web=False
    )
    target = dict(
        start,
        deployment="on-premises",
        email_system="outlook-com",
        authentication="profile-credentials",
        autodiscover=False,
        same_tenant=False,
        mfa=False,
        outlook_on_the_web=True,
        mixed_outlook_act_sync=True,
    )
    result = plan(space, start, target)
    # Monotone first: the direct plan, not the shorter detour through Exchange Online.
    assert result.monotone and len(result.steps) == 8
    assert not any(s.configuration["email_system"] == "exchange-online" for s in result.steps)
    moved = [c.variable for s in result.steps for c in s.changes]
    assert len(moved) == len(set(moved))
    direct = plan(space, start, target, avoid=[("email_system", "exchange-online")])
    assert (len(direct.steps), direct.cost) == (len(result.steps), result.cost)


def test_invalid_target_suggests_the_nearest_valid_ones(space: Space) -> None:
    target = dict(EXO_ONLINE, authentication="impersonation")
    result = plan(space, GMAIL_ONLINE, target)
    assert not result.feasible and result.cost is None and not result.steps
    assert result.reason and "unsupported" in result.reason and "exo.impersonation" in result.reason
    assert result.suggestions
    assert dict(result.suggestions[0].configuration) == EXO_ONLINE
    data = result.to_dict()
    assert data["feasible"] is False and data["suggestions"] and data["reason"]


def test_partial_target_without_any_valid_completion(space: Space) -> None:
    result = plan(
        space, GMAIL_ONLINE, {"email_system": "gmail", "authentication": "server-to-server"}
    )
    assert not result.feasible
    assert result.reason == "no valid configuration has the target's settings"
    assert result.suggestions


def _suggestion_truth(
    space: Space,
    seed_valid: list[Node],
    given: Mapping[str, Value],
    weights: Weights,
    allowed: Callable[[Node], bool] = lambda n: True,
) -> tuple[Fraction, set[frozenset[tuple[str, Value]]]]:
    """By enumeration: the least exact cost of a valid stand-in, and every change set at it."""
    tables = space.tables

    def price(name: str, before: Value, after: Value) -> Fraction:
        v = tables.index_of[name]
        index = tables.value_index[v]
        return weights.exact[v][index[before]][index[after]]

    at: dict[Fraction, set[frozenset[tuple[str, Value]]]] = {}
    for node in seed_valid:
        if not allowed(node):
            continue
        config = tables.decode(node)
        changed = frozenset((n, config[n]) for n, v in given.items() if config[n] != v)
        cost = sum((price(n, given[n], x) for n, x in changed), Fraction(0))
        at.setdefault(cost, set()).add(changed)
    least = min(at)
    return least, at[least]


def _change_sets(result: Plan) -> list[frozenset[tuple[str, Value]]]:
    return [frozenset((c.variable, c.after) for c in s.changes) for s in result.suggestions]


def test_partial_invalid_target_suggests_distinct_changes(
    space: Space, seed_valid: list[Node]
) -> None:
    """Completions that differ only in settings nobody asked for are one suggestion."""
    given = {"deployment": "online", "email_system": "exchange-2010"}
    result = plan(space, GMAIL_ONLINE, given)
    assert not result.feasible and result.reason == (
        "no valid configuration has the target's settings"
    )
    least, truth = _suggestion_truth(space, seed_valid, given, Weights.of(space))
    found = _change_sets(result)
    assert len(found) == min(5, len(truth))
    assert set(found) == truth
    after = [s.configuration["email_system"] for s in result.suggestions]
    assert len(set(after)) == len(after)  # different email systems, not one five times
    # Exchange 2010 is upgraded along its line, not moved to Exchange Online.
    assert set(after) == {"exchange-2013-sp1", "exchange-2016"}
    for cand in result.suggestions:
        assert cand.cost == least
        assert space.tables.verdict(_node_of(space, cand.configuration)).valid
        assert all(cand.configuration[n] == v for n, v in given.items() if n != "email_system")
    assert [c.verdict for c in result.suggestions] == sorted(c.verdict for c in result.suggestions)


def test_avoid_leaves_the_other_suggestions(space: Space, seed_valid: list[Node]) -> None:
    given = {"deployment": "online", "email_system": "exchange-2010"}
    result = plan(space, GMAIL_ONLINE, given, avoid=[("email_system", "exchange-online")])
    assert not result.feasible and result.suggestions
    tables = space.tables
    avoided = tables.value_index[tables.index_of["email_system"]]["exchange-online"]
    column = tables.index_of["email_system"]
    least, truth = _suggestion_truth(
        space, seed_valid, given, Weights.of(space), lambda n: n[column] != avoided
    )
    after = [s.configuration["email_system"] for s in result.suggestions]
    assert "exchange-online" not in after and len(set(after)) == len(after)
    assert len(after) == min(5, len(truth))
    assert {"exchange-2013-sp1", "exchange-2016"} <= set(after)
    assert all(s.cost == least for s in result.suggestions)


def test_decimal_weights_keep_equally_cheap_suggestions(
    space: Space, seed_valid: list[Node]
) -> None:
    """0.1 + 0.2 costs exactly what 0.3 costs: both fixes are offered."""
    decimal = dict.fromkeys(space.model.names, 10.0)
    decimal.update(authentication=0.3, email_system=0.1, profile_type=0.2)
    target = dict(EXO_ONLINE, authentication="impersonation")
    result = plan(space, GMAIL_ONLINE, target, weights=decimal)
    least, truth = _suggestion_truth(space, seed_valid, target, Weights.of(space, decimal))
    assert least == Fraction(3, 10)
    found = _change_sets(result)
    assert set(found) == truth and len(found) == len(truth)
    fixes = {frozenset(name for name, _ in changes) for changes in truth}
    assert fixes == {frozenset({"authentication"}), frozenset({"email_system", "profile_type"})}
    assert all(s.cost == 0.3 for s in result.suggestions)


def _node_of(space: Space, config: Mapping[str, Value]) -> Node:
    tables = space.tables
    return tuple(tables.value_index[i][config[n]] for i, n in enumerate(tables.names))


def test_kept_variable_the_target_changes(space: Space) -> None:
    result = plan(space, GMAIL_ONLINE, EXO_ONLINE, keep=["authentication"])
    assert not result.feasible
    assert result.reason is not None
    assert "authentication" in result.reason and "kept" in result.reason


def test_keep_holds_the_variable_through_the_plan(space: Space) -> None:
    start = dict(GMAIL_ONLINE, autodiscover=False)
    result = plan(space, start, {"email_system": "exchange-online"}, keep=["version", "mfa"])
    assert result.feasible
    assert all(s.configuration["version"] == "8.2" for s in result.steps)
    # Exchange Online online needs autodiscover: it is switched on first, alone.
    assert [c.variable for c in result.steps[0].changes] == ["autodiscover"]


def test_avoided_values_at_either_end(space: Space) -> None:
    result = plan(space, GMAIL_ONLINE, EXO_ONLINE, avoid=[("email_system", "gmail")])
    assert not result.feasible and "start itself" in (result.reason or "")
    result = plan(space, GMAIL_ONLINE, EXO_ONLINE, avoid=[("email_system", "exchange-online")])
    assert not result.feasible and "target itself" in (result.reason or "")


def test_avoid_forces_a_way_around(space: Space) -> None:
    start = dict(
        EXO_ONLINE,
        deployment="on-premises",
        email_system="exchange-2016",
        profile_type="exchange-server",
        authentication="impersonation",
    )
    target = dict(start, email_system="exchange-2013-sp1")
    direct = plan(space, start, target)
    assert len(direct.steps) == 1
    around = plan(space, start, target, avoid=[("email_system", "exchange-2013")])
    assert around.feasible
    assert all(s.configuration["email_system"] != "exchange-2013" for s in around.steps)


def test_cap_reports_the_moves_that_need_more(space: Space) -> None:
    result = plan(space, GMAIL_ONLINE, EXO_ONLINE, max_step=3)
    assert not result.feasible
    assert result.reason and "at most 3" in result.reason
    assert [len(s.changes) for s in result.blockers] == [5]
    assert "blockers" in result.to_dict()


def test_same_start_and_target_is_an_empty_plan(space: Space) -> None:
    result = plan(space, GMAIL_ONLINE, GMAIL_ONLINE)
    assert result.feasible and result.steps == () and result.cost == 0
    assert result.end == GMAIL_ONLINE


def test_to_dict_follows_the_contract(space: Space) -> None:
    data = plan(space, GMAIL_ONLINE, EXO_ONLINE).to_dict()
    assert {"feasible", "cost", "steps"} <= set(data)
    assert "reason" not in data and "suggestions" not in data
    step = data["steps"][0]  # type: ignore[index]
    assert {"changes", "configuration", "verdict", "repair", "tied_by"} <= set(step)
    assert step["changes"][0] == {
        "variable": "email_system",
        "from": "gmail",
        "to": "exchange-online",
    }
    assert step["configuration"] == EXO_ONLINE
    assert data["cost"] == 76 and isinstance(data["cost"], int)
    assert data["monotone"] is True
    assert step["borrowed"] == [] and step["detour"] is None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_step": 0}, "at least 1"),
        ({"keep": ["nope"]}, "unknown variable 'nope'"),
        ({"avoid": [("email_system", "hotmail")]}, "unknown value 'hotmail'"),
        ({"weights": {"deployment": -1}}, "non-negative"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    space: Space, kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        plan(space, GMAIL_ONLINE, EXO_ONLINE, **kwargs)  # type: ignore[arg-type]


def test_partial_start_is_refused(space: Space) -> None:
    with pytest.raises(ConfigurationError, match="full configuration"):
        plan(space, {"deployment": "online"}, EXO_ONLINE)


def test_repairs_are_nearest_fixes_within_the_allowed_values(
    space: Space, seed_valid: list[Node]
) -> None:
    """``cheapest_repairs`` is ``nearest`` with ``allowed=``: the same cost as brute force."""
    tables = space.tables
    rng = random.Random(3)
    weights = Weights.of(space)
    column = tables.index_of["email_system"]
    allowed: list[frozenset[int] | None] = [None] * len(tables.names)
    allowed[column] = frozenset(range(tables.sizes[column])) - {0}  # no Exchange Online
    tried = 0
    while tried < 10:
        node = tuple(rng.randrange(size) for size in tables.sizes)
        if tables.verdict(node).valid:
            continue
        tried += 1
        cost, repairs = cheapest_repairs(space, node, allowed, weights, top=50)
        least = min(weights.cost(node, r) for r in seed_valid if r[column] != 0)
        assert cost == least
        assert repairs and all(weights.cost(node, r) == least for r in repairs)
        assert all(r[column] != 0 and tables.verdict(r).valid for r in repairs)
        assert len(set(repairs)) == len(repairs)


def test_uniform_weights_change_the_tie_break_not_the_steps() -> None:
    model = load_model()
    space = compiled(model)
    a = plan(space, GMAIL_ONLINE, EXO_ONLINE, weights=dict.fromkeys(model.names, 1.0))
    assert len(a.steps) == 1 and a.cost == 5


def test_goal_estimate_never_overestimates(space: Space, seed_valid: list[Node]) -> None:
    rng = random.Random(11)
    solution = solve(space, GMAIL_ONLINE, EXO_ONLINE)
    assert solution.goal is not None
    goal = solution.goal
    for _ in range(5):
        a, t = rng.sample(seed_valid, 2)
        target_goal = Goal(tuple(enumerate(t)), goal.group_of, goal.weights)
        result = plan(space, space.tables.decode(a), space.tables.decode(t))
        steps, cost = target_goal.estimate(a)
        assert steps <= len(result.steps) and cost <= (result.cost or 0) + 1e-9


def test_plan_graph_is_the_plans_graph(space: Space, seed_valid: list[Node]) -> None:
    """The plan is one of networkx's shortest paths through its graph, and the cheapest one."""
    import networkx as nx
    from syncscope.solver.plan.graph import build_graph, node_key

    rng = random.Random(5)
    pairs = [tuple(rng.sample(seed_valid, 2)) for _ in range(4)]
    exchange_2010 = dict(
        EXO_ONLINE,
        deployment="on-premises",
        email_system="exchange-2010",
        authentication="impersonation",
        profile_type="exchange-server",
        same_tenant=False,
    )
    ends = [(space.tables.decode(a), space.tables.decode(t)) for a, t in pairs]
    ends.append((exchange_2010, EXO_ONLINE))  # an invalid start: the repair is the first edge
    for start, target in ends:
        solution = solve(space, start, target)
        result = solution.plan
        assert result.feasible and result.steps[0].repair == (start is exchange_2010)
        graph = build_graph(space, solution)
        origin = node_key(space, _node_of(space, start))
        assert graph.graph["start"] == origin
        path = [origin, *(tuple(s.configuration.values()) for s in result.steps)]
        shortest = list(nx.all_shortest_paths(graph, origin, path[-1]))
        assert path in shortest
        assert all(len(p) == len(result.steps) + 1 for p in shortest)
        cheapest = nx.shortest_path_length(graph, origin, path[-1], weight="cost")
        assert cheapest == pytest.approx(result.cost)
        assert [graph.edges[u, v]["on_plan"] for u, v in itertools.pairwise(path)] == [True] * len(
            result.steps
        )
