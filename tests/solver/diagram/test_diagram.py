"""The compiled diagram against brute force, the seed totals, and that it is always compiled."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import Level, Model, Value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram import space as space_module
from syncscope.solver.diagram.mdd import Diagram
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.diagram.tables import Tables
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


def test_a_model_deeper_than_the_recursion_limit_compiles_without_raising_it() -> None:
    limit = sys.getrecursionlimit()
    model = random_model(limit + 200, seed=1, domain=(2, 2), n_rules=40, window=2)
    diagram = compiled(model, use_cache=False).diagram
    assert sys.getrecursionlimit() == limit
    assert len(diagram.levels) == limit + 200
    assert sum(diagram.count({})) == model.size


# -- the seed -----------------------------------------------------------------------------------


def test_seed_counts(space: Space) -> None:
    counts = space.diagram.count({})
    assert (counts[Level.SUPPORTED], counts[Level.DISCOURAGED], counts[Level.UNTESTED]) == (
        19_440,
        5_072,
        768,
    )
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
    first = [len(space.model.variable(n).domain) for n in space.model.names[:3]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == first[0] * first[1] * first[2]


# -- compiled, never read back ------------------------------------------------------------------


class _Compiles:
    """Counts how often the diagram is compiled."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = space_module.compile_diagram

        def counting(tables: Tables) -> Diagram:
            self.calls += 1
            return real(tables)

        monkeypatch.setattr(space_module, "compile_diagram", counting)


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch) -> _Compiles:
    """An empty in-process memo and a count of compilations."""
    monkeypatch.setattr(space_module, "_memo", {})
    return _Compiles(monkeypatch)


MODEL = random_model(6, seed=11)


def test_a_fresh_process_compiles_and_then_reuses_the_space(fresh: _Compiles) -> None:
    first = compiled(MODEL)
    assert fresh.calls == 1
    assert compiled(MODEL) is first
    assert fresh.calls == 1
    assert first.diagram.count({}) == _brute_counts(MODEL, {})


def test_use_cache_false_compiles_again_and_keeps_nothing(fresh: _Compiles) -> None:
    kept = compiled(MODEL)
    alone = compiled(MODEL, use_cache=False)
    assert fresh.calls == 2
    assert alone is not kept and alone.diagram == kept.diagram
    assert compiled(MODEL) is kept
    space_module._memo.clear()
    compiled(MODEL, use_cache=False)
    assert space_module._memo == {}


def test_compiling_writes_nothing_to_disk(
    fresh: _Compiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOME", "XDG_CACHE_HOME", "SYNCSCOPE_CACHE_DIR", "TMPDIR"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    compiled(MODEL)
    compiled(use_cache=False)
    assert fresh.calls == 2
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["HOME", "XDG_CACHE_HOME", "SYNCSCOPE_CACHE_DIR", "TMPDIR"]
    )


# The files that once broke every later command, planted where the removed disk cache read
# its entry ($SYNCSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/syncscope): the answer must still come
# from compiling the rules, quickly.


def _old_entry_name(model: Model) -> str:
    return f"diagram-{hashlib.sha256(f'{model.digest}:1'.encode()).hexdigest()[:32]}.json"


def _forged_entry(model: Model) -> str:
    """An entry of the removed format, checksum recomputed, whose every path is supported."""
    depth = len(model.variables)
    first = len(Level)
    body = {
        "order": list(range(depth)),
        "children": [
            [first + d + 1 if d + 1 < depth else int(Level.SUPPORTED)] * len(var.domain)
            for d, var in enumerate(model.variables)
        ],
        "levels": [[first + d, first + d + 1] for d in range(depth)],
        "lane_bits": 64,
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"))
    checksum = hashlib.sha256(blob.encode()).hexdigest()
    return json.dumps({"format": 1, "digest": model.digest, "checksum": checksum, "diagram": body})


def _plant(kind: str, path: Path, model: Model) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "deeply-nested":
        path.write_text("[" * 100_000, encoding="utf-8")
    elif kind == "truncated":
        path.write_text(_forged_entry(model)[:200], encoding="utf-8")
    elif kind == "forged":
        path.write_text(_forged_entry(model), encoding="utf-8")
    elif kind == "unreadable":
        path.write_text(_forged_entry(model), encoding="utf-8")
        path.chmod(0)
    elif kind == "device":
        path.symlink_to(os.devnull)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["fifo", "deeply-nested", "truncated", "forged", "unreadable", "device"]
)
def test_files_at_the_old_cache_paths_change_no_answer(
    kind: str, model: Model, tmp_path: Path
) -> None:
    explicit = tmp_path / "explicit"
    fallback = tmp_path / "xdg" / "syncscope"
    for folder in (explicit, fallback):
        folder.mkdir(parents=True)
        _plant(kind, folder / _old_entry_name(model), model)
    os.mkfifo(tmp_path / "fifo-folder")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    for cache_dir in (explicit, tmp_path / "fifo-folder"):
        env["SYNCSCOPE_CACHE_DIR"] = str(cache_dir)
        started = time.monotonic()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "syncscope"), "list", "--count", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert time.monotonic() - started < 10
        assert result.returncode == 0, result.stderr
        counts = json.loads(result.stdout)
        assert (counts["supported"], counts["discouraged"], counts["untested"]) == (
            19_440,
            5_072,
            768,
        )
