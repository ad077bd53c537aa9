"""The compiled diagram against brute force, the seed totals, and the disk cache."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Model, Value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram import cache
from syncscope.solver.diagram import space as space_module
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.queries.brute import all_configurations, brute_verdict, brute_verdicts

SYNTHETIC = [
    random_model(5, seed=1),
    random_model(6, seed=2, domain=(2, 3), n_rules=9),
    random_model(7, seed=3, scope=(1, 4)),
    random_model(8, seed=4, domain=(2, 3), n_rules=12, window=2),
    random_model(6, seed=5, domain=(3, 4), n_rules=4),
]
IDS = [f"{m.name}-r{len(m.rules)}" for m in SYNTHETIC]


def _space(model: Model) -> Space:
    return compiled(model, use_cache=False)


@st.composite
def partials(draw: st.DrawFn, model: Model) -> dict[str, Value]:
    """A random partial assignment over the model's domains."""
    out: dict[str, Value] = {}
    for var in model.variables:
        if draw(st.booleans()):
            out[var.name] = draw(st.sampled_from(var.domain))
    return out


def _brute_counts(model: Model, fixed: dict[str, Value]) -> tuple[int, ...]:
    tally = Counter(level for _, level in brute_verdicts(model, fixed))
    return tuple(tally[level] for level in Level)


