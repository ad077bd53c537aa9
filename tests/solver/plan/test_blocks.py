"""The fewest-blocks bound of a monotone plan, against brute force on small models.

For random pairs of valid configurations, every configuration a monotone plan
can pass through gets a bound no larger than the fewest monotone steps left
(found by a breadth-first search over brute-force minimal moves), the bound
drops by at most one along every monotone move, and it is never weaker than
the count of groups.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Mapping

import pytest
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.blocks import monotone_blocks
from syncscope.solver.plan.moves import Node, move_diagram

from .brute import is_minimal_move as _minimal

# (variables, seed, rules, largest domain, smallest rule scope): default random models and
# denser ones whose minimal moves often change two to five settings at once.
MODELS = [
    (6, 7, 6, 4, 1),
    (7, 21, 7, 4, 1),
    (7, 6, 10, 3, 2),
    (7, 11, 10, 3, 2),
    (6, 10, 9, 4, 2),
    (8, 14, 12, 3, 2),
    (8, 16, 12, 3, 2),
]


def _valid(space: Space) -> frozenset[Node]:
    verdict = space.tables.verdict
    return frozenset(
        n for n in itertools.product(*map(range, space.tables.sizes)) if verdict(n).valid
    )



def _monotone_moves(
    valid: frozenset[Node], start: Node, end: Node, cap: int | None
) -> Mapping[Node, list[Node]]:
    """Per configuration between the ends, its minimal moves that change variables still
    at their start value straight to their end value."""
    region = [n for n in valid if all(n[i] in (start[i], end[i]) for i in range(len(n)))]
    out: dict[Node, list[Node]] = {}
    for u in region:
        out[u] = []
        for v in region:
            changed = [i for i in range(len(u)) if u[i] != v[i]]
            if not changed or (cap is not None and len(changed) > cap):
                continue
            if all(u[i] == start[i] and v[i] == end[i] for i in changed) and _minimal(valid, u, v):
                out[u].append(v)
    return out


def _fewest_left(moves: Mapping[Node, list[Node]], end: Node) -> dict[Node, int]:
    """Fewest monotone steps from each configuration to ``end`` (absent: none)."""
    back: dict[Node, list[Node]] = {}
    for u, vs in moves.items():
        for v in vs:
            back.setdefault(v, []).append(u)
    left = {end: 0}
    queue = deque([end])
    while queue:
        v = queue.popleft()
        for u in back.get(v, ()):
            if u not in left:
                left[u] = left[v] + 1
                queue.append(u)
    return left


@pytest.mark.parametrize("which", MODELS)
@pytest.mark.parametrize("cap", [None, 1, 2])
def test_blocks_bound_is_admissible_consistent_and_beats_the_groups(
    which: tuple[int, int, int, int, int], cap: int | None
) -> None:
    n, seed, rules, top, narrow = which
    space = compiled(random_model(n, seed=seed, n_rules=rules, domain=(2, top), scope=(narrow, 3)))
    valid = _valid(space)
    diagram = move_diagram(space)
    group_of = {v: g for g, members in enumerate(diagram.components) for v in members}
    rng = random.Random(seed)
    checked = tight = 0
    for _ in range(6):
        start, end = rng.sample(sorted(valid), 2)
        blocks = monotone_blocks(diagram, start, end, [None] * n, cap)
        assert blocks is not None
        moves = _monotone_moves(valid, start, end, cap)
        left = _fewest_left(moves, end)
        for u, vs in moves.items():
            bound = blocks.steps(u)
            if u in left:
                assert bound <= left[u]
                tight += bound == left[u]
                checked += 1
            else:
                assert bound == blocks.dead or not vs or all(v not in left for v in vs)
            groups = {group_of[i] for i in range(n) if u[i] != end[i]}
            assert bound >= len(groups)
            for v in vs:
                assert bound <= blocks.steps(v) + 1
        assert blocks.steps(end) == 0
    assert checked > 0 and tight > 0


def test_keep_and_avoid_narrow_the_blocks() -> None:
    """A variable the limits hold at its start value is in no block: nothing can finish it."""
    space = compiled(random_model(7, seed=6, n_rules=10, domain=(2, 3), scope=(2, 3)))
    valid = sorted(_valid(space))
    diagram = move_diagram(space)
    rng = random.Random(3)
    for _ in range(10):
        start, end = rng.sample(valid, 2)
        v = next(i for i in range(7) if start[i] != end[i])
        allowed: list[frozenset[int] | None] = [None] * 7
        allowed[v] = frozenset([start[v]])
        blocks = monotone_blocks(diagram, start, end, allowed, None)
        assert blocks is not None
        assert blocks.group_of[v] == -1 and blocks.steps(start) == blocks.dead
