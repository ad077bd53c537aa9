"""One ``Conflict``, with one JSON shape, for domains, list, nearest and explain."""

from __future__ import annotations

import pytest
from syncscope.model import SyncscopeError
from syncscope.solver.diagram.space import Space
from syncscope.solver.explain import conflicts
from syncscope.solver.explain.conflicts import (
    Conflict,
    NoSolution,
    conflict_of,
    has_valid_completion,
)
from syncscope.solver.explain.diagnoses import explain
from syncscope.solver.queries import domains
from syncscope.solver.repair.nearest import nearest

import syncscope

SHAPE = {"settings", "rules", "reasons"}
FINDING = {"rule", "level", "message", "source"}

IMPOSSIBLE = [
    {"deployment": "online", "email_system": "msn"},
    {"email_system": "gmail", "authentication": "server-to-server"},
    {"deployment": "online", "email_system": "exchange-online", "authentication": "impersonation"},
]


def _assert_shape(data: dict[str, object]) -> None:
    assert set(data) == SHAPE
    reasons = data["reasons"]
    assert isinstance(reasons, list)
    assert [r["rule"] for r in reasons] == data["rules"]
    for reason in reasons:
        assert set(reason) >= FINDING
        assert reason["level"] in ("untested", "unsupported")
        assert reason["source"]["quote"]


def test_domains_and_explain_share_the_one_conflict_class() -> None:
    assert domains.Conflict is conflicts.Conflict
    assert issubclass(NoSolution, SyncscopeError)
    assert syncscope.NoSolution is NoSolution


@pytest.mark.parametrize("fixed", IMPOSSIBLE, ids=lambda f: ",".join(f))
def test_every_query_gives_a_conflict_of_one_shape(space: Space, fixed: dict[str, object]) -> None:
    with pytest.raises(NoSolution) as caught:
        syncscope.domains(fixed)
    from_domains = caught.value.conflict
    assert isinstance(from_domains, Conflict)
    assert caught.value.to_dict()["conflict"] == from_domains.to_dict()
    canonical = dict(from_domains.settings)
    explained = explain(space, canonical)
    kept = nearest(space, canonical, keep=list(canonical)).conflict
    assert kept is not None
    found = [from_domains, domains.conflict(space, canonical), kept, *explained.conflicts]
    for conflict in found:
        assert type(conflict) is Conflict
        _assert_shape(conflict.to_dict())
        encoded = space.encode(dict(conflict.settings))
        assert not has_valid_completion(space, encoded)
    assert explained.to_dict()["conflicts"] == [c.to_dict() for c in explained.conflicts]


def test_the_shape_carries_what_the_old_domains_shape_did(space: Space) -> None:
    data = domains.conflict(space, {"deployment": "online", "email_system": "msn"}).to_dict()
    assert data["rules"] == ["unsupported.fips"]
    (reason,) = data["reasons"]  # type: ignore[misc]
    rule = space.model.rule("unsupported.fips")
    assert (reason["rule"], reason["level"], reason["message"]) == (
        rule.id,
        rule.level.id,
        rule.message,
    )
    assert data["settings"] == {"deployment": "online", "email_system": "msn"}
    both = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    assert conflict_of(space, both).to_dict()["rules"] == [
        "important.profile-type",
        "facts.server-to-server-profile",
    ]


def test_no_solution_without_a_conflict_says_so() -> None:
    error = NoSolution("nothing matches")
    assert error.conflict is None
    assert str(error) == "nothing matches"
    assert error.to_dict() == {"error": "nothing matches", "conflict": None, "causes": []}
