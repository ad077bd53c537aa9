"""``nearest`` against brute force: the minimum cost, every minimum, their order, locks, flags."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syncscope.model import ConfigurationError, Level, Model, Value
from syncscope.model.costs import SCOPES, costs_for
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.queries.brute import brute_verdict, brute_verdicts
from syncscope.solver.repair.nearest import NearestResult, nearest
from syncscope.solver.repair.weights import Weights

import syncscope

BASELINE = Path(__file__).resolve().parents[3] / "bench" / "baseline.py"

Row = tuple[tuple[int, ...], Level]
"""A valid configuration as value indices in model order, with its verdict."""


def _load_baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("syncscope_bench_baseline_nearest", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed_valid(model: Model) -> list[Row]:
    """Every valid seed configuration, from the hand-written baseline, verdicts from the rules."""
    solutions = _load_baseline().enumerate_valid()
    assert len(solutions) == 24_512
    index = [{v: i for i, v in enumerate(var.domain)} for var in model.variables]
    rows = []
    for solution in solutions:
        verdict = brute_verdict(model, solution)
        assert verdict.valid
        rows.append((tuple(index[k][solution[n]] for k, n in enumerate(model.names)), verdict))
    return rows


def _valid_rows(model: Model) -> list[Row]:
    index = [{v: i for i, v in enumerate(var.domain)} for var in model.variables]
    return [
        (tuple(index[k][c[n]] for k, n in enumerate(model.names)), level)
        for c, level in brute_verdicts(model)
        if level.valid
    ]


Fix = tuple[tuple[int, int], ...]
"""The changes a fix makes: (variable, value index) for each given variable it changes."""


def _rank(model: Model, fix: Fix, level: Level) -> tuple[object, ...]:
    table = costs_for(model)
    scopes = [SCOPES.index(table.scope(model.names[v])) for v, _ in fix]
    text = tuple(
        (v, model.variables[v].label_of(model.variables[v].domain[i]).casefold()) for v, i in fix
    )
    return (level, scopes.count(0), scopes.count(1), len(fix), text)


def _brute(
    model: Model,
    rows: Sequence[Row],
    config: Mapping[str, Value],
    keep: Sequence[str],
    weights: Mapping[str, object] | None,
    allowed: Sequence[frozenset[int] | None] | None = None,
) -> tuple[Fraction | None, dict[Fix, Level]]:
    """The minimum cost over ``rows`` and every distinct fix at it, with its best verdict.

    Costs are summed as exact fractions of the weights as written (``0.1`` is 1/10),
    so equally cheap fixes tie; None when no row respects ``keep``.
    """
    every = _brute_all(model, rows, config, keep, weights, allowed)
    if not every:
        return None, {}
    best = min(cost for cost, _ in every.values())
    return best, {fix: level for fix, (cost, level) in every.items() if cost == best}


def _brute_all(
    model: Model,
    rows: Sequence[Row],
    config: Mapping[str, Value],
    keep: Sequence[str],
    weights: Mapping[str, object] | None,
    allowed: Sequence[frozenset[int] | None] | None = None,
) -> dict[Fix, tuple[Fraction, Level]]:
    """Every distinct fix over the rows that respect ``keep`` and ``allowed``: its exact cost
    and the best verdict of its completions (which all cost the same)."""
    names = model.names
    exact = Weights.of(model, weights).exact
    given = {
        names.index(n): model.variables[names.index(n)].domain.index(v) for n, v in config.items()
    }
    locked = {names.index(n) for n in keep}
    fixes: dict[Fix, tuple[Fraction, Level]] = {}
    for values, level in rows:
        if any(values[v] != given[v] for v in locked):
            continue
        if allowed is not None and any(
            a is not None and values[v] not in a for v, a in enumerate(allowed)
        ):
            continue
        fix = tuple((v, values[v]) for v, i in sorted(given.items()) if values[v] != i)
        cost = sum((exact[v][given[v]][i] for v, i in fix), Fraction(0))
        seen = fixes.get(fix)
        assert seen is None or seen[0] == cost  # completions of a fix cost the same
        fixes[fix] = (cost, level if seen is None else min(seen[1], level))
    return fixes


def _first_completion(
    space: Space,
    rows: Sequence[Row],
    config: Mapping[str, Value],
    keep: Sequence[str],
    fix: Fix,
    level: Level,
    allowed: Sequence[frozenset[int] | None] | None = None,
) -> dict[str, Value]:
    """The least valid configuration in value order making exactly ``fix``, with ``level``."""
    model = space.model
    names = model.names
    given = {
        names.index(n): model.variables[names.index(n)].domain.index(v) for n, v in config.items()
    }
    locked = {names.index(n) for n in keep}
    matching = [
        values
        for values, verdict in rows
        if verdict == level
        and all(values[v] == given[v] for v in locked)
        and (allowed is None or all(a is None or values[v] in a for v, a in enumerate(allowed)))
        and tuple((v, values[v]) for v, i in sorted(given.items()) if values[v] != i) == fix
    ]
    return space.tables.decode(min(matching))


def _given_values(model: Model, config: Mapping[str, Value], fix: Fix) -> tuple[int, ...]:
    """The given variables' values after ``fix``, in model order (the last tie-break)."""
    names = model.names
    moved = dict(fix)
    given = sorted(
        (names.index(n), model.variables[names.index(n)].domain.index(v)) for n, v in config.items()
    )
    return tuple(moved.get(v, i) for v, i in given)


