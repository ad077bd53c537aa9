"""Expert cases that also say what ``explain`` must list: their ``explain`` section.

A case of any query may carry ``explain``: constraints on the fixes ``explain``
lists for its ``input`` (``fixes_include``: each is listed; ``never_to``: no
listed fix sets these values; ``first_cost_twice``: the cheapest cost is listed
at least twice, equally cheap alternatives side by side).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import syncscope

CASES = Path(__file__).resolve().parent / "expert"
FILES = [p for p in sorted(CASES.glob("*.json")) if "explain" in json.loads(p.read_text("utf-8"))]


def test_some_case_says_what_explain_lists() -> None:
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_explain_lists_the_expert_fixes(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    expect = case["explain"]
    assert expect["why"]
    result = syncscope.explain(case["input"])
    assert not result.valid and result.fixes
    fixes = [{c.variable: c.after for c in f.changes} for f in result.fixes]
    for wanted in expect.get("fixes_include", ()):
        assert wanted in fixes, fixes
        line = ", ".join(
            str(c) for f in result.fixes for c in f.changes if {c.variable: c.after} == wanted
        )
        assert line in result.text  # with its target value, in the words too
    for name, values in expect.get("never_to", {}).items():
        assert all(f.get(name, object()) not in values for f in fixes), fixes
    if expect.get("first_cost_twice"):
        assert [f.cost for f in result.fixes].count(result.fixes[0].cost) >= 2
