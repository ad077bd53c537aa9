"""Counts, valid domains and enumeration, cross-checked against brute force and the baseline."""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import ConfigurationError, Level, Model, Value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.explain.conflicts import NoSolution
from syncscope.solver.explain.propagate import blocking_rules, minimal_rules, propagate, rules_admit
from syncscope.solver.queries.brute import all_configurations, brute_verdict, brute_verdicts
from syncscope.solver.queries.check import check
from syncscope.solver.queries.counting import count
from syncscope.solver.queries.domains import conflict, explain_removal, valid_domains
from syncscope.solver.queries.enumeration import (
    configurations,
    csv_header,
    csv_lines,
    jsonl_lines,
    paths,
)

import syncscope
from syncscope.api.space import table

VALID = (Level.SUPPORTED, Level.DISCOURAGED)
BASELINE = Path(__file__).resolve().parents[3] / "bench" / "baseline.py"
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("syncscope_bench_baseline_q", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _small_models() -> list[Model]:
    return [random_model(n, seed=s, domain=(2, 3)) for n in (3, 5, 7) for s in range(4)]


def _free_product(model: Model, fixed: dict[str, Value]) -> int:
    total = 1
    for var in model.variables:
        if var.name not in fixed:
            total *= len(var.values)
    return total


@st.composite
def seed_partials(draw: st.DrawFn, model: Model, max_free: int = 2000) -> dict[str, Value]:
    """A partial configuration of the seed whose completions brute force can afford."""
    fixed: dict[str, Value] = {}
    for var in model.variables:
        fixed[var.name] = draw(st.sampled_from(var.domain))
    order = draw(st.permutations(list(model.names)))
    for name in order:
        trial = {k: v for k, v in fixed.items() if k != name}
        if _free_product(model, trial) <= max_free and draw(st.booleans()):
            fixed = trial
    return fixed


@st.composite
def any_partials(draw: st.DrawFn, model: Model) -> dict[str, Value]:
    """Any partial configuration: each variable fixed with some probability."""
    out: dict[str, Value] = {}
    for var in model.variables:
        if draw(st.integers(0, 3)) == 0:
            out[var.name] = draw(st.sampled_from(var.domain))
    return out


def _brute_counts(model: Model, fixed: dict[str, Value]) -> Counter[Level]:
    return Counter(level for _, level in brute_verdicts(model, fixed))


# -- counts ----------------------------------------------------------------------


def test_seed_counts_match_the_known_totals(space: Space) -> None:
    counts = count(space, {})
    assert counts.to_dict() == {
        "supported": 19_440,
        "limited": 0,
        "discouraged": 5_072,
        "untested": 768,
        "unsupported": 44_211_520,
        "valid": 24_512,
        "total": 44_236_800,
    }


@SLOW
@given(data=st.data())
def test_seed_counts_match_brute_force(space: Space, data: st.DataObject) -> None:
    fixed = data.draw(seed_partials(space.model))
    counts = count(space, fixed)
    expected = _brute_counts(space.model, fixed)
    for level in Level:
        assert counts.of(level) == expected[level]
    assert counts.total == _free_product(space.model, fixed)


@SLOW
@given(data=st.data())
def test_seed_valid_counts_match_the_baseline(
    space: Space, baseline: ModuleType, data: st.DataObject
) -> None:
    fixed = data.draw(any_partials(space.model))
    assert count(space, fixed).valid == baseline.count_valid(fixed)


@pytest.mark.parametrize("model", _small_models(), ids=lambda m: m.name)
def test_synthetic_counts_match_brute_force_under_every_single_fix(model: Model) -> None:
    space = compiled(model, use_cache=False)
    questions: list[dict[str, Value]] = [{}]
    questions += [{v.name: x} for v in model.variables for x in v.domain]
    first, last = model.variables[0], model.variables[-1]
    questions += [{first.name: a, last.name: b} for a in first.domain for b in last.domain]
    for fixed in questions:
        counts = count(space, fixed)
        expected = _brute_counts(model, fixed)
        assert [counts.of(level) for level in Level] == [expected[level] for level in Level]


def test_api_count_accepts_user_spellings_and_rejects_unknown_names(baseline: ModuleType) -> None:
    assert syncscope.count({"Deployment": "Microsoft Dynamics 365 (online)"}).valid == 6464
    spelled = syncscope.count({"email system": "Yahoo! Mail", "FIPS_mode": "yes"})
    canonical = {"email_system": "yahoo-mail", "fips_mode": True}
    assert spelled == syncscope.count(canonical)
    assert spelled.valid == baseline.count_valid(canonical) > 0
    with pytest.raises(ConfigurationError, match="did you mean"):
        syncscope.count({"deploymnet": "online"})
    with pytest.raises(ConfigurationError, match="unknown value"):
        syncscope.count({"deployment": "hybird-cloud"})
    # "hybrid" is the page's word for on-premises with Exchange Online (changed: an alias now).
    assert syncscope.count({"deployment": "hybrid"}) == syncscope.count(
        {"deployment": "on-premises"}
    )


def test_count_of_an_impossible_assignment_is_zero_valid(space: Space) -> None:
    counts = count(space, {"deployment": "online", "email_system": "exchange-2013"})
    assert counts.valid == 0
    systems = len(space.model.variable("email_system").domain)
    assert counts.total == counts.unsupported == space.model.size // (2 * systems)


# -- valid domains ---------------------------------------------------------------


def _reachable(model: Model, fixed: dict[str, Value]) -> dict[str, set[Value]]:
    seen: dict[str, set[Value]] = {name: set() for name in model.names}
    for config, level in brute_verdicts(model, fixed):
        if level.valid:
            for name, value in config.items():
                seen[name].add(value)
    return seen


def _check_explanations(space: Space, fixed: dict[str, Value]) -> None:
    """Every removed value: its rules rule it out with ``fixed``, and each one is needed."""
    tables = space.tables
    found = valid_domains(space, fixed, memo=False)
    for name, domain in found.domains.items():
        var = tables.index_of[name]
        for removed in domain.removed:
            question = {**space.encode(fixed), var: tables.value_index[var][removed.value]}
            ids = [t.index for t in tables.rules if t.rule in removed.rules]
            assert len(ids) == len(removed.rules)
            assert ids, f"{name}={removed.value} removed without a rule"
            assert all(tables.rules[i].level >= Level.UNTESTED for i in ids)
            assert not rules_admit(tables, question, ids), f"{name}={removed.value}: not sufficient"
            for drop in ids:
                rest = [i for i in ids if i != drop]
                assert rules_admit(tables, question, rest), f"{name}={removed.value}: not minimal"


@SLOW
@given(data=st.data())
def test_seed_domains_match_brute_force(space: Space, data: st.DataObject) -> None:
    fixed = data.draw(seed_partials(space.model, max_free=1500))
    reach = _reachable(space.model, fixed)
    if not any(reach.values()):
        with pytest.raises(NoSolution):
            valid_domains(space, fixed)
        return
    found = valid_domains(space, fixed)
    assert dict(found.fixed) == fixed
    assert set(found.domains) == set(space.model.names) - set(fixed)
    for name, domain in found.domains.items():
        declared = space.model.variable(name).domain
        assert set(domain.allowed) == reach[name]
        assert list(domain.allowed) == [v for v in declared if v in reach[name]]
        assert [r.value for r in domain.removed] == [v for v in declared if v not in reach[name]]
    _check_explanations(space, fixed)


@SLOW
@given(data=st.data())
def test_seed_domains_match_the_baseline(
    space: Space, baseline: ModuleType, data: st.DataObject
) -> None:
    fixed = data.draw(any_partials(space.model))
    expected = baseline.valid_domains(fixed)
    if not any(expected.values()):
        with pytest.raises(NoSolution):
            valid_domains(space, fixed)
        return
    found = valid_domains(space, fixed, explain=False)
    for name, domain in found.domains.items():
        assert list(domain.allowed) == expected[name]


@pytest.mark.parametrize(
    "fixed",
    [
        {},
        {"deployment": "online"},
        {"email_system": "gmail"},
        {"deployment": "online", "email_system": "exchange-online"},
        {"deployment": "on-premises", "fips_mode": True},
        {"authentication": "impersonation", "outlook_manual_tracking": True},
    ],
)
def test_every_allowed_value_completes_and_every_removed_value_is_explained(
    space: Space, fixed: dict[str, Value]
) -> None:
    found = valid_domains(space, fixed)
    for name, domain in found.domains.items():
        for value in domain.allowed:
            assert space.is_valid({**fixed, name: value}), f"{name}={value} has no completion"
        for removed in domain.removed:
            assert not space.is_valid({**fixed, name: removed.value})
    _check_explanations(space, fixed)


@pytest.mark.parametrize("model", _small_models(), ids=lambda m: m.name)
def test_synthetic_domains_match_brute_force(model: Model) -> None:
    space = compiled(model, use_cache=False)
    for var in model.variables[:3]:
        for value in var.domain:
            fixed = {var.name: value}
            reach = _reachable(model, fixed)
            if not any(reach.values()):
                with pytest.raises(NoSolution):
                    valid_domains(space, fixed)
                continue
            found = valid_domains(space, fixed)
            for name, domain in found.domains.items():
                assert set(domain.allowed) == reach[name]
            _check_explanations(space, fixed)


def test_memoised_and_fresh_explanations_agree(space: Space) -> None:
    for fixed in ({}, {"email_system": "gmail"}, {"deployment": "online"}):
        assert valid_domains(space, fixed, memo=False) == valid_domains(space, fixed)
        assert valid_domains(space, fixed) == valid_domains(space, fixed)


def test_removed_values_are_blamed_on_the_narrowest_statement(space: Space) -> None:
    found = valid_domains(space, {})
    removed = {r.value: [x.id for x in r.rules] for r in found.domains["email_system"].removed}
    assert removed == {
        "exchange-2003": ["unsupported.exchange-2003-2007"],
        "exchange-2007": ["unsupported.exchange-2003-2007"],
        "exchange-2010": ["table.email-system"],
        # Later systems of the shared vocabulary: no row of the page's table lists them.
        "exchange-2010-sp3": ["table.email-system"],
        "exchange-2019": ["table.email-system"],
        "other-pop3-smtp": ["table.email-system", "important.other-pop3-smtp"],
    }


def test_domains_json_contract(space: Space) -> None:
    data = syncscope.domains({"Email System": "Gmail"}).to_dict()
    assert set(data) == {"fixed", "domains"}
    assert data["fixed"] == {"email_system": "gmail"}
    act = data["domains"]["sync_appointments_contacts_tasks"]
    assert act == {"allowed": [False], "removed": {"true": ["table.act-sync"]}}
    assert data["domains"]["autodiscover"]["allowed"] == [True, False]
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    ("fixed", "rules", "settings"),
    [
        (
            {"deployment": "online", "email_system": "msn", "fips_mode": False},
            ["unsupported.fips"],
            {"deployment": "online", "email_system": "msn"},
        ),
        (
            {"email_system": "gmail", "authentication": "server-to-server", "mfa": True},
            ["important.profile-type", "facts.server-to-server-profile"],
            {"email_system": "gmail", "authentication": "server-to-server"},
        ),
    ],
)
def test_an_impossible_assignment_reports_a_minimal_conflict(
    space: Space, fixed: dict[str, Value], rules: list[str], settings: dict[str, Value]
) -> None:
    with pytest.raises(NoSolution) as caught:
        syncscope.domains(fixed)
    found = caught.value.conflict
    assert found is not None
    assert found == conflict(space, fixed)
    assert [r.id for r in found.rules] == rules
    assert dict(found.settings) == settings
    for rule in rules:
        assert rule in caught.value.message
    tables = space.tables
    ids = [i for i, t in enumerate(tables.rules) if t.rule.id in rules]
    needed = space.encode(dict(found.settings))
    assert not rules_admit(tables, needed, ids)
    for var in needed:
        assert rules_admit(tables, {k: v for k, v in needed.items() if k != var}, ids)


