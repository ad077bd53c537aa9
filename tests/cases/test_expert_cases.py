"""Expert cases as data: each input with the constraint its fix or plan must meet.

A case names a query (``nearest``, ``plan`` or ``plan-batch``), its input and
``expect``: constraints on the answer, never its text in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import syncscope

CASES = Path(__file__).resolve().parent / "expert"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
FILES = sorted(CASES.glob("*.json"))


def _config(spec: Mapping[str, Any]) -> dict[str, Any]:
    if "example" not in spec:
        return dict(spec)
    base = json.loads((EXAMPLES / spec["example"]).read_text(encoding="utf-8"))
    return {**base, **spec.get("set", {})}


def _nearest(case: Mapping[str, Any]) -> None:
    expect = case["expect"]
    result = syncscope.nearest(case["input"], keep=case.get("keep", ()), top=case.get("top", 5))
    assert result.reachable and result.candidates
    every = [{c.variable: c.after for c in k.changes} for k in result.candidates]
    if "distinct" in expect:
        assert len({json.dumps(f, sort_keys=True) for f in every}) == len(every)
    if "count" in expect:  # N distinct fixes when that many exist, cheapest first
        assert len(every) == expect["count"], every
        costs = [k.cost for k in result.candidates]
        assert costs == sorted(costs) and costs[0] == result.cost
    for wanted in expect.get("fixes_include", ()):
        assert wanted in every, every
    # What an expert would suggest: the cheapest fixes (past them --top lists dearer ones).
    fixes = [{c.variable: c.after for c in k.changes} for k in result.cheapest]
    if "fixes_change_only" in expect:
        allowed = set(expect["fixes_change_only"])
        assert all(set(f) <= allowed for f in fixes), fixes
    for name, values in expect.get("first_fix", {}).items():
        assert fixes[0].get(name) in values, fixes[0]
    for name, values in expect.get("all_fixes_to", {}).items():
        assert all(f.get(name) in values for f in fixes), fixes
    for name, values in expect.get("never_to", {}).items():
        assert all(f.get(name, object()) not in values for f in fixes), fixes
    if "advice_contains" in expect:
        assert expect["advice_contains"] in result.candidates[0].advice


def _plan(case: Mapping[str, Any]) -> None:
    expect = case["expect"]
    result = syncscope.plan(
        _config(case["start"]), _config(case["target"]), max_step=case.get("max_step")
    )
    assert result.feasible, result.reason
    if "monotone" in expect:
        assert result.monotone is expect["monotone"]
    changed = [c.variable for s in result.steps for c in s.changes]
    if expect.get("each_variable_once"):
        assert len(changed) == len(set(changed)), changed
    for name, values in expect.get("never_value", {}).items():
        assert all(s.configuration[name] not in values for s in result.steps)
    for name, value in expect.get("borrowed_include", {}).items():
        borrowed = {(c.variable, c.after) for s in result.steps for c in s.borrowed}
        assert (name, value) in borrowed, borrowed
    if "detour_contains" in expect:
        assert any(expect["detour_contains"] in (s.detour or "") for s in result.steps)


def _plan_batch(case: Mapping[str, Any]) -> None:
    expect = case["expect"]
    org = syncscope.plan_organisation_inventory(
        EXAMPLES / case["inventory"], _config(case["target"])
    )
    assert org.planned > 0
    kinds = [s.kind for s in org.steps]
    assert kinds.count("organisation") == expect["organisation_steps"]
    for name in expect.get("once_for_everyone", ()):
        touched = [
            i
            for i, s in enumerate(org.steps)
            for a in s.actions
            if any(c.variable == name for c in a.changes)
        ]
        assert len(set(touched)) <= 1, (name, touched)
    for name in expect.get("never_changed", ()):
        changed = [str(c) for s in org.steps for a in s.actions for c in a.changes]
        assert all(not c.startswith(f"{name}:") for c in changed), (name, changed)


RUN = {"nearest": _nearest, "plan": _plan, "plan-batch": _plan_batch}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_expert_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["why"] and case["query"] in RUN
    RUN[case["query"]](case)


def test_every_case_under_why_is_here() -> None:
    """The cases the issue lists under "Why" that concern costs, nearest and plans."""
    required = {
        "fips-msn-on-premises",
        "customer-key-online-8-0",
        "exchange-2013-online-service-pack",
        "exchange-2010-partial-suggests-an-upgrade",
        "other-pop3-partial-suggests-a-listed-one",
        "top-counts-distinct-fixes",
        "plan-gmail-to-exo-max-step-4-says-why",
        "plan-exchange-2010-to-online-no-throwaway",
        "plan-batch-deployment-once",
    }
    assert required <= {p.stem for p in FILES}
