"""Imports go one way: the command line and the server call only the public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(
    "path", _modules("src/syncscope/cli") + _modules("src/syncscope/serve"), ids=str
)
def test_the_front_ends_call_only_the_public_api(path: Path) -> None:
    inner = {m for m in _imports(path) if m.startswith(("syncscope.solver", "syncscope.api"))}
    assert not inner, f"{path.relative_to(ROOT)} imports {sorted(inner)}; use `syncscope.*`"


@pytest.mark.parametrize("path", _modules("model"), ids=str)
def test_the_model_imports_no_solver(path: Path) -> None:
    bad = {
        m
        for m in _imports(path)
        if m.startswith(("syncscope.solver", "syncscope.api", "constraint", "networkx"))
    }
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("solver"), ids=str)
def test_the_solver_imports_no_front_end(path: Path) -> None:
    bad = {
        m
        for m in _imports(path)
        if m.startswith(("syncscope.api", "syncscope.cli", "syncscope.batch", "syncscope.serve"))
        or m == "syncscope"
    }
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