def test_explain_removal_refuses_a_feasible_question(space: Space) -> None:
    with pytest.raises(ValueError, match="nothing to explain"):
        explain_removal(space, space.encode({"email_system": "gmail"}))


# -- enumeration -----------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_seed(space: Space) -> list[dict[str, Value]]:
    return list(configurations(space, {}, VALID))


def test_every_enumerated_configuration_checks_valid(
    space: Space, valid_seed: list[dict[str, Value]]
) -> None:
    assert len(valid_seed) == count(space, {}).valid == 24_512
    for config in valid_seed:
        assert list(config) == list(space.model.names)
        assert check(space, config).valid
        assert brute_verdict(space.model, config).valid


def test_enumeration_is_lexicographic_and_distinct(
    space: Space, valid_seed: list[dict[str, Value]]
) -> None:
    keys = [tuple(i for i in space.encode(c).values()) for c in valid_seed]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert keys == list(paths(space, {}, VALID))


@pytest.mark.parametrize("verdicts", [(Level.UNTESTED,), (Level.DISCOURAGED,), VALID])
def test_enumeration_of_each_verdict_matches_brute_force_on_a_slice(
    space: Space, verdicts: tuple[Level, ...]
) -> None:
    fixed: dict[str, Value] = {
        "deployment": "on-premises",
        "version": "8.1",
        "authentication": "profile-credentials",
        "autodiscover": True,
        "ports": "custom",
        "same_tenant": True,
        "customer_key": False,
        "outlook_on_the_web": False,
        "mass_email_campaigns": False,
        "custom_email_provider": False,
    }
    ours = list(configurations(space, space.encode(fixed), verdicts))
    expected = [c for c, level in brute_verdicts(space.model, fixed) if level in verdicts]
    assert ours == expected
    assert ours, "the slice should not be empty"


