"""Plans across editions: steps valid under their editions, one upgrade, optimal on a slice."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Mapping
from fractions import Fraction

import pytest
from syncscope.model import ConfigurationError, Level, Value, load_model
from syncscope.model.costs import load_costs
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.cross import CrossPlan, plan_across, upgrade_moves
from syncscope.solver.repair.weights import Weights

import syncscope

PAIRS = [
    ("pre-9.0", "online-2022-01"),
    ("pre-9.0", "onprem-9.x-2020-05"),
    ("9.x-2019-06", "online-2022-01"),
    ("onprem-9.x-2020-05", "online-2020-10"),
]

EXO: dict[str, Value] = {
    "deployment": "online",
    "version": "8.2",
    "email_system": "exchange-online",
    "incoming_protocol": "ews",
    "outgoing_protocol": "ews",
    "sync_appointments_contacts_tasks": True,
    "authentication": "server-to-server",
    "autodiscover": True,
    "profile_type": "exchange-online",
    "ports": "default",
    "same_tenant": True,
    "fips_mode": False,
    "mfa": False,
    "customer_key": False,
    "outlook_on_the_web": False,
    "outlook_manual_tracking": False,
    "mass_email_campaigns": False,
    "custom_email_provider": False,
    "mixed_outlook_act_sync": False,
}


def _space(edition: str) -> Space:
    return compiled(load_model(edition=edition))


def _sample(space: Space, rng: random.Random) -> dict[str, Value]:
    """A valid configuration: a random walk down the diagram through live children."""
    d = space.diagram
    mask = d.lane_mask(Level.valid_levels())
    alive = [bool(b & mask) for b in d.below]
    node, out = d.root, []
    for _ in d.levels:
        kids = d.children[node]
        i = rng.choice([i for i, k in enumerate(kids) if alive[k]])
        out.append(i)
        node = kids[i]
    return dict(space.tables.decode(tuple(out)))


def _assert_sound(result: CrossPlan, start: Mapping[str, Value], a: Space, b: Space) -> None:
    """Every step valid under its edition, the steps chain, and the upgrade happens once."""
    assert result.feasible, result.reason
    assert result.upgrade is not None and result.upgrade_step is not None
    ups = [i for i, s in enumerate(result.to_dict()["steps"]) if s["upgrade"]]  # type: ignore[attr-defined]
    assert ups == [result.upgrade_step]
    at = result.upgrade_step
    assert result.editions == (result.edition,) * at + (result.to_edition,) * (
        len(result.steps) - at
    )
    config = dict(start)
    for i, (step, edition) in enumerate(zip(result.steps, result.editions, strict=True)):
        checked = syncscope.check(dict(step.configuration), edition=edition)
        assert checked.verdict.valid and checked.verdict == step.verdict
        if i == at:
            assert set(result.upgrade.dropped) == set(a.model.names) - set(b.model.names)
            for name in result.upgrade.dropped:
                assert result.upgrade.dropped[name] == config.pop(name)
            config.update(result.upgrade.introduced)
            for name in b.model.names:  # a value the target edition does not cover must change
                if name in config and config[name] not in b.model.variable(name).domain:
                    assert any(c.variable == name for c in step.changes)
        for change in step.changes:
            assert config[change.variable] == change.before != change.after
            config[change.variable] = change.after
        assert config == dict(step.configuration)
    assert all(result.end[k] == v for k, v in result.target.items())


@pytest.mark.parametrize(("ea", "eb"), PAIRS, ids=["->".join(p) for p in PAIRS])
def test_random_pairs_are_sound(ea: str, eb: str) -> None:
    a, b = _space(ea), _space(eb)
    rng = random.Random(f"{ea}>{eb}")
    for _ in range(6):
        start, target = _sample(a, rng), _sample(b, rng)
        result = plan_across(a, b, start, target)
        _assert_sound(result, start, a, b)
        assert result.end == target
        partial = {k: target[k] for k in rng.sample(sorted(target), 3)}
        _assert_sound(plan_across(a, b, start, partial), start, a, b)


def test_json_marks_the_upgrade_and_each_edition() -> None:
    result = syncscope.plan(
        dict(
            EXO,
            deployment="on-premises",
            email_system="exchange-2016",
            authentication="impersonation",
            profile_type="exchange-server",
        ),
        {"email_system": "exchange-online"},
        edition="pre-9.0",
        to_edition="online-2022-01",
    )
    data = result.to_dict()
    assert data["edition"] == "pre-9.0" and data["to_edition"] == "online-2022-01"
    steps = data["steps"]
    assert isinstance(steps, list)
    upgrade = steps[data["upgrade_step"]]  # type: ignore[index]
    assert upgrade["upgrade"]["from_edition"] == "pre-9.0"
    assert upgrade["upgrade"]["to_edition"] == "online-2022-01"
    changed = {c["variable"] for c in upgrade["changes"]}
    assert {"version", "deployment"} <= changed  # online-2022-01 covers neither 8.2 nor on-premises
    assert all(s["upgrade"] is None for i, s in enumerate(steps) if i != data["upgrade_step"])


# -- brute force on a slice -------------------------------------------------------------------
FREE = ("version", "email_system", "authentication", "profile_type")
"""The shared settings the slice leaves free; everything else is kept (or avoided, for the
settings only the target edition has, but app_for_outlook)."""
PINNED_NEW = (("packet_inspection", True), ("traffic_interception", True))


def _slice(space: Space, base: Mapping[str, Value], free: tuple[str, ...]) -> list[tuple[int, ...]]:
    """The valid configurations (as value indices) that take ``base`` outside ``free``."""
    tables = space.tables
    names = [n for n in free if n in tables.index_of]
    fixed = {n: base[n] for n in tables.names if n not in names}
    out = []
    for values in itertools.product(*(tables.domains[tables.index_of[n]] for n in names)):
        config = {**fixed, **dict(zip(names, values, strict=True))}
        node = tuple(tables.value_index[v][config[n]] for v, n in enumerate(tables.names))
        if tables.verdict(node).valid:
            out.append(node)
    return out


def _valid(space: Space, node: tuple[int, ...]) -> bool:
    return space.tables.verdict(node).valid


def _minimal(
    space: Space, x: tuple[int, ...], y: tuple[int, ...], optional: list[int], *, empty: bool
) -> bool:
    """No proper part of the changes ``optional`` (applied to ``x``, the rest from ``y``) is
    valid; ``empty``: not even none of them (an upgrade's carried configuration)."""
    for size in range(0 if empty else 1, len(optional)):
        for part in itertools.combinations(optional, size):
            mixed = list(y)
            for v in optional:
                if v not in part:
                    mixed[v] = x[v]
            if _valid(space, tuple(mixed)):
                return False
    return True


def _brute(
    a: Space, b: Space, start: Mapping[str, Value], target: Mapping[str, Value], monotone: bool
) -> tuple[int, Fraction] | None:
    """The best (steps, cost) by Dijkstra over the layered graph, edges found by brute force."""
    ta, tb = a.tables, b.tables
    wa, wb = Weights.of(a), Weights.of(b)
    costs = load_costs()
    base_b = {n: start.get(n, False) for n in tb.names}  # the new settings: False
    layer_a = _slice(a, start, FREE)
    layer_b = _slice(b, base_b, (*FREE, "app_for_outlook"))
    end = tuple(tb.value_index[v][target[n]] for v, n in enumerate(tb.names))
    s0 = tuple(ta.value_index[v][start[n]] for v, n in enumerate(ta.names))
    first = {n: start[n] for n in ta.names}

    def a_value(node: tuple[int, ...], name: str) -> Value:
        return ta.domains[ta.index_of[name]][node[ta.index_of[name]]]

    def moves(space: Space, layer: list[tuple[int, ...]], w: Weights, x: tuple[int, ...]):
        for y in layer:
            diff = [v for v in range(len(x)) if x[v] != y[v]]
            if diff and _minimal(space, x, y, diff, empty=False):
                yield y, sum(w.exact[v][x[v]][y[v]] for v in diff), diff

    def ok_a(x: tuple[int, ...], y: tuple[int, ...], diff: list[int]) -> bool:
        for v in diff:
            name = ta.names[v]
            if x[v] != s0[v]:
                return False
            if (
                name in tb.index_of
                and ta.domains[v][y[v]] != tb.domains[tb.index_of[name]][end[tb.index_of[name]]]
            ):
                return False
        return True

    def ok_b(x: tuple[int, ...], y: tuple[int, ...], diff: list[int]) -> bool:
        for v in diff:
            name = tb.names[v]
            if name not in ta.index_of or tb.domains[v][x[v]] != first[name] or y[v] != end[v]:
                return False
        return True

    def upgrades(x: tuple[int, ...]):
        for y in layer_b:
            carried = list(y)
            optional, cost, ok = [], Fraction(0), True
            for v, name in enumerate(tb.names):
                if name not in ta.index_of:
                    ok = ok and (not monotone or y[v] == end[v])
                    continue
                value = a_value(x, name)
                after = tb.domains[v][y[v]]
                if value not in tb.value_index[v]:
                    entry = costs[name]
                    cost += entry.pair_cost(
                        value, after, Fraction(b.model.variable(name).change_weight)
                    )
                    changed = True
                else:
                    carried[v] = tb.value_index[v][value]
                    if carried[v] == y[v]:
                        continue
                    optional.append(v)
                    cost += wb.exact[v][carried[v]][y[v]]
                    changed = True
                if monotone and changed and (value != first[name] or y[v] != end[v]):
                    ok = False
            if ok and _minimal(b, tuple(carried), y, optional, empty=True):
                yield y, cost

    heap: list[tuple[int, Fraction, int, tuple[int, ...]]] = [(0, Fraction(0), 0, s0)]
    done: set[tuple[int, tuple[int, ...]]] = set()
    while heap:
        steps, cost, layer, x = heapq.heappop(heap)
        if (layer, x) in done:
            continue
        done.add((layer, x))
        if layer == 1 and x == end:
            return steps, cost
        if layer == 0:
            for y, c, diff in moves(a, layer_a, wa, x):
                if not monotone or ok_a(x, y, diff):
                    heapq.heappush(heap, (steps + 1, cost + c, 0, y))
            for y, c in upgrades(x):
                heapq.heappush(heap, (steps + 1, cost + c, 1, y))
        else:
            for y, c, diff in moves(b, layer_b, wb, x):
                if not monotone or ok_b(x, y, diff):
                    heapq.heappush(heap, (steps + 1, cost + c, 1, y))
    return None


def _slice_question(rng: random.Random, a: Space, b: Space):
    starts = [dict(a.tables.decode(n)) for n in _slice(a, EXO, FREE)]
    base_b = {n: EXO.get(n, False) for n in b.tables.names}
    targets = [dict(b.tables.decode(n)) for n in _slice(b, base_b, (*FREE, "app_for_outlook"))]
    return rng.choice(starts), rng.choice(targets)


def test_upgrade_moves_match_brute_force_on_a_slice() -> None:
    a, b = _space("pre-9.0"), _space("online-2022-01")
    tb = b.tables
    rng = random.Random(7)
    base_b = {n: EXO.get(n, False) for n in tb.names}
    layer_b = _slice(
        b, base_b, (*FREE, "app_for_outlook", "packet_inspection", "traffic_interception")
    )
    for start in rng.sample([tuple(n) for n in _slice(a, EXO, FREE)], 6):
        x = start
        ours = {y for y, _ in upgrade_moves(a, b, x)}
        sliced = {
            y
            for y in ours
            if all(
                tb.domains[v][y[v]] == base_b[n]
                for v, n in enumerate(tb.names)
                if n not in (*FREE, "app_for_outlook", "packet_inspection", "traffic_interception")
            )
        }
        brute = set()
        for y in layer_b:
            carried, optional = list(y), []
            for v, name in enumerate(tb.names):
                if name not in a.tables.index_of:
                    continue
                value = a.tables.domains[a.tables.index_of[name]][x[a.tables.index_of[name]]]
                if value in tb.value_index[v]:
                    carried[v] = tb.value_index[v][value]
                    if carried[v] != y[v]:
                        optional.append(v)
            if _minimal(b, tuple(carried), y, optional, empty=True):
                brute.add(y)
        assert sliced == brute
        assert all(_valid(b, y) for y in ours)


@pytest.mark.parametrize("seed", range(6))
def test_optimal_against_brute_force_layered_search(seed: int) -> None:
    a, b = _space("pre-9.0"), _space("online-2022-01")
    rng = random.Random(seed)
    start, target = _slice_question(rng, a, b)
    keep = [n for n in a.model.names if n not in FREE]
    avoid = list(PINNED_NEW)
    result = plan_across(a, b, start, target, keep=keep, avoid=avoid)
    _assert_sound(result, start, a, b)
    best = _brute(a, b, start, target, monotone=True)
    if best is None:
        assert not result.monotone
        best = _brute(a, b, start, target, monotone=False)
    else:
        assert result.monotone
    assert best is not None
    assert (len(result.steps), result.cost) == (best[0], float(best[1]))


# -- bad input --------------------------------------------------------------------------------
def test_unknown_edition_is_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown edition 'online-2023'"):
        syncscope.plan(EXO, {"version": "9.2"}, to_edition="online-2023")


def test_same_edition_twice_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match=r"both pre-9\.0"):
        syncscope.plan(EXO, {"version": "8.2"}, to_edition="pre-9.0")


