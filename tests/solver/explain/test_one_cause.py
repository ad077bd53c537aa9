"""One cause everywhere: check, explain, domains, list and batch name the same rules."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Model, Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.explain.causes import causes
from syncscope.solver.explain.conflicts import NoSolution, choose_rules
from syncscope.solver.explain.diagnoses import explain
from syncscope.solver.explain.propagate import rules_admit
from syncscope.solver.queries.check import check
from syncscope.solver.queries.domains import valid_domains

import syncscope
from syncscope.cli import cli

BLOCKING = (Level.UNTESTED, Level.UNSUPPORTED)


@st.composite
def invalid_inputs(draw: st.DrawFn, model: Model) -> dict[str, Value]:
    """A configuration, full or partial, of a few to every variable (filtered to invalid)."""
    names = model.names
    chosen = draw(st.sets(st.sampled_from(names), min_size=1))
    return {n: draw(st.sampled_from(model.variable(n).domain)) for n in names if n in chosen}


def _named_by_check(space: Space, config: dict[str, Value]) -> set[str]:
    return {f.rule.id for f in check(space, config).findings if f.level in BLOCKING}


def _named_by_domains(space: Space, config: dict[str, Value]) -> set[str]:
    with pytest.raises(NoSolution) as caught:
        valid_domains(space, config)
    assert caught.value.conflict == caught.value.causes[0]
    return {r.id for c in caught.value.causes for r in c.rules}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_check_explain_and_domains_name_the_same_rules(space: Space, data: st.DataObject) -> None:
    config = data.draw(invalid_inputs(space.model))
    fixed = space.encode(config)
    found = causes(space, fixed)
    if found.verdict.valid:
        return
    named = found.rule_ids
    assert named, "an invalid input has a cause"
    result = explain(space, config)
    assert {r.id for c in result.causes for r in c.rules} == named
    assert result.causes == found.conflicts
    assert _named_by_check(space, config) == named
    assert _named_by_domains(space, config) == named
    # Each cause holds: its rules admit no completion of its settings, and are minimal.
    index = {t.rule.id: t.index for t in space.tables.rules}
    for cause in found.conflicts:
        assert set(cause.settings.items()) <= set(config.items())
        rules = [index[r.id] for r in cause.rules]
        encoded = space.encode(dict(cause.settings))
        assert not rules_admit(space.tables, encoded, rules)
        for i in rules:
            assert rules_admit(space.tables, encoded, [j for j in rules if j != i])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_list_names_the_causes_domains_names(space: Space, data: st.DataObject) -> None:
    config = data.draw(invalid_inputs(space.model))
    found = causes(space, space.encode(config))
    if found.verdict.valid:
        return
    args = ["list", "--json"]
    for name, value in config.items():
        args += ["--set", f"{name}={json.dumps(value) if isinstance(value, bool) else value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert {r for c in shown["causes"] for r in c["rules"]} == found.rule_ids
    assert shown["conflict"] == shown["causes"][0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_rows_name_what_check_names(space: Space, data: st.DataObject) -> None:
    config = data.draw(invalid_inputs(space.model))
    line = json.dumps(config).encode() + b"\n"
    (row,) = list(syncscope.check_batch(io.BytesIO(line), input_format="jsonl"))
    assert set(row.rules) == {f.rule.id for f in check(space, config).findings}


def test_online_msn_has_one_answer_everywhere(space: Space) -> None:
    # The case behind the issue: three commands gave three reasons.
    config: dict[str, Value] = {"deployment": "online", "email_system": "msn"}
    expected = {"unsupported.fips", "table.email-system"}
    assert _named_by_check(space, config) == expected
    assert _named_by_domains(space, config) == expected
    assert {r.id for c in explain(space, config).causes for r in c.rules} == expected
    # The most specific statement comes first: it is the conflict domains and list show.
    first = causes(space, space.encode(config)).conflicts[0]
    assert [r.id for r in first.rules] == ["unsupported.fips"]


def test_the_choice_prefers_the_narrowest_rule_and_is_deterministic(space: Space) -> None:
    fixed = space.encode({"deployment": "online", "email_system": "msn"})
    ids = [space.tables.rules[i].rule.id for i in choose_rules(space, fixed)]
    assert ids == ["unsupported.fips"]  # before the table's closed-world rule
    assert choose_rules(space, fixed) == choose_rules(space, dict(reversed(fixed.items())))


def test_a_partial_cause_is_chosen_among_rules_as_bad_as_its_verdict(space: Space) -> None:
    # Gmail with server-to-server: no rule is broken by every completion, so the cause is
    # the minimal set of settings with the rules that together leave nothing.
    config: dict[str, Value] = {"email_system": "gmail", "authentication": "server-to-server"}
    found = causes(space, space.encode(config))
    assert [(dict(c.settings), [r.id for r in c.rules]) for c in found.conflicts] == [
        (config, ["important.profile-type", "facts.server-to-server-profile"])
    ]
    assert all(r.level >= found.verdict for c in found.conflicts for r in c.rules)


def _set_args(config: dict[str, Value]) -> list[str]:
    args: list[str] = []
    for name, value in config.items():
        args += ["--set", f"{name}={json.dumps(value) if isinstance(value, bool) else value}"]
    return args


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_init_names_the_causes_domains_names(space: Space, data: st.DataObject) -> None:
    config = data.draw(invalid_inputs(space.model))
    found = causes(space, space.encode(config))
    if found.verdict.valid:
        return
    result = CliRunner().invoke(cli, ["init", "--json", *_set_args(config)])
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert {r for c in shown["causes"] for r in c["rules"]} == found.rule_ids
    assert [c["rules"] for c in shown["causes"]] == [
        [r.id for r in c.rules] for c in found.conflicts
    ]
    assert shown["conflict"] == shown["causes"][0]
    for cause in found.conflicts:  # the words name every cause too
        assert str(cause) in result.stderr


def test_init_online_msn_names_both_causes(space: Space) -> None:
    config: dict[str, Value] = {"deployment": "online", "email_system": "msn"}
    result = CliRunner().invoke(cli, ["init", *_set_args(config)])
    assert result.exit_code == 1
    assert "unsupported.fips" in result.stderr and "table.email-system" in result.stderr