@pytest.mark.parametrize("model", _small_models(), ids=lambda m: m.name)
def test_synthetic_enumeration_matches_brute_force(model: Model) -> None:
    space = compiled(model, use_cache=False)
    everything = list(brute_verdicts(model))
    for chosen in [VALID, (Level.UNSUPPORTED,), tuple(Level)]:
        ours = list(configurations(space, {}, chosen))
        assert ours == [c for c, level in everything if level in chosen]
        assert len(ours) == sum(count(space, {}).of(level) for level in chosen)
    assert len(everything) == len(list(all_configurations(model)))


@SLOW
@given(data=st.data())
def test_enumeration_under_partial_assignments_matches_the_baseline(
    space: Space, baseline: ModuleType, data: st.DataObject
) -> None:
    fixed = data.draw(any_partials(space.model))
    ours = list(syncscope.configurations(fixed))
    names = space.model.names
    theirs = sorted(
        (tuple(s[n] for n in names) for s in baseline.enumerate_valid(fixed)),
        key=lambda t: tuple(space.tables.value_index[i][v] for i, v in enumerate(t)),
    )
    assert [tuple(c.values()) for c in ours] == theirs
    assert len(ours) == count(space, fixed).valid


def test_jsonl_lines_are_the_configurations_as_compact_json(
    space: Space, valid_seed: list[dict[str, Value]]
) -> None:
    text = "".join(jsonl_lines(space, {}, VALID))
    lines = text.splitlines()
    assert text.endswith("\n")
    assert len(lines) == len(valid_seed)
    for line, config in zip(lines, valid_seed, strict=True):
        assert line == json.dumps(config, separators=(",", ":"), ensure_ascii=False)