def test_invalid_start_is_an_error_naming_the_rules() -> None:
    bad = dict(EXO, authentication="impersonation")
    with pytest.raises(
        ConfigurationError, match=r"unsupported under pre-9\.0 .*exo\.impersonation"
    ):
        syncscope.plan(bad, {"version": "9.2"}, to_edition="online-2022-01")


def test_start_outside_the_start_edition_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="start"):
        syncscope.plan(dict(EXO, version="9.1"), {"version": "9.2"}, to_edition="online-2022-01")


def test_target_outside_the_target_edition_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="target"):
        syncscope.plan(EXO, {"version": "8.2"}, to_edition="online-2022-01")


def test_invalid_target_gets_suggestions_under_the_target_edition() -> None:
    a, b = _space("pre-9.0"), _space("online-2022-01")
    target = dict(_sample(b, random.Random(3)))
    target.update(
        email_system="exchange-online",
        authentication="impersonation",
        same_tenant=True,
        incoming_protocol="ews",
        outgoing_protocol="ews",
        profile_type="exchange-online",
    )
    result = plan_across(a, b, EXO, target)
    assert not result.feasible
    assert result.reason is not None and "under online-2022-01" in result.reason
    assert result.suggestions and all(c.verdict.valid for c in result.suggestions)
    assert result.to_dict()["reason"] == result.reason


