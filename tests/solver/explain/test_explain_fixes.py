"""``explain`` lists the distinct fixes as ``nearest`` ranks them, equal-cost alternatives too."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.explain.diagnoses import FIX_POOL, MAX_FIXES, explain
from syncscope.solver.repair.nearest import Candidate, nearest


def _changes(candidate: Candidate) -> frozenset[tuple[str, Value]]:
    return frozenset((c.variable, c.after) for c in candidate.changes)


def test_equally_cheap_alternatives_are_both_listed(space: Space) -> None:
    # Online with MSN: Gmail and Yahoo! Mail cost the same; one fix per diagnosis showed one.
    result = explain(space, {"deployment": "online", "email_system": "msn"})
    first = [{c.variable: c.after for c in f.changes} for f in result.fixes[:2]]
    assert sorted(f["email_system"] for f in first) == ["gmail", "yahoo-mail"]
    assert result.fixes[0].cost == result.fixes[1].cost
    lines = result.text.split("\n\n")[-1].splitlines()
    assert lines[0] == "Fixes, cheapest first:"
    assert "- email_system: msn -> gmail (cost 20)" in lines
    assert "- email_system: msn -> yahoo-mail (cost 20)" in lines
    assert len(result.fixes) == MAX_FIXES and result.fixes_more
    assert result.to_dict()["fixes_more"] is True


def test_fips_on_premises_lists_the_mailbox_moves_not_the_posture(space: Space) -> None:
    config: dict[str, Value] = {
        "deployment": "on-premises",
        "email_system": "msn",
        "fips_mode": True,
    }
    result = explain(space, config)
    targets = [{c.variable: c.after for c in f.changes} for f in result.fixes]
    assert {"email_system": "gmail"} in targets and {"email_system": "yahoo-mail"} in targets
    assert all(set(t) == {"email_system"} for t in targets), targets
    assert "fips_mode: true -> false" not in result.text


@st.composite
def _inputs(draw: st.DrawFn, space: Space) -> dict[str, Value]:
    model = space.model
    chosen = draw(st.sets(st.sampled_from(model.names), min_size=2))
    return {n: draw(st.sampled_from(model.variable(n).domain)) for n in model.names if n in chosen}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fixes_are_nearests_in_its_order_without_dominated_ones(
    space: Space, data: st.DataObject
) -> None:
    config = data.draw(_inputs(space))
    result = explain(space, config)
    if result.verdict.valid:
        assert result.fixes == ()
        return
    ranked = nearest(space, config, top=FIX_POOL)
    pool = list(ranked.candidates)
    # The same fixes, in nearest's order: a subsequence of its ranking, the first one first.
    assert result.fixes and result.fixes[0] == pool[0]
    positions = [pool.index(f) for f in result.fixes]
    assert positions == sorted(positions)
    costs = [f.cost for f in result.fixes]
    assert costs == sorted(costs)
    listed = [_changes(f) for f in result.fixes]
    assert len(set(listed)) == len(listed)  # distinct change sets
    # A fix left out before the last one listed does what a listed one does, and more.
    for skipped in pool[: positions[-1]]:
        if skipped not in result.fixes:
            assert any(other < _changes(skipped) for other in listed)
    for fix in result.fixes:  # no listed fix does another's changes and more
        assert not any(other < _changes(fix) for other in listed)
        assert fix.verdict.valid and space.diagram.best(space.encode(dict(fix.configuration))) in (
            Level.SUPPORTED,
            Level.DISCOURAGED,
        )
    assert len(result.fixes) == MAX_FIXES or not result.fixes_more
    # Each listed fix is in the text with its target values and cost.
    for fix in result.fixes:
        assert ", ".join(str(c) for c in fix.changes) in " ".join(result.text.split())


@pytest.mark.parametrize("bad", [{"deployment": "online", "email_system": "msn"}])
def test_the_fixes_are_json_data_with_target_values(space: Space, bad: dict[str, Value]) -> None:
    data = explain(space, bad).to_dict()
    fixes = data["fixes"]
    assert isinstance(fixes, list) and len(fixes) == MAX_FIXES
    assert all(c["to"] for f in fixes for c in f["changes"])
