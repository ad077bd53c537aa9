"""The hand-written python-constraint2 baseline and syncscope agree on the valid space."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from syncscope.model import Level
from syncscope.solver.diagram.space import Space

import syncscope

BASELINE = Path(__file__).resolve().parents[2] / "bench" / "baseline.py"
VALID = (Level.SUPPORTED, Level.DISCOURAGED)


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("syncscope_bench_baseline", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ours(space: Space, fixed: dict[str, Any]) -> set[tuple[Any, ...]]:
    found = [tuple(c.values()) for c in syncscope.configurations(fixed)]
    assert len(found) == len(set(found))
    paths = space.diagram.paths(space.encode(fixed), VALID)
    assert [space.tables.decode(path) for path, _ in paths] == [
        dict(zip(space.tables.names, c, strict=True)) for c in found
    ]
    return set(found)


def _theirs(space: Space, solutions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(s[n] for n in space.tables.names) for s in solutions}


def test_baseline_declares_the_model_vocabulary(baseline: ModuleType, space: Space) -> None:
    assert list(baseline.DOMAINS) == list(space.tables.names)
    for name, values in baseline.DOMAINS.items():
        assert tuple(values) == space.tables.domains[space.tables.index_of[name]]


def test_full_enumeration_agrees(baseline: ModuleType, space: Space) -> None:
    solutions = baseline.enumerate_valid()
    assert len(solutions) == 24_512
    theirs = _theirs(space, solutions)
    assert len(theirs) == len(solutions)
    assert theirs == _ours(space, {})


@pytest.mark.parametrize(
    "fixed",
    [
        {"deployment": "online"},
        {"email_system": "gmail"},
        {"deployment": "on-premises", "fips_mode": True},
        {"deployment": "online", "email_system": "msn"},
        {"sync_appointments_contacts_tasks": True, "mixed_outlook_act_sync": True},
    ],
)
def test_fixed_enumeration_count_and_domains_agree(
    baseline: ModuleType, space: Space, fixed: dict[str, Any]
) -> None:
    solutions = baseline.enumerate_valid(fixed)
    ours = _ours(space, fixed)
    assert _theirs(space, solutions) == ours
    assert baseline.count_valid(fixed) == len(ours)
    domains = baseline.valid_domains(fixed)
    for i, name in enumerate(space.tables.names):
        expected = [v for v in space.tables.domains[i] if any(c[i] == v for c in ours)]
        assert domains[name] == expected


def test_baseline_rejects_unknown_names(baseline: ModuleType) -> None:
    with pytest.raises(KeyError):
        baseline.build_problem({"deploymnet": "online"})
    with pytest.raises(ValueError):
        baseline.build_problem({"deployment": "cloud"})