def test_csv_rows_are_the_configurations(space: Space, valid_seed: list[dict[str, Value]]) -> None:
    text = csv_header(space) + "".join(csv_lines(space, {}, VALID))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(space.model.names)
    assert len(rows) == len(valid_seed) + 1
    for row, config in zip(rows[1:], valid_seed, strict=True):
        expected = [
            ("true" if v else "false") if isinstance(v, bool) else v for v in config.values()
        ]
        assert row == expected


def test_enumeration_needs_no_suffix_cache_to_be_right(
    space: Space, monkeypatch: pytest.MonkeyPatch, valid_seed: list[dict[str, Value]]
) -> None:
    from syncscope.solver.queries import enumeration

    monkeypatch.setattr(enumeration, "SUFFIX_LIMIT", 0)
    monkeypatch.setattr(enumeration, "SUFFIX_BUDGET", 10)
    assert list(configurations(space, {}, VALID)) == valid_seed


def test_api_configurations_validates_input_before_streaming() -> None:
    with pytest.raises(ConfigurationError, match="unknown verdict"):
        syncscope.configurations(verdicts=["valid-ish"])
    with pytest.raises(ConfigurationError, match="did you mean"):
        syncscope.configurations({"emial_system": "gmail"})
    found = syncscope.configurations({"deployment": "online", "email_system": "msn"})
    assert list(found) == []
    untested = list(syncscope.configurations(verdicts=["untested"]))
    assert len(untested) == 768
    assert all(c["email_system"] == "other-pop3-smtp" for c in untested)


