"""``check`` on the seed: the table row by row, every rule broken and respected, and properties
of full and partial configurations against brute force."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Model, Rule, Value, format_value, load_model
from syncscope.model.synthetic import random_model
from syncscope.model.vocabulary import BOOL_ALIASES
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.explain.causes import causes
from syncscope.solver.explain.propagate import rules_admit
from syncscope.solver.queries.brute import all_configurations, brute_verdict
from syncscope.solver.queries.check import CheckResult, check

import syncscope

SUPPORTED, LIMITED, DISCOURAGED, UNTESTED, UNSUPPORTED = Level

# -- the table, row by row (written from the page, not from the rule file) ----------------------

EXCHANGE = ("ews", "ews")
POP3_SMTP = ("pop3", "smtp")

# (deployment, email systems on the row, (incoming, outgoing), appointments/contacts/tasks sync)
ROWS = [
    # "Exchange Server 2013" on-premises covers builds with and without SP1 (interpretations.md).
    (
        "on-premises",
        ("exchange-online", "exchange-2013", "exchange-2013-sp1", "exchange-2016"),
        EXCHANGE,
        True,
    ),
    (
        "on-premises",
        ("gmail", "yahoo-mail", "msn", "outlook-com", "windows-live-mail"),
        POP3_SMTP,
        False,
    ),
    ("online", ("exchange-online", "exchange-2013-sp1", "exchange-2016"), EXCHANGE, True),
    ("online", ("gmail", "yahoo-mail"), POP3_SMTP, False),
]
CELLS = [
    (deployment, system, protocols, act)
    for deployment, systems, protocols, act in ROWS
    for system in systems
]
CELL_IDS = [f"{d}-{s}" for d, s, _, _ in CELLS]
OTHER = {
    "incoming_protocol": {"ews": "pop3", "pop3": "ews"},
    "outgoing_protocol": {"ews": "smtp", "smtp": "ews"},
}


def _ids(result: CheckResult) -> set[str]:
    return {f.rule.id for f in result.findings}


@pytest.mark.parametrize(("deployment", "system", "protocols", "act"), CELLS, ids=CELL_IDS)
def test_table_cell_is_supported_with_its_protocols(
    space: Space, deployment: str, system: str, protocols: tuple[str, str], act: bool
) -> None:
    base = {"deployment": deployment, "email_system": system}
    result = check(space, base)
    assert result.verdict is SUPPORTED
    assert result.required["incoming_protocol"] == protocols[0]
    assert result.required["outgoing_protocol"] == protocols[1]
    pinned = {**base, "incoming_protocol": protocols[0], "outgoing_protocol": protocols[1]}
    assert check(space, pinned).verdict is SUPPORTED
    assert check(space, pinned).findings == ()


WRONG = {
    "incoming": ("incoming_protocol",),
    "outgoing": ("outgoing_protocol",),
    "both": ("incoming_protocol", "outgoing_protocol"),
}


@pytest.mark.parametrize("wrong", list(WRONG))
@pytest.mark.parametrize(("deployment", "system", "protocols", "act"), CELLS, ids=CELL_IDS)
def test_each_wrong_protocol_is_unsupported(
    space: Space, deployment: str, system: str, protocols: tuple[str, str], act: bool, wrong: str
) -> None:
    config: dict[str, Value] = {
        "deployment": deployment,
        "email_system": system,
        "incoming_protocol": protocols[0],
        "outgoing_protocol": protocols[1],
    }
    for name in WRONG[wrong]:
        config[name] = OTHER[name][str(config[name])]
    column = "table.exchange-ews" if protocols == EXCHANGE else "table.pop3-smtp"
    expected = {column} | ({"unsupported.protocol-mix"} if wrong != "both" else set())
    partial = check(space, config)
    assert partial.verdict is UNSUPPORTED
    assert _ids(partial) == expected
    # The same mistake in a full configuration that was supported before it.
    good = {**config, "incoming_protocol": protocols[0], "outgoing_protocol": protocols[1]}
    path, _ = next(space.diagram.paths(space.encode(good), [SUPPORTED]))
    full = {**space.tables.decode(path), **config}
    result = check(space, full)
    assert result.verdict is UNSUPPORTED
    assert expected <= _ids(result)


@pytest.mark.parametrize(("deployment", "system", "protocols", "act"), CELLS, ids=CELL_IDS)
def test_appointments_contacts_tasks_per_row(
    space: Space, deployment: str, system: str, protocols: tuple[str, str], act: bool
) -> None:
    base = {"deployment": deployment, "email_system": system}
    on = check(space, {**base, "sync_appointments_contacts_tasks": True})
    off = check(space, {**base, "sync_appointments_contacts_tasks": False})
    assert off.verdict is SUPPORTED
    if act:
        assert on.verdict is SUPPORTED
    else:
        assert on.verdict is UNSUPPORTED
        assert _ids(on) == {"table.act-sync"}
        assert check(space, base).required["sync_appointments_contacts_tasks"] is False


def _closed_world() -> list[tuple[str, str, Level]]:
    listed = {(d, s) for d, s, _, _ in CELLS}
    out = []
    for deployment in ("online", "on-premises"):
        for system in load_model().variable("email_system").domain:
            if (deployment, system) in listed:
                level = SUPPORTED
            elif (deployment, system) == ("on-premises", "other-pop3-smtp"):
                level = UNTESTED
            else:
                level = UNSUPPORTED
            out.append((deployment, str(system), level))
    return out


@pytest.mark.parametrize(("deployment", "system", "level"), _closed_world())
def test_closed_world(space: Space, deployment: str, system: str, level: Level) -> None:
    result = check(space, {"deployment": deployment, "email_system": system})
    assert result.verdict is level
    assert bool(result.findings) == (level is not SUPPORTED)


# -- every rule, broken and respected -----------------------------------------------------------


def _without(model: Model, rule: Rule) -> Space:
    rest = tuple(r for r in model.rules if r is not rule)
    others = dataclasses.replace(model, rules=rest, digest=f"{model.digest}:without:{rule.id}")
    return compiled(others, use_cache=False)


def _broken_count(model: Model, config: dict[str, Value]) -> int:
    return sum(r.broken(config) for r in model.rules)


def _breaking(space: Space, rule: Rule) -> tuple[dict[str, Value], bool]:
    """A full configuration that breaks ``rule`` and as few other rules as the search finds.

    The diagram of the other rules gives, for each scope tuple that breaks the rule, the best
    verdict the rest can reach; a local search then drops other broken rules one change at a
    time. Returns the configuration and whether it breaks ``rule`` alone.
    """
    model = space.model
    table = next(t for t in space.tables.rules if t.rule is rule)
    others = _without(model, rule)
    best: tuple[Level, tuple[int, ...]] | None = None
    for combo in sorted(table.broken):
        fixed = dict(zip(table.scope, combo, strict=True))
        level = others.diagram.best(fixed)
        if best is None or level < best[0]:
            best = (level, next(others.diagram.paths(fixed, [level]))[0])
    assert best is not None, f"{rule.id} can never be broken"
    config = space.tables.decode(best[1])
    alone = best[0] is SUPPORTED
    improved = not alone
    while improved:
        improved = False
        for var in model.variables:
            if var.name in rule.variables:
                continue
            for value in var.domain:
                trial = {**config, var.name: value}
                if _broken_count(model, trial) < _broken_count(model, config):
                    config, improved = trial, True
    return config, alone


def _respecting(space: Space, rule: Rule, config: dict[str, Value]) -> dict[str, Value]:
    """The closest change of ``config`` within the rule's variables that respects the rule.

    Among the fewest changes, prefer the best verdict, then the rule still applying.
    """
    model = space.model
    scope = [model.variable(n) for n in rule.variables]
    for k in range(1, len(scope) + 1):
        options = []
        for chosen in itertools.combinations(scope, k):
            choices = [[v for v in var.domain if v != config[var.name]] for var in chosen]
            for values in itertools.product(*choices):
                trial = {**config, **{v.name: x for v, x in zip(chosen, values, strict=True)}}
                if not rule.broken(trial):
                    options.append((brute_verdict(model, trial), not rule.applies(trial), trial))
        if options:
            return min(options, key=lambda o: (o[0], o[1]))[2]
    raise AssertionError(f"{rule.id}: no change of its own variables respects it")


RULE_IDS = [r.id for r in load_model().rules]


def test_rule_cases_cover_every_rule(model: Model) -> None:
    assert [r.id for r in model.rules] == RULE_IDS
    assert len(set(RULE_IDS)) == len(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_broken_and_respected(space: Space, rule_id: str) -> None:
    model = space.model
    rule = model.rule(rule_id)
    negative, alone = _breaking(space, rule)
    result = check(space, negative)
    assert result.complete
    assert rule_id in _ids(result)
    assert _ids(result) == {r.id for r in model.rules if r.broken(negative)}
    assert result.verdict is brute_verdict(model, negative)
    if alone:
        assert _ids(result) == {rule_id}
        assert result.verdict is rule.level
    else:
        # The diagram of the other rules shows why: every way of breaking this rule breaks
        # another one too.
        table = next(t for t in space.tables.rules if t.rule is rule)
        others = _without(model, rule)
        for combo in table.broken:
            assert others.diagram.count(dict(zip(table.scope, combo, strict=True)))[0] == 0
        assert len(result.findings) >= 2
    positive = _respecting(space, rule, negative)
    changed = [n for n in model.names if positive[n] != negative[n]]
    assert changed and set(changed) <= set(rule.variables)
    assert rule_id not in _ids(check(space, positive))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_guard_holds_in_some_valid_configuration(space: Space, rule_id: str) -> None:
    """No rule is vacuous: where it applies, a valid configuration respects it."""
    rule = space.model.rule(rule_id)
    alternatives = rule.when or ({},)
    found = False
    for alt in alternatives:
        names = list(alt)
        for values in itertools.product(*(sorted(alt[n], key=str) for n in names)):
            fixed = dict(zip(names, values, strict=True))
            if check(space, fixed).valid:
                found = True
    assert found


# -- named examples -----------------------------------------------------------------------------


def test_gmail_forces_its_column(space: Space) -> None:
    result = check(space, {"email_system": "gmail"})
    assert result.verdict is SUPPORTED
    assert not result.complete
    assert dict(result.required) == {
        "incoming_protocol": "pop3",
        "outgoing_protocol": "smtp",
        "sync_appointments_contacts_tasks": False,
        "profile_type": "pop3-smtp",
        "customer_key": False,
        "outlook_manual_tracking": False,
        "mass_email_campaigns": False,
        "custom_email_provider": False,
    }


def test_chain_of_rules_explains_a_partial_verdict(space: Space) -> None:
    result = check(space, {"email_system": "gmail", "authentication": "server-to-server"})
    assert result.verdict is UNSUPPORTED
    assert [f.rule.id for f in result.findings] == [
        "important.profile-type",
        "facts.server-to-server-profile",
    ]
    assert result.required == {}


def test_discouraged_is_valid_and_explained(space: Space) -> None:
    result = check(
        space, {"sync_appointments_contacts_tasks": True, "mixed_outlook_act_sync": True}
    )
    assert result.verdict is DISCOURAGED
    assert result.valid
    assert _ids(result) == {"note.mixed-act-sync"}
    assert result.advice == ()


def test_untested_and_unsupported_carry_the_email_router_advice(space: Space) -> None:
    untested = check(space, {"deployment": "on-premises", "email_system": "other-pop3-smtp"})
    assert untested.verdict is UNTESTED
    assert [a.id for a in untested.advice] == ["email-router"]
    unsupported = check(space, {"email_system": "exchange-2010"})
    assert unsupported.verdict is UNSUPPORTED
    assert [a.id for a in unsupported.advice] == ["email-router"]
    assert check(space, {}).advice == ()


def test_the_email_router_advice_fits_the_configuration(space: Space) -> None:
    # Worded for the deployment and version (facts.md), and only where it could help.
    def ids(config: dict[str, Value]) -> list[str]:
        return [a.id for a in check(space, config).advice]

    assert ids({"deployment": "online", "email_system": "msn"}) == ["email-router-online"]
    online = check(space, {"deployment": "online", "email_system": "msn"}).advice[0]
    assert "stopped working with Dynamics 365 (online) on 12 April 2021" in online.message
    on_82 = {"deployment": "on-premises", "version": "8.2", "email_system": "exchange-2010"}
    assert ids(on_82) == ["email-router-deprecated"]
    assert "deprecated" in check(space, on_82).advice[0].message
    # A product fact about the profile is fixed in the profile: no Email Router.
    profile = {"authentication": "impersonation", "profile_type": "pop3-smtp"}
    assert [f.rule.id for f in check(space, profile).findings] == ["facts.impersonation-profile"]
    assert ids(profile) == []


def test_an_untested_other_server_with_fips_says_fips_needs_a_compliant_server(
    space: Space,
) -> None:
    config: dict[str, Value] = {
        "deployment": "on-premises",
        "email_system": "other-pop3-smtp",
        "fips_mode": True,
    }
    result = check(space, config)
    assert result.verdict is UNTESTED
    assert [a.id for a in result.advice] == ["email-router", "fips-other-server"]
    fips = result.advice[1]
    assert "FIPS 140-2 compliant" in fips.message
    assert "fips-other-server" not in [
        a.id for a in check(space, {**config, "fips_mode": False}).advice
    ]


def test_empty_configuration_forces_only_the_always_unsupported_options(space: Space) -> None:
    result = check(space, {})
    assert result.verdict is SUPPORTED
    assert result.findings == ()
    assert dict(result.required) == {
        "mass_email_campaigns": False,
        "custom_email_provider": False,
    }


def test_to_dict_follows_the_contract(space: Space) -> None:
    result = check(
        space, {"deployment": "online", "email_system": "msn", "mfa": True, "fips_mode": False}
    )
    data = result.to_dict()
    assert {"verdict", "configuration", "findings"} <= set(data)
    assert data["verdict"] == "unsupported"
    assert data["configuration"] == {
        "deployment": "online",
        "email_system": "msn",
        "fips_mode": False,
        "mfa": True,
    }
    findings = data["findings"]
    assert isinstance(findings, list) and findings
    for finding in findings:
        assert set(finding) == {"rule", "level", "message", "source"}
        assert set(finding["source"]) == {"document", "section", "quote", "quotes"}
        assert finding["source"]["quotes"][0] == finding["source"]["quote"]
    text = json.dumps(data)
    assert '"mfa": true' in text and '"fips_mode": false' in text


# -- properties -------------------------------------------------------------------------------


@st.composite
def full_configs(draw: st.DrawFn, model: Model) -> dict[str, Value]:
    return {v.name: draw(st.sampled_from(v.domain)) for v in model.variables}


@st.composite
def partial_configs(
    draw: st.DrawFn, model: Model, max_missing: int | None = None
) -> dict[str, Value]:
    config = draw(full_configs(model))
    missing = draw(
        st.lists(
            st.sampled_from(model.names), unique=True, max_size=max_missing or len(model.names)
        )
    )
    return {n: v for n, v in config.items() if n not in missing}


def _completions(model: Model, fixed: dict[str, Value]) -> Iterator[tuple[dict[str, Value], Level]]:
    for config in all_configurations(model, fixed):
        yield config, brute_verdict(model, config)


def _size(model: Model, fixed: dict[str, Value]) -> int:
    total = 1
    for var in model.variables:
        if var.name not in fixed:
            total *= len(var.domain)
    return total


def _check_explains(space: Space, fixed: dict[str, Value], result: CheckResult) -> None:
    """Findings are never empty for a non-supported verdict, and no completion respects them."""
    tables = space.tables
    if result.verdict is SUPPORTED:
        assert all(f.level is SUPPORTED for f in result.findings)
        return
    assert result.findings
    encoded = tables.encode(fixed)
    index = {t.rule.id: t.index for t in tables.rules}
    high = [index[f.rule.id] for f in result.findings if f.level >= result.verdict]
    assert high, "some finding reaches the verdict"
    assert not rules_admit(tables, encoded, high)
    surely = {t.index for t in tables.rules if t.surely_broken(encoded, tables.sizes)}
    found = {index[f.rule.id] for f in result.findings}
    assert surely <= found
    if any(tables.rules[i].level >= result.verdict for i in surely):
        # A rule every completion breaks explains the verdict alone: nothing is added.
        assert found == surely
    else:
        # Otherwise the additions are the rules of the causes every query names (changed:
        # they were one minimal conflict over all the settings): each cause at the
        # verdict's level or worse, and minimal on its own settings.
        assert all(tables.rules[i].level >= result.verdict for i in found - surely)
        named = causes(space, encoded, result.verdict).conflicts
        assert found - surely == {index[r.id] for c in named for r in c.rules} - surely
        for cause in named:
            rules = [index[r.id] for r in cause.rules]
            settings_ = tables.encode(cause.settings)
            assert not rules_admit(tables, settings_, rules)
            for i in rules:
                assert rules_admit(tables, settings_, [j for j in rules if j != i]), "not minimal"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_verdict_other_than_supported_always_has_findings(
    space: Space, data: st.DataObject
) -> None:
    fixed = data.draw(partial_configs(space.model))
    result = check(space, fixed)
    assert (result.verdict is SUPPORTED) == (result.findings == ())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_full_configuration_verdict_is_its_worst_finding(space: Space, data: st.DataObject) -> None:
    model = space.model
    config = data.draw(full_configs(model))
    result = check(space, config)
    assert result.complete
    assert result.verdict is max((f.level for f in result.findings), default=SUPPORTED)
    assert result.verdict is brute_verdict(model, config)
    assert _ids(result) == {r.id for r in model.rules if r.broken(config)}
    assert [f.rule.id for f in result.findings] == [
        r.id for r in model.rules if r.id in _ids(result)
    ]
    assert result.required == {}
    _check_explains(space, config, result)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_partial_verdict_is_the_best_completion(space: Space, data: st.DataObject) -> None:
    model = space.model
    fixed = data.draw(partial_configs(model))
    result = check(space, fixed)
    counts = space.diagram.count(space.encode(fixed))
    assert result.verdict is next(lv for lv in Level if counts[lv])
    assert result.complete == (len(fixed) == len(model.names))
    assert dict(result.configuration) == fixed
    _check_explains(space, fixed, result)
    # required: every valid completion shares the value; any other value has none.
    valid = space.diagram.lane_mask([SUPPORTED, DISCOURAGED])
    if not result.valid:
        assert result.required == {}
    for var in model.variables:
        if var.name in fixed or not result.valid:
            continue
        with_valid = [
            v
            for v in var.domain
            if space.diagram.count_packed(space.encode({**fixed, var.name: v})) & valid
        ]
        if len(with_valid) == 1:
            assert result.required[var.name] == with_valid[0]
        else:
            assert var.name not in result.required


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_partial_with_few_missing_agrees_with_enumeration(
    space: Space, data: st.DataObject
) -> None:
    model = space.model
    fixed = data.draw(partial_configs(model, max_missing=6))
    widest = sorted((len(v.domain) for v in model.variables), reverse=True)[:6]
    assert _size(model, fixed) <= math.prod(widest)
    completions = list(_completions(model, fixed))
    result = check(space, fixed)
    assert result.verdict is min(level for _, level in completions)
    valid = [c for c, level in completions if level.valid]
    for name, value in result.required.items():
        assert all(c[name] == value for c in valid)
    for name in model.names:
        if name not in fixed and valid and name not in result.required:
            assert len({c[name] for c in valid}) > 1
    # A finding below the verdict is broken by every completion.
    for finding in result.findings:
        if finding.level < result.verdict:
            assert all(finding.rule.broken(c) for c, _ in completions)


@st.composite
def spelled(draw: st.DrawFn, model: Model) -> dict[str, object]:
    """A partial configuration in user spellings: labels, aliases, any case."""
    out: dict[str, object] = {}
    for var in model.variables:
        if not draw(st.booleans()):
            continue
        spec = draw(st.sampled_from(var.values))
        names: list[object] = [format_value(spec.id), spec.label, *spec.aliases]
        if var.is_bool:
            names += [spec.id, *BOOL_ALIASES[bool(spec.id)]]
        name = draw(st.sampled_from(names))
        if isinstance(name, str):
            name = draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
        key = draw(st.sampled_from([var.name, var.name.replace("_", "-"), var.name.upper()]))
        out[key] = name
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_api_accepts_any_spelling(space: Space, data: st.DataObject) -> None:
    user = data.draw(spelled(space.model))
    result = syncscope.check(user)
    canonical = check(space, dict(result.configuration))
    assert len(result.configuration) == len(user)
    assert result.verdict is canonical.verdict
    assert result.findings == canonical.findings


# -- small synthetic models against brute force ---------------------------------------------------

SYNTHETIC = [
    random_model(n, seed=s, n_rules=n + s % 4) for n, s in [(4, 1), (5, 7), (6, 3), (7, 9)]
]


@pytest.mark.parametrize("toy", SYNTHETIC, ids=[m.name for m in SYNTHETIC])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_synthetic_check_agrees_with_brute_force(toy: Model, data: st.DataObject) -> None:
    space = compiled(toy, use_cache=False)
    fixed = data.draw(partial_configs(toy))
    completions = list(_completions(toy, fixed))
    result = check(space, fixed)
    assert result.verdict is min(level for _, level in completions)
    if result.complete:
        assert _ids(result) == {r.id for r in toy.rules if r.broken(fixed)}
    valid = [c for c, level in completions if level.valid]
    for name, value in result.required.items():
        assert all(c[name] == value for c in valid)
    _check_explains(space, fixed, result)
