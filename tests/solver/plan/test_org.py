"""Organisation plans: organisation settings change at one step; every mailbox valid after each."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syncscope.model import ConfigurationError, Level, Model, Value, load_model
from syncscope.model.costs import costs_for
from syncscope.model.synthetic import random_model
from syncscope.model.vocabulary import normalize_config
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.org import OrgPlan, plan_organisation
from syncscope.solver.plan.search import any_valid
from syncscope.solver.queries.brute import brute_verdicts

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
VALID = (Level.SUPPORTED, Level.DISCOURAGED)


def _records(configs: Sequence[Mapping[str, Value]]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(row=i, extra={"id": f"m{i}"}, config=c, status="ok", error=None)
        for i, c in enumerate(configs, 1)
    ]


def _check(
    space: Space,
    org: OrgPlan,
    configs: Sequence[Mapping[str, Value]],
    target: Mapping[str, Value],
    organisation: Sequence[str],
) -> dict[int, dict[str, Value]]:
    """Replay the plan mailbox by mailbox: valid after every step, org settings at one step.

    Returns every planned mailbox's configuration at the end, by row."""
    tables = space.tables
    named = {r for u in org.unplannable for r in u.rows}
    current = {i: dict(c) for i, c in enumerate(configs, 1) if i not in named}
    assert org.planned == len(current)
    assert org.mailboxes == len(configs)
    assert org.unplannable == () or all(u.reason for u in org.unplannable)
    for name in organisation:
        at = {
            i
            for i, s in enumerate(org.steps)
            for a in s.actions
            for c in a.changes
            if c.variable == name
        }
        assert len(at) <= 1, (name, at)  # an organisation setting changes at one step at most
        if at:
            assert org.steps[next(iter(at))].kind == "organisation"
    for step in org.steps:
        seen: set[int] = set()
        for action in step.actions:
            assert len(action.ids) == len(action.rows)
            for row in action.rows:
                assert row in current and row not in seen
                seen.add(row)
                for change in action.changes:
                    assert current[row][change.variable] == change.before
                    current[row][change.variable] = change.after
        for row, config in current.items():  # every mailbox, touched or not, is valid
            node = tuple(tables.value_index[v][config[n]] for v, n in enumerate(tables.names))
            assert tables.verdict(node).valid, (row, config)
    for config in current.values():
        assert all(config[k] == v for k, v in target.items())
        assert all(config[n] == org.organisation[n] for n in organisation)
    return current


def _open_settings_kept(
    space: Space,
    org: OrgPlan,
    configs: Sequence[Mapping[str, Value]],
    target: Mapping[str, Value],
    organisation: Sequence[str],
) -> int:
    """Every setting the target leaves open ends at its start value whenever some valid end
    for that mailbox (the target's values, the organisation's end values) keeps it together
    with every open setting the plan's end keeps: no valid end keeps one more.

    Returns how many (mailbox, setting) pairs the plan's ends keep, so a caller can see the
    check asked something."""
    tables = space.tables
    ends = _check(space, org, configs, target, organisation)
    fixed: list[frozenset[int] | None] = [None] * len(tables.names)
    for name, value in {**target, **{n: org.organisation[n] for n in organisation}}.items():
        v = tables.index_of[name]
        fixed[v] = frozenset([tables.value_index[v][value]])
    asked = 0
    for row, end in ends.items():
        start = configs[row - 1]
        kept = list(fixed)
        for v, name in enumerate(tables.names):
            if fixed[v] is None and end[name] == start[name]:
                kept[v] = frozenset([tables.value_index[v][start[name]]])
        for v, name in enumerate(tables.names):
            if fixed[v] is not None or end[name] == start[name]:
                continue
            one_more = list(kept)
            one_more[v] = frozenset([tables.value_index[v][start[name]]])
            assert not any_valid(space.diagram, one_more), (row, name, start[name], end[name])
        asked += sum(
            1
            for v, name in enumerate(tables.names)
            if fixed[v] is None and end[name] == start[name]
        )
    return asked


def _valid_and_not(model: Model) -> tuple[list[dict[str, Value]], list[dict[str, Value]]]:
    valid, invalid = [], []
    for config, level in brute_verdicts(model):
        (valid if level.valid else invalid).append(dict(config))
    return valid, invalid


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 11), st.data())
def test_synthetic_inventories(seed: int, data: st.DataObject) -> None:
    model = random_model(6, seed=seed)
    space = compiled(model, use_cache=False)
    valid, invalid = _valid_and_not(model)
    if not valid:
        return
    pool = valid + invalid[:20]
    configs = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=12))
    end = data.draw(st.sampled_from(valid))
    chosen = data.draw(st.sets(st.sampled_from(model.names), min_size=1))
    target = {n: end[n] for n in chosen}
    organisation = data.draw(st.lists(st.sampled_from(model.names), unique=True, max_size=2))
    org = plan_organisation(space, _records(configs), target, organisation=organisation)
    _open_settings_kept(space, org, configs, target, organisation)


