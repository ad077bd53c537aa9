"""Explanations tabled once per space are exactly those the search gives under the question.

``reasoned`` and ``searched`` keep, per removed value, the answer found with
nothing fixed or one value fixed, and ``paired`` with two values fixed where
no entry of ``searched`` holds, each with the variables that search read. Domains
with reasons must come out the same with the tables as with every answer
searched for afresh, on dense models where both the tables and the searches
are used.
"""

from __future__ import annotations

import random

import pytest
from syncscope.model import Level
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import compiled
from syncscope.solver.explain import quickxplain
from syncscope.solver.explain.quickxplain import Tabled, paired, reasoned, searched
from syncscope.solver.queries.domains import valid_domains


@pytest.mark.parametrize("n", [30, 40, 80])
def test_tabled_explanations_are_those_searched_for(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = random_model(n, seed=n, n_rules=3 * n)
    space = compiled(model, use_cache=False)
    rng = random.Random(n)
    questions = []
    while len(questions) < 30:
        names = rng.sample(model.names, rng.randint(0, 6))
        fixed = {name: rng.choice(model.variable(name).domain) for name in names}
        if space.diagram.live_masks(space.encode(fixed), Level.valid_levels())[0]:
            questions.append(fixed)
    assert reasoned(space) or searched(space)
    answers = {True: 0, False: 0}
    holds = Tabled.holds

    def counted(self: Tabled, fixed: dict[int, int]) -> bool:
        found = holds(self, fixed)
        answers[found] += 1
        return found

    with monkeypatch.context() as patch:
        patch.setattr(Tabled, "holds", counted)
        tabled = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    assert answers[True] and answers[False]  # answers taken from the tables, and refused
    with monkeypatch.context() as patch:
        patch.setattr(quickxplain, "reasoned", lambda space: {})
        patch.setattr(quickxplain, "searched", lambda space: {})
        patch.setattr(quickxplain, "paired", lambda space: {})
        fresh = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    assert tabled == fresh


def test_every_tabled_entry_is_the_search_under_its_own_fixed_values() -> None:
    space = compiled(random_model(30, seed=30, n_rules=90), use_cache=False)
    entries = [e for found in searched(space).values() for e in found]
    assert entries
    for entry in entries:
        assert entry.holds(dict(entry.fixed))
    for (var, value), found in searched(space).items():
        for entry in found:
            explainer = quickxplain.Explainer(space, dict(entry.fixed))
            assert explainer.search(var, value) == entry.rules


@pytest.mark.parametrize("seed", [True, False])
def test_every_paired_entry_is_the_search_under_its_own_two_fixed_values(seed: bool) -> None:
    space = compiled() if seed else compiled(random_model(30, seed=30, n_rules=90), use_cache=False)
    found = paired(space)
    assert found
    singles = searched(space)
    for (var, value, first, second), entry in found.items():
        fixed = dict((first, second))
        assert first[0] < second[0] and var not in fixed
        assert entry.fixed == (first, second) and entry.holds(fixed)
        assert not any(single.holds(fixed) for single in singles[var, value])
        assert quickxplain.Explainer(space, fixed).search(var, value) == entry.rules


def test_paired_answers_match_the_search_on_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    space = compiled()
    rng = random.Random(7)
    tables = space.tables
    questions: list[dict[str, object]] = []
    while len(questions) < 60:
        chosen = rng.sample(range(len(tables.sizes)), rng.randint(2, 4))
        fixed = {tables.names[v]: rng.choice(tables.domains[v]) for v in chosen}
        if space.diagram.live_masks(space.encode(fixed), Level.valid_levels())[0]:
            questions.append(fixed)
    taken: list[object] = []

    class Counted(dict[object, Tabled]):
        def get(self, key: object, default: object = None) -> object:
            found = super().get(key, default)
            if found is not None:
                taken.append(key)
            return found

    counted = Counted(paired(space))
    with monkeypatch.context() as patch:
        patch.setattr(quickxplain, "paired", lambda space: counted)
        tabled = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    assert taken  # some questions took an entry of the table
    with monkeypatch.context() as patch:
        patch.setattr(quickxplain, "searched", lambda space: {})
        patch.setattr(quickxplain, "paired", lambda space: {})
        fresh = [valid_domains(space, q, memo=False).to_dict() for q in questions]
    assert tabled == fresh