def _assert_matches_brute(
    space: Space,
    rows: Sequence[Row],
    config: Mapping[str, Value],
    keep: Sequence[str],
    weights: Mapping[str, object] | None,
    top: int,
    allowed: Sequence[frozenset[int] | None] | None = None,
) -> NearestResult:
    """``nearest`` equals the first ``top`` of every valid configuration's distinct fixes
    sorted by (cost, ranking, the given variables' values in value order); an input
    supported as given gets only the fixes at cost 0."""
    model = space.model
    result = nearest(space, config, keep=keep, weights=weights, top=top, allowed=allowed)
    every = _brute_all(model, rows, config, keep, weights, allowed)
    if not every:
        assert result.cost is None and not result.candidates and not result.more
        if keep and allowed is None:  # the kept settings alone clash
            assert result.conflict is not None
        return result
    best = min(cost for cost, _ in every.values())
    assert result.cost == float(best)
    index = {n: i for i, n in enumerate(model.names)}
    got: list[Fix] = []
    for candidate in result.candidates:
        configuration = dict(candidate.configuration)
        assert list(configuration) == list(model.names)
        assert brute_verdict(model, configuration) == candidate.verdict
        assert candidate.verdict.valid
        assert all(configuration[k] == config[k] for k in keep)
        changed = [n for n in config if configuration[n] != config[n]]
        assert [c.variable for c in candidate.changes] == changed
        assert all(c.before == config[c.variable] for c in candidate.changes)
        assert all(c.after == configuration[c.variable] for c in candidate.changes)
        fix = tuple(
            (index[c.variable], model.variable(c.variable).domain.index(c.after))
            for c in candidate.changes
        )
        cost, level = every[fix]
        assert candidate.cost == float(cost)
        assert level == candidate.verdict  # supported whenever some completion is
        # The completion is the first in value order among those with the fix and its verdict.
        assert _first_completion(space, rows, config, keep, fix, level, allowed) == configuration
        got.append(fix)

    def order(f: Fix) -> tuple[object, ...]:
        cost, level = every[f]
        return (cost, _rank(model, f, level), _given_values(model, config, f))

    expected = sorted(every, key=order)
    if expected[0] == () and every[()][1] is Level.SUPPORTED:  # supported as given
        expected = [f for f in expected if every[f][0] == best]
    # Distinct fixes, N of them when that many exist, the best N by cost then the cost model.
    assert len(set(got)) == len(got) == min(top, len(expected))
    assert got == expected[:top]
    costs = [c.cost for c in result.candidates]
    assert costs == sorted(costs) and costs[0] == result.cost
    # ``more``: further fixes at the minimum cost than those listed.
    assert result.more == (len(expected) > top and every[expected[top]][0] == best)
    return result


