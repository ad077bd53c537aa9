"""Bounded planning: proven answers equal brute force, unproven ones are valid plans with a gap.

On small synthetic models every valid configuration and every minimal move is
found by brute force, and the fewest steps by a breadth-first search over them.
The search runs with budgets from generous to tiny; whatever it returns is a
chain of minimal moves between valid configurations that ends at the goal, a
proven answer has the fewest steps, and an unproven one has a lower bound no
larger than the fewest steps.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Mapping

import pytest
from syncscope.model import Level, Value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan import planner as planner_module
from syncscope.solver.plan import search as search_module
from syncscope.solver.plan.moves import Node, move_diagram
from syncscope.solver.plan.planner import Plan, plan
from syncscope.solver.plan.search import Goal, Limits, Walker, search
from syncscope.solver.repair.weights import Weights

from .brute import is_minimal_move as _minimal


def _valid(space: Space) -> frozenset[Node]:
    sizes = space.tables.sizes
    verdict = space.tables.verdict
    return frozenset(n for n in itertools.product(*map(range, sizes)) if verdict(n).valid)



def _fewest(valid: frozenset[Node], start: Node, target: Node) -> int | None:
    seen = {start: 0}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        if u == target:
            return seen[u]
        for v in valid:
            if v not in seen and _minimal(valid, u, v):
                seen[v] = seen[u] + 1
                queue.append(v)
    return None


def _goal(space: Space, target: Node, weights: Weights) -> Goal:
    group_of = [0] * len(target)
    for number, members in enumerate(move_diagram(space).components):
        for v in members:
            group_of[v] = number
    return Goal(tuple(enumerate(target)), tuple(group_of), weights)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("budget", [1_000_000, 4, 1])
def test_answers_are_proven_brute_force_optima_or_valid_plans_with_a_bound(
    seed: int, budget: int
) -> None:
    space = compiled(random_model(6, seed=seed, n_rules=9, domain=(2, 3)))
    valid = _valid(space)
    weights = Weights.of(space.model)
    walker = Walker(move_diagram(space), Limits((None,) * 6, None, weights))
    rng = random.Random(seed)
    pairs = [tuple(rng.sample(sorted(valid), 2)) for _ in range(4)]
    for start, target in pairs:
        fewest = _fewest(valid, start, target)
        route = search(walker, [start], _goal(space, target, weights), budget=budget)
        if route is None:
            assert budget < 1_000_000 or fewest is None
            continue
        assert route.path[0] == start and route.path[-1] == target
        assert all(n in valid for n in route.path)
        assert all(_minimal(valid, a, b) for a, b in itertools.pairwise(route.path))
        assert route.steps == len(route.path) - 1
        assert fewest is not None
        if route.proven:
            assert route.steps == fewest and route.gap == 0
        else:
            assert route.bound is not None and route.bound <= fewest <= route.steps
            assert route.gap == route.steps - route.bound > 0
        if budget == 1_000_000:
            assert route.proven


def _sample(space: Space, rng: random.Random) -> Mapping[str, Value]:
    """A valid configuration drawn uniformly, one variable at a time by completion counts."""
    diagram, tables = space.diagram, space.tables
    lanes = [int(level) for level in Level.valid_levels()]
    fixed: dict[int, int] = {}
    for v, size in enumerate(tables.sizes):
        counts = [diagram.count({**fixed, v: i}) for i in range(size)]
        fixed[v] = rng.choices(range(size), [sum(c[k] for k in lanes) for c in counts])[0]
    return tables.decode(fixed)


def test_fifty_variables_stay_within_the_budget_and_mark_what_they_cannot_prove(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the plain bound (groups only, no blocks) and a small budget, some plans are
    not proven; each is still a valid plan, marked with its gap."""
    monkeypatch.setattr(search_module, "BUDGET", 200)
    monkeypatch.setattr(planner_module, "monotone_blocks", lambda *args: None)
    space = compiled(random_model(50, seed=5))
    rng = random.Random(5)
    unproven = 0
    for _ in range(4):
        start, target = _sample(space, rng), _sample(space, rng)
        result = plan(space, start, target)
        assert result.feasible
        assert result.end == target
        assert all(space.is_valid(s.configuration) for s in result.steps)
        assert result.gap >= 0 and (result.gap == 0) == result.proven
        data = result.to_dict()
        if result.proven:
            assert "proven" not in data
        else:
            unproven += 1
            assert data["proven"] is False and data["gap"] == result.gap
    assert unproven >= 1


def test_fifty_variable_plans_are_proven_with_the_blocks_bound() -> None:
    """The fewest-blocks bound proves every pair within the default budget, with no more
    steps than the plans found without it."""
    space = compiled(random_model(50, seed=50))
    rng = random.Random(50)
    for _ in range(5):
        start, target = _sample(space, rng), _sample(space, rng)
        result = plan(space, start, target)
        assert result.feasible and result.proven and result.gap == 0
        assert result.monotone and result.end == target
        assert all(space.is_valid(s.configuration) for s in result.steps)
        plain = plan_without_blocks(space, start, target)
        assert plain.feasible and len(result.steps) <= len(plain.steps)
        assert plain.proven or len(result.steps) >= len(plain.steps) - plain.gap


def plan_without_blocks(
    space: Space, start: Mapping[str, Value], target: Mapping[str, Value]
) -> Plan:
    """The plan found with the plain bound of the groups."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner_module, "monotone_blocks", lambda *args: None)
        return plan(space, start, target)