@pytest.mark.parametrize("params", SYNTHETIC, ids=IDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_counts_per_verdict_equal_brute_force(params: Model, data: st.DataObject) -> None:
    space = _space(params)
    fixed = data.draw(partials(space.model))
    encoded = space.encode(fixed)
    assert space.diagram.count(encoded) == _brute_counts(space.model, fixed)
    best = min((lv for _, lv in brute_verdicts(space.model, fixed)), default=None)
    assert space.diagram.best(encoded) == best


@pytest.mark.parametrize("params", SYNTHETIC, ids=IDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_value_counts_equal_brute_force(params: Model, data: st.DataObject) -> None:
    space = _space(params)
    model = space.model
    fixed = data.draw(partials(model))
    through: Counter[tuple[str, Value, Level]] = Counter()
    for config, level in brute_verdicts(model, fixed):
        for name, value in config.items():
            through[(name, value, level)] += 1
    sums = space.diagram.value_counts(space.encode(fixed))
    for var, row in zip(model.variables, sums, strict=True):
        assert len(row) == len(var.domain)
        for value, packed in zip(var.domain, row, strict=True):
            expected = tuple(through[(var.name, value, level)] for level in Level)
            assert space.diagram.unpack(packed) == expected, (var.name, value)


@pytest.mark.parametrize("params", SYNTHETIC, ids=IDS)
@pytest.mark.parametrize(
    "verdicts",
    [
        (Level.SUPPORTED, Level.DISCOURAGED),
        (Level.UNSUPPORTED,),
        (Level.UNTESTED, Level.DISCOURAGED),
        tuple(Level),
    ],
    ids=lambda v: "+".join(x.id for x in v),
)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_paths_are_the_brute_force_set_in_lexicographic_order(
    params: Model, verdicts: tuple[Level, ...], data: st.DataObject
) -> None:
    space = _space(params)
    model = space.model
    fixed = data.draw(partials(model))
    expected = [
        (tuple(space.tables.value_index[i][config[n]] for i, n in enumerate(model.names)), level)
        for config, level in brute_verdicts(model, fixed)
        if level in verdicts
    ]
    got = list(space.diagram.paths(space.encode(fixed), verdicts))
    assert got == expected
    assert got == sorted(got)


@pytest.mark.parametrize("params", SYNTHETIC, ids=IDS)
def test_diagram_is_reduced_and_follows_model_order(params: Model) -> None:
    space = _space(params)
    diagram = space.diagram
    assert diagram.order == tuple(range(len(space.model.variables)))
    for level, ids in enumerate(diagram.levels):
        kids = [diagram.children[n] for n in ids]
        assert len(set(kids)) == len(kids), f"equal nodes not merged at level {level}"
        assert all(len(k) == space.tables.sizes[level] for k in kids)
        assert all(diagram.above[n] > 0 for n in ids), "unreachable node"


# -- the seed -----------------------------------------------------------------------------------


def test_seed_counts(space: Space) -> None:
    assert space.diagram.count({}) == (19_440, 5_072, 768, 15_310_144)
    assert sum(space.diagram.count({})) == space.model.size


def test_seed_paths_of_valid_configurations_are_valid(space: Space) -> None:
    model = space.model
    seen = 0
    for path, level in space.diagram.paths(space.encode({"email_system": "gmail"}), [Level(0)]):
        config = space.tables.decode(path)
        assert brute_verdict(model, config) is level is Level.SUPPORTED
        seen += 1
    assert seen == space.diagram.count(space.encode({"email_system": "gmail"}))[0]


@st.composite
def seed_neighbourhoods(draw: st.DrawFn, model: Model) -> dict[str, Value]:
    """A full configuration with a few variables set free (at most about 2,000 completions)."""
    fixed = {v.name: draw(st.sampled_from(v.domain)) for v in model.variables}
    free = draw(st.lists(st.sampled_from(model.names), max_size=7, unique=True))
    size = 1
    for name in free:
        if size * len(model.variable(name).domain) > 2_000:
            break
        size *= len(model.variable(name).domain)
        del fixed[name]
    return fixed


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_seed_counts_match_brute_force_near_random_points(data: st.DataObject) -> None:
    space = compiled()
    fixed = data.draw(seed_neighbourhoods(space.model))
    encoded = space.encode(fixed)
    assert space.diagram.count(encoded) == _brute_counts(space.model, fixed)
    expected = [c for c, lv in brute_verdicts(space.model, fixed) if lv.valid]
    got = [space.tables.decode(p) for p, _ in space.diagram.paths(encoded, [Level(0), Level(1)])]
    assert got == expected


def test_brute_force_enumerates_in_lexicographic_order(space: Space) -> None:
    fixed = {n: space.model.variable(n).domain[0] for n in space.model.names[3:]}
    configs = list(all_configurations(space.model, fixed))
    keys = [tuple(space.encode(c)[i] for i in range(3)) for c in configs]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == 2 * 3 * 13


# -- the disk cache -----------------------------------------------------------------------------


class _Compiles:
    """Counts how often the diagram is compiled rather than read from the cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = space_module.compile_diagram

        def counting(*args: object, **kwargs: object) -> object:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(space_module, "compile_diagram", counting)


@pytest.fixture()
def fresh(cache_dir: str, monkeypatch: pytest.MonkeyPatch) -> _Compiles:
    monkeypatch.setattr(space_module, "_memo", {})
    return _Compiles(monkeypatch)


MODEL = random_model(6, seed=11)


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(space_module, "_memo", {})


def _entry() -> Path:
    (path,) = Path(cache.cache_dir()).glob("diagram-*.json")
    return path


def test_second_compile_reads_the_disk_cache(
    fresh: _Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = compiled(MODEL)
    assert fresh.calls == 1
    assert _entry().is_file()
    _forget(monkeypatch)
    second = compiled(MODEL)
    assert fresh.calls == 1
    assert second is not first
    assert second.diagram == first.diagram


def test_in_process_memo_returns_the_same_space(fresh: _Compiles) -> None:
    assert compiled(MODEL) is compiled(MODEL)
    assert fresh.calls == 1


def test_use_cache_false_writes_nothing(fresh: _Compiles) -> None:
    compiled(MODEL, use_cache=False)
    assert list(Path(cache.cache_dir()).glob("diagram-*.json")) == []


Tamper = Callable[[dict[str, Any]], None]


def _rewrite(edit: Tamper) -> None:
    path = _entry()
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record), encoding="utf-8")


def _reseal(record: dict[str, Any]) -> None:
    blob = json.dumps(record["diagram"], sort_keys=True, separators=(",", ":"))
    record["checksum"] = hashlib.sha256(blob.encode()).hexdigest()


def _bad_checksum(record: dict[str, Any]) -> None:
    record["checksum"] = "0" * 64


def _other_format(record: dict[str, Any]) -> None:
    record["format"] = cache.FORMAT + 1


def _other_digest(record: dict[str, Any]) -> None:
    record["digest"] = "not-this-model"


def _edge_out_of_range(record: dict[str, Any]) -> None:
    diagram = record["diagram"]
    diagram["children"][0][0] = 10**6
    _reseal(record)


def _wrong_domain_size(record: dict[str, Any]) -> None:
    diagram = record["diagram"]
    diagram["children"] = [kids[:-1] for kids in diagram["children"][:1]] + diagram["children"][1:]
    _reseal(record)


def _counts_tampered(record: dict[str, Any]) -> None:
    diagram = record["diagram"]
    diagram["lane_bits"] = "many"
    _reseal(record)


@pytest.mark.parametrize(
    "tamper",
    [
        _bad_checksum,
        _other_format,
        _other_digest,
        _edge_out_of_range,
        _wrong_domain_size,
        _counts_tampered,
    ],
)
def test_tampered_cache_entry_is_rebuilt(
    fresh: _Compiles, monkeypatch: pytest.MonkeyPatch, tamper: Tamper
) -> None:
    reference = compiled(MODEL)
    _rewrite(tamper)
    _forget(monkeypatch)
    again = compiled(MODEL)
    assert fresh.calls == 2
    assert again.diagram == reference.diagram
    # The rebuilt entry replaced the bad one and is trusted next time.
    _forget(monkeypatch)
    compiled(MODEL)
    assert fresh.calls == 2


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"format": 1}', "\x00\x01binary"])
def test_corrupt_cache_file_is_rebuilt(
    fresh: _Compiles, monkeypatch: pytest.MonkeyPatch, garbage: str
) -> None:
    reference = compiled(MODEL)
    _entry().write_text(garbage, encoding="utf-8")
    _forget(monkeypatch)
    assert compiled(MODEL).diagram == reference.diagram
    assert fresh.calls == 2


def test_a_new_format_ignores_old_entries(
    fresh: _Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled(MODEL)
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)
    _forget(monkeypatch)
    compiled(MODEL)
    assert fresh.calls == 2
    assert len(list(Path(cache.cache_dir()).glob("diagram-*.json"))) == 2


def test_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SYNCSCOPE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(space_module, "_memo", {})
    assert compiled(MODEL).diagram.count({}) == _brute_counts(MODEL, {})


def test_failed_store_leaves_no_temporary_file(
    fresh: _Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cache.os, "replace", refuse)
    assert compiled(MODEL).diagram.count({}) == _brute_counts(MODEL, {})
    assert list(Path(cache.cache_dir()).iterdir()) == []