# -- small synthetic models against brute force ---------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_synthetic_models_match_brute_force(seed: int) -> None:
    model = random_model(6, seed=seed)
    space = compiled(model, use_cache=False)
    rows = _valid_rows(model)
    rng = random.Random(seed)
    for _ in range(15):
        config = {v.name: rng.choice(v.domain) for v in model.variables if rng.random() < 0.8}
        keep = [n for n in config if rng.random() < 0.25]
        weights = {v.name: float(rng.randint(0, 4)) for v in model.variables}
        top = rng.choice((1, 2, 3, 1000))
        _assert_matches_brute(space, rows, config, keep, weights, top)
        allowed = [
            frozenset(i for i in range(len(v.domain)) if rng.random() < 0.7) or None
            if rng.random() < 0.4
            else None
            for v in model.variables
        ]
        _assert_matches_brute(space, rows, config, keep, weights, top, allowed)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 200),
    n_vars=st.integers(2, 7),
    picks=st.lists(st.tuples(st.booleans(), st.integers(0, 3), st.booleans()), min_size=7),
    weights=st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0, 3.0]), min_size=7, max_size=7),
    top=st.integers(1, 6),
)
def test_random_inputs_match_brute_force(
    seed: int,
    n_vars: int,
    picks: list[tuple[bool, int, bool]],
    weights: list[float],
    top: int,
) -> None:
    model = random_model(n_vars, seed=seed)
    space = compiled(model, use_cache=False)
    config: dict[str, Value] = {}
    keep = []
    for var, (present, value, locked) in zip(model.variables, picks, strict=False):
        if present:
            config[var.name] = var.domain[value % len(var.domain)]
            if locked:
                keep.append(var.name)
    w = dict(zip(model.names, weights, strict=False))
    _assert_matches_brute(space, _valid_rows(model), config, keep, w, top)


@pytest.mark.parametrize("seed", range(10))
def test_pair_costs_on_synthetic_models_match_brute_force(seed: int) -> None:
    """Costs that depend on both values (as ``--weights`` pairs) stay exact."""
    model = random_model(6, seed=seed)
    space = compiled(model, use_cache=False)
    rows = _valid_rows(model)
    rng = random.Random(100 + seed)
    for _ in range(10):
        config = {v.name: rng.choice(v.domain) for v in model.variables if rng.random() < 0.8}
        weights: dict[str, object] = {
            v.name: {
                f"{a} -> {b}": rng.choice([0, 0.5, 1, 2, 5])
                for a in v.domain
                for b in v.domain
                if a != b and rng.random() < 0.7
            }
            | {"default": rng.choice([1, 3])}
            for v in model.variables
        }
        _assert_matches_brute(space, rows, config, [], weights, rng.choice((1, 3, 1000)))


# -- the seed against the independent baseline enumeration ----------------------------


def _random_seed_config(model: Model, rng: random.Random, share: float) -> dict[str, Value]:
    return {v.name: rng.choice(v.domain) for v in model.variables if rng.random() < share}


@pytest.mark.parametrize("uniform", [False, True])
def test_seed_matches_brute_force_on_random_invalid_configurations(
    space: Space, seed_valid: list[Row], uniform: bool
) -> None:
    model = space.model
    rng = random.Random(7 + uniform)
    weights: dict[str, object] | None = dict.fromkeys(model.names, 1.0) if uniform else None
    tried = 0
    while tried < 12:
        config = _random_seed_config(model, rng, 1.0)
        if space.is_valid(config):
            continue
        tried += 1
        result = _assert_matches_brute(space, seed_valid, config, [], weights, 5)
        assert result.cost is not None and result.cost > 0


def test_seed_partial_inputs_and_locks_match_brute_force(
    space: Space, seed_valid: list[Row]
) -> None:
    model = space.model
    rng = random.Random(11)
    for _ in range(12):
        config = _random_seed_config(model, rng, 0.6)
        keep = [n for n in config if rng.random() < 0.3]
        weights = {n: float(rng.randint(1, 6)) for n in model.names}
        _assert_matches_brute(space, seed_valid, config, keep, weights, 4)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_seed_hypothesis(space: Space, seed_valid: list[Row], data: st.DataObject) -> None:
    model = space.model
    config: dict[str, Value] = {}
    for var in model.variables:
        if data.draw(st.booleans()):
            config[var.name] = data.draw(st.sampled_from(var.domain))
    keep = data.draw(st.lists(st.sampled_from(sorted(config)), unique=True)) if config else []
    _assert_matches_brute(space, seed_valid, config, keep, None, 3)


# -- the contract's specific promises -------------------------------------------------