def test_keeping_a_setting_the_upgrade_must_change_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="version cannot be kept"):
        syncscope.plan(
            EXO, {"email_system": "exchange-online"}, keep="version", to_edition="online-2022-01"
        )


# -- organisation plans -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_organisation_plan_upgrades_once_for_everyone(seed: int) -> None:
    from types import SimpleNamespace

    from syncscope.model.costs import costs_for
    from syncscope.solver.plan.cross import plan_organisation_across

    a, b = _space("pre-9.0"), _space("online-2022-01")
    rng = random.Random(seed)
    base = _sample(a, rng)
    org_a = [n for n in a.model.names if costs_for(a.model).scope(n) == "organisation"]
    rows = []
    for row in range(1, 9):  # mailboxes of one organisation: the organisation settings shared
        config = {**_sample(a, rng), **{n: base[n] for n in org_a}}
        if not a.is_valid(config):
            config = dict(base)
        rows.append(
            SimpleNamespace(
                row=row, extra={"id": f"m{row}"}, config=config, status="ok", error=None
            )
        )
    rows.append(SimpleNamespace(row=9, extra={}, config=None, status="error", error="bad"))
    target = {"email_system": "exchange-online"}
    org = plan_organisation_across(a, b, rows, target)
    plan = org.plan
    assert [s.status for s in plan.skipped] == ["error"]
    assert plan.planned + sum(len(u.rows) for u in plan.unplannable) == 8
    kinds = [s.kind for s in plan.steps]
    assert kinds.count("upgrade") == 1 and kinds.index("upgrade") == org.upgrade_step
    upgrade = plan.steps[kinds.index("upgrade")]
    assert upgrade.mailboxes == plan.planned
    org_b = set(plan.organisation)
    configs = {r.row: dict(r.config) for r in rows if r.config is not None}
    planned = {row for s in plan.steps for act in s.actions for row in act.rows}
    for index, (step, edition) in enumerate(zip(plan.steps, org.editions(), strict=True)):
        for k, action in enumerate(step.actions):
            if step.kind != "upgrade":
                assert not {c.variable for c in action.changes} & (org_b | set(org_a))
            for row in action.rows:
                config = configs[row]
                if step.kind == "upgrade":
                    for name in set(a.model.names) - set(b.model.names):
                        del config[name]
                    config.update(org.introduced[k])
                for change in action.changes:
                    assert config[change.variable] == change.before
                    config[change.variable] = change.after
                assert syncscope.check(config, edition=edition).verdict.valid
                if index >= (org.upgrade_step or 0):
                    assert all(config[n] == v for n, v in plan.organisation.items())
    for row in planned:
        assert configs[row]["email_system"] == "exchange-online"
    assert plan.planned > 0
