"""The feasibility search behind explanations, against plain backtracking and brute force.

``rules_admit`` remembers dead ends and splits rules into independent groups;
``Feasibility`` reuses the completions it found. Their answers must be exactly
those of a plain search, so domains with reasons on mid-size dense models come
out identical under either, and every explanation stays minimal.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping

import pytest
from syncscope.model import Level, format_value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import compiled
from syncscope.solver.diagram.tables import Tables, build_tables
from syncscope.solver.explain import propagate as propagate_module
from syncscope.solver.explain.propagate import Feasibility, blocking_rules, rules_admit
from syncscope.solver.queries.domains import valid_domains


def _plain(tables: Tables, fixed: Mapping[int, int], rules: Iterable[int]) -> dict[int, int] | None:
    """Chronological backtracking in variable order, each rule checked once it is all set."""
    chosen = [tables.rules[i] for i in rules]
    free = sorted({v for t in chosen for v in t.scope if v not in fixed})
    assign = dict(fixed)

    def ok() -> bool:
        return all(
            tuple(assign[v] for v in t.scope) not in t.broken
            for t in chosen
            if all(v in assign for v in t.scope)
        )

    def go(depth: int) -> bool:
        if not ok():
            return False
        if depth == len(free):
            return True
        for value in range(tables.sizes[free[depth]]):
            assign[free[depth]] = value
            if go(depth + 1):
                return True
        del assign[free[depth]]
        return False

    return dict(assign) if go(0) else None


def _brute(tables: Tables, fixed: Mapping[int, int], rules: Iterable[int]) -> bool:
    chosen = [tables.rules[i] for i in rules]
    free = sorted({v for t in chosen for v in t.scope if v not in fixed})
    for combo in itertools.product(*(range(tables.sizes[v]) for v in free)):
        assign = {**fixed, **dict(zip(free, combo, strict=True))}
        if all(tuple(assign[v] for v in t.scope) not in t.broken for t in chosen):
            return True
    return False


@pytest.mark.parametrize("seed", range(6))
def test_rules_admit_and_feasibility_match_brute_force(seed: int) -> None:
    tables = build_tables(random_model(9, seed=seed, domain=(2, 3), n_rules=27))
    rules = list(blocking_rules(tables))
    rng = random.Random(seed)
    answers = {True: 0, False: 0}
    for _ in range(40):
        fixed = {v: rng.randrange(tables.sizes[v]) for v in rng.sample(range(9), rng.randint(0, 3))}
        check = Feasibility(tables, fixed)
        for _ in range(6):
            subset = rng.sample(rules, rng.randint(0, len(rules)))
            expected = _brute(tables, fixed, subset)
            assert rules_admit(tables, fixed, subset) == expected
            assert check(subset) == expected
            answers[expected] += 1
    assert answers[True] and answers[False]


def test_feasibility_answers_from_what_it_knows() -> None:
    tables = build_tables(random_model(12, seed=3, domain=(2, 3), n_rules=36))
    rules = list(blocking_rules(tables))
    check = Feasibility(tables, {})
    assert check(rules)
    assert check(rules[: len(rules) // 2]) and check(rules[:3])
    assert check.searches == 1


@pytest.mark.parametrize("n", [30, 60])
def test_dense_domains_with_reasons_match_a_plain_search_and_are_minimal(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Domains with reasons on dense mid-size models (three rules per variable) are the same
    with the plain search in place of the fast one, and each explanation is minimal."""
    model = random_model(n, seed=n, n_rules=3 * n)
    space = compiled(model, use_cache=False)
    tables = space.tables
    rng = random.Random(n)
    questions = []
    while len(questions) < 6:
        names = rng.sample(model.names, rng.randint(1, 4))
        fixed = {name: rng.choice(model.variable(name).domain) for name in names}
        if space.diagram.live_masks(space.encode(fixed), Level.valid_levels())[0]:
            questions.append(fixed)
    fast = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    with monkeypatch.context() as patch:
        patch.setattr(propagate_module, "_solution", _plain)
        plain = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    assert fast == plain
    index = {r.id: t.index for r, t in zip(model.rules, tables.rules, strict=True)}
    removed = searched = 0
    for q, found in zip(questions, fast, strict=True):
        fixed = space.encode(q)
        for name, domain in found["domains"].items():  # type: ignore[union-attr]
            var = tables.index_of[name]
            for value, ids in domain["removed"].items():
                question = {**fixed, var: _index(tables, var, value)}
                chosen = [index[i] for i in ids]
                assert ids and _plain(tables, question, chosen) is None
                for k in range(len(chosen)):
                    assert _plain(tables, question, chosen[:k] + chosen[k + 1 :]) is not None
                removed += 1
                searched += len(ids) >= 3  # no look-up table holds these: found by search
    assert removed > 0 and searched > 0


def _index(tables: Tables, var: int, text: str) -> int:
    return next(i for i, v in enumerate(tables.domains[var]) if format_value(v) == text)
