"""What the unknowns decide, against brute force on the seed.

The brute force takes the valid completions of a partial configuration (each
verdict checked again rule by rule), and for every set of one or two open
settings some worse completion has, decides the best verdict by scanning them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.explain.causes import transversals
from syncscope.solver.explain.diagnoses import explain
from syncscope.solver.queries.brute import brute_verdict
from syncscope.solver.queries.check import Outcome, check
from syncscope.solver.queries.conditions import MAX_SETTINGS, conditions
from syncscope.solver.queries.enumeration import configurations

from syncscope.cli import cli

Setting = tuple[str, Value]


def _valid_completions(space: Space, config: Mapping[str, Value]) -> dict[Level, list[dict]]:
    out: dict[Level, list[dict]] = {level: [] for level in Level.valid_levels()}
    fixed = space.encode(config)
    for full in configurations(space, fixed, Level.valid_levels()):
        level = brute_verdict(space.model, full)  # rule by rule, not from the diagram
        out[level].append(dict(full))
    return out


def _brute(space: Space, config: Mapping[str, Value]) -> tuple[Level, set, set]:
    """The best verdict, the minimal conditions of at most MAX_SETTINGS, and of any size."""
    found = _valid_completions(space, config)
    best = next(level for level in Level.valid_levels() if found[level])
    if best is not Level.SUPPORTED or not found[Level.DISCOURAGED]:
        return best, set(), set()
    open_names = [n for n in space.model.names if n not in config]
    supported = {frozenset((n, full[n]) for n in open_names) for full in found[Level.SUPPORTED]}

    def reaches(cond: frozenset[Setting]) -> bool:
        return any(cond <= full for full in supported)

    small: set[frozenset[Setting]] = set()
    every: set[frozenset[Setting]] = set()
    seen: set[frozenset[Setting]] = set()
    for worse in found[Level.DISCOURAGED]:
        own = [(n, worse[n]) for n in open_names]
        if frozenset(own) in seen:
            continue
        seen.add(frozenset(own))
        for size in range(1, MAX_SETTINGS + 1):
            for cond in map(frozenset, itertools.combinations(own, size)):
                if not reaches(cond) and all(reaches(cond - {s}) for s in cond if size > 1):
                    small.add(cond)
        # Any size: the minimal hitting sets of where this completion differs from each
        # supported one (a condition must differ from every supported completion).
        diffs = {sum(1 << i for i, s in enumerate(own) if s not in full) for full in supported}
        family = [m for m in diffs if not any(o != m and o & m == o for o in diffs)]
        for mask in transversals(family):
            every.add(frozenset(own[i] for i in range(len(own)) if mask >> i & 1))
    minimal = {c for c in every if not any(o < c for o in every)}
    return best, small, minimal


def outcomes(
    space: Space, fixed: Mapping[int, int], verdict: Level | None = None
) -> tuple[Outcome, ...]:
    """The open values whose best verdict is valid but worse than ``fixed``'s own.

    The reference that ``single_outcomes(conditions(...))`` replaced, straight from the
    diagram's value counts.
    """
    diagram = space.diagram
    tables = space.tables
    if verdict is None:
        verdict = diagram.best(fixed)
    if not verdict.valid or verdict is Level.DISCOURAGED:
        return ()
    out = []
    for var, sums in enumerate(diagram.value_counts(fixed)):
        if var in fixed:
            continue
        for index, packed in enumerate(sums):
            counts = diagram.unpack(packed)
            best = next((Level(t) for t, n in enumerate(counts) if n), None)
            if best is not None and best.valid and best > verdict:
                out.append(Outcome(tables.names[var], tables.domains[var][index], best))
    return tuple(out)


def test_the_reference_outcomes_name_the_worse_open_value(space: Space) -> None:
    fixed = space.encode({"email_system": "exchange-online", "mixed_outlook_act_sync": True})
    assert [(o.variable, o.value, o.verdict.id) for o in outcomes(space, fixed)] == [
        ("sync_appointments_contacts_tasks", True, "discouraged")
    ]


def _as_sets(found: tuple) -> set[frozenset[Setting]]:
    return {frozenset(c.settings.items()) for c in found}


CASES: list[dict[str, Value]] = [
    {"deployment": "online", "email_system": "exchange-online"},
    {"email_system": "exchange-online", "mixed_outlook_act_sync": True},
    {"deployment": "on-premises", "email_system": "exchange-2016"},
    {"deployment": "online", "email_system": "gmail"},
    {"email_system": "exchange-online", "sync_appointments_contacts_tasks": True},
    {
        "deployment": "on-premises",
        "email_system": "exchange-2013-sp1",
        "authentication": "impersonation",
    },
    {
        "deployment": "online",
        "email_system": "exchange-online",
        "authentication": "server-to-server",
    },
]


@pytest.mark.parametrize("config", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_conditions_match_brute_force(space: Space, config: dict[str, Value]) -> None:
    best, small, minimal = _brute(space, config)
    found = conditions(space, space.encode(config))
    assert _as_sets(found) == small
    assert all(c.verdict is Level.DISCOURAGED for c in found)
    assert best is space.diagram.best(space.encode(config))
    # On the seed no minimal condition needs more than MAX_SETTINGS settings.
    assert minimal == small


@st.composite
def _partial(draw: st.DrawFn, space: Space) -> dict[str, Value]:
    """Part of a valid configuration, one to nine settings left open."""
    valid = _VALID.setdefault(id(space), list(configurations(space, {}, Level.valid_levels())))
    full = draw(st.sampled_from(valid))
    names = space.model.names
    chosen = draw(st.sets(st.sampled_from(names), min_size=len(names) - 9, max_size=len(names) - 1))
    return {n: full[n] for n in names if n in chosen}


_VALID: dict[int, list[Mapping[str, Value]]] = {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_partial_configurations_match_brute_force(space: Space, data: st.DataObject) -> None:
    config = data.draw(_partial(space))
    fixed = space.encode(config)
    if not space.diagram.best(fixed).valid:
        assert conditions(space, fixed) == ()
        return
    _, small, minimal = _brute(space, config)
    found = conditions(space, fixed)
    assert _as_sets(found) == small and minimal == small
    # One setting each: what outcomes always said.
    singles = {frozenset([(o.variable, o.value)]) for o in outcomes(space, fixed)}
    assert {c for c in small if len(c) == 1} == singles


def test_check_and_explain_say_what_two_unknowns_decide(space: Space) -> None:
    config: dict[str, Value] = {"deployment": "online", "email_system": "exchange-online"}
    result = check(space, config)
    assert result.verdict is Level.SUPPORTED and result.outcomes == ()
    expected = [
        {
            "settings": {"sync_appointments_contacts_tasks": True, "mixed_outlook_act_sync": True},
            "verdict": "discouraged",
        }
    ]
    assert result.to_dict()["conditions"] == expected
    assert result.to_dict()["outcomes"] == []
    told = explain(space, config)
    assert told.to_dict()["conditions"] == expected
    assert told.text == (
        "These settings are supported; discouraged if Appointments, contacts, and tasks"
        " synchronization set to Yes and Mixed Outlook synchronization set to Yes."
    )


def test_the_command_line_says_it_short_and_as_data() -> None:
    args = ["--set", "deployment=online", "--set", "email_system=exchange-online"]
    text = CliRunner().invoke(cli, ["check", *args], env={"COLUMNS": "200"})
    assert text.exit_code == 0
    assert (
        "supported; discouraged if sync_appointments_contacts_tasks=true"
        " and mixed_outlook_act_sync=true"
    ) in " ".join(text.stdout.split())
    data = json.loads(CliRunner().invoke(cli, ["check", "--json", *args]).stdout)
    assert [c["settings"] for c in data["conditions"]] == [
        {"sync_appointments_contacts_tasks": True, "mixed_outlook_act_sync": True}
    ]