EXO_IMPERSONATION = {
    "deployment": "online",
    "email_system": "exchange-online",
    "authentication": "impersonation",
}


def test_valid_full_input_returns_itself_at_cost_zero(space: Space, seed_valid: list[Row]) -> None:
    values, _ = seed_valid[1234]
    config = space.tables.decode(values)
    result = nearest(space, config)
    assert result.cost == 0
    assert len(result.candidates) == 1 and not result.more
    assert dict(result.candidates[0].configuration) == config
    assert result.candidates[0].changes == ()


def test_partial_input_with_many_free_completions(space: Space) -> None:
    # Completions of the settings left open are one fix, not five.
    result = nearest(space, {"email_system": "gmail"}, top=5)
    assert result.cost == 0
    assert len(result.candidates) == 1 and not result.more
    for candidate in result.candidates:
        assert candidate.changes == ()
        assert len(candidate.configuration) == len(space.model.names)
        assert candidate.configuration["email_system"] == "gmail"
        assert candidate.verdict is Level.SUPPORTED


def test_missing_variables_cost_nothing(space: Space) -> None:
    # online + impersonation is fine as long as the email system is not Exchange Online.
    result = nearest(space, {"deployment": "online", "authentication": "impersonation"})
    assert result.cost == 0
    assert all(c.changes == () for c in result.candidates)


def test_ordering_contract(space: Space, seed_valid: list[Row]) -> None:
    # A full configuration that is discouraged apart from its authentication; a free
    # switch of synchronization lets supported candidates tie with discouraged ones.
    model = space.model
    base = next(
        space.tables.decode(values)
        for values, level in seed_valid
        if level is Level.DISCOURAGED
        and space.tables.decode(values)["email_system"] == "exchange-online"
        and space.tables.decode(values)["deployment"] == "online"
    )
    config = {**base, "authentication": "impersonation"}
    weights = {**dict.fromkeys(model.names, 1.0), "sync_appointments_contacts_tasks": 0.0}
    result = _assert_matches_brute(space, seed_valid, config, [], weights, 50)
    assert result.candidates[0].verdict is Level.SUPPORTED
    assert result.candidates[-1].cost > result.cost  # 50 fixes reach past the minimum
    for cost in {c.cost for c in result.candidates}:  # supported first at each cost
        verdicts = [c.verdict for c in result.candidates if c.cost == cost]
        assert verdicts == sorted(verdicts)


def test_weights_steer_the_answer(space: Space) -> None:
    cheap_auth = nearest(space, EXO_IMPERSONATION, weights={"authentication": 1.0})
    assert [c.variable for c in cheap_auth.candidates[0].changes] == ["authentication"]
    dear_auth = nearest(
        space,
        EXO_IMPERSONATION,
        weights={"authentication": 100.0, "deployment": 100.0, "email_system": 1.0},
    )
    assert dear_auth.cost == 1
    cheapest = [k for k in dear_auth.candidates if k.cost == dear_auth.cost]
    assert cheapest and all([c.variable for c in k.changes] == ["email_system"] for k in cheapest)


def test_decimal_weights_tie_exactly(space: Space, seed_valid: list[Row]) -> None:
    # Changing authentication (0.3) costs exactly as much as changing email_system (0.1)
    # and profile_type (0.2); in floats 0.1 + 0.2 > 0.3 and the second fix would be lost.
    config: dict[str, Value] = {
        "deployment": "on-premises",
        "version": "8.0",
        "email_system": "exchange-2016",
        "incoming_protocol": "ews",
        "outgoing_protocol": "ews",
        "sync_appointments_contacts_tasks": True,
        "authentication": "server-to-server",
        "autodiscover": False,
        "profile_type": "exchange-server",
        "ports": "custom",
        "same_tenant": False,
        "fips_mode": True,
        "mfa": False,
        "customer_key": False,
        "outlook_on_the_web": False,
        "outlook_manual_tracking": True,
        "mass_email_campaigns": False,
        "custom_email_provider": False,
        "mixed_outlook_act_sync": True,
    }
    heavy = dict.fromkeys(space.model.names, 1000.0)
    decimal = {**heavy, "authentication": 0.3, "email_system": 0.1, "profile_type": 0.2}
    whole = {**heavy, "authentication": 3.0, "email_system": 1.0, "profile_type": 2.0}
    result = _assert_matches_brute(space, seed_valid, config, [], decimal, top=50)
    assert result.cost == 0.3 and not result.more
    cheapest = [k for k in result.candidates if k.cost == 0.3]
    fixes = {tuple(c.variable for c in k.changes) for k in cheapest}
    assert fixes == {("authentication",), ("email_system", "profile_type")}
    assert all(k.cost > 0.3 for k in result.candidates[len(cheapest) :])
    scaled = nearest(space, config, weights=whole, top=len(cheapest))
    assert [k.configuration for k in cheapest] == [k.configuration for k in scaled.candidates]
    assert result.to_dict()["cost"] == 0.3


