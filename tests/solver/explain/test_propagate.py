"""The one propagator and the one rule-subset search, against brute force on random models."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from syncscope.model import Model
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.tables import Tables, build_tables
from syncscope.solver.explain.propagate import (
    Narrowed,
    blocking_rules,
    minimal_rules,
    propagate,
    rules_admit,
)
from syncscope.solver.queries.brute import all_configurations

SCHEDULES = ("preferred", "cheapest", "queued")


def _brute_admit(model: Model, tables: Tables, fixed: Mapping[int, int], rules: set[int]) -> bool:
    """Whether some configuration agreeing with ``fixed`` breaks none of ``rules``, rule by rule."""
    named = tables.decode(fixed)
    chosen = [tables.rules[i].rule for i in rules]
    return any(not any(r.broken(c) for r in chosen) for c in all_configurations(model, named))


def _closure(
    tables: Tables, fixed: Mapping[int, int], rules: Sequence[int]
) -> list[set[int]] | None:
    """Arc consistency the plain way: revise every rule until nothing changes (None: wiped out)."""
    domains = [{fixed[v]} if v in fixed else set(range(n)) for v, n in enumerate(tables.sizes)]
    changed = True
    while changed:
        changed = False
        for i in rules:
            table = tables.rules[i]
            kept: list[set[int]] = [set() for _ in table.scope]
            for combo in itertools.product(*(domains[v] for v in table.scope)):
                if combo not in table.broken:
                    for k, value in enumerate(combo):
                        kept[k].add(value)
            if not table.scope and () in table.broken:
                return None
            for k, var in enumerate(table.scope):
                if not kept[k]:
                    return None
                if kept[k] != domains[var]:
                    domains[var] = kept[k]
                    changed = True
    return domains


@st.composite
def _questions(draw: st.DrawFn) -> tuple[Model, Tables, dict[int, int], list[int]]:
    """A small random model, some fixed values and a subset of its blocking rules."""
    n = draw(st.integers(3, 7))
    model = random_model(n, seed=draw(st.integers(0, 10_000)), n_rules=draw(st.integers(n, 2 * n)))
    tables = build_tables(model)
    chosen = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    fixed = {v: draw(st.integers(0, tables.sizes[v] - 1)) for v in chosen}
    blocking = list(blocking_rules(tables))
    rules = [i for i in blocking if draw(st.booleans())] if draw(st.booleans()) else blocking
    return model, tables, fixed, rules


@given(_questions())
def test_propagation_matches_plain_arc_consistency_and_brute_force(
    question: tuple[Model, Tables, dict[int, int], list[int]],
) -> None:
    model, tables, fixed, rules = question
    expected = _closure(tables, fixed, rules)
    admits = _brute_admit(model, tables, fixed, set(rules))
    assert rules_admit(tables, fixed, rules) == admits
    for schedule in SCHEDULES:
        for per_value in (False, True):
            found = propagate(tables, fixed, rules, per_value=per_value, schedule=schedule)
            assert found.consistent == (expected is not None)
            if expected is None:
                # The rules behind a wipe-out leave no completion, and neither does the whole set.
                assert found.wipeout is not None and found.wipeout <= set(rules)
                assert not admits
                assert not _brute_admit(model, tables, fixed, set(found.wipeout))
                continue
            assert [set(d) for d in found.domains] == expected
            _assert_reasons_hold(model, tables, fixed, found)
            # Arc consistency never removes a value some completion takes.
            for config in all_configurations(model, tables.decode(fixed)):
                if not any(tables.rules[i].rule.broken(config) for i in rules):
                    encoded = tables.encode(config)
                    assert all(encoded[v] in found.domains[v] for v in encoded)


def _assert_reasons_hold(
    model: Model, tables: Tables, fixed: Mapping[int, int], found: Narrowed
) -> None:
    """Every removed value is excluded, with ``fixed``, by the rules recorded for it."""
    for var, size in enumerate(tables.sizes):
        if var in fixed:
            continue
        for value in set(range(size)) - found.domains[var]:
            question = {**fixed, var: value}
            assert not _brute_admit(model, tables, question, set(found.narrowed_by[var]))
            why = found.reasons.get((var, value))
            if why is not None:
                assert not _brute_admit(model, tables, question, set(why))


@given(_questions(), st.integers(0, 6), st.data())
def test_carrying_on_from_a_start_matches_a_fresh_run(
    question: tuple[Model, Tables, dict[int, int], list[int]], extra: int, data: st.DataObject
) -> None:
    model, tables, fixed, rules = question
    start = propagate(tables, fixed, rules, per_value=True)
    if not start.consistent:
        return
    var = extra % len(tables.sizes)
    if var in fixed:
        return
    value = data.draw(st.integers(0, tables.sizes[var] - 1))
    more = {**fixed, var: value}
    fresh = propagate(tables, more, rules, per_value=True)
    carried = propagate(tables, more, rules, start=start, per_value=True)
    assert carried.consistent == fresh.consistent
    if fresh.consistent:
        assert carried.domains == fresh.domains
        _assert_reasons_hold(model, tables, more, carried)
    else:
        assert carried.wipeout is not None
        assert not _brute_admit(model, tables, more, set(carried.wipeout))


@given(_questions())
def test_minimal_rules_is_a_minimal_unsatisfiable_subset(
    question: tuple[Model, Tables, dict[int, int], list[int]],
) -> None:
    model, tables, fixed, rules = question
    if _brute_admit(model, tables, fixed, set(rules)):
        with pytest.raises(ValueError, match="admit a completion"):
            minimal_rules(tables, fixed, rules)
        return
    found = minimal_rules(tables, fixed, rules)
    assert set(found) <= set(rules)
    assert not _brute_admit(model, tables, fixed, set(found))
    for rule in found:
        assert _brute_admit(model, tables, fixed, set(found) - {rule})


def test_a_rule_broken_by_fixed_values_alone_is_a_wipe_out() -> None:
    tables = build_tables(random_model(5, seed=3, n_rules=10))
    for rule in blocking_rules(tables):
        table = tables.rules[rule]
        if not table.broken or not table.scope:
            continue
        fixed = dict(zip(table.scope, min(table.broken), strict=True))
        found = propagate(tables, fixed, [rule])
        assert found.wipeout == {rule}
        assert not rules_admit(tables, fixed, [rule])


def test_an_unknown_schedule_is_refused() -> None:
    tables = build_tables(random_model(3, seed=1))
    with pytest.raises(ValueError, match="unknown schedule 'soonest'"):
        propagate(tables, {}, blocking_rules(tables), schedule="soonest")  # type: ignore[arg-type]