@pytest.fixture(scope="module")
def seed_configs() -> list[dict[str, Any]]:
    model = load_model()
    rng = random.Random(5)
    space = compiled(model)
    tables = space.tables
    out = []
    while len(out) < 30:
        node = tuple(rng.randrange(s) for s in tables.sizes)
        config = tables.decode(node)
        # Mostly valid mailboxes, some broken ones, all on one deployment and version.
        config.update(deployment="on-premises", version="8.0")
        if space.is_valid(config) or rng.random() < 0.2:
            out.append(config)
    return out


@pytest.mark.parametrize(
    "target",
    [
        {"deployment": "online", "version": "8.2", "email_system": "exchange-online"},
        {"version": "8.2"},
        {"email_system": "gmail"},
    ],
)
def test_seed_inventories(seed_configs: list[dict[str, Any]], target: dict[str, Value]) -> None:
    space = compiled()
    table = costs_for(space.model)
    organisation = [n for n in space.model.names if table.scope(n) == "organisation"]
    org = plan_organisation(space, _records(seed_configs), target)
    _open_settings_kept(space, org, seed_configs, target, organisation)
    assert org.planned > 0
    if "deployment" in target:
        assert [s.kind for s in org.steps].count("organisation") == 1


def test_a_mailbox_that_cannot_follow_is_named_and_the_rest_planned() -> None:
    space = compiled()
    base = {v.name: v.domain[0] for v in space.model.variables}
    good = dict(
        base,
        deployment="online",
        version="8.2",
        email_system="exchange-online",
        incoming_protocol="ews",
        outgoing_protocol="ews",
        authentication="server-to-server",
        autodiscover=True,
        profile_type="exchange-online",
        ports="default",
        same_tenant=True,
        fips_mode=False,
        mfa=False,
        customer_key=False,
        mass_email_campaigns=False,
        custom_email_provider=False,
        mixed_outlook_act_sync=False,
        sync_appointments_contacts_tasks=True,
    )
    assert space.is_valid(good)
    # The organisation ends without Customer Key (where the first, largest group ends), but
    # the second mailbox keeps it: that mailbox is named with the reason, the other planned.
    keyed = dict(good, customer_key=True)
    assert space.is_valid(keyed)
    org = plan_organisation(
        space, _records([good, keyed]), {"ports": "custom"}, keep=["customer_key"]
    )
    assert org.organisation["customer_key"] is False
    assert org.planned == 1 and [u.rows for u in org.unplannable] == [(2,)]
    assert "customer_key is kept" in org.unplannable[0].reason
    assert not org.complete
    _check(space, org, [good, keyed], {"ports": "custom"}, ["customer_key"])


def _seed_organisation(space: Space) -> list[str]:
    table = costs_for(space.model)
    return [n for n in space.model.names if table.scope(n) == "organisation"]


def test_the_example_inventory_keeps_what_the_target_leaves_open() -> None:
    """Exchange 2010 on-premises mailboxes move to Exchange Online at the organisation's
    change, where Outlook on the web stays on, not before it (a hybrid deployment, where it
    would have to go off and nothing would turn it back on)."""
    space = compiled()
    configs = []
    with (EXAMPLES / "inventory.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            del row["mailbox"]
            try:
                configs.append(normalize_config(space.model, row))
            except ConfigurationError:  # the example's misspelt row, skipped by plan --batch
                continue
    assert len(configs) == 8
    target = normalize_config(
        space.model, json.loads((EXAMPLES / "target-online.json").read_text(encoding="utf-8"))
    )
    organisation = _seed_organisation(space)
    org = plan_organisation(space, _records(configs), target)
    assert org.planned == len(configs)
    assert _open_settings_kept(space, org, configs, target, organisation) > 0
    for step in org.steps:
        for action in step.actions:
            assert all(c.variable != "outlook_on_the_web" for c in action.changes), step


@pytest.mark.parametrize("seed", range(6))
def test_random_seed_inventories_keep_what_the_target_leaves_open(seed: int) -> None:
    space = compiled()
    tables = space.tables
    rng = random.Random(1000 + seed)
    organisation = _seed_organisation(space)
    start_org = tables.decode(tuple(rng.randrange(s) for s in tables.sizes))
    configs: list[dict[str, Value]] = []
    while len(configs) < 12:
        config = tables.decode(tuple(rng.randrange(s) for s in tables.sizes))
        config.update({n: start_org[n] for n in organisation})
        config.update(mass_email_campaigns=False, custom_email_provider=False)
        if space.is_valid(config) or rng.random() < 0.3:
            configs.append(config)
    end = tables.decode(rng.choice([p for p, _ in space.diagram.paths({}, VALID)]))
    chosen = rng.sample(list(tables.names), rng.randint(1, 4))
    target = {n: end[n] for n in chosen}
    org = plan_organisation(space, _records(configs), target)
    _open_settings_kept(space, org, configs, target, organisation)
