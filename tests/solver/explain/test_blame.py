"""The look-up tables that explain removed values: single rules and pairs of rules."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Model
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.diagram.tables import RuleTable, Tables
from syncscope.solver.explain.blame import fixed_row, pair_rules, preference, ranks, single_rules
from syncscope.solver.explain.pairs import build_pair_tables
from syncscope.solver.explain.propagate import blocking_rules, rules_admit

SLOW = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _models() -> list[Model]:
    """Small random models with twice as many rules as variables, so that pairs conflict."""
    return [
        random_model(n, seed=s, domain=(2, 3), n_rules=2 * n) for n in (4, 6, 7) for s in range(3)
    ]


def _surely(table: RuleTable, question: dict[int, int], sizes: Sequence[int]) -> bool:
    return table.surely_broken(question, sizes)


def _brute_conflicts(tables: Tables, a: int, b: int) -> set[tuple[int, ...]]:
    """Projections of the joint scope (-1 = open) that the two rules rule out together only."""
    first, second = tables.rules[a], tables.rules[b]
    scope = tuple(sorted(set(first.scope) | set(second.scope)))
    found = set()
    for projection in itertools.product(*(range(-1, tables.sizes[v]) for v in scope)):
        question = {v: x for v, x in zip(scope, projection, strict=True) if x >= 0}
        if _surely(first, question, tables.sizes) or _surely(second, question, tables.sizes):
            continue
        if not rules_admit(tables, question, [a, b]):
            found.add(projection)
    return found


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.name)
def test_pair_tables_are_exactly_the_two_rule_conflicts(model: Model) -> None:
    tables = compiled(model, use_cache=False).tables
    rules = blocking_rules(tables)
    pairs = build_pair_tables(tables, rules)
    for a, b in itertools.combinations(sorted(rules), 2):
        expected = _brute_conflicts(tables, a, b)
        table = pairs.get((a, b))
        assert (set(table.conflicts) if table else set()) == expected, (a, b)


def test_the_synthetic_models_have_two_rule_conflicts_to_find() -> None:
    found = 0
    for model in _models():
        tables = compiled(model, use_cache=False).tables
        found += len(build_pair_tables(tables, blocking_rules(tables)))
    assert found >= 10


def test_seed_pair_tables_hold_real_conflicts(space: Space) -> None:
    tables = space.tables
    pairs = build_pair_tables(tables, blocking_rules(tables))
    assert pairs, "the seed has two-rule conflicts (e.g. other POP3/SMTP systems)"
    for (a, b), table in pairs.items():
        assert table.rules == (a, b)
        for projection in table.conflicts:
            question = {v: x for v, x in zip(table.scope, projection, strict=True) if x >= 0}
            assert not rules_admit(tables, question, [a, b])
            assert rules_admit(tables, question, [a]) and rules_admit(tables, question, [b])


def _question(space: Space, data: st.DataObject) -> dict[int, int]:
    """A random partial assignment (0 to 3 values) with a valid completion."""
    tables = space.tables
    while True:
        chosen = data.draw(
            st.lists(st.integers(0, len(tables.sizes) - 1), max_size=3, unique=True)
        )
        fixed = {v: data.draw(st.integers(0, tables.sizes[v] - 1)) for v in chosen}
        if rules_admit(tables, fixed, blocking_rules(tables)):
            return fixed


def _check_lookups(space: Space, fixed: dict[int, int], *, every_pair: bool) -> None:
    tables = space.tables
    order = preference(space)
    rank = ranks(space)
    row = fixed_row(space, fixed)
    singles = single_rules(space, row)
    pairs = pair_rules(space, row)
    for var, size in enumerate(tables.sizes):
        if var in fixed:
            assert not any(key[0] == var for key in (*singles, *pairs))
            continue
        for value in range(size):
            question = {**fixed, var: value}
            alone = [r for r in order if _surely(tables.rules[r], question, tables.sizes)]
            assert singles.get((var, value)) == (alone[0] if alone else None)
            if alone:
                continue
            together = [
                (a, b)
                for a, b in itertools.combinations(sorted(order), 2)
                if (every_pair or set(tables.rules[a].scope) & set(tables.rules[b].scope))
                and not rules_admit(tables, question, [a, b])
            ]
            best = min(
                together,
                key=lambda p: (max(rank[p[0]], rank[p[1]]), min(rank[p[0]], rank[p[1]])),
                default=None,
            )
            assert pairs.get((var, value)) == best, (var, value)


@SLOW
@given(data=st.data())
def test_seed_look_ups_find_the_preferred_single_rule_or_pair(
    space: Space, data: st.DataObject
) -> None:
    _check_lookups(space, _question(space, data), every_pair=False)


@pytest.mark.parametrize("model", _models()[:6], ids=lambda m: m.name)
def test_synthetic_look_ups_consider_every_pair_of_rules(model: Model) -> None:
    space = compiled(model, use_cache=False)
    tables = space.tables
    for var, value in [(None, None), *((v, 0) for v in range(len(tables.sizes)))]:
        fixed = {} if var is None else {var: value}
        if rules_admit(tables, fixed, blocking_rules(tables)):
            _check_lookups(space, fixed, every_pair=True)


def test_a_removed_value_needing_two_rules_names_both(space: Space) -> None:
    tables = space.tables
    other = (2, tables.value_index[2]["other-pop3-smtp"])
    # Other POP3/SMTP systems: the table rules them out online, a note on-premises.
    anywhere = pair_rules(space, fixed_row(space, {}))
    assert [tables.rules[i].rule.id for i in anywhere[other]] == [
        "table.email-system",
        "important.other-pop3-smtp",
    ]
    # Once the deployment is fixed, one of the two says it alone.
    online = fixed_row(space, space.encode({"deployment": "online"}))
    assert other not in pair_rules(space, online)
    assert other in single_rules(space, online)