def test_keep_locks_variables(space: Space) -> None:
    uniform = dict.fromkeys(space.model.names, 1.0)
    result = nearest(space, EXO_IMPERSONATION, keep=["authentication"], weights=uniform)
    assert result.cost == 1
    for candidate in result.candidates:
        assert candidate.configuration["authentication"] == "impersonation"
        assert "authentication" not in [c.variable for c in candidate.changes]


def test_unreachable_reports_the_conflict(space: Space) -> None:
    result = nearest(space, EXO_IMPERSONATION, keep=list(EXO_IMPERSONATION))
    assert result.cost is None and result.candidates == () and not result.more
    assert not result.reachable
    assert result.conflict is not None
    assert dict(result.conflict.settings) == EXO_IMPERSONATION
    assert [r.id for r in result.conflict.rules] == ["exo.impersonation"]
    data = result.to_dict()
    assert data["cost"] is None and data["candidates"] == []
    assert data["conflict"]["rules"] == ["exo.impersonation"]  # type: ignore[index]


def test_unreachable_conflict_is_minimal(space: Space) -> None:
    config = {**EXO_IMPERSONATION, "ports": "custom", "mfa": False}
    result = nearest(space, config, keep=list(config))
    assert result.conflict is not None
    settings_ = dict(result.conflict.settings)
    assert not space.is_valid(settings_)
    for name in settings_:
        assert space.is_valid({k: v for k, v in settings_.items() if k != name})


def test_bad_arguments(space: Space) -> None:
    with pytest.raises(ConfigurationError, match="cannot keep ports"):
        nearest(space, EXO_IMPERSONATION, keep=["ports"])
    with pytest.raises(ConfigurationError, match="did you mean 'deployment'"):
        nearest(space, EXO_IMPERSONATION, keep=["deploymnt"])
    with pytest.raises(ConfigurationError, match="top must be a positive whole number, got 0"):
        nearest(space, EXO_IMPERSONATION, top=0)
    with pytest.raises(ConfigurationError, match="weight of ports must be a non-negative"):
        nearest(space, EXO_IMPERSONATION, weights={"ports": -1.0})