def test_every_combination_is_counted_once_across_verdicts() -> None:
    model = random_model(6, seed=11, domain=(2, 3))
    space = compiled(model, use_cache=False)
    seen = list(itertools.chain.from_iterable(configurations(space, {}, (lv,)) for lv in Level))
    assert len(seen) == model.size
    assert {json.dumps(c) for c in seen} == {json.dumps(c) for c in all_configurations(model)}
    assert Counter(brute_verdict(model, c) for c in seen) == Counter(
        {lv: count(space, {}).of(lv) for lv in Level if count(space, {}).of(lv)}
    )


@pytest.mark.parametrize("model", _small_models()[:6], ids=lambda m: m.name)
def test_diagram_paths_carry_each_configuration_verdict(model: Model) -> None:
    space = compiled(model, use_cache=False)
    expected = [(tuple(space.encode(c).values()), level) for c, level in brute_verdicts(model)]
    assert list(space.diagram.paths({}, tuple(Level))) == expected
    first = model.variables[0]
    pinned = space.encode({first.name: first.domain[-1]})
    assert list(space.diagram.paths(pinned, VALID)) == [
        (path, level) for path, level in expected if level.valid and path[0] == pinned[0]
    ]


def test_seed_diagram_paths_match_the_enumeration(
    space: Space, valid_seed: list[dict[str, Value]]
) -> None:
    found = list(space.diagram.paths({}, VALID))
    assert [space.tables.decode(path) for path, _ in found] == valid_seed
    assert Counter(level for _, level in found) == {
        Level.SUPPORTED: 19_440,
        Level.DISCOURAGED: 5_072,
    }


def test_a_single_verdict_string_is_one_verdict() -> None:
    assert list(syncscope.configurations(verdicts="untested")) == list(
        syncscope.configurations(verdicts=["untested"])
    )
    assert table(verdicts="Untested").count == 768
    with pytest.raises(ConfigurationError, match="unknown verdict 'valid-ish'"):
        syncscope.configurations(verdicts="valid-ish")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 9), seed=st.integers(0, 10_000), picks=st.integers(0, 1_000))
def test_explanations_under_two_fixed_values_are_sufficient_and_minimal(
    n: int, seed: int, picks: int
) -> None:
    model = random_model(n, seed=seed, domain=(2, 4))
    space = compiled(model, use_cache=False)
    first = next(iter(configurations(space, {}, VALID)))
    names = list(model.names)
    chosen = [names[picks % n], names[(picks // n) % n]]
    _check_explanations(space, {name: first[name] for name in chosen})


def test_arc_consistency_reasons_rule_their_values_out(space: Space) -> None:
    tables = space.tables
    rules = blocking_rules(tables)
    for fixed in ({"profile_type": "pop3-smtp"}, {"deployment": "online", "mfa": False}):
        encoded = space.encode(fixed)
        found = propagate(tables, encoded, rules, per_value=True)
        assert found.consistent and found.reasons
        for (var, value), why in found.reasons.items():
            assert not rules_admit(tables, {**encoded, var: value}, why)
            assert value not in found.domains[var]


@pytest.mark.parametrize(
    "fixed",
    [
        {"profile_type": "pop3-smtp", "outlook_on_the_web": False},
        {"deployment": "online", "mfa": False, "email_system": "exchange-online"},
        {"email_system": "gmail", "authentication": "profile-credentials"},
    ],
)
def test_arc_consistency_carried_on_from_one_fixed_value_matches_a_fresh_run(
    space: Space, fixed: dict[str, Value]
) -> None:
    tables = space.tables
    rules = blocking_rules(tables)
    encoded = space.encode(fixed)
    fresh = propagate(tables, encoded, rules, per_value=True)
    assert fresh.consistent
    for var, value in encoded.items():
        start = propagate(tables, {var: value}, rules, per_value=True)
        assert start.consistent
        carried = propagate(tables, encoded, rules, start=start, per_value=True)
        assert carried.consistent
        assert carried.domains == fresh.domains
        assert set(carried.reasons) == set(fresh.reasons)
        for (other, gone), why in carried.reasons.items():
            assert not rules_admit(tables, {**encoded, other: gone}, why)


def test_minimal_rules_trusting_a_known_conflict_gives_the_same_minimal_set(space: Space) -> None:
    tables = space.tables
    rules = blocking_rules(tables)
    question = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    checked = minimal_rules(tables, question, rules)
    trusted = minimal_rules(tables, question, rules, infeasible=True)
    assert trusted == checked
    assert not rules_admit(tables, question, trusted)
    assert all(rules_admit(tables, question, set(trusted) - {rule}) for rule in trusted)
