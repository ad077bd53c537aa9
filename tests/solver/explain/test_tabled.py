"""Explanations tabled once per space are exactly those the search gives under the question.

``reasoned`` and ``searched`` keep, per removed value, the answer found with
nothing fixed or one value fixed, and the variables that search read. Domains
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
from syncscope.solver.explain.quickxplain import Tabled, reasoned, searched
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