@pytest.mark.parametrize("seed", range(8))
def test_labels_that_casefold_alike_tie_and_keep_value_order(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two values whose labels casefold alike rank the same; such fixes keep value order.
    from syncscope.model import schema

    monkeypatch.setattr(
        schema.Variable, "label_of", lambda self, value: "Same" if len(str(value)) % 2 else "same"
    )
    model = random_model(5, seed=seed)
    space = compiled(model, use_cache=False)
    rows = _valid_rows(model)
    rng = random.Random(seed)
    for _ in range(12):
        config = {
            v.name: rng.choice(v.domain) for v in model.variables if rng.random() < rng.random()
        }
        weights = {v.name: float(rng.randint(0, 2)) for v in model.variables}
        _assert_matches_brute(space, rows, config, [], weights, rng.choice((1, 3, 1000)))


@pytest.mark.parametrize("share", [1.0, 0.7])
def test_a_walk_cut_at_the_limit_still_gives_cheapest_distinct_fixes(
    space: Space, seed_valid: list[Row], share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One fix (as ``check`` asks) walks the minimum-cost fixes: beyond FIX_LIMIT of them the
    # order is not promised; what is returned is still minimum-cost with its best verdict,
    # and ``more`` says so.
    import syncscope.solver.repair.nearest as module

    monkeypatch.setattr(module, "FIX_LIMIT", 3)
    model = space.model
    rng = random.Random(31 + int(share * 10))
    uniform = dict.fromkeys(model.names, 1.0)
    index = {n: i for i, n in enumerate(model.names)}
    cut = 0
    while cut < 6:
        config = _random_seed_config(model, rng, share)
        best, fixes = _brute(model, seed_valid, config, [], uniform)
        if len(fixes) <= 3:
            continue
        cut += 1
        result = nearest(space, config, weights=uniform, top=1)
        assert result.cost == float(best) and result.more
        got = []
        for candidate in result.candidates:
            fix = tuple(
                (index[c.variable], model.variable(c.variable).domain.index(c.after))
                for c in candidate.changes
            )
            assert fixes[fix] == candidate.verdict
            assert brute_verdict(model, dict(candidate.configuration)) == candidate.verdict
            got.append(fix)
        assert len(got) == 1


def test_to_dict_contract(space: Space) -> None:
    data = nearest(space, EXO_IMPERSONATION, top=2).to_dict()
    assert set(data) == {"cost", "candidates", "more"}
    candidate = data["candidates"][0]  # type: ignore[index]
    assert set(candidate) == {"configuration", "changes", "cost", "verdict", "advice"}
    assert candidate["changes"] == [
        {"variable": "authentication", "from": "impersonation", "to": "server-to-server"}
    ]
    assert candidate["verdict"] == "supported"


def test_public_api_accepts_spellings_and_weight_specs(tmp_path: Path) -> None:
    config = {"Deployment": "cloud", "Email System": "EXO", "authentication": "Impersonation"}
    result = syncscope.nearest(config, keep=["Deployment"], weights="uniform", top=1)
    assert result.cost == 1
    assert result.candidates[0].configuration["deployment"] == "online"
    path = tmp_path / "w.json"
    path.write_text('{"authentication": 40, "email_system": 1}', encoding="utf-8")
    by_file = syncscope.nearest(config, weights=str(path), top=1)
    assert [c.variable for c in by_file.candidates[0].changes] == ["email_system"]


def test_check_fills_fix_for_invalid_input() -> None:
    result = syncscope.check(EXO_IMPERSONATION)
    assert not result.valid
    assert result.fix is not None
    assert [c.to_dict() for c in result.fix] == [
        {"variable": "authentication", "from": "impersonation", "to": "server-to-server"}
    ]
    assert result.to_dict()["fix"] == [c.to_dict() for c in result.fix]
    fixed = {**EXO_IMPERSONATION, **{c.variable: c.after for c in result.fix}}
    assert syncscope.check(fixed).valid


def test_check_leaves_fix_empty_for_valid_input() -> None:
    result = syncscope.check({"deployment": "online", "email_system": "gmail"})
    assert result.valid and result.fix is None
    assert "fix" not in result.to_dict()


def test_public_api_reads_a_string_keep_as_one_variable() -> None:
    config = {"deployment": "online", "email_system": "gmail", "authentication": "impersonation"}
    one = syncscope.nearest(config, keep="authentication", top=3)
    listed = syncscope.nearest(config, keep=["authentication"], top=3)
    assert one == listed
    assert all(c.configuration["authentication"] == "impersonation" for c in one.candidates)
    with pytest.raises(ConfigurationError, match="did you mean 'deployment'"):
        syncscope.nearest(config, keep="deploymnt")


@pytest.mark.parametrize("top", [0, -1, "3", 2.0, True, None])
def test_public_api_rejects_a_top_that_is_not_a_positive_whole_number(top: object) -> None:
    with pytest.raises(ConfigurationError, match="top must be a positive whole number"):
        syncscope.nearest({"email_system": "gmail"}, top=top)  # type: ignore[arg-type]


def test_top_reaches_past_the_minimum_cost(space: Space, seed_valid: list[Row]) -> None:
    # On-premises MSN with FIPS: two fixes cost the minimum; --top 5 lists three dearer ones.
    config: dict[str, Value] = {
        "deployment": "on-premises",
        "email_system": "msn",
        "fips_mode": True,
    }
    result = _assert_matches_brute(space, seed_valid, config, [], None, 5)
    assert len(result.candidates) == 5 and not result.more
    costs = [c.cost for c in result.candidates]
    assert costs[0] == result.cost == 20 and costs[2] > 20
    assert len({c.changes for c in result.candidates}) == 5
    assert nearest(space, config, top=1).candidates == result.candidates[:1]
